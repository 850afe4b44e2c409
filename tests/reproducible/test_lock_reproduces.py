"""The lock reproduces: re-resolving the committed requirements.in with the cut-off recorded in the
committed requirements.lock, against the index view it was made from, gives requirements.lock byte
for byte. The view is frozen (tests/support/local_index.py): the live index moves under any cut-off."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import sys

import pytest

from tests.support.repro_helpers import run

pytestmark = [pytest.mark.image, pytest.mark.network]


def test_relocking_the_commit_with_its_cut_off_gives_the_same_bytes(commit, frozen_index):
    lock = commit.context / "requirements.lock"
    before = hashlib.sha256(lock.read_bytes()).hexdigest()
    env = {**os.environ, "UV_DEFAULT_INDEX": frozen_index(lock)}
    # The commit's export, not the working tree: what is checked is what was committed.
    result = run(sys.executable, "-m", "lock", "check", "--resolve", "--project", commit.context, timeout=900,
                 env=env)
    assert result.returncode == 0, (
        f"`lock check --resolve` exit {result.returncode}: the committed lock does not reproduce\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    assert hashlib.sha256(lock.read_bytes()).hexdigest() == before, "`lock check` must not rewrite the lock"


def test_relocking_a_copy_from_scratch_writes_the_same_bytes(commit, frozen_index, tmp_path):
    """The same without trusting `lock check`: run the lock tool itself on a copy of the commit that
    has no lock, with the cut-off the committed lock records, and compare the file it writes."""
    copy = tmp_path / "project"
    shutil.copytree(commit.context, copy)
    committed = (commit.context / "requirements.lock").read_bytes()
    cutoff = re.search(rb"^# exclude-newer: (\S+)$", committed, re.M)
    assert cutoff, "the lock records no exclude-newer cut-off"
    (copy / "requirements.lock").unlink()
    env = {**os.environ, "UV_DEFAULT_INDEX": frozen_index(commit.context / "requirements.lock")}
    result = run(sys.executable, "-m", "lock", "--project", copy, "--exclude-newer", cutoff[1].decode(),
                 timeout=900, env=env)
    assert result.returncode == 0, f"lock failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    relocked = (copy / "requirements.lock").read_bytes()
    assert relocked == committed, "re-locking with the recorded cut-off changed the lock:\n" + "".join(
        difflib.unified_diff(committed.decode().splitlines(True), relocked.decode().splitlines(True),
                             "committed", "relocked", n=1))[:4000]

