"""Fixtures of the reproducibility tests.

One commit per session (tests/conftest.py `commit`: HEAD when the session starts, exported clean
with `git archive`, built with SOURCE_DATE_EPOCH = its commit time). scripts/verify-rebuild builds it
twice from scratch once per session (tests/conftest.py `rebuild`, shared with the build benchmark and
the image under test); every test that needs "the" image ID of the commit (offline build, pinned
base) compares against that result instead of building again.
"""

from __future__ import annotations

import pytest

from tests.support.repro_helpers import Registry, registry_sh


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
