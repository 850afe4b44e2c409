"""The commands a person types: scripts/start leaves JupyterLab answering with a token, and bad
setups get one clear line."""

import json
import os
import pathlib
import re
import socket
import subprocess
import tempfile
import uuid

import pytest
import requests

from tests.support.containers import free_port
from tests.support.repo_copy import copy_project

pytestmark = pytest.mark.image


@pytest.fixture
def checkout():
    """A copy of the files git would commit, as a fresh clone would have them (its own .env, no state),
    readable by other users (pytest's tmp_path is not)."""
    with tempfile.TemporaryDirectory(prefix="jlm-checkout-") as directory:
        copy = pathlib.Path(directory)
        copy.chmod(0o755)
        yield copy_project(copy)


def drop_lab_state(env):
    """scripts/stop keeps the lab's settings volume (as it should); the test's own goes afterwards."""
    subprocess.run(["docker", "volume", "rm", "-f", f"{env['COMPOSE_PROJECT_NAME']}_lab-state"],
                   capture_output=True, timeout=60)


def run(script, checkout, env, timeout=1200):
    return subprocess.run([str(checkout / "scripts" / script)], cwd=checkout, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_start_prints_url_that_answers_then_stop(checkout):
    env = {"JUPYTER_HOST_PORT": str(free_port()), "COMPOSE_PROJECT_NAME": f"jlm-start-{uuid.uuid4().hex[:8]}",
           "IMAGE": "jupyterlab-minimalist:start-test"}
    try:
        started = run("start", checkout, env)
        assert started.returncode == 0, started.stderr[-3000:]
        url = started.stdout.strip()
        assert url.startswith(f"http://127.0.0.1:{env['JUPYTER_HOST_PORT']}/lab?token=") and len(url.split("=")[1]) >= 32
        assert requests.get(url, timeout=10).status_code == 200
        base, token = url.split("lab?token=")
        assert requests.get(base + "api/status", headers={"Authorization": f"token {token}"}, timeout=10).status_code == 200
        assert requests.get(base + "api/contents", timeout=10).status_code == 403
        again = run("start", checkout, env)
        assert again.returncode == 0 and again.stdout.strip() == url, "a second start must find the running server"
        created = create_where_the_lab_opens(base, token)
        stopped = run("stop", checkout, env)
        assert stopped.returncode == 0, stopped.stderr
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=5)
        restarted = run("start", checkout, env)
        assert restarted.returncode == 0, restarted.stderr[-3000:]
        base, token = restarted.stdout.strip().split("lab?token=")
        for path in created:
            assert requests.get(f"{base}api/contents/{path}", headers={"Authorization": f"token {token}"},
                                timeout=10).status_code == 200, f"{path} did not survive scripts/stop && scripts/start"
    finally:
        stopped = run("stop", checkout, env)
        drop_lab_state(env)
    assert stopped.returncode == 0, stopped.stderr


def create_where_the_lab_opens(base, token):
    """A notebook, a file and a folder, created through the API where the lab's file browser opens
    (its page config's preferredPath), as the Launcher and the file browser would."""
    auth = {"Authorization": f"token {token}"}
    page = requests.get(base + "lab", headers=auth, timeout=10).text
    opens_in = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                    page, re.S).group(1))["preferredPath"].strip("/")
    assert opens_in == "notebooks", "the lab must open in the notebooks volume"
    created = []
    for model in ({"type": "notebook"}, {"type": "file", "ext": ".txt"}, {"type": "directory"}):
        response = requests.post(f"{base}api/contents/{opens_in}", json=model, headers=auth, timeout=10)
        assert response.status_code == 201, (model, response.status_code, response.text[:300])
        created.append(response.json()["path"])
    return created


def test_start_refuses_a_busy_port(checkout):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("start", checkout, {"JUPYTER_HOST_PORT": str(port),
                                         "COMPOSE_PROJECT_NAME": f"jlm-busy-{uuid.uuid4().hex[:8]}"})
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last == f"error: port {port} on 127.0.0.1 is already in use: stop what uses it, or set JUPYTER_HOST_PORT in .env"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the script as another user")
def test_no_engine_and_not_root_says_so(checkout):
    result = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(checkout / "scripts" / "build")],
        env={"PATH": os.environ["PATH"], "HOME": "/tmp", "DOCKER_HOST": "unix:///nonexistent.sock"},
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "error: no Docker engine answers and this is not root: start Docker "
        "(or install Docker Engine with buildx and compose v2) and retry")


def test_start_shows_a_bad_setting_at_once(checkout):
    """HTTPS switched on in .env without the certificate: start prints the container's one line."""
    env = {"JUPYTER_HOST_PORT": str(free_port()), "COMPOSE_PROJECT_NAME": f"jlm-bad-{uuid.uuid4().hex[:8]}",
           "IMAGE": "jupyterlab-minimalist:start-test", "COMPOSE_FILE": "compose.yaml:compose.https.yaml"}
    try:
        result = run("start", checkout, env)
    finally:
        run("stop", checkout, env)
        drop_lab_state(env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    # (compose's progress output may leave a terminal control code at the start of the line)
    assert lines[-2].endswith("error: JUPYTER_CERTFILE=/certs/cert.pem does not exist: "
                              "mount the folder that holds it (see README, HTTPS)"), lines[-5:]
    assert lines[-1].startswith("error: JupyterLab stopped at start"), lines[-5:]


@pytest.fixture
def newcomer():
    """A user who is not root and only in the docker group, with a home of its own (made for the test,
    removed after). Yields (uid, gid, home)."""
    name = f"jlm-{uuid.uuid4().hex[:8]}"
    home = pathlib.Path(tempfile.mkdtemp(prefix="jlm-home-"))
    subprocess.run(["useradd", "--no-log-init", "--home-dir", str(home), "--no-create-home", "--groups", "docker",
                    "--shell", "/bin/bash", name], check=True, timeout=30)
    try:
        uid, gid = (int(subprocess.run(["id", flag, name], capture_output=True, text=True, check=True).stdout)
                    for flag in ("-u", "-g"))
        os.chown(home, uid, gid)
        yield name, uid, gid, home
    finally:
        subprocess.run(["userdel", name], timeout=30)
        subprocess.run(["rm", "-rf", str(home)], timeout=120)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make the user")
def test_start_and_stop_as_a_non_root_user_in_the_docker_group(newcomer):
    """README's Linux path for a user with an engine: a fresh clone of their own, scripts/start and
    scripts/stop with no root and no apt. The notebooks folder stays theirs."""
    name, uid, gid, home = newcomer
    clone = home / "jupyterlab-minimalist"
    clone.mkdir()
    copy_project(clone)
    subprocess.run(["chown", "-R", f"{uid}:{gid}", str(home)], check=True, timeout=60)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "USER": name,
           "JUPYTER_HOST_PORT": str(free_port()), "COMPOSE_PROJECT_NAME": f"jlm-user-{uuid.uuid4().hex[:8]}",
           "IMAGE": "jupyterlab-minimalist:nonroot-28"}
    as_user = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--"]

    def script(which):
        return subprocess.run([*as_user, str(clone / "scripts" / which)], cwd=clone, env=env,
                              capture_output=True, text=True, timeout=1200)

    try:
        started = script("start")
        assert started.returncode == 0, started.stderr[-3000:]
        assert "apt-get" not in started.stderr
        assert f"NB_UID={uid} NB_GID={gid}" in started.stderr, "the first start must write the user's IDs to .env"
        # start installs the lock tool's dependencies (SBOM, labels), not the dev group's tests and linters.
        installed = {p.name.split("-")[0].lower() for p in clone.glob(".venv/lib/python*/site-packages/*.dist-info")}
        assert {"cyclonedx_python_lib", "packaging"} <= installed and not installed & {"pytest", "playwright", "jupyterhub"}
        base, token = started.stdout.strip().split("lab?token=")
        auth = {"Authorization": f"token {token}"}
        created = requests.post(f"{base}api/contents/notebooks", json={"type": "notebook"}, headers=auth, timeout=10)
        assert created.status_code == 201, created.text[:300]
        saved = clone / created.json()["path"]
        assert (saved.stat().st_uid, saved.stat().st_gid) == (uid, gid)
    finally:
        stopped = script("stop")
        drop_lab_state(env)
    assert stopped.returncode == 0, stopped.stderr
    assert not subprocess.run(["docker", "compose", "-p", env["COMPOSE_PROJECT_NAME"], "ps", "-q"],
                              capture_output=True, text=True).stdout.strip()
