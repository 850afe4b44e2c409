"""A cell that takes far more memory than compose's limit kills its own kernel only: the server
answers throughout, the kernel's websocket reports the restart, the notebook on disk is untouched,
and the next cell runs."""

import base64
import json
import subprocess
import threading

import pytest

from tests.support.kernel import KernelChannel, execute, start_kernel
from tests.support.containers import poll
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


HOLD = 150 * 2**20  # what each of two quiet kernels holds: 300 MB of the 1 GiB limit
UPLOAD_REFUSED = 100 * 2**20  # one request the server would hold ~7 times over while decoding it
UPLOAD_ACCEPTED = 30 * 2**20


def upload(server, name: str, size: int):
    body = {"type": "file", "format": "base64", "content": base64.b64encode(b"\1" * size).decode()}
    return server.request("PUT", f"/api/contents/notebooks/{name}", json=body)


def notebook_with(text: str) -> dict:
    cell = {"cell_type": "markdown", "source": text, "metadata": {}}
    return {"type": "notebook", "content": {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}


def test_kernels_are_the_oom_victims_and_uploads_are_bounded(compose_project):
    """Kernels filling most of a 1 GiB limit, a greedy kernel, uploads and a save in progress:
    only the greedy kernel dies; the server, the quiet kernels' data and the saved notebook live on."""
    compose_project.up(JUPYTER_MEMORY_LIMIT=LIMIT)
    server = compose_project.server()
    started = server.get("/api/status").json()["started"]
    quiet = [start_kernel(server) for _ in range(2)]
    for kernel in quiet:
        assert execute(server, kernel, f"x = b'1' * {HOLD}")["status"] == "ok"
    # Kernels volunteer as OOM victims (any process may raise its own score); the server does not.
    scores = execute(server, quiet[0], "import os\nfor pid in ('self', os.getppid()):\n"
                                       "    print(open(f'/proc/{pid}/oom_score_adj').read().strip())")
    assert scores["stdout"].split() == ["1000", "0"], scores

    # A single request big enough to swell the server past the limit is refused before it is read.
    assert upload(server, "big.bin", UPLOAD_REFUSED).status_code == 400
    assert upload(server, "fits.bin", UPLOAD_ACCEPTED).status_code == 201
    assert (compose_project.folder / "notebooks/fits.bin").stat().st_size == UPLOAD_ACCEPTED

    greedy = start_kernel(server)
    channel = KernelChannel(server, greedy)
    saved, stop = [], threading.Event()

    def save_repeatedly():
        while not stop.is_set():
            saved.append(f"version {len(saved)} " + "x" * 2**16)
            server.request("PUT", "/api/contents/notebooks/saving.ipynb", json=notebook_with(saved[-1]))

    saver = threading.Thread(target=save_repeatedly)
    try:
        channel.ready()
        saver.start()
        channel.send(GREEDY_CELL)
        channel.wait_for_status("restarting", timeout=120)
    finally:
        stop.set()
        saver.join(60)
        channel.close()

    status = server.get("/api/status")
    assert status.status_code == 200 and status.json()["started"] == started, "the server must not have died"
    for kernel in quiet:
        assert execute(server, kernel, "print(len(x))")["stdout"] == f"{HOLD}\n", "a quiet kernel lost its data"
    on_disk = json.loads((compose_project.folder / "notebooks/saving.ipynb").read_text())
    assert len(saved) > 1 and "".join(on_disk["cells"][0]["source"]) in saved, "the notebook being saved must stay whole"


PIDS_LIMIT = 300  # the test's own limit: enough for the server and a kernel, quick to exhaust
# A fork bomb kept bounded: it stops by itself after 1,000 processes if nothing stops it first.
FORK_BOMB = """import os, time
forked = 0
try:
    while forked < 1000:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        forked += 1
    print("not stopped", forked)
except OSError as error:
    print("stopped", forked, error.errno)
"""


def test_default_pids_limit(tmp_path):
    (tmp_path / "compose.yaml").write_text((PROJECT_ROOT / "compose.yaml").read_text())
    config = json.loads(subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=tmp_path,
                                       capture_output=True, text=True, check=True, timeout=60).stdout)
    assert config["services"]["jupyterlab"]["pids_limit"] == 4096


def test_fork_bomb_in_a_cell_is_stopped_and_the_server_is_unharmed(compose_project):
    compose_project.up(JUPYTER_PIDS_LIMIT=str(PIDS_LIMIT))
    server = compose_project.server()
    assert server.container.attrs["HostConfig"]["PidsLimit"] == PIDS_LIMIT
    kernel = start_kernel(server)
    result = execute(server, kernel, FORK_BOMB)
    forked, errno = result["stdout"].split()[1:]
    assert result["stdout"].startswith("stopped") and int(forked) < PIDS_LIMIT and errno == "11", result
    assert server.get("/api/status").status_code == 200
    # The bomb's processes stay (as zombies nobody reaps) until its kernel goes; restarting it, as
    # JupyterLab's button does, gives the lab back: the same kernel runs a cell, a new one starts.
    assert server.request("POST", f"/api/kernels/{kernel}/restart").status_code == 200
    poll(lambda: execute(server, kernel, "print(6 * 7)")["stdout"] == "42\n", 60, "the kernel ran no cell")
    another = poll(lambda: start_kernel(server), 60, "no new kernel started after the bomb")
    assert execute(server, another, "print(6 * 7)")["stdout"] == "42\n"
