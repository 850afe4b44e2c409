"""A cell that takes far more memory than compose's limit kills its own kernel only: the server
answers throughout, the kernel's websocket reports the restart, the notebook on disk is untouched,
and the next cell runs."""

import json
import subprocess

import pytest

from tests.support.kernel import KernelChannel
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

LIMIT = "1g"
# 4 GiB of float64 ones, written page by page: the cgroup's OOM killer stops it near 1 GiB.
GREEDY_CELL = "import numpy\nx = numpy.ones(4 * 2**30 // 8)"
NOTEBOOK = {"type": "notebook", "content": {
    "cells": [{"cell_type": "code", "source": GREEDY_CELL, "metadata": {}, "outputs": [], "execution_count": None}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}


def test_default_memory_limit_is_documented(tmp_path):
    (tmp_path / "compose.yaml").write_text((PROJECT_ROOT / "compose.yaml").read_text())
    (tmp_path / ".env").write_text((PROJECT_ROOT / ".env.example").read_text())
    config = json.loads(subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=tmp_path,
                                       capture_output=True, text=True, check=True, timeout=60).stdout)
    assert config["services"]["jupyterlab"]["mem_limit"] == str(4 * 2**30)
    assert "\nJUPYTER_MEMORY_LIMIT=4g\n" in (PROJECT_ROOT / ".env.example").read_text()


def test_kernel_over_the_memory_limit_dies_alone(compose_project):
    compose_project.up(JUPYTER_MEMORY_LIMIT=LIMIT)
    server = compose_project.server()
    assert server.container.attrs["HostConfig"]["Memory"] == 2**30
    started_at = server.container.attrs["State"]["StartedAt"]
    path = "notebooks/greedy.ipynb"
    assert server.request("PUT", f"/api/contents/{path}", json=NOTEBOOK).status_code == 201
    on_disk = (compose_project.folder / path).read_bytes()
    session = server.request("POST", "/api/sessions", json={
        "path": path, "name": "greedy.ipynb", "type": "notebook", "kernel": {"name": "python3"}}).json()
    kernel = session["kernel"]["id"]

    channel = KernelChannel(server, kernel)
    try:
        assert channel.execute("print('warm')")["stdout"] == "warm\n"
        channel.send(GREEDY_CELL)
        # What JupyterLab shows as "Kernel Restarting ... appears to have died".
        channel.wait_for_status("restarting", timeout=120)
        assert server.get("/api/status").status_code == 200, "the server must answer while its kernel dies"
    finally:
        channel.close()

    # The same kernel, restarted (JupyterLab reconnects the same way).
    assert server.get(f"/api/kernels/{kernel}").json()["execution_state"] != "dead"
    channel = KernelChannel(server, kernel)
    try:
        channel.ready()
        assert channel.execute("print(6 * 7)") == {"status": "ok", "stdout": "42\n", "stderr": "", "error": None}
    finally:
        channel.close()
    server.container.reload()
    assert server.container.attrs["State"]["StartedAt"] == started_at, "the container must not have restarted"
    assert (compose_project.folder / path).read_bytes() == on_disk
    assert server.get(f"/api/contents/{path}").json()["content"]["cells"][0]["source"] == GREEDY_CELL
