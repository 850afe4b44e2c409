"""Offline: scripts/wheelhouse fetches every locked wheel (hash-checked) once; a --network=none build
from it gives the very image an online build of the same commit gives."""

from __future__ import annotations

import hashlib
import re
import time

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repro_helpers import SCRIPTS, build_commit, compare, docker_inspect, remove_tags, run

from lock.layers import target_python
from lock.config import load_config
from lock.wheel_tags import platforms_of, wheel_installs
from lock.wheelhouse.cli import BUILD_TOOLS
from lock.wheelhouse.fetch import read_pins

pytestmark = [pytest.mark.image, pytest.mark.network]

WHEELHOUSE = PROJECT_ROOT / "wheelhouse"
OFFLINE_TAG = "jupyterlab-minimalist:repro-offline"
SUMMARY = re.compile(r"^wheelhouse: (\d+) wheels .* ([\d.]+) MB in .*; fetched (\d+) \(([\d.]+) MB\), (\d+) already there, in ([\d.]+) s$", re.M)


def fetch(*args: str):
    start = time.monotonic()
    result = run(SCRIPTS / "wheelhouse", *args, timeout=1200)
    assert result.returncode == 0, f"scripts/wheelhouse failed:\n{result.stdout}\n{result.stderr}"
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout
    return summary, time.monotonic() - start, result.stdout


@pytest.fixture(scope="module")
def wheelhouse():
    """The project's wheelhouse/ (it is its own cache: a warm one from an earlier run is fine)."""
    summary, seconds, output = fetch("-q")
    print(f"scripts/wheelhouse: {output.strip()} (wall {seconds:.1f} s)")
    return WHEELHOUSE


def test_every_wheel_is_locked_and_every_pin_has_one_per_platform(wheelhouse):
    config = load_config(PROJECT_ROOT)
    python = target_python(config).version
    pins = [*read_pins(config.output, "requirements.lock"), *read_pins(PROJECT_ROOT / BUILD_TOOLS, BUILD_TOOLS)]
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in wheelhouse.glob("*.whl")}
    locked = {h for pin in pins for h in pin.hashes}
    assert files and set(files.values()) <= locked, "a wheel the locks do not vouch for is in the wheelhouse"
    for pin in pins:
        e = pin.entry
        for platform in platforms_of(e, config.platforms, python):
            assert any(wheel_installs(name, e.name, e.version, platform, python) and digest in pin.hashes
                       for name, digest in files.items()), f"{e.name}=={e.version}: none for {platform.name}"


def test_a_second_run_fetches_nothing(wheelhouse):
    # Asking the index again (--refresh): every file is there with its hash, so nothing is downloaded.
    refreshed, _, _ = fetch("-q", "--refresh")
    total, fetched, present = int(refreshed[1]), int(refreshed[3]), int(refreshed[5])
    assert fetched == 0 and present == total > 0, refreshed[0]
    # Without --refresh, the manifest of that complete run answers: not even the index is asked.
    again, _, output = fetch()
    assert "the index was not asked" in output, output
    assert int(again[3]) == 0 and int(again[1]) == total, again[0]


def test_offline_build_gives_the_online_image(wheelhouse, commit, reference_id):
    result = build_commit(commit, OFFLINE_TAG, "--no-cache", "--network=none",
                          "--build-context", f"wheelhouse={wheelhouse}")
    assert result.returncode == 0, f"the offline build failed:\n{result.stderr[-4000:]}"
    offline_id = docker_inspect(OFFLINE_TAG, "{{.Id}}")
    # On a difference both images stay (this tag and verify-rebuild's) for a closer look.
    assert offline_id == reference_id, (
        f"offline {OFFLINE_TAG} {offline_id} != online {reference_id}; what differs:\n"
        f"{compare(reference_id, OFFLINE_TAG)}"
    )
    print(f"offline build = online build: {offline_id}")
    remove_tags(OFFLINE_TAG)
