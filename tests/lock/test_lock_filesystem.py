"""Filesystem failures (read-only mount, no permission, full disk, an immutable file) are one line
naming the path, exit 7, no traceback, and no file changed. Read-only and full disks are real mounts
in a private mount namespace (`unshare --mount --map-root-user`, no root needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.support.lock_helpers import OLD, lock_environment, run_lock

pytestmark = pytest.mark.network  # `lock` on a read-only mount and the immutable file resolve first

NAMESPACES = shutil.which("unshare") is not None and (
    subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True).returncode == 0
)
needs_namespace = pytest.mark.skipif(not NAMESPACES, reason="unshare --mount --map-root-user is not allowed here")


def in_namespace(setup: str, root, *args: str, after: str = "true") -> subprocess.CompletedProcess:
    """Run `setup` (shell, $P is the project), `python -m lock ARGS` in the project, then `after`,
    inside a private mount namespace; mounts vanish with it. The exit code is lock's."""
    lock = " ".join([sys.executable, "-m", "lock", *args])
    script = f'set -e; P="{root}"; {setup}; cd "$P"; set +e; {lock}; rc=$?; {after}; exit $rc'
    return subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", script],
        env=lock_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def small(project):
    root = project("six\n")
    return root


@needs_namespace
@pytest.mark.parametrize("args", [("add", "attrs"), ("--exclude-newer", OLD)])
def test_read_only_mount(small, files, error, args):
    before = files(small)
    proc = in_namespace('mount --bind "$P" "$P"; mount -o remount,bind,ro "$P"', small, *args)
    assert proc.returncode == 7, proc.stderr
    line = error(proc)
    assert line in (
        f"lock: error: cannot write in {small} (for requirements.in): Read-only file system",  # add: staging
        "lock: error: cannot write requirements.lock: Read-only file system",
    ), line
    assert files(small) == before


@needs_namespace
def test_full_disk(project, error, tmp_path):
    """A 64 KiB tmpfs filled to the last byte: `lock add` cannot stage its edit; afterwards the
    project is what it was (diff against the source), with no staged file left."""
    source = project("six\n")
    mount = tmp_path / "mnt"
    mount.mkdir()
    setup = (
        f'S="{source}"; mount -t tmpfs -o size=64k tmpfs "$P"; cp -a "$S/." "$P/"; '
        'dd if=/dev/zero of="$P/.filler" bs=4k 2>/dev/null || true'
    )
    after = 'diff -r -x .filler "$S" "$P" >&2 || echo CHANGED >&2'
    proc = in_namespace(setup, mount, "add", "attrs", after=after)
    assert proc.returncode == 7, proc.stderr
    line = error(proc)
    assert "No space left on device" in line and str(mount) in line, line
    assert "CHANGED" not in proc.stderr and "Only in" not in proc.stderr, proc.stderr


def test_immutable_requirements_in_is_named(project, lock, files, error):
    """chattr +i: the lock could be written, requirements.in not; the message names requirements.in
    and neither file changes (the lock's replace is rolled back)."""
    root = project("six\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    target = root / "requirements.in"
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a filesystem that supports it")
    try:
        before = files(root)
        proc = lock(root, "add", "attrs")
        assert proc.returncode == 7, proc.stderr
        assert error(proc) == "lock: error: cannot write requirements.in: Operation not permitted"
        assert files(root) == before
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only directory")
def test_read_only_directory(small, files, error):
    """A directory the user may read but not write (mode 555): `lock add` names it."""
    small.chmod(0o555)
    try:
        before = files(small)
        proc = run_lock(small, "add", "attrs", timeout=300)
        assert proc.returncode == 7, proc.stderr
        assert error(proc) == f"lock: error: cannot write in {small} (for requirements.in): Permission denied"
        assert files(small) == before
    finally:
        small.chmod(0o755)
