"""Every `docker compose` command README shows, run as written (its words, in a folder holding
compose.yaml and .env, the project named by COMPOSE_PROJECT_NAME as a user's folder names it) against
the image under test, and what README says it does: the URL with the token, the server's log, the
health, and a reset that drops the lab's own settings but keeps notebooks/."""

from __future__ import annotations

import os
import re
import selectors
import shlex
import subprocess
import time

import pytest

from tests.support.containers import poll
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

README = (PROJECT_ROOT / "README.md").read_text()
COMMANDS = sorted(set(re.findall(r"`(docker compose [^`]+)`", README)) |
                  set(re.findall(r"^(docker compose [^#\n]*?)\s*(?:#.*)?$", README, re.M)))
# Run by tests/image/test_compose_only.py on a fresh clone (a build of its own, too slow to repeat here).
ELSEWHERE = {"docker compose up --build -d"}
NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}


def run(project, command: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(shlex.split(command), cwd=project.folder, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COMPOSE_PROJECT_NAME": project.name}, stdin=subprocess.DEVNULL)


def first_line_matching(project, command: str, pattern: str, timeout: float) -> str:
    """Start a command that runs until stopped (`logs -f`), read its output up to the first line
    matching `pattern` or the deadline, then stop it."""
    process = subprocess.Popen(shlex.split(command), cwd=project.folder, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, bufsize=0,
                               env={**os.environ, "COMPOSE_PROJECT_NAME": project.name})
    deadline, output = time.monotonic() + timeout, b""
    try:
        with selectors.DefaultSelector() as selector:
            # Raw reads: a buffered readline could hold the line wanted while select waits for more.
            selector.register(process.stdout, selectors.EVENT_READ)
            while (left := deadline - time.monotonic()) > 0 and selector.select(left):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
                if found := re.search(f".*{pattern}.*", output.decode(errors="replace")):
                    return found.group(0)
        raise AssertionError(f"{command}: no line matching {pattern!r} within {timeout} s (exit {process.poll()})")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_readme_shows_these_compose_commands():
    """A new one needs its check below (this list is what the test runs)."""
    assert COMMANDS == sorted(ELSEWHERE | {"docker compose exec jupyterlab jupyter server list",
                                           "docker compose logs -f jupyterlab", "docker compose ps",
                                           "docker compose down -v"}), COMMANDS


def test_readme_compose_commands_do_what_it_says(compose_project, docker_client):
    compose_project.up()
    server = compose_project.server()

    listed = run(compose_project, "docker compose exec jupyterlab jupyter server list")
    assert listed.returncode == 0, listed.stderr
    assert f"?token={compose_project.settings['JUPYTER_TOKEN']}" in listed.stdout, listed.stdout

    # The server's own messages, followed: its startup banner names the URL it serves.
    assert first_line_matching(compose_project, "docker compose logs -f jupyterlab", r"Jupyter Server .* is running at", 60)

    def healthy():
        ps = run(compose_project, "docker compose ps")
        return ps.returncode == 0 and re.search(r"jupyterlab.*\(healthy\)", ps.stdout)
    # The healthcheck probes every 5 s while starting (Dockerfile HEALTHCHECK --start-interval).
    poll(healthy, 90, "docker compose ps showing jupyterlab (healthy)", interval=1)

    # The troubleshooting table's reset: the lab's own settings go, notebooks/ stays.
    assert server.request("PUT", "/api/contents/notebooks/kept.ipynb", json=NOTEBOOK).status_code == 201
    volume = f"{compose_project.name}_lab-state"
    assert docker_client.volumes.get(volume)
    down = run(compose_project, "docker compose down -v", timeout=180)
    assert down.returncode == 0, down.stderr
    assert (compose_project.folder / "notebooks" / "kept.ipynb").is_file()
    assert volume not in {v.name for v in docker_client.volumes.list()}
    assert not run(compose_project, "docker compose ps -q").stdout.strip()
