"""Fixtures of the repository tests: a scratch copy of the working tree to break or run things in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # workflows.py, next to this file
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def project_files() -> list[str]:
    """Every file git would commit from the working tree: tracked, and new files not ignored."""
    # safe.directory: on GitHub the suite runs as root in a checkout the runner user owns.
    listed = subprocess.run(["git", "-c", f"safe.directory={PROJECT_ROOT}", "-C", str(PROJECT_ROOT), "ls-files",
                             "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True, timeout=60).stdout
    return sorted({name for name in listed.decode().split("\0") if name and (PROJECT_ROOT / name).exists()})


def copy_project(root: Path) -> Path:
    """The working tree's files (not .venv, caches or ignored files) copied into `root`."""
    for name in project_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, target, follow_symlinks=False)
    return root


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
