"""The fast lane: a selection that needs no engine (`scripts/test tests/unit`) sets up neither Docker,
a base image, Chromium nor npm. What a selection needs is read from its collected tests
(tests/support/needs.py): their markers and the fixtures they use."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.collected_item import Item
from tests.support.needs import needs
from tests.support.paths import PROJECT_ROOT

SETUP_TOOLS = ("docker", "dockerd", "apt-get", "debootstrap", "npm", "node", "chromium")


def needs_of(*selection: str, tmp_path) -> set[str]:
    out = tmp_path / "needs"
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.support.needs", "--needs-file", str(out),
                             "--collect-only", "-q", "-p", "no:cacheprovider", *selection],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return set(out.read_text().split())


@pytest.mark.parametrize(("items", "expected"), [
    ([Item(fixtures=["tmp_path"]), Item(marks=["network"])], set()),
    ([Item(marks=["image"])], {"engine"}),
    ([Item(fixtures=["containers"])], {"engine"}),
    ([Item(marks=["browser"])], {"browser"}),
    ([Item(fixtures=["browser"])], {"browser"}),
    ([Item(marks=["hub"])], {"engine", "proxy"}),
    ([Item(marks=["image", "arm64"])], {"engine", "arm64"}),
    ([Item(), Item(marks=["image"]), Item(marks=["browser"])], {"engine", "browser"}),
], ids=["unit", "image", "engine fixture", "browser", "browser fixture", "hub", "arm64", "mixed"])
def test_a_selection_needs_what_its_tests_mark_or_use(items, expected):
    assert needs(items) == expected


def test_the_plugin_reads_the_real_selection(tmp_path):
    """Collected for real: markers from pytestmark, -m deselection honoured."""
    assert needs_of("tests/image/test_run.py", "tests/browser/test_offline_browser.py",
                    tmp_path=tmp_path) == {"engine", "browser"}
    assert needs_of("tests/benchmarks/test_arm64_build.py", tmp_path=tmp_path) == {"engine", "arm64"}
    assert needs_of("tests/image", "tests/unit/test_lock_atomic.py", "-m", "not image", tmp_path=tmp_path) == set()


def test_scripts_test_on_unit_tests_sets_up_no_engine_browser_or_npm(tmp_path):
    """Every tool the engine, base-image, browser and proxy set-ups call is a stub that records its
    call and fails: a fast selection must pass without any of them being run."""
    stubs, calls = tmp_path / "bin", tmp_path / "calls"
    stubs.mkdir()
    for tool in SETUP_TOOLS:
        (stubs / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\nexit 1\n')
        (stubs / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "CHROMIUM": ""}
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "test"), "tests/unit/test_lock_atomic.py", "-q",
                             "-p", "no:cacheprovider"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert not calls.exists(), calls.read_text()
