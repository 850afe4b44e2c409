"""The loop a user lives in, end to end: `scripts/lock add PACKAGE && scripts/start` in a copy of the
project whose lab is already running (started once, untimed: the engine, tooling and image are
there), until scripts/start has printed the URL of a lab that answers and has PACKAGE. Recorded as
timing "add_and_start" (project only: the naive build has no such commands). One run: it is reported,
not gated (the builds it is made of are gated in test_build.py), and a round costs a whole rebuild
and restart (~60 s) plus a restore of the lab (~30 s) of CI time."""

from __future__ import annotations

import os
import subprocess
import time
import uuid

import pytest
import requests

from tests.benchmarks import measure
from tests.benchmarks.registry import Metric, register, summarize
from tests.benchmarks.test_build import ADDED_NAME
from tests.support.containers import free_port
from tests.support.repo_copy import copy_project

pytestmark = [pytest.mark.image, pytest.mark.network]

register(__name__, Metric("add_and_start", f"`scripts/lock add {ADDED_NAME} && scripts/start`, lab running before"))


def run(checkout, env, *command: str, timeout: float = 1800) -> str:
    result = subprocess.run(command, cwd=checkout, env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}"
    return result.stdout


def test_lock_add_and_start(benchmark, bench_results, bench_environment, docker_client, tmp_path):
    checkout = copy_project(tmp_path / "project")
    env = {"JUPYTER_HOST_PORT": str(free_port()), "COMPOSE_PROJECT_NAME": f"jlm-bench-{uuid.uuid4().hex[:8]}",
           "IMAGE": f"jupyterlab-minimalist:bench-add-{uuid.uuid4().hex[:8]}"}
    samples: list[float] = []
    requirements = (checkout / "requirements.in").read_text()
    lock = (checkout / "requirements.lock").read_text()

    def setup():
        # Back to the project's lock, and its lab running (untimed; a cached build after round 1).
        (checkout / "requirements.in").write_text(requirements)
        (checkout / "requirements.lock").write_text(lock)
        run(checkout, env, "scripts/start")
        return (), {}

    def add_and_start():
        start = time.perf_counter()
        run(checkout, env, "scripts/lock", "add", ADDED_NAME)
        url = run(checkout, env, "scripts/start").strip().splitlines()[-1]
        samples.append(time.perf_counter() - start)
        base, token = url.split("lab?token=")
        assert requests.get(base + "api/status", headers={"Authorization": f"token {token}"}, timeout=10).ok, url

    try:
        benchmark.pedantic(add_and_start, setup=setup, rounds=1)
        out = measure.runs_python(docker_client, env["IMAGE"], f"import {ADDED_NAME}; print('added', {ADDED_NAME}.__name__)")
        assert f"added {ADDED_NAME}" in out, out
        bench_results["timings"]["add_and_start"] = {"project": summarize(samples)}
        benchmark.extra_info.update(seconds=samples)
    finally:
        subprocess.run(["scripts/stop"], cwd=checkout, env={**os.environ, **env}, capture_output=True, timeout=300)
        # scripts/stop keeps the user's volumes, as it should; this throwaway project's go.
        subprocess.run(["docker", "compose", "down", "--volumes"], cwd=checkout, env={**os.environ, **env},
                       capture_output=True, timeout=300)
        try:
            docker_client.images.remove(env["IMAGE"], noprune=True)
        except Exception:  # noqa: BLE001 -- not built
            pass
