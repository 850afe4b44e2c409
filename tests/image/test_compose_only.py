"""The Mac and Windows path, and any host without bash: a fresh clone, `cp .env.example .env`,
`docker compose up --build`, the token read with README's command. What such an image lacks next to
scripts/build's (README says it): the OCI labels, and an SBOM of its own.
A full build of its own (its SOURCE_DATE_EPOCH is the Dockerfile's), so a few minutes."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import uuid

import pytest
import requests

from tests.support.containers import free_port, poll
from tests.support.repo_copy import copy_project
from tests.support.repro_helpers import STANDIN_IMAGE

from lock import ca_bundle

pytestmark = pytest.mark.image

IMAGE = "jupyterlab-minimalist:compose-only-28"


def machine_settings(docker_client) -> dict[str, str]:
    """BASE_IMAGE where the Dockerfile's cannot be pulled (README, "Without a registry"), CA_BUNDLE
    behind a TLS-intercepting proxy (README, "Behind a proxy")."""
    settings = {}
    try:
        docker_client.images.get("python:3.13-slim-trixie")
    except Exception:
        settings["BASE_IMAGE"] = STANDIN_IMAGE
    if ca_bundle.path():
        settings["CA_BUNDLE"] = ca_bundle.path()
    return settings


@pytest.mark.skipif(os.geteuid() != 0, reason="hands the volume folders to UID 1000, as the user's own clone")
def test_fresh_clone_compose_up_build_serves(docker_client):
    with tempfile.TemporaryDirectory(prefix="jlm-compose-") as directory:
        clone = copy_project(pathlib.Path(directory))
        shutil.copy(clone / ".env.example", clone / ".env")  # cp .env.example .env
        # This machine's own needs, as README's "Without a registry" and proxy sections say to set them.
        with (clone / ".env").open("a") as env_file:
            env_file.write("".join(f"{k}={v}\n" for k, v in machine_settings(docker_client).items()))
        for folder in ("notebooks", "data"):
            os.chown(clone / folder, 1000, 1000)
        port = free_port()
        env = {**os.environ, "COMPOSE_PROJECT_NAME": f"jlm-compose-{uuid.uuid4().hex[:8]}", "IMAGE": IMAGE,
               "JUPYTER_HOST_PORT": str(port)}

        def compose(*args, timeout=1800):
            return subprocess.run(["docker", "compose", *args], cwd=clone, env=env, capture_output=True, text=True,
                                  timeout=timeout)

        try:
            up = compose("up", "--build", "-d")
            assert up.returncode == 0, up.stderr[-3000:]
            # README: the URL with the token.
            listed = poll(lambda: compose("exec", "-T", "jupyterlab", "jupyter", "server", "list", "--json",
                                          timeout=60).stdout.strip() or None, 90, "jupyter server list")
            token = json.loads(listed.splitlines()[0])["token"]
            assert len(token) >= 32
            auth = {"Authorization": f"token {token}"}
            base = f"http://127.0.0.1:{port}"
            poll(lambda: requests.get(f"{base}/api/status", headers=auth, timeout=5).status_code == 200, 60, "api/status")
            assert requests.get(f"{base}/api/contents/notebooks", timeout=5).status_code == 403

            # What differs from scripts/build's image, exactly as README says.
            image = docker_client.images.get(IMAGE)
            labels = image.labels or {}
            assert not any(k.startswith(("org.opencontainers.image.", "org.jupyterlab-minimalist.locks")) for k in labels)
            # (/opt/sbom: empty from a cold cache, but BuildKit may reuse an earlier scripts/build's
            # layer holding one, so README says only scripts/build's SBOM is vouched for.)
        finally:
            compose("down", "-v", timeout=300)
            subprocess.run(["docker", "image", "rm", "-f", IMAGE], capture_output=True, timeout=120)
