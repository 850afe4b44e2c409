"""The path to several hosts: the same hub spawning through SwarmSpawner on a one-node swarm made for
the test on 127.0.0.1 (and left again, whatever happens): one swarm service per user, each serving
its user's lab from the hub image."""

from __future__ import annotations

import subprocess

import pytest
import requests

from tests.support.hubs import Hub

pytestmark = [pytest.mark.hub, pytest.mark.image]

USERS = {"carol": "carol-secret-4", "dave": "dave-secret-5"}


@pytest.fixture(scope="module")
def swarm(docker_client):
    if docker_client.info()["Swarm"]["LocalNodeState"] != "inactive":
        pytest.fail("the engine is already part of a swarm: this test makes its own and leaves it")
    result = subprocess.run(["docker", "swarm", "init", "--advertise-addr", "127.0.0.1"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    try:
        yield
    finally:
        left = subprocess.run(["docker", "swarm", "leave", "--force"], capture_output=True, text=True, timeout=120)
        assert left.returncode == 0, left.stderr


@pytest.fixture(scope="module")
def hub(swarm, hub_image, tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("swarm-hub"), hub_image, USERS, spawner="swarm", cull_seconds=0)
    try:
        yield hub
    finally:
        hub.close()


def test_one_service_per_user_each_serving_its_lab(hub, hub_image):
    for name in USERS:  # both asked for before either is waited on
        assert hub.api("POST", f"/users/{name}/server").status_code in (201, 202)
    for name in USERS:
        hub.start_server(name)
    services = {s.name: s for s in hub.services()}
    assert sorted(services) == sorted(f"{hub.prefix}-{name}" for name in USERS), sorted(services)
    for name in USERS:
        spec = services[f"{hub.prefix}-{name}"].attrs["Spec"]["TaskTemplate"]["ContainerSpec"]
        assert spec["Image"].split("@")[0] == hub_image
        assert spec["CapabilityDrop"] == ["ALL"]
        [task] = [t for t in services[f"{hub.prefix}-{name}"].tasks() if t["Status"]["State"] == "running"]
        assert task
        token = hub.api("POST", f"/users/{name}/tokens", json={"expires_in": 600}).json()["token"]
        status = requests.get(f"{hub.url}/user/{name}/api/status", headers={"Authorization": f"token {token}"},
                              timeout=30)
        assert status.status_code == 200, status.text
    hub.stop_server("carol")
    assert [s.name for s in hub.services()] == [f"{hub.prefix}-dave"], "a stopped server's service is removed"
