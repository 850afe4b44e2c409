"""Atomic writes: temp file in the same directory + os.replace; on failure the old files stay."""

from __future__ import annotations

import os

import pytest

from lock import atomic


def fail_second_call(real, error: Exception):
    """`real`, except that its second call raises `error` (a failure half-way through a write)."""
    calls = []

    def wrapper(*args):
        calls.append(args)
        if len(calls) == 2:
            raise error
        return real(*args)

    return wrapper


def test_write_creates_and_replaces(tmp_path):
    path = tmp_path / "requirements.lock"
    atomic.write_text(path, "one\n")
    assert path.read_bytes() == b"one\n"
    path.chmod(0o640)
    atomic.write_text(path, "two\n")
    assert path.read_bytes() == b"two\n"
    assert path.stat().st_mode & 0o777 == 0o640  # the mode of the file it replaces
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.lock"]


def test_newlines_are_written_as_given(tmp_path):
    path = tmp_path / "f"
    atomic.write_text(path, "a\r\nb\n")
    assert path.read_bytes() == b"a\r\nb\n"


def test_temp_file_is_in_the_target_directory(tmp_path, monkeypatch):
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(src), os.path.dirname(dst)))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    atomic.write_text(tmp_path / "f", "x")
    assert seen == [(str(tmp_path), str(tmp_path))]


def test_failure_while_staging_leaves_everything(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old a")
    b.write_text("old b")
    monkeypatch.setattr(atomic, "_stage", fail_second_call(atomic._stage, OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        atomic.write_many([(a, "new a"), (b, "new b")])
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_failure_between_replaces_restores_the_first_file(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old a")
    real = os.replace
    monkeypatch.setattr(atomic.os, "replace", fail_second_call(real, OSError("boom")))
    with pytest.raises(OSError, match="boom"):
        atomic.write_many([(a, "new a"), (b, "new b")])
    monkeypatch.setattr(atomic.os, "replace", real)
    assert a.read_text() == "old a"
    assert not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
