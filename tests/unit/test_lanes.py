"""The whole suite's two lanes (tests/support/lanes.py, scripts/lib/lanes.sh): which test goes where,
the background lane held back until the main lane's timed tests are done, one exit code for both,
and Ctrl-C tearing both down. Run for real through `scripts/test --lanes` on a small probe file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.lanes import lane
from tests.support.collected_item import Item
from tests.support.paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "test"

# The probe: a timed test (main lane) that watches, for a few seconds, that the background lane has
# not started; background tests that check it had finished, fail when asked, or wait to be stopped.
PROBE = '''
import os, pathlib, time
import pytest

HERE = pathlib.Path(os.environ["LANES_PROBE_DIR"])


@pytest.mark.benchmark_suite
def test_timed():
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        assert not (HERE / "background-started").exists(), "the background lane started beside a timed test"
        time.sleep(0.05)
    (HERE / "timed-done").touch()


@pytest.fixture
def started():
    (HERE / "background-started").touch()


@pytest.fixture
def held():
    (HERE / "held").touch()
    yield
    (HERE / "held-torn-down").touch()


def test_background_after_the_timed_one(started):
    assert (HERE / "timed-done").exists()


def test_fails_when_asked(started):
    assert not os.environ.get("LANES_PROBE_FAIL")


def test_waits_when_asked(started, held):
    deadline = time.monotonic() + 120
    while os.environ.get("LANES_PROBE_WAIT") and time.monotonic() < deadline:
        time.sleep(0.05)
'''


@pytest.mark.parametrize(("item", "expected"), [
    (Item(), "background"),
    (Item(marks=["network"]), "background"),
    (Item(marks=["benchmark_suite"]), "main"),
    (Item(marks=["benchmark_suite", "network"]), "main"),
    (Item(marks=["image"]), "main"),
    (Item(fixtures=["docker_client"]), "main"),
    (Item(marks=["browser"]), "main"),
    (Item(marks=["hub"]), "main"),
    (Item(marks=["image", "soak"]), "background"),
], ids=["unit", "lock", "benchmark", "lock benchmark", "image", "engine fixture", "browser", "hub", "soak"])
def test_each_test_has_its_lane(item, expected):
    assert lane(item) == expected


@pytest.mark.parametrize(("main", "background", "expected"), [
    ("0", "0", "0"), ("1", "0", "1"), ("0", "1", "1"), ("2", "1", "2"), ("5", "0", "0"), ("0", "5", "0"),
    ("5", "1", "1"), ("5", "5", "5"),
])
def test_one_exit_code_for_both_lanes(main, background, expected):
    result = subprocess.run(["bash", "-c", f'. scripts/lib/common.sh; . scripts/lib/lanes.sh; lanes_exit_code {main} {background}'],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == expected, result.stderr


def probe(tmp_path, **env):
    path = tmp_path / "test_probe.py"
    path.write_text(PROBE)
    environment = {**os.environ, "LANES_PROBE_DIR": str(tmp_path), **env}
    return path, environment


def run_probe(tmp_path, **env) -> subprocess.CompletedProcess:
    path, environment = probe(tmp_path, **env)
    return subprocess.run([str(SCRIPT), "--lanes", str(path), "-p", "no:cacheprovider"], cwd=PROJECT_ROOT,
                          env=environment, capture_output=True, text=True, timeout=300)


def test_the_background_lane_waits_for_the_timed_tests_and_its_output_follows(tmp_path):
    result = run_probe(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "1 passed, 3 deselected" in result.stdout, output[-3000:]  # the main lane: the timed test only
    assert "3 passed, 1 deselected" in result.stdout, output[-3000:]  # the background lane's, after it
    assert result.stdout.index("1 passed, 3 deselected") < result.stdout.index("3 passed, 1 deselected")
    assert "main lane: exit 0; background lane: exit 0" in result.stderr


def test_a_failure_in_the_background_lane_fails_the_run(tmp_path):
    result = run_probe(tmp_path, LANES_PROBE_FAIL="1")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "FAILED" in result.stdout and "test_fails_when_asked" in result.stdout, output[-3000:]
    assert "main lane: exit 0; background lane: exit 1" in result.stderr


def as_from_a_terminal() -> None:
    """In the child before exec: its own process group, and SIGINT's default action (this test may
    itself run in a background lane, which ignores SIGINT, and a child inherits that)."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_both_lanes_and_each_tears_down(tmp_path):
    path, environment = probe(tmp_path, LANES_PROBE_WAIT="1")
    run = subprocess.Popen([str(SCRIPT), "--lanes", str(path), "-p", "no:cacheprovider"], cwd=PROJECT_ROOT,
                           env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           preexec_fn=as_from_a_terminal)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "held").exists():
            assert run.poll() is None and time.monotonic() < deadline, "the background lane never reached its last test"
            time.sleep(0.1)
        os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        output, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 130, output[-3000:]
    assert (tmp_path / "held-torn-down").exists(), output[-3000:]


ALONE_PROBE = '''
import os, pathlib
import pytest

HERE = pathlib.Path(os.environ["LANES_PROBE_DIR"])


@pytest.mark.image
@pytest.mark.flood
def test_loads_both_cores():
    (HERE / "alone-ran").touch()


@pytest.mark.image
def test_an_engine_test():
    (HERE / "engine-ran").touch()
'''


def test_the_tests_that_load_both_cores_run_last_and_wait_for_the_background_lane(tmp_path):
    path, environment = tmp_path / "test_alone_probe.py", {**os.environ, "LANES_PROBE_DIR": str(tmp_path)}
    path.write_text(ALONE_PROBE)
    done = tmp_path / "background-done"
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "tests.support.lanes", "--lane", "main",
                            "--lane-done-file", str(done), "-p", "no:cacheprovider", "-v", str(path)],
                           cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "engine-ran").exists():  # it runs first, though written second
            assert run.poll() is None and time.monotonic() < deadline, "the engine test did not run first"
            time.sleep(0.05)
        watch = time.monotonic() + 3
        while time.monotonic() < watch:  # the background lane is not done: the flood waits
            assert not (tmp_path / "alone-ran").exists() and run.poll() is None
            time.sleep(0.05)
        done.touch()
        output, _ = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, output[-3000:]
    assert (tmp_path / "alone-ran").exists()
    assert output.index("test_an_engine_test") < output.index("test_loads_both_cores"), output[-3000:]
