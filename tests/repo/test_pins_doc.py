"""docs/pins.md has a row for every pin in the repository: any file holding an `==` pin, a
`sha256:` hash or digest, or a lockfile. Each row names the command that updates it, who runs that,
and a test that checks the result. Python sources and Markdown are not pins (test data, prose)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import project_files

DOC = PROJECT_ROOT / "docs" / "pins.md"
COLUMNS = ["Pin", "File(s)", "Updated by", "Run by", "Checked by"]
EQ_PIN = re.compile(r"""(?:^|["'\s])[A-Za-z0-9][A-Za-z0-9._-]*==[0-9]""", re.M)
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
NOT_PINS = (".py", ".md")


def is_lockfile(path: str) -> bool:
    name = Path(path).name
    return (name.endswith((".lock", ".index-view")) or name in {"package-lock.json", "npm-shrinkwrap.json"}
            or re.fullmatch(r"pylock(\.[^.]+)?\.toml", name) is not None)


def pinned_files(root: Path, files: list[str]) -> set[str]:
    """The files that hold a pin (by the rules above)."""
    found = set()
    for name in files:
        if name.endswith(NOT_PINS):
            continue
        if is_lockfile(name):
            found.add(name)
            continue
        try:
            text = (root / name).read_text()
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        if EQ_PIN.search(text) or DIGEST.search(text):
            found.add(name)
    return found


def rows(text: str) -> list[dict[str, str]]:
    """The pin table's rows, by column name."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines)
                  if [c.strip() for c in line.strip().strip("|").split("|")] == COLUMNS)
    table = []
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        table.append(dict(zip(COLUMNS, (c.strip() for c in line.strip().strip("|").split("|")), strict=True)))
    return table


def paths(cell: str) -> list[str]:
    """The file paths a cell names in backticks (not `uv==` or `CHP_VERSION`)."""
    return [t for t in re.findall(r"`([^`]+)`", cell) if re.fullmatch(r"[\w.-]+(/[\w.-]+)*", t) and not t.isupper()]


def listed_files(table: list[dict[str, str]]) -> set[str]:
    return {path for row in table for path in paths(row["File(s)"])}


def unlisted(root: Path, files: list[str], text: str) -> set[str]:
    return pinned_files(root, files) - listed_files(rows(text))


def test_every_pinned_file_has_a_row():
    missing = unlisted(PROJECT_ROOT, project_files(), DOC.read_text())
    assert not missing, f"docs/pins.md has no row for: {', '.join(sorted(missing))}"


def test_every_row_has_an_owner_a_command_and_an_existing_test():
    for row in rows(DOC.read_text()):
        assert all(row[c] for c in COLUMNS), row
        tests = re.findall(r"`(tests/[^`]+\.py)`", row["Checked by"])
        assert tests, f"docs/pins.md: {row['Pin']!r} names no test"
        for test in tests:
            assert (PROJECT_ROOT / test).is_file(), f"docs/pins.md names {test}, which does not exist"


def test_every_listed_file_exists_unless_marked_when_present():
    for row in rows(DOC.read_text()):
        for path in paths(row["File(s)"]):
            assert (PROJECT_ROOT / path).exists() or "when present" in row["File(s)"], path


def test_a_new_pin_without_a_row_is_found(tmp_path):
    (tmp_path / "tools.txt").write_text("ruff==0.9.1\n")
    (tmp_path / "digest.yaml").write_text("image: busybox@sha256:" + "a" * 64 + "\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "package-lock.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("a >= b, x == y\n")
    files = ["tools.txt", "digest.yaml", "web/package-lock.json", "notes.txt"]
    assert unlisted(tmp_path, files, DOC.read_text()) == {"tools.txt", "digest.yaml", "web/package-lock.json"}
    # and a pinned file of the repository whose row is taken away
    text = "\n".join(line for line in DOC.read_text().splitlines() if "`uv.lock`" not in line)
    assert "uv.lock" in unlisted(PROJECT_ROOT, project_files(), text)
