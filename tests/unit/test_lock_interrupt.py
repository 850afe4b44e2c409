"""lock/interrupt.py: SIGTERM and SIGHUP end a run as an exception, and no resolver outlives it --
not even one that a straggling thread starts after the run has ended (a thread pool that was
starting a worker when the signal came no longer waits for that worker)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from lock import interrupt
from lock.interrupt import Terminated, signals_raise


def test_a_signal_raises_and_a_resolver_started_afterwards_never_runs():
    with pytest.raises(Terminated) as raised, signals_raise():
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs as soon as kill returns
        pytest.fail("SIGTERM did not raise")
    assert raised.value.signum == signal.SIGTERM
    results: list[BaseException | int] = []

    def straggler():
        try:
            results.append(interrupt.run([sys.executable, "-c", "import time; time.sleep(60)"]).returncode)
        except BaseException as e:  # noqa: BLE001 -- what the thread met is the result
            results.append(e)

    started = time.monotonic()
    thread = threading.Thread(target=straggler, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive() and time.monotonic() - started < 20
    assert len(results) == 1 and isinstance(results[0], Terminated), results


def test_the_next_run_starts_clean():
    with pytest.raises(Terminated), signals_raise():
        os.kill(os.getpid(), signal.SIGHUP)
        pytest.fail("SIGHUP did not raise")
    with signals_raise():
        assert interrupt.run([sys.executable, "-c", "print('ran')"]).stdout == "ran\n"
