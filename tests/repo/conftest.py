"""Fixtures of the repository tests: a scratch copy of the working tree to break or run things in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.repo_copy import copy_project


@pytest.fixture
def scratch_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def scratch_repo(scratch_copy) -> Path:
    """The scratch copy as a git repository with one commit (pre-commit wants a repository)."""
    def git(*args):
        subprocess.run(["git", "-C", str(scratch_copy), *args], capture_output=True, check=True, timeout=60)
    git("init", "--quiet", "--initial-branch=main")
    git("add", "--all")
    git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "-m", "scratch")
    return scratch_copy
