"""Spawn time under a real JupyterHub (tests/support/hubs.py: hub, proxy and DockerSpawner on 127.0.0.1, the
hub image hardened as in tests/hub/): from the login form's POST to the user's lab page loading
("hub_spawn_1", "hub_spawn_5"), and to the first cell done, `import numpy, pandas,
matplotlib.pyplot, sklearn` in a new kernel ("hub_first_cell_1", "hub_first_cell_5"); for one user
alone (BENCH_HUB_ROUNDS rounds, default 3, each a fresh container) and for five users logging in at
once (one round; the samples are the five users)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.benchmarks import measure
from tests.benchmarks.registry import Metric, register, summarize
from tests.support.containers import Server, poll
from tests.support.hubs import Hub
from tests.support.kernel import execute, start_kernel

pytestmark = [pytest.mark.hub, pytest.mark.image]

# The hub-ready image only (no naive counterpart); for 5 users, medians of the 5 users at once.
register(__name__,
         Metric("hub_spawn_1", "hub: login -> lab loaded, 1 user"),
         Metric("hub_first_cell_1", "hub: login -> first cell done, 1 user"),
         Metric("hub_spawn_5", "hub: login -> lab loaded, 5 users at once"),
         Metric("hub_first_cell_5", "hub: login -> first cell done, 5 users at once"))

USERS = {f"bench{i}": f"bench-secret-{i}" for i in range(1, 6)}


@pytest.fixture(scope="module")
def hub(hub_image, tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("bench-hub"), hub_image, USERS, cull_seconds=0)
    try:
        yield hub
    finally:
        hub.close()


def spawn_and_first_cell(hub: Hub, name: str) -> tuple[float, float]:
    """(login -> lab page loaded, login -> first cell done), in seconds, through the hub as a browser goes."""
    session = requests.Session()
    session.get(hub.url + "/hub/login", timeout=30)
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    start = time.perf_counter()
    login = session.post(hub.url + "/hub/login", data={"username": name, "password": USERS[name], "_xsrf": xsrf},
                         timeout=300)
    assert login.status_code == 200, login.status_code

    def lab_loaded() -> bool:
        # Until the server is ready the hub answers with its spawn-pending page instead.
        lab = session.get(f"{hub.url}/user/{name}/lab", timeout=30)
        return lab.status_code == 200 and lab.url.endswith(f"/user/{name}/lab") and "jupyter-config-data" in lab.text

    poll(lab_loaded, 300, f"{name}'s lab did not load", interval=0.1)
    ready = time.perf_counter() - start
    token = hub.api("POST", f"/users/{name}/tokens", json={"expires_in": 600}).json()["token"]
    server = Server(None, f"{hub.url}/user/{name}", token)
    result = execute(server, start_kernel(server), measure.FIRST_CELL, timeout=300)
    assert result["status"] == "ok", result
    return ready, time.perf_counter() - start


def record(bench_results: dict, key: str, samples: list[tuple[float, float]]) -> None:
    bench_results["timings"][f"hub_spawn_{key}"] = {"project": summarize([s for s, _ in samples])}
    bench_results["timings"][f"hub_first_cell_{key}"] = {"project": summarize([c for _, c in samples])}


def test_hub_spawn_one_user(benchmark, hub, bench_results):
    samples: list[tuple[float, float]] = []

    def setup():
        if not hub.stopped("bench1"):
            hub.stop_server("bench1")
        return (), {}

    rounds = max(1, int(os.environ.get("BENCH_HUB_ROUNDS", "3")))
    benchmark.pedantic(lambda: samples.append(spawn_and_first_cell(hub, "bench1")), setup=setup, rounds=rounds)
    record(bench_results, "1", samples)
    benchmark.extra_info.update(spawn_s=[s for s, _ in samples], first_cell_s=[c for _, c in samples])
    print(f"\nhub, 1 user: login -> lab {min(s for s, _ in samples):.1f} s, -> first cell "
          f"{min(c for _, c in samples):.1f} s (best of {rounds})")


def test_hub_spawn_five_users_at_once(benchmark, hub, bench_results):
    for name in USERS:
        if not hub.stopped(name):
            hub.stop_server(name)
    samples: list[tuple[float, float]] = []

    def all_at_once():
        with ThreadPoolExecutor(len(USERS)) as pool:
            samples.extend(pool.map(lambda name: spawn_and_first_cell(hub, name), USERS))

    benchmark.pedantic(all_at_once, rounds=1)
    assert len({c.name for c in hub.containers()}) == len(USERS)
    record(bench_results, "5", samples)
    benchmark.extra_info.update(spawn_s=[s for s, _ in samples], first_cell_s=[c for _, c in samples])
    print(f"\nhub, 5 users at once: login -> lab median {summarize([s for s, _ in samples])['median']:.1f} s "
          f"(slowest {max(s for s, _ in samples):.1f} s), -> first cell median "
          f"{summarize([c for _, c in samples])['median']:.1f} s (slowest {max(c for _, c in samples):.1f} s)")
