"""compose.yaml as users run it: the project's compose files in a fresh folder with its own .env and
volume folders owned by UID 1000, under a project name of its own (fixture: tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.support.containers import Server, free_port
from tests.support.paths import PROJECT_ROOT

TOKEN = "compose-token"


class ComposeProject:
    def __init__(self, folder: Path, image: str, docker_client):
        self.folder, self.client = folder, docker_client
        self.name = f"jlm-test-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        for name in ("compose.yaml", "compose.https.yaml"):
            shutil.copy(PROJECT_ROOT / name, folder / name)
        self.settings = {"IMAGE": image, "JUPYTER_TOKEN": TOKEN, "JUPYTER_HOST_PORT": str(self.port),
                         "NB_UID": "1000", "NB_GID": "1000"}
        for volume in ("notebooks", "data"):
            (folder / volume).mkdir()
            os.chown(folder / volume, 1000, 1000)

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "compose", "-p", self.name, *args], cwd=self.folder,
                              capture_output=True, text=True, timeout=180, check=check)

    def up(self, **settings: str) -> None:
        """`up -d` with .env holding the defaults above and `settings` on top."""
        self.settings.update(settings)
        (self.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))
        self("up", "-d", "--no-build")

    def container(self):
        return self.client.containers.get(self("ps", "-a", "-q", "jupyterlab").stdout.strip())

    def server(self, timeout: float = 60, scheme: str = "http", verify: bool | str = True) -> Server:
        server = Server(self.container(), f"{scheme}://127.0.0.1:{self.port}", TOKEN, verify=verify)
        server.wait_ready(timeout)
        return server
