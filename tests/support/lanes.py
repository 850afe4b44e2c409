"""Two lanes for a whole run (`scripts/test` without arguments, or `scripts/test --lanes ARGS`), two
pytest processes over the same selection, each keeping its share:

- main: the benchmarks first, alone (they are timed against the naive build, and a neighbour would
  move the ratios), then every test that uses the engine, the browser or the hub proxy;
- background: the tests that use none of them (unit, lock, repo: about 6 minutes of one core) and
  the soak (5 minutes of one kernel running a small cell 10 times a second: waiting, mostly).

The main lane touches --lane-ready-file when its last timed test has finished (or when it ends,
whichever comes first); scripts/test starts the background lane then, so that it never runs beside
a benchmark. The floods and the load test load both cores on purpose: the main lane runs them last,
once the background lane has touched its --lane-done-file (a hundred kernels shutting down beside
the other lane took over 120 s for one of them, twice; alone, 22 s for all). docs/benchmarks/suite-time.md has the times.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.support.needs import needs

LANES = ("main", "background")
# Engine tests that mostly wait and assert nothing about time: the background lane takes them.
WAITING_MARKERS = frozenset({"soak"})
# Main-lane tests that load both cores on purpose: last, and only once the background lane is done.
ALONE_MARKERS = frozenset({"flood", "load"})
WAIT_FOR_BACKGROUND = 30 * 60  # seconds; then they run anyway (a background lane that hangs)

LAST_TIMED = pytest.StashKey[str]()


def lane(item) -> str:
    """The lane of one collected test."""
    marks = {mark.name for mark in item.iter_markers()}
    if "benchmark_suite" in marks:
        return "main"
    if marks & WAITING_MARKERS:
        return "background"
    return "main" if needs([item]) else "background"


def pytest_addoption(parser):
    group = parser.getgroup("lanes")
    group.addoption("--lane", choices=LANES, help="run only this lane's share of the selection")
    group.addoption("--lane-ready-file", help="main lane: touched once its last timed test has finished")
    group.addoption("--lane-done-file", help="background lane: touched when it ends; main lane: awaited before "
                    "the tests that load both cores")


def pytest_configure(config):
    if config.getoption("--lane") == "background":
        # scripts/test stops this lane with SIGTERM (a background job ignores SIGINT): tear down
        # as Ctrl-C would, so that no container or compose project is left.
        signal.signal(signal.SIGTERM, signal.default_int_handler)


@pytest.hookimpl(trylast=True)  # after tests/benchmarks/conftest.py has marked its tests
def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--lane")
    if not wanted:
        return
    kept = [item for item in items if lane(item) == wanted]
    dropped = [item for item in items if lane(item) != wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = sorted(kept, key=loads_both_cores)  # stable: the rest keeps its order
    timed = [item.nodeid for item in kept if item.get_closest_marker("benchmark_suite")]
    if timed:
        config.stash[LAST_TIMED] = timed[-1]


def loads_both_cores(item) -> bool:
    return any(item.get_closest_marker(name) for name in ALONE_MARKERS)


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures start anything
def pytest_runtest_setup(item):
    done = item.config.getoption("--lane-done-file")
    if item.config.getoption("--lane") != "main" or not done or not loads_both_cores(item):
        return
    _ready(item.config)  # never wait for a lane that is itself waiting to start
    deadline = time.monotonic() + WAIT_FOR_BACKGROUND
    while not Path(done).exists() and time.monotonic() < deadline:
        time.sleep(1)  # a poll with a deadline: the background lane touches the file as it ends


def pytest_unconfigure(config):
    done = config.getoption("--lane-done-file")
    if config.getoption("--lane") == "background" and done:
        Path(done).touch()


def _ready(config) -> None:
    path = config.getoption("--lane-ready-file")
    if path and not Path(path).exists():
        Path(path).touch()


def pytest_collection_finish(session):
    if LAST_TIMED not in session.config.stash:  # nothing timed: the other lane may start now
        _ready(session.config)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if item.config.stash.get(LAST_TIMED, None) == item.nodeid:
        _ready(item.config)


def pytest_sessionfinish(session):
    _ready(session.config)
