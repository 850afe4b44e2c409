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
    assert err.startswith(f"lock: error: {notes}:2: malformed line 'Some words about")
    unpinned = tmp_path / "unpinned.txt"
    unpinned.write_text("six>=1\n")
    assert main(["diff", str(unpinned), str(lock)]) == 2
    assert capsys.readouterr().err.startswith(f"lock: error: {unpinned}:1: 'six>=1' is not pinned with ==")
    binary = tmp_path / "data.bin"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["diff", str(lock), str(binary)]) == 2
    assert capsys.readouterr().err == f"lock: error: {binary}: not a lock (not UTF-8 text)\n"


def _lock_text(entries, python="3.13", platforms=("x86_64-manylinux_2_28",)) -> str:
    from lock import header
    from lock.cutoff import Cutoffs
    from lock.lockfile import render_body

    settings = header.Settings(backend="uv", python=python, platforms=platforms, resolver_options="--generate-hashes",
                               cutoffs=Cutoffs("2024-06-01T00:00:00Z"), inputs=(("-r", "requirements.in", "1" * 64),))
    return header.render(settings, render_body(entries))


def test_diff_refuses_an_empty_or_truncated_lock(tmp_path, capsys):
    """Finding 9: an empty or truncated file was taken for a lock (\"every package removed\")."""
    from lock.cli import main

    good = tmp_path / "old.lock"
    good.write_text(_lock_text(OLD))
    empty = tmp_path / "empty.lock"
    empty.write_text("")
    assert main(["diff", str(good), str(empty)]) == 2
    assert capsys.readouterr().err == f"lock: error: {empty} is not a lock: it is empty\n"
    cut = tmp_path / "cut.lock"
    text = good.read_text()
    cut.write_text(text[: text.index("six==")])  # cut at a line end: every line still parses
    assert main(["diff", str(good), str(cut)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lock: error: {cut} is not a valid lock: its body does not match its header's"), err


def test_diff_details_on_an_edited_header_is_one_line(tmp_path, capsys):
    """Finding 8: `diff --details` on a lock whose header was edited was a traceback."""
    from lock.cli import main

    old = tmp_path / "old.lock"
    old.write_text(_lock_text(OLD))
    for n, text in enumerate([_lock_text(NEW).replace("# python: 3.13", "# python: 3.x"),
                              _lock_text(NEW).replace("# platforms: x86_64-manylinux_2_28", "# platforms: "),
                              _lock_text(NEW, python="3.x"), _lock_text(NEW, platforms=())]):
        new = tmp_path / f"new{n}.lock"
        new.write_text(text)
        assert main(["diff", "--details", str(old), str(new)]) == 2, n
        err = capsys.readouterr().err
        assert err == (f"lock: error: {new}: --details needs the lock header lock wrote (its platforms and Python); "
                       "this one was edited by hand\n"), err
