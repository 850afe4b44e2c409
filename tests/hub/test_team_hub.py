"""What ships for a team: hub/ (the hub's image, compose file and lock) started by scripts/hub, a
real hub in a container that spawns the hub image through the Docker socket on a network of its
own. The Zero to JupyterHub values file: test_values_schema.py."""

from __future__ import annotations

import os
import re
import secrets
import subprocess

import pytest
import requests
import yaml

from tests.support.containers import poll
from tests.support.hubs import free_port
from tests.support.paths import PROJECT_ROOT

HUB = PROJECT_ROOT / "hub"


def test_hub_image_dockerfile_passes_hadolint():
    result = subprocess.run(["hadolint", "--no-color", "hub/Dockerfile"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hub_lock_is_up_to_date_and_its_hub_major_is_the_images():
    result = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "lock"), "check"], cwd=HUB, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    major = {re.search(r"^jupyterhub==(\d+)\.", (path).read_text(), re.M)[1]
             for path in (HUB / "requirements.lock", PROJECT_ROOT / "requirements-hub.lock")}
    assert len(major) == 1, major


def test_compose_file_is_valid_and_hardens_nothing_away():
    result = subprocess.run(["docker", "compose", "--env-file", ".env.example", "config", "--format", "json"],
                            cwd=HUB, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    hub = yaml.safe_load(result.stdout)["services"]["hub"]
    assert [p["host_ip"] for p in hub["ports"]] == ["127.0.0.1"]
    assert {v["target"] for v in hub["volumes"]} == {"/var/run/docker.sock", "/srv/jupyterhub"}
    assert hub["environment"]["SINGLEUSER_IMAGE"] == "jupyterlab-minimalist:hub"


@pytest.mark.hub
@pytest.mark.image
def test_scripts_hub_starts_a_team_hub_that_spawns_the_image(hub_image, docker_client):
    """scripts/hub as a user runs it, with a test-made network, port, names and the dummy authenticator."""
    run = "hubteam-" + secrets.token_hex(4)
    env = {**os.environ, "SINGLEUSER_IMAGE": hub_image, "HUB_IMAGE": f"{hub_image}-server",
           "COMPOSE_PROJECT_NAME": run, "HUB_NETWORK": run, "SPAWN_PREFIX": run, "HUB_HOST_PORT": str(free_port()),
           "HUB_AUTHENTICATOR": "dummy", "HUB_ALLOWED_USERS": "tester", "SINGLEUSER_MEMORY": "1G"}
    created_env = not (HUB / ".env").exists()
    try:
        started = subprocess.run([str(PROJECT_ROOT / "scripts" / "hub")], env=env, capture_output=True, text=True,
                                 timeout=1800)
        assert started.returncode == 0, started.stderr[-4000:]
        url = started.stdout.strip()
        assert url == f"http://127.0.0.1:{env['HUB_HOST_PORT']}"

        session = requests.Session()
        session.get(url + "/hub/login", timeout=30)
        login = session.post(url + "/hub/login", timeout=120, data={
            "username": "tester", "password": "any", "_xsrf": session.cookies.get("_xsrf", path="/hub/")})
        assert login.status_code == 200, login.status_code

        def lab_opens() -> bool:
            # Before the server is ready the hub answers with its spawn-pending page instead.
            lab = session.get(f"{url}/user/tester/lab", timeout=30)
            return lab.status_code == 200 and lab.url == f"{url}/user/tester/lab" and "jupyter-config-data" in lab.text

        try:
            poll(lab_opens, 180, "tester's lab did not open through the team hub")
        except TimeoutError:
            logs = subprocess.run(["docker", "compose", "logs", "--tail", "60", "hub"], cwd=HUB, env=env,
                                  capture_output=True, text=True, timeout=60)
            print(logs.stdout, logs.stderr)
            raise
        assert session.get(f"{url}/user/tester/api/status", timeout=30).status_code == 200
        [user] = docker_client.containers.list(filters={"name": f"^{run}-tester$"})
        host = user.attrs["HostConfig"]
        assert user.attrs["Config"]["Image"] == hub_image
        assert host["ReadonlyRootfs"] and host["CapDrop"] == ["ALL"] and host["NetworkMode"] == run
        assert docker_client.volumes.get(f"{run}-tester")
    finally:
        stopped = subprocess.run([str(PROJECT_ROOT / "scripts" / "hub"), "down"], env=env, capture_output=True,
                                 text=True, timeout=300)
        poll(lambda: not docker_client.containers.list(all=True, filters={"name": run}), 60, "containers left")
        subprocess.run(["docker", "compose", "down", "--volumes"], cwd=HUB, env=env, capture_output=True, timeout=300)
        for volume in docker_client.volumes.list(filters={"name": run}):
            volume.remove(force=True)
        if created_env:
            (HUB / ".env").unlink(missing_ok=True)
    assert stopped.returncode == 0, stopped.stderr
