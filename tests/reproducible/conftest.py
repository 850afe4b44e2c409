"""Fixtures of the reproducibility tests.

One commit per session (HEAD when the session starts; others may commit meanwhile), exported clean
with `git archive`, built with SOURCE_DATE_EPOCH = its commit time. scripts/verify-rebuild builds it
twice from scratch once per session; every test that needs "the" image ID of the commit (offline
build, pinned base) compares against that result instead of building again.
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repro_helpers import (
    BUILD_TIMEOUT, SCRIPTS, TAG, Commit, Rebuild, Registry, docker_inspect, registry_sh, remove_tags, run,
)


@pytest.fixture(scope="session")
def commit(tmp_path_factory) -> Commit:
    sha = run("git", "-C", PROJECT_ROOT, "rev-parse", "HEAD").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", sha), "not a git checkout"
    epoch = int(run("git", "-C", PROJECT_ROOT, "log", "-1", "--format=%ct", sha).stdout)
    context = tmp_path_factory.mktemp("commit")
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", sha],
                             capture_output=True, check=True, timeout=120)
    subprocess.run(["tar", "-x", "-C", str(context)], input=archive.stdout, check=True, timeout=120)
    return Commit(sha, epoch, context)


@pytest.fixture(scope="session")
def rebuild(commit) -> Rebuild:
    """scripts/verify-rebuild on the session's commit: two --no-cache builds, compared."""
    start = time.monotonic()
    result = run(SCRIPTS / "verify-rebuild", "--commit", commit.sha,
                 env={**os.environ, "VERIFY_REBUILD_TAG": TAG}, timeout=2 * BUILD_TIMEOUT)
    seconds = time.monotonic() - start
    identical = re.search(r"^identical: (sha256:[0-9a-f]{64})$", result.stdout, re.M)
    yield Rebuild(result.stdout, result.stderr, result.returncode, seconds,
                  identical[1] if identical else None, docker_inspect(f"{TAG}-1", "{{.Id}}"))
    if identical:  # two different images are kept, to be looked into
        remove_tags(f"{TAG}-1", f"{TAG}-2")


@pytest.fixture(scope="session")
def reference_id(rebuild) -> str:
    """The commit's image ID from verify-rebuild's first build (the one to match)."""
    assert rebuild.first_id, f"scripts/verify-rebuild built nothing:\n{rebuild.output}\n{rebuild.errors[-3000:]}"
    return rebuild.first_id


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """Debian's docker-registry serving on a free port of 127.0.0.1 (an insecure registry to the
    engine by default), with its storage in a temp dir; stopped at the end of the module."""
    binary = registry_sh("registry_binary")
    if binary.returncode != 0:
        pytest.skip(f"no docker-registry available: {binary.stderr.strip()}")
    started = registry_sh("registry_start", tmp_path_factory.mktemp("registry"))
    assert started.returncode == 0, f"the registry did not start:\n{started.stderr}"
    pid, port = (int(x) for x in started.stdout.split())
    yield Registry(port, pid)
    registry_sh("registry_stop", pid)
    assert registry_sh("registry_gone", pid).returncode == 0, f"the registry (pid {pid}) is still running"
