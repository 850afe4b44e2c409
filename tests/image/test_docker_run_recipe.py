"""docs/settings.md's plain `docker run` (README's "A plain docker run"), run in a shell as written
but for three names a shared engine needs to be the test's own: the host port, the volume's name
and the image (the one under test). Started in the background (`-d --name`) so the test can stop it.
The lab answers with the token given, saves into ./notebooks on the host, and keeps its settings in
the named volume from one container to the next (each removed by --rm)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

from tests.support.containers import Server, free_port, poll
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

DOC = (PROJECT_ROOT / "docs" / "settings.md").read_text()
NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
THEMES = "/lab/api/settings/@jupyterlab/apputils-extension:themes"


def recipe() -> str:
    """The indented `docker run` block under "With `docker run`", as one shell command."""
    block = re.search(r"^    docker run .*?(?=\n\n)", DOC, re.M | re.S)
    assert block, "docs/settings.md has no indented `docker run ...` block"
    return " ".join(line.strip().rstrip("\\").strip() for line in block.group(0).splitlines())


@pytest.mark.skipif(os.geteuid() != 0, reason="hands ./notebooks to UID 1000, as the user's own clone has it")
def test_docker_run_recipe_serves_saves_and_keeps_settings(tmp_path, image, docker_client):
    command = recipe()
    token = re.search(r"-e JUPYTER_TOKEN=(\S+)", command).group(1)
    for words in ("-p 127.0.0.1:8888:8888", "-v lab-state:", "jupyterlab-minimalist:latest"):
        assert words in command, f"the recipe changed: {words!r} not in {command!r}"
    port, name, volume = free_port(), f"jlm-run-{uuid.uuid4().hex[:8]}", f"jlm-run-{uuid.uuid4().hex[:8]}-lab-state"
    ours = (command.replace("docker run ", f"docker run -d --name {name} ", 1)
            .replace("127.0.0.1:8888:8888", f"127.0.0.1:{port}:8888")
            .replace("-v lab-state:", f"-v {volume}:").replace("jupyterlab-minimalist:latest", image))
    (tmp_path / "notebooks").mkdir()
    os.chown(tmp_path / "notebooks", 1000, 1000)

    def start() -> Server:
        started = subprocess.run(["bash", "-c", ours], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stderr
        server = Server(docker_client.containers.get(name), f"http://127.0.0.1:{port}", token)
        server.wait_ready(90)
        return server

    try:
        server = start()
        assert server.request("PUT", "/api/contents/notebooks/kept.ipynb", json=NOTEBOOK).status_code == 201
        assert (tmp_path / "notebooks" / "kept.ipynb").is_file()
        assert server.request("PUT", THEMES, json={"raw": json.dumps({"theme": "JupyterLab Dark"})}).status_code == 204
        server.container.stop(timeout=10)  # --rm removes it
        poll(lambda: name not in {c.name for c in docker_client.containers.list(all=True)}, 30, "the container removed")

        server = start()
        poll(lambda: server.get(THEMES).status_code == 200, 30, "settings API")
        assert server.get(THEMES).json()["settings"]["theme"] == "JupyterLab Dark"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True, timeout=60)
