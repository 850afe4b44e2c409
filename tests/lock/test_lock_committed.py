"""The committed requirements.lock: fresh, reproducible from its header, and accepted by pip for
both image platforms."""

from __future__ import annotations

import shutil

import pytest
from lock_helpers import REPO, pip_dry_run

from lock.lockfile import parse_body

PROJECT_FILES = ("pyproject.toml", "Dockerfile", "requirements.in", "requirements.lock")


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "copy"
    root.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, root / name)
    return root


def test_committed_lock_is_up_to_date(lock):
    proc = lock(REPO, "check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("lock: requirements.lock is up to date (")


def test_check_fails_after_appending_to_requirements_in(copy, lock):
    with (copy / "requirements.in").open("a") as f:
        f.write("polars\n")
    proc = lock(copy, "check")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "lock: requirements.lock is out of date -- run `lock` to update it:"
    assert "requirements.in changed since the lock was made: `polars` (requirements.in:" in lines[1]


@pytest.mark.network
def test_committed_lock_reproduces_byte_for_byte(copy, lock):
    """Locks the real requirements.in (the one slow resolution) with the recorded cut-off."""
    proc = lock(copy, "check", "--resolve")
    assert proc.returncode == 0, proc.stderr
    assert "re-resolving reproduces requirements.lock byte for byte" in proc.stdout


@pytest.mark.network
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_pip_accepts_committed_lock(machine, tmp_path):
    lockfile = REPO / "requirements.lock"
    entries = parse_body(lockfile.read_text()).by_name()
    report = pip_dry_run(lockfile, machine, tmp_path)
    installed = {
        item["metadata"]["name"].lower().replace("_", "-").replace(".", "-"): item for item in report["install"]
    }
    assert set(installed) == set(entries)
    for name, item in installed.items():
        digest = "sha256:" + item["download_info"]["archive_info"]["hashes"]["sha256"]
        assert digest in entries[name].hashes, name
        filename = item["download_info"]["url"].rsplit("/", 1)[1]
        assert filename.endswith(".whl") and (machine in filename or filename.endswith("-any.whl")), filename
