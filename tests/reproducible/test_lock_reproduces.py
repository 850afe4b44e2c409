"""The locks reproduce: re-resolving the committed requirements.in (and each layer's
requirements-NAME.in) with the cut-off recorded in its committed lock, against the index view it was
made from, gives the lock byte for byte. The view is frozen (tests/support/local_index.py): the live
index moves under any cut-off."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import sys

import pytest

from tests.support.lock_helpers import without_layers
from tests.support.repro_helpers import run

pytestmark = [pytest.mark.image, pytest.mark.network]


def locks(project) -> list:
    """The project's lock, then its layers' locks (requirements-NAME.lock), as committed."""
    return [project / "requirements.lock", *sorted(project.glob("requirements-*.lock"))]


def cut_off(lock) -> str:
    found = re.search(rb"^# exclude-newer: (\S+)$", lock.read_bytes(), re.M)
    assert found, f"{lock.name} records no exclude-newer cut-off"
    return found[1].decode()


def test_relocking_the_commit_with_its_cut_off_gives_the_same_bytes(commit, frozen_index):
    before = {lock.name: hashlib.sha256(lock.read_bytes()).hexdigest() for lock in locks(commit.context)}
    env = {**os.environ, "UV_DEFAULT_INDEX": frozen_index(*locks(commit.context))}
    # The commit's export, not the working tree: what is checked is what was committed.
    result = run(sys.executable, "-m", "lock", "check", "--resolve", "--project", commit.context, timeout=900,
                 env=env)
    assert result.returncode == 0, (
        f"`lock check --resolve` exit {result.returncode}: the committed lock does not reproduce\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    after = {lock.name: hashlib.sha256(lock.read_bytes()).hexdigest() for lock in locks(commit.context)}
    assert after == before, "`lock check` must not rewrite a lock"


def test_relocking_a_copy_from_scratch_writes_the_same_bytes(commit, frozen_index, tmp_path):
    """The same without trusting `lock check`: run the lock tool itself on a copy of the commit that
    has no locks, each lock made with the cut-off its committed file records (the base lock first,
    then each layer on top of it), and compare the files it writes."""
    copy = tmp_path / "project"
    shutil.copytree(commit.context, copy)
    env = {**os.environ, "UV_DEFAULT_INDEX": frozen_index(*locks(commit.context))}
    for lock in locks(commit.context):
        (copy / lock.name).unlink()
    pyproject = (copy / "pyproject.toml").read_bytes()
    without_layers(copy / "pyproject.toml")  # the base lock alone first, with its own cut-off
    for lock in locks(commit.context):
        layer = lock.stem.removeprefix("requirements").removeprefix("-")
        if layer:
            (copy / "pyproject.toml").write_bytes(pyproject)
        result = run(sys.executable, "-m", "lock", "--project", copy, *(["--layer", layer] if layer else []),
                     "--exclude-newer", cut_off(lock), timeout=900, env=env)
        assert result.returncode == 0, f"lock failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        committed, relocked = lock.read_bytes(), (copy / lock.name).read_bytes()
        assert relocked == committed, f"re-locking with the recorded cut-off changed {lock.name}:\n" + "".join(
            difflib.unified_diff(committed.decode().splitlines(True), relocked.decode().splitlines(True),
                                 "committed", "relocked", n=1))[:4000]
