"""`lock sbom|labels|pylock|wheelhouse` (and their `python -m lock.X` shims) behind lock's one error
funnel: an output that cannot be written is one `lock: error:` line naming it, exit 7, no traceback.
Against a local index on 127.0.0.1 (tests/support/local_index.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.local_index import LocalIndex
from tests.support.lock_helpers import error_line, lock_environment, run_lock, write_project

from lock.errors import EXIT_FILESYSTEM


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    """A project locked against a local index, and the environment that reaches it."""
    tmp = tmp_path_factory.mktemp("outputs")
    local = LocalIndex(tmp / "index")
    local.add_wheel("demo-a", "1.0", "2026-01-01T00:00:00Z")
    with local.serve() as url:
        root = write_project(tmp / "project", "demo-a\n")
        with (root / "pyproject.toml").open("a") as f:
            f.write('pylock = "pylock.toml"\n')
        env = {"UV_DEFAULT_INDEX": url, "UV_NO_CACHE": "1", "XDG_CACHE_HOME": str(tmp / "cache")}
        assert run_lock(root, "--exclude-newer", "2026-06-01T00:00:00Z", env=env).returncode == 0
        (root / "blocker").write_text("a file where a folder is wanted\n")
        yield root, env


LABELS = ("--lock", "requirements.lock", "--revision", "abc", "--created", "0", "--base-id", "sha256:00")


@pytest.mark.parametrize(("command", "args", "names"), [
    ("sbom", ("--project", ".", "--output", "blocker/bom.json"), "blocker/bom.json"),
    ("wheelhouse", ("--lock", "requirements.lock", "--dest", "blocker/wheels"), "blocker/wheels"),
    ("pylock", ("--project", "."), "pylock.toml"),
    ("labels", ("--project", ".", *LABELS), "standard output"),
], ids=["sbom", "wheelhouse", "pylock", "labels"])
@pytest.mark.parametrize("form", ["lock X", "python -m lock.X"])
def test_an_unwritable_output_is_one_line_and_exit_7(locked, command, args, names, form):
    root, env = locked
    if command == "pylock" and not (root / "pylock.toml").is_dir():
        (root / "pylock.toml").unlink()
        (root / "pylock.toml").mkdir()  # a folder where the file goes
    argv = ["-m", "lock", command] if form == "lock X" else ["-m", f"lock.{command}"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, *argv, *args], cwd=root, env=lock_environment(env), text=True,
                              stdout=full if command == "labels" else subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=300)
    proc.stdout = proc.stdout or ""
    line = error_line(proc)
    assert proc.returncode == EXIT_FILESYSTEM, proc.stderr
    assert names in line, line
