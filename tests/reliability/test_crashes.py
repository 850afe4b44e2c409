"""A server that dies takes the container down with a non-zero exit, and compose starts it again
with the saved notebooks; a server that stops answering turns the healthcheck unhealthy."""

import time

import pytest

from tests.support.containers import poll

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
# The server is the child of dumb-init (PID 1).
SERVER_PID = "cat /proc/1/task/1/children"


def signal_server(container, signal: str) -> None:
    result = container.exec_run(["sh", "-c", f"kill -{signal} $({SERVER_PID})"])
    assert result.exit_code == 0, result.output


def test_killed_server_exits_non_zero_and_compose_restarts_it(compose_project, docker_client):
    compose_project.up()
    server = compose_project.server()
    assert server.request("PUT", "/api/contents/notebooks/before-crash.ipynb", json=NOTEBOOK).status_code == 201
    since = int(time.time()) - 1

    signal_server(server.container, "KILL")

    restarted = poll(lambda: (c := compose_project.container()).attrs["RestartCount"] == 1 and c, 60,
                     "compose did not restart the container")
    events = docker_client.events(decode=True, since=since, until=int(time.time()) + 1,
                                  filters={"container": restarted.id, "event": "die"})
    exit_codes = [event["Actor"]["Attributes"]["exitCode"] for event in events]
    assert exit_codes == ["137"], exit_codes  # 128 + SIGKILL, passed on by dumb-init
    server = compose_project.server()
    assert server.get("/api/contents/notebooks/before-crash.ipynb").status_code == 200


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
