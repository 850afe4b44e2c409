"""A server that dies is started again in its container, every time (image/supervise.sh); docker
stop stops it; a server that stops answering turns the healthcheck unhealthy."""

import pytest

from tests.support.containers import poll

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
# The server's PID, found by its name wherever the start path puts it.
SERVER_PID = 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = jupyter-lab ] && echo ${p#/proc/}; done'



def signal_server(container, signal: str) -> None:
    result = container.exec_run(["sh", "-c", f"kill -{signal} $({SERVER_PID})"])
    assert result.exit_code == 0, result.output


def server_started(server) -> str | None:
    """When the running server started (its /api/status), or None while none answers."""
    try:
        response = server.get("/api/status")
    except OSError:
        return None
    return response.status_code == 200 and response.json()["started"]


def test_a_server_that_dies_always_comes_back(compose_project):
    """More crashes than any restart budget: each time the server is back in place, with the saved
    notebooks, in the same container (no lifetime budget, whatever the time between crashes)."""
    compose_project.up()
    server = compose_project.server()
    assert server.request("PUT", "/api/contents/notebooks/before-crash.ipynb", json=NOTEBOOK).status_code == 201
    for _ in range(4):
        before = server_started(server)
        signal_server(server.container, "KILL")  # what the OOM killer sends
        poll(lambda: server_started(server) not in (None, before), 60, "the server did not come back")
    assert server.get("/api/contents/notebooks/before-crash.ipynb").status_code == 200
    server.container.reload()
    assert server.container.status == "running" and server.container.attrs["RestartCount"] == 0
    assert server.logs().count("exited with code 137") == 4


def test_docker_stop_stops_it_for_good(containers):
    server = containers.run_server()
    server.container.stop(timeout=30)
    server.container.reload()
    assert server.container.attrs["State"]["ExitCode"] == 0, server.logs()
    assert "starting it again" not in server.logs()


def test_a_server_that_never_serves_is_not_restarted_forever(containers):
    container = containers.run(command=["jupyterlab-supervise", "sh", "-c", "echo trying; exit 1"])
    assert container.wait(timeout=60)["StatusCode"] == 1
    lines = container.logs().decode().splitlines()
    assert lines.count("trying") == 3 and lines[-1].startswith("error: the server failed three times"), lines


def health(container):
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status")


def test_healthcheck_turns_unhealthy_while_the_server_does_not_answer(containers, docker_client, image):
    test = docker_client.images.get(image).attrs["Config"]["Healthcheck"]["Test"]
    container = containers.run(environment={"JUPYTER_TOKEN": "t"}, healthcheck={
        "test": test, "interval": 1_000_000_000, "timeout": 3_000_000_000, "retries": 2, "start_period": 1_000_000})
    poll(lambda: health(container) == "healthy", 60, "the container did not become healthy")

    signal_server(container, "STOP")  # alive, listening, and answering nothing
    poll(lambda: health(container) == "unhealthy", 60, "a frozen server still looked healthy")
    signal_server(container, "CONT")
    poll(lambda: health(container) == "healthy", 60, "the server answered again but stayed unhealthy")
