"""Change reports: added, removed, upgraded, downgraded (old -> new), as text and Markdown."""

from __future__ import annotations

from lock.diff import compare, render_markdown, render_text, summary
from lock.lockfile import Entry

H1, H2 = "sha256:" + "a" * 64, "sha256:" + "b" * 64

OLD = [
    Entry("attrs", "23.2.0", hashes=(H1,)),
    Entry("numpy", "2.0.0", hashes=(H1,)),
    Entry("six", "1.17.0", hashes=(H1,)),
    Entry("idna", "3.7", hashes=(H1,)),
    Entry("tbb", "1.0", hashes=(H1,)),
]
NEW = [
    Entry("attrs", "23.2.0", hashes=(H1,)),
    Entry("numpy", "2.1.0", hashes=(H1,)),
    Entry("six", "1.16.0", hashes=(H1,)),
    Entry("idna", "3.7", hashes=(H1, H2)),
    Entry("requests", "2.32.3", hashes=(H1,)),
    Entry("tbb", "1.0", marker='platform_machine == "x86_64"', hashes=(H1,)),
]


def test_compare_kinds():
    changes = compare(OLD, NEW)
    assert [(c.name, c.kind, c.old, c.new) for c in changes] == [
        ("idna", "changed", "3.7", "3.7"),
        ("numpy", "upgraded", "2.0.0", "2.1.0"),
        ("requests", "added", None, "2.32.3"),
        ("six", "downgraded", "1.17.0", "1.16.0"),
        ('tbb ; platform_machine == "x86_64"', "changed", "1.0", "1.0"),
    ]
    assert summary(changes) == "1 added, 1 upgraded, 1 downgraded, 2 changed"


def test_removed_and_nothing():
    assert [(c.name, c.kind) for c in compare(OLD, OLD[:-1])] == [("tbb", "removed")]
    assert compare(OLD, OLD) == []
    assert summary([]) == "no package changes"


def test_version_order_is_pep440_not_text():
    (c,) = compare([Entry("x", "1.9", hashes=(H1,))], [Entry("x", "1.10", hashes=(H1,))])
    assert c.kind == "upgraded"


def test_text_report():
    assert render_text(compare(OLD, NEW)) == (
        "  changed     idna 3.7 (other hashes)\n"
        "  upgraded    numpy 2.0.0 -> 2.1.0\n"
        "  added       requests 2.32.3\n"
        "  downgraded  six 1.17.0 -> 1.16.0\n"
        '  changed     tbb ; platform_machine == "x86_64" 1.0 (marker: none -> platform_machine == "x86_64")\n'
    )


def test_markdown_report():
    md = render_markdown(
        compare(OLD, NEW),
        "requirements.lock",
        "exclude-newer 2024-06-01T00:00:00Z",
        "exclude-newer 2024-07-01T00:00:00Z",
    )
    assert md.startswith("### Dependency changes in `requirements.lock`\n")
    assert "Cut-off (uploads up to): exclude-newer 2024-06-01T00:00:00Z → exclude-newer 2024-07-01T00:00:00Z" in md
    assert "| Package | Change | Old | New |\n|---|---|---|---|\n" in md
    assert "| `numpy` | upgraded | 2.0.0 | 2.1.0 |\n" in md
    assert "| `requests` | added |  | 2.32.3 |\n" in md
    assert md.endswith("1 added, 1 upgraded, 1 downgraded, 2 changed.\n")


def test_markdown_without_changes():
    assert render_markdown([], "requirements.lock").endswith("No package changes.\n")


def test_diff_refuses_what_is_not_a_lock(tmp_path, capsys):
    """A text file is not "every package removed": exit 2 naming the file and line."""
    from lock.cli import main

    lock = tmp_path / "requirements.lock"
    lock.write_text("six==1.0 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("# notes\nSome words about the project.\n")
    assert main(["diff", str(lock), str(notes)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(f"lock: error: {notes} is not a lock: {notes}:2: malformed line 'Some words about")
    unpinned = tmp_path / "unpinned.txt"
    unpinned.write_text("six>=1\n")
    assert main(["diff", str(unpinned), str(lock)]) == 2
    assert "is not a lock" in capsys.readouterr().err
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["diff", str(lock), str(binary)]) == 2
    assert capsys.readouterr().err == f"lock: error: {binary}: not a lock (not UTF-8 text)\n"
