"""The one lock reader (lock.lockfile.read_lock: one line per way a file is not a lock, the same
from every command) and the one wheel picker (lock.wheel_tags.locked_wheels: a lock entry's files
that install on some platforms)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lock import cli, header
from lock.cutoff import Cutoffs
from lock.errors import InputError
from lock.lockfile import Entry, NotFound, read_lock
from lock.config import Platform
from lock.wheel_tags import locked_wheels, platforms_of

HASH = "--hash=sha256:" + "a" * 64
X86 = Platform.parse("x86_64-manylinux_2_28")
ARM = Platform.parse("aarch64-manylinux_2_28")


def made_by_lock(path: Path, body: str) -> Path:
    """A lock with lock's header over `body` (settings of no consequence here)."""
    settings = header.Settings(backend="uv", python="3.13", platforms=(X86.name,), resolver_options="",
                               cutoffs=Cutoffs("2024-06-01T00:00:00Z"), inputs=())
    path.write_text(header.render(settings, body))
    return path


@pytest.fixture
def files(tmp_path):
    (tmp_path / "empty.lock").write_text(" \n")
    (tmp_path / "binary.lock").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "dir.lock").mkdir()
    (tmp_path / "plain.lock").write_text(f"six==1.0 \\\n    {HASH}\n")
    (tmp_path / "unpinned.lock").write_text(f"# notes\nsix>=1 \\\n    {HASH}\n")
    return tmp_path


@pytest.mark.parametrize("name, kwargs, message", [
    ("nope.lock", {}, "nope.lock: not found"),
    ("dir.lock", {}, "dir.lock: is a directory, not a lock"),
    ("binary.lock", {}, "binary.lock: not a lock (not UTF-8 text)"),
    ("empty.lock", {}, "empty.lock is not a lock: it is empty"),
    ("unpinned.lock", {}, "unpinned.lock:2: 'six>=1' is not pinned with =="),
    ("plain.lock", {"made_by_lock": True}, "plain.lock: not a lock made by `lock` ("),
])
def test_each_way_a_file_is_not_a_lock_is_one_line(files, name, kwargs, message):
    with pytest.raises(InputError) as caught:
        read_lock(files / name, name, **kwargs)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert isinstance(caught.value, NotFound) is (name == "nope.lock")


def test_an_unreadable_file_names_the_reason(files, monkeypatch):
    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputError, match=r"^plain.lock: cannot read: Permission denied$"):
        read_lock(files / "plain.lock", "plain.lock")


def test_a_truncated_lock_is_refused_unless_the_reader_checks_its_body_itself(tmp_path):
    lock = made_by_lock(tmp_path / "requirements.lock", f"six==1.0 \\\n    {HASH}\nzipp==3.0 \\\n    {HASH}\n")
    whole = read_lock(lock, "requirements.lock", made_by_lock=True)
    assert [e.name for e in whole.entries] == ["six", "zipp"] and whole.parsed is not None
    lock.write_text(lock.read_text().rsplit("zipp", 1)[0])
    with pytest.raises(InputError, match=r"^requirements.lock is not a valid lock: its body does not match"):
        read_lock(lock, "requirements.lock")
    assert [e.name for e in read_lock(lock, "requirements.lock", intact=False).entries] == ["six"]


@pytest.mark.parametrize("command", [
    ["diff", "{missing}", "{missing}"],
    ["sbom", "--project", "{root}", "--lock", "{missing}"],
    ["labels", "--project", "{root}", "--lock", "{missing}", "--revision", "r", "--created", "0", "--base-id", "b"],
])
def test_every_command_says_the_same_line_for_a_missing_lock(project, capsys, command):
    root = project("six\n")
    missing = root / "gone.lock"
    assert cli.main([a.format(root=root, missing=missing) for a in command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lock: error: ") and err.endswith("gone.lock: not found\n") and err.count("\n") == 1


@dataclass
class Listed:
    filename: str


def test_locked_wheels_keeps_the_files_that_install_on_one_of_the_platforms_in_order():
    entry = Entry("demo", "1.0")
    files = [Listed(n) for n in (
        "demo-1.0.tar.gz",
        "demo-1.0-cp313-cp313-manylinux_2_34_x86_64.whl",  # a newer glibc than the target's floor
        "demo-1.0-cp313-cp313-manylinux_2_17_aarch64.whl",
        "demo-1.0-py3-none-any.whl",
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",  # another Python
        "other-1.0-py3-none-any.whl",  # another project
        "demo-2.0-py3-none-any.whl",  # another version
    )]
    names = lambda picked: [f.filename.split("-", 2)[2] for f in picked]  # noqa: E731
    assert names(locked_wheels(entry, files, [X86], "3.13")) == [
        "cp313-cp313-manylinux_2_34_x86_64.whl", "py3-none-any.whl"]
    assert names(locked_wheels(entry, files, [X86], "3.13", newer_libc=False)) == ["py3-none-any.whl"]
    assert names(locked_wheels(entry, files, [X86, ARM], "3.13", newer_libc=False)) == [
        "cp313-cp313-manylinux_2_17_aarch64.whl", "py3-none-any.whl"]
    assert locked_wheels(entry, files, [], "3.13") == []


def test_platforms_of_follows_the_entry_marker():
    assert platforms_of(Entry("demo", "1.0"), [X86, ARM], "3.13") == [X86, ARM]
    arm_only = Entry("demo", "1.0", marker='platform_machine == "aarch64"')
    assert platforms_of(arm_only, [X86, ARM], "3.13") == [ARM]
