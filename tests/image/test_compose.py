"""compose.yaml as users run it: data saved through JupyterLab survives down/up and belongs to
the host user; the hardened defaults are in force; README's HTTPS recipe (compose.https.yaml)
serves HTTPS only, with the token."""

import os
import shutil
import subprocess
import uuid

import pytest
import requests

from tests.support.certs import self_signed_certificate
from tests.support.containers import Server, free_port

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}


@pytest.fixture
def compose_project(tmp_path, project_root, image, docker_client):
    """A copy of the compose files in a fresh folder with its own .env, torn down afterwards."""
    for name in ("compose.yaml", "compose.https.yaml"):
        shutil.copy(project_root / name, tmp_path / name)
    port = free_port()
    (tmp_path / ".env").write_text(
        f"IMAGE={image}\nJUPYTER_TOKEN=compose-token\nJUPYTER_HOST_PORT={port}\nNB_UID=1000\nNB_GID=1000\n")
    for folder in ("notebooks", "data"):
        (tmp_path / folder).mkdir()
        os.chown(tmp_path / folder, 1000, 1000)
    name = f"jlm-test-{uuid.uuid4().hex[:8]}"

    def compose(*args):
        return subprocess.run(["docker", "compose", "-p", name, *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=True)

    yield compose, tmp_path, port
    subprocess.run(["docker", "compose", "-p", name, "down", "-v"], cwd=tmp_path, capture_output=True, timeout=120)


def running_server(docker_client, compose, port, scheme="http", verify=True):
    container_id = compose("ps", "-q", "jupyterlab").stdout.strip()
    server = Server(docker_client.containers.get(container_id), f"{scheme}://127.0.0.1:{port}", "compose-token",
                    verify=verify)
    server.wait_ready()
    return server


@pytest.mark.skipif(os.geteuid() != 0, reason="chowns the volume folders to UID 1000")
def test_notebook_survives_down_and_up_owned_by_host_user(compose_project, docker_client):
    compose, folder, port = compose_project
    compose("up", "-d", "--no-build")
    server = running_server(docker_client, compose, port)
    assert server.request("PUT", "/api/contents/notebooks/kept.ipynb", json=NOTEBOOK).status_code == 201
    compose("down")
    saved = folder / "notebooks" / "kept.ipynb"
    assert saved.is_file() and (saved.stat().st_uid, saved.stat().st_gid) == (1000, 1000)
    compose("up", "-d", "--no-build")
    server = running_server(docker_client, compose, port)
    assert server.get("/api/contents/notebooks/kept.ipynb").status_code == 200


@pytest.mark.skipif(os.geteuid() != 0, reason="chowns the volume folders to UID 1000")
def test_compose_defaults_are_hardened_and_local(compose_project, docker_client):
    compose, folder, port = compose_project
    compose("up", "-d", "--no-build")
    server = running_server(docker_client, compose, port)
    host_config = server.container.attrs["HostConfig"]
    assert host_config["ReadonlyRootfs"] is True
    assert host_config["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host_config["SecurityOpt"]
    bindings = host_config["PortBindings"]["8888/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]


@pytest.mark.skipif(os.geteuid() != 0, reason="chowns the volume folders to UID 1000")
def test_https_recipe_serves_https_only_and_needs_the_token(compose_project, docker_client):
    """README's HTTPS section: certs in ./certs, COMPOSE_FILE=compose.yaml:compose.https.yaml in .env."""
    compose, folder, port = compose_project
    (folder / "certs").mkdir()
    cert = str(self_signed_certificate(folder / "certs"))
    with (folder / ".env").open("a") as env:
        env.write("COMPOSE_FILE=compose.yaml:compose.https.yaml\n")
    compose("up", "-d", "--no-build")
    server = running_server(docker_client, compose, port, scheme="https", verify=cert)
    assert server.get("/api/contents/notebooks").status_code == 200
    assert requests.get(f"{server.url}/api/contents/notebooks", verify=cert, timeout=10).status_code == 403
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/status", timeout=10)
