"""SIGTERM and SIGHUP end a run like Ctrl-C does: as an exception, so every `finally` runs (staged
files are removed, a half-done write is rolled back) before the process exits 128 + the signal.
The resolvers started through run() get the signal too, so the run ends at once."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """Raised in the main thread when a terminating signal arrives."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_children: set[subprocess.Popen] = set()
_children_lock = threading.Lock()
_stopping: list[int] = []  # the signal that is ending this run, once one came


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, text=True), stopped with us on SIGTERM/SIGHUP."""
    if _stopping:  # a thread that starts its resolver after the signal: not at all
        raise Terminated(_stopping[0])
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs) as proc:
        with _children_lock:
            _children.add(proc)
        if _stopping:  # the signal came while this one was starting: the handler may have missed it
            proc.send_signal(_stopping[0])
        try:
            stdout, stderr = proc.communicate()
        except BaseException:
            proc.kill()
            raise
        finally:
            with _children_lock:
                _children.discard(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def _raise(signum, frame):
    _stopping.append(signum)  # first, so that run() sees it if the loop below misses its child
    for proc in list(_children):  # no lock: the main thread may hold it right now
        with contextlib.suppress(OSError):
            proc.send_signal(signum)
    raise Terminated(signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Terminated (only the main thread can catch signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Cleared when a run starts, not when it ends: a signal that lands while a thread pool starts a
    # worker (inside Thread.start) leaves a worker the pool no longer waits for, which starts its
    # resolver after the run has ended; it must still see that the run is stopping (seen once: a
    # SIGHUP'd `lock add` that took 48 s, its uv waiting out the network timeouts).
    _stopping.clear()
    previous = {s: signal.signal(s, _raise) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
