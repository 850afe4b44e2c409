"""Helpers for tests that run the image: a tracked container, a free port, polling with deadlines."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any, TypeVar

import docker
import docker.errors
import requests

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.2) -> T:
    """Call check() until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 -- remembered and reported at the deadline
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"{what} within {timeout} s (last error: {last_error!r})")


class TrackedContainer:
    """Runs containers from one image and removes them all at teardown (docker-stacks' pattern)."""

    def __init__(self, client: docker.DockerClient, image: str):
        self.client = client
        self.image = image
        self.containers: list[Any] = []

    def run(self, **kwargs: Any):
        kwargs.setdefault("detach", True)
        container = self.client.containers.run(self.image, **kwargs)
        self.containers.append(container)
        return container

    def run_server(self, token: str = "test-token", port: int | None = None, **kwargs: Any) -> "Server":
        """Start JupyterLab with a published port and wait until /api/status answers."""
        port = port or free_port()
        environment = {"JUPYTER_TOKEN": token, **kwargs.pop("environment", {})}
        container = self.run(ports={"8888/tcp": ("127.0.0.1", port)}, environment=environment, **kwargs)
        server = Server(container, f"http://127.0.0.1:{port}", token)
        server.wait_ready()
        return server

    def remove_all(self) -> None:
        for container in self.containers:
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass


class Server:
    """A running JupyterLab container and how to talk to it."""

    def __init__(self, container, url: str, token: str, verify: bool | str = True):
        self.container = container
        self.url = url.rstrip("/")
        self.token = token
        self.verify = verify
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=10, verify=self.verify, **kwargs)

    def request(self, method: str, path: str, timeout: float = 30, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=timeout, verify=self.verify, **kwargs)

    def wait_ready(self, timeout: float = 60) -> None:
        def ready():
            self.container.reload()
            if self.container.status == "exited":
                raise RuntimeError("container exited:\n" + self.logs())
            return self.get("/api/status").status_code == 200

        try:
            poll(ready, timeout, f"{self.url}/api/status did not answer 200")
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n--- container logs ---\n{self.logs()}") from None

    def logs(self) -> str:
        return self.container.logs().decode(errors="replace")

    def exec(self, *cmd: str, user: str = "") -> tuple[int, str]:
        result = self.container.exec_run(list(cmd), user=user)
        return result.exit_code, result.output.decode(errors="replace")
