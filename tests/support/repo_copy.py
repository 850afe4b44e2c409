"""The working tree as git would commit it, and copies of it to break or run things in."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.paths import PROJECT_ROOT


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
