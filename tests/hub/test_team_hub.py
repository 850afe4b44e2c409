"""What ships for a team: hub/ (the hub's image, compose file and lock) started by scripts/hub, a
real hub in a container that spawns the hub image through the Docker socket on a network of its
own. The Zero to JupyterHub values file: test_values_schema.py."""

from __future__ import annotations

import os
import re
import secrets
import subprocess

import pytest
import yaml

from tests.support.containers import poll
from tests.support.hubs import free_port
from tests.support.lab import wait_for_lab
from tests.support.repo_copy import copy_project
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
@pytest.mark.browser
def test_first_run_of_scripts_hub_lets_its_runner_log_in(hub_image, docker_client, tmp_path, user_context,
                                                        offsite_requests):
    """scripts/hub in a fresh copy of the project (no hub/.env), with nothing set but a test-made
    network, port and names: it prints a way in, and a browser logs in with it and gets the lab."""
    run = "hubteam-" + secrets.token_hex(4)
    project = copy_project(tmp_path / "project")
    env = {**os.environ, "SINGLEUSER_IMAGE": hub_image, "HUB_IMAGE": f"{hub_image}-server",
           "COMPOSE_PROJECT_NAME": run, "HUB_NETWORK": run, "SPAWN_PREFIX": run, "HUB_HOST_PORT": str(free_port()),
           "SINGLEUSER_MEMORY": "1G"}
    for name in [name for name in env if name.startswith(("HUB_AUTH", "HUB_ADMIN", "OAUTH"))]:
        del env[name]
    script = project / "scripts" / "hub"
    try:
        started = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=1800)
        assert started.returncode == 0, started.stderr[-4000:]
        url = started.stdout.strip()
        assert url == f"http://127.0.0.1:{env['HUB_HOST_PORT']}"
        way_in = re.search(r"log in as '(\S+)' with the password (\S+) ", started.stderr)
        assert way_in, started.stderr[-2000:]
        user, password = way_in.groups()
        assert f"HUB_ADMIN_PASSWORD={password}\n" in (project / "hub" / ".env").read_text()
        assert (project / "hub" / ".env").stat().st_mode & 0o077 == 0, "hub/.env holds a password: owner only"

        page = user_context().new_page()
        page.goto(url + "/hub/login")
        page.locator("#username_input").fill(user)
        page.locator("#password_input").fill(password)
        page.locator("#login_submit").click()
        try:
            wait_for_lab(page)
        except BaseException:
            logs = subprocess.run(["docker", "compose", "logs", "--tail", "60", "hub"], cwd=project / "hub",
                                  env=env, capture_output=True, text=True, timeout=60)
            print(logs.stdout, logs.stderr)
            raise
        assert offsite_requests == [], offsite_requests
        [container] = docker_client.containers.list(filters={"name": f"^{run}-{user}$"})
        host = container.attrs["HostConfig"]
        assert container.attrs["Config"]["Image"] == hub_image
        assert host["ReadonlyRootfs"] and host["CapDrop"] == ["ALL"] and host["NetworkMode"] == run
        assert docker_client.volumes.get(f"{run}-{user}")
    finally:
        stopped = subprocess.run([str(script), "down"], env=env, capture_output=True, text=True, timeout=300)
        poll(lambda: not docker_client.containers.list(all=True, filters={"name": run}), 60, "containers left")
        subprocess.run(["docker", "compose", "down", "--volumes"], cwd=project / "hub", env=env,
                       capture_output=True, timeout=300)
        for volume in docker_client.volumes.list(filters={"name": run}):
            volume.remove(force=True)
    assert stopped.returncode == 0, stopped.stderr


def test_every_variable_of_the_env_file_reaches_the_hub(tmp_path):
    """An OAuth provider is one setting away: generic-oauth's URLs (and any other authenticator
    variable) written into hub/.env reach the hub's environment without editing compose.yaml."""
    hub = copy_project(tmp_path / "project") / "hub"
    settings = {"HUB_AUTHENTICATOR": "generic-oauth", "OAUTH_CLIENT_ID": "id", "OAUTH_CLIENT_SECRET": "secret",
                "OAUTH_CALLBACK_URL": "https://hub.example.org/hub/oauth_callback",
                "OAUTH2_AUTHORIZE_URL": "https://id.example.org/authorize", "OAUTH2_TOKEN_URL": "https://id.example.org/token",
                "OAUTH2_USERDATA_URL": "https://id.example.org/userinfo", "OAUTH2_USERNAME_CLAIM": "email",
                "GITLAB_URL": "https://gitlab.example.org"}
    (hub / ".env").write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    env = {name: value for name, value in os.environ.items() if not name.startswith(("HUB_", "OAUTH"))}
    result = subprocess.run(["docker", "compose", "--env-file", ".env", "config", "--format", "json"], cwd=hub,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    environment = yaml.safe_load(result.stdout)["services"]["hub"]["environment"]
    assert {name: environment.get(name) for name in settings} == settings
