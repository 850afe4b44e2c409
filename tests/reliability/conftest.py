"""compose.yaml as users run it, in a fresh folder with its own .env, for the fault tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest

from tests.support.containers import Server, free_port

TOKEN = "reliability-token"


class ComposeProject:
    def __init__(self, folder, project_root, image, docker_client):
        self.folder, self.client = folder, docker_client
        self.name = f"jlm-rel-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        shutil.copy(project_root / "compose.yaml", folder / "compose.yaml")
        self.settings = {"IMAGE": image, "JUPYTER_TOKEN": TOKEN, "JUPYTER_HOST_PORT": str(self.port),
                         "NB_UID": "1000", "NB_GID": "1000"}
        for volume in ("notebooks", "data"):
            (folder / volume).mkdir()
            os.chown(folder / volume, 1000, 1000)

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "compose", "-p", self.name, *args], cwd=self.folder,
                              capture_output=True, text=True, timeout=180, check=check)

    def up(self, **settings: str) -> None:
        self.settings.update(settings)
        (self.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))
        self("up", "-d", "--no-build")

    def container(self):
        return self.client.containers.get(self("ps", "-a", "-q", "jupyterlab").stdout.strip())

    def server(self, timeout: float = 60) -> Server:
        server = Server(self.container(), f"http://127.0.0.1:{self.port}", TOKEN)
        server.wait_ready(timeout)
        return server


@pytest.fixture
def compose_project(tmp_path, project_root, image, docker_client):
    if os.geteuid() != 0:
        pytest.skip("chowns the volume folders to UID 1000")
    project = ComposeProject(tmp_path, project_root, image, docker_client)
    yield project
    project("down", "-v", check=False)
