"""Runs that overlap or are stopped, and files kept as the user has them -- with the real uv.

- two `lock add` at once: the second waits for the project lock; both edits survive;
- a symlinked requirements.in stays a symlink, CRLF stays CRLF;
- SIGTERM / SIGHUP during `lock add` removes the staged copy; what a SIGKILL leaves is ignored by
  git and removed by the next run.
A "hanging index" is a socket of the test's own on 127.0.0.1 that accepts and never answers."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.containers import poll
from tests.support.lock_helpers import OLD, lock_environment
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.network
STAGED = ".lock-staged."


def start(root, *args, env=None, stderr_path=None):
    return subprocess.Popen(
        [sys.executable, "-m", "lock", *args],
        cwd=root,
        env=lock_environment(env),
        stdout=subprocess.PIPE,
        stderr=open(stderr_path, "w") if stderr_path else subprocess.PIPE,  # noqa: SIM115
        text=True,
    )


@pytest.fixture
def locked(project, lock):
    root = project("six\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    return root


def test_two_adds_at_once_lose_nothing(locked, lock, tmp_path):
    flock = locked / ".requirements.lock.flock"
    holder = os.open(flock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # the test is "another run" holding the project
    procs = []
    try:
        for name in ("attrs", "idna"):
            err = tmp_path / f"{name}.err"
            procs.append((start(locked, "add", name, stderr_path=err), err))
            poll(lambda err=err: "waiting for another lock run on this project" in err.read_text(), 60, "waiting",
                 interval=0.02)
    finally:
        os.unlink(flock)  # released as a run releases it
        os.close(holder)
    for proc, err in procs:
        assert proc.wait(timeout=300) == 0, err.read_text()
    assert (locked / "requirements.in").read_text() in ("six\nattrs\nidna\n", "six\nidna\nattrs\n")
    text = (locked / "requirements.lock").read_text()
    assert "\nattrs==" in text and "\nidna==" in text
    assert lock(locked, "check").returncode == 0
    assert not flock.exists()


def test_symlinked_requirements_in_stays_a_symlink(project, lock):
    root = project("", files={"inputs/requirements.in": "six\n"})
    (root / "requirements.in").unlink()
    (root / "requirements.in").symlink_to("inputs/requirements.in")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    proc = lock(root, "add", "attrs")
    assert proc.returncode == 0, proc.stderr
    assert os.readlink(root / "requirements.in") == "inputs/requirements.in"
    assert (root / "inputs" / "requirements.in").read_text() == "six\nattrs\n"
    assert lock(root, "check").returncode == 0


def test_crlf_requirements_in_stays_crlf(project, lock):
    root = project("")
    (root / "requirements.in").write_bytes(b"# ours\r\nsix\r\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    assert lock(root, "add", "attrs").returncode == 0
    assert (root / "requirements.in").read_bytes() == b"# ours\r\nsix\r\nattrs\r\n"
    assert lock(root, "check").returncode == 0


def test_crlf_lock_is_not_reproduced_byte_for_byte(locked, lock):
    path = locked / "requirements.lock"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = lock(locked, "check", "--resolve")
    assert proc.returncode == 1
    assert "its line ends were changed to CRLF (lock writes LF)" in proc.stderr
    assert "byte for byte" not in proc.stdout


@pytest.fixture
def hanging_index(tmp_path):
    """Proxy settings pointing at a socket that accepts connections and never answers, and an
    empty uv cache, so `lock add` stays in the resolver until stopped."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    proxy = f"http://127.0.0.1:{server.getsockname()[1]}"
    env = {k: proxy for k in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY")}
    env.update(NO_PROXY="", no_proxy="", UV_CACHE_DIR=str(tmp_path / "empty-cache"), UV_HTTP_TIMEOUT="20")
    yield env
    server.close()


def staged(root):
    return sorted(p.name for p in root.iterdir() if p.name.startswith(STAGED))


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_signal_during_add_removes_the_staged_copy(locked, files, hanging_index, signum, code):
    before = files(locked)
    proc = start(locked, "add", "attrs", env=hanging_index)
    poll(lambda: staged(locked), 60, "the staged requirements", interval=0.02)
    started = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert time.monotonic() - started < 15  # the resolvers were stopped, not waited for
    assert err.splitlines()[-1] == f"lock: stopped by {signal.Signals(signum).name}; no file was changed"
    assert "Traceback" not in err
    assert files(locked) == before  # no staged copy, no .flock, nothing changed


def test_sigkill_leftovers_are_ignored_by_git_and_removed_by_the_next_run(locked, lock, hanging_index):
    proc = start(locked, "add", "attrs", env=hanging_index)
    poll(lambda: staged(locked), 60, "the staged requirements", interval=0.02)
    proc.kill()
    proc.wait(timeout=60)
    leftovers = staged(locked) + [p.name for p in locked.glob(".*.flock")]
    assert leftovers
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *leftovers], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert ignored.stdout.split() == leftovers
    again = lock(locked, "add", "idna", env={**hanging_index, "UV_HTTP_TIMEOUT": "1", "UV_HTTP_RETRIES": "0"})
    assert again.returncode == 4, again.stderr
    assert staged(locked) == [] and not list(locked.glob(".*.flock"))
