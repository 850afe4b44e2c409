"""The committed requirements.lock: fresh, reproducible from its header, and accepted by pip for
both image platforms."""

from __future__ import annotations

import shutil

import pytest

from tests.support.lock_helpers import pip_dry_run, without_layers
from tests.support.paths import PROJECT_ROOT

from lock import header
from lock.lockfile import parse_body

PROJECT_FILES = ("pyproject.toml", "Dockerfile", "requirements.in", "requirements.lock", "pylock.toml")


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "copy"
    root.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(PROJECT_ROOT / name, root / name)
    # The base lock alone: its layers (e.g. hub) are locked from other inputs, not in its index view.
    without_layers(root / "pyproject.toml")
    return root


def test_committed_lock_is_up_to_date(lock):
    proc = lock(PROJECT_ROOT, "check")
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
def test_committed_lock_relocks_to_its_own_bytes_against_a_frozen_index(copy, lock, frozen_index):
    """Same inputs, same cut-off, same index view -> same bytes, whatever the live index did since:
    resolved from scratch (no lock to start from) against an index frozen to the lock's files."""
    committed = (PROJECT_ROOT / "requirements.lock").read_bytes()
    cutoff = header.parse(committed.decode()).settings.cutoffs.exclude_newer
    env = {"UV_DEFAULT_INDEX": frozen_index(PROJECT_ROOT / "requirements.lock")}
    (copy / "requirements.lock").unlink()
    first = lock(copy, "--exclude-newer", cutoff, env=env)
    assert first.returncode == 0, first.stderr
    assert (copy / "requirements.lock").read_bytes() == committed
    again = lock(copy, env=env)
    assert again.returncode == 0 and "requirements.lock is up to date" in again.stdout, again.stderr
    assert (copy / "requirements.lock").read_bytes() == committed
    check = lock(copy, "check", "--resolve", env=env)
    assert check.returncode == 0, check.stderr
    assert "re-resolving reproduces requirements.lock byte for byte" in check.stdout


@pytest.mark.network
def test_check_resolve_on_the_live_index_never_calls_the_committed_lock_wrong(copy, lock):
    """The live index moves under the cut-off (mirrors lag, files get yanked): `check --resolve`
    then says so (exit 5) and never advises a plain relock, which would move pins."""
    proc = lock(copy, "check", "--resolve")
    assert proc.returncode in (0, 5), proc.stderr
    if proc.returncode == 5:
        assert "lock: the package index changed under requirements.lock's cut-off" in proc.stderr
        assert "requirements.lock is still valid: it installs exactly as before" in proc.stderr
        assert "lock upgrade " in proc.stderr and "run `lock`" not in proc.stderr
    assert (copy / "requirements.lock").read_bytes() == (PROJECT_ROOT / "requirements.lock").read_bytes()


@pytest.mark.network
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_pip_accepts_committed_lock(machine, tmp_path):
    lockfile = PROJECT_ROOT / "requirements.lock"
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
