"""A real JupyterHub for the tests (tests/hub/, tests/benchmarks/test_hub_spawn.py): the hub and its
configurable-http-proxy as a process on 127.0.0.1, spawning the hub image per user through the
shipped hub/jupyterhub_config.py (tests/support/hub_config.py adds loopback networking and test users).
Everything a hub made -- containers, swarm services, volumes -- carries the run's prefix and is
removed by stop(), whatever happened."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import docker
import requests

from tests.support.containers import poll
from tests.support.paths import PROJECT_ROOT

SHIPPED_CONFIG = PROJECT_ROOT / "hub" / "jupyterhub_config.py"
TEST_CONFIG = PROJECT_ROOT / "tests" / "support" / "hub_config.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, state: Path, image: str, users: dict[str, str], *, spawner: str = "docker",
                 idle_user: str = "nobody", cull_seconds: int = 3600, memory: str = "1G",
                 stock: bool = False, per_user: dict[str, dict] | None = None, settings: dict[str, str] | None = None):
        """stock: a stock DockerSpawner config (the image, a volume per user) instead of the shipped
        one; per_user: spawner settings by user name (cmd, volumes, notebook_dir ...), set before a spawn;
        settings: more HUB_TEST_* variables (tests/support/hub_config.py)."""
        self.state, self.users, self.spawner = state, users, spawner
        self.prefix = "hubtest-" + secrets.token_hex(4)
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{free_port()}"
        if not shutil.which("configurable-http-proxy"):
            raise RuntimeError("configurable-http-proxy is not on PATH: scripts/test installs it (scripts/lib/proxy.sh)")
        env = {**os.environ, "SINGLEUSER_IMAGE": image, "SINGLEUSER_MEMORY": memory,
               "CULL_IDLE_SECONDS": str(cull_seconds), "HUB_TEST_SHIPPED_CONFIG": str(SHIPPED_CONFIG),
               "HUB_TEST_DIR": str(state), "HUB_TEST_PUBLIC_PORT": self.url.rsplit(":", 1)[1],
               "HUB_TEST_HUB_PORT": str(free_port()), "HUB_TEST_PROXY_API_PORT": str(free_port()),
               "HUB_TEST_USERS": json.dumps(users), "HUB_TEST_IDLE_USER": idle_user,
               "SPAWN_PREFIX": self.prefix, "HUB_TEST_TOKEN": self.token, "HUB_TEST_SPAWNER": spawner,
               "HUB_TEST_STOCK": "1" if stock else "",
               "HUB_TEST_PER_USER": json.dumps(per_user or {}), **(settings or {}),
               # the shipped config's authenticator, replaced by the test users' passwords (hub_config.py)
               "HUB_AUTHENTICATOR": "dummy"}
        self.log = state / "jupyterhub.log"
        self.docker = docker.from_env(timeout=120)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(TEST_CONFIG), "--debug"],
                cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            poll(self._up, 60, "the hub did not answer /hub/api/")
        except BaseException:
            self.stop()
            raise

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the hub exited with {self.process.returncode}:\n{self.log_tail()}")
        return requests.get(self.url + "/hub/api/", timeout=5).status_code == 200

    def log_tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/hub/api{path}", timeout=30,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def user(self, name: str) -> dict:
        response = self.api("GET", f"/users/{name}")
        response.raise_for_status()
        return response.json()

    def ready(self, name: str) -> bool:
        server = self.user(name)["servers"].get("")
        return bool(server and server["ready"])

    def stopped(self, name: str) -> bool:
        return "" not in self.user(name)["servers"]

    def start_server(self, name: str, timeout: float = 180) -> None:
        """Start name's server through the REST API (if it is not running) and wait until it is ready."""
        if self.ready(name):
            return
        response = self.api("POST", f"/users/{name}/server")
        assert response.status_code in (201, 202), f"{response.status_code} {response.text}"
        poll(lambda: self.ready(name), timeout, f"{name}'s server was not ready")

    def stop_server(self, name: str, timeout: float = 60) -> None:
        response = self.api("DELETE", f"/users/{name}/server")
        assert response.status_code in (202, 204), f"{response.status_code} {response.text}"
        poll(lambda: self.stopped(name), timeout, f"{name}'s server did not stop")

    def containers(self) -> list:
        return self.docker.containers.list(all=True, filters={"name": self.prefix})

    def services(self) -> list:
        if self.spawner != "swarm":
            return []
        return [s for s in self.docker.services.list() if s.name.startswith(self.prefix)]

    def volumes(self) -> list:
        return [v for v in self.docker.volumes.list() if v.name.startswith(self.prefix)]

    def close(self) -> None:
        """The end of every hub fixture: the log's tail into the test's output, the hub stopped, and
        nothing it spawned left (services, containers, volumes)."""
        print(f"--- hub log (tail) ---\n{self.log_tail()}")
        self.stop()
        assert self.services() == [] and self.containers() == [] and self.volumes() == [], \
            "the hub's services, containers and volumes must be gone"

    def stop(self) -> None:
        """Stop the hub (its proxy and services go with it), then remove what it spawned."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        # The proxy is a child of the hub; if the hub died hard it may be left: its pid file says.
        pid_file = self.state / "proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), 15)
            except (ProcessLookupError, ValueError):
                pass
        for service in self.services():
            service.remove()
        # The hub stops its servers on the way out (their containers remove themselves); anything
        # left, say after a hub that was killed, goes by force.
        for container in self.containers():
            try:
                container.remove(force=True, v=True)
            except docker.errors.APIError as error:  # already going (409) or gone (404)
                if error.status_code not in (404, 409):
                    raise
        poll(lambda: not self.containers(), 60, "the hub's containers were not removed")
        for volume in self.volumes():
            poll(lambda: volume.remove(force=True) or True, 30, f"volume {volume.name} was not removed")
