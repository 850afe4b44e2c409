"""Fixtures for the lock tool's integration tests: they run `python -m lock` against the real index.

Inputs are small (six, attrs, numpy) with an old cut-off so resolutions are quick and stable; uv's
ordinary cache is shared between tests. The no-network tests use a fresh empty cache instead.
"""

from __future__ import annotations

import pytest

from tests.support.lock_helpers import error_line, run_lock, snapshot, write_project


@pytest.fixture
def project(tmp_path):
    """project(requirements, python="3.13", platforms=(...), files={...}): a throw-away project."""
    counter = iter(range(100))

    def make(requirements: str, **kwargs):
        return write_project(tmp_path / f"project{next(counter)}", requirements, **kwargs)

    return make


@pytest.fixture
def lock():
    """lock(root, *args, env=None): run `python -m lock ARGS` in root."""
    return run_lock


@pytest.fixture
def files():
    """files(root): every file under root with its bytes, to prove a failure changed nothing."""
    return snapshot


@pytest.fixture
def error():
    """error(proc): the single `lock: error:` line of a failed run; asserts there is no traceback."""
    return error_line
