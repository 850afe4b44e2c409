"""docs/settings.md's table under compose: every variable in it, set in .env, has its effect. One
compose project, all run-time settings at once (one container start); the build settings are
checked in compose's own rendering of the build (no extra build)."""

import json
import re

import pytest
import requests

from tests.support.compose_project import TOKEN
from tests.support.containers import Server, poll
from tests.support.kernel import execute, start_kernel
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

RUN_SETTINGS = {
    "JUPYTER_HOST_IP": "127.0.0.2",  # another loopback address: published there, not on 127.0.0.1
    "JUPYTER_PORT": "9999",
    "JUPYTER_BASE_URL": "/team/lab-one/",
    "JUPYTER_IP": "0.0.0.0",
    "NOTEBOOK_PACKAGES": "/tmp/notebook-site",
    "JUPYTER_MEMORY_LIMIT": "1g",
    "JUPYTER_PIDS_LIMIT": "512",
}
BUILD_SETTINGS = {
    "NB_UID": "1234",
    "NB_GID": "2345",
    "BASE_IMAGE": "example.org/python:3.13-slim-trixie",
    "CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
}
# Checked by the compose project itself (compose_project.py) and by tests/image/test_compose.py.
ELSEWHERE = {"JUPYTER_TOKEN", "JUPYTER_HOST_PORT", "COMPOSE_FILE"}


def table_variables() -> set[str]:
    text = (PROJECT_ROOT / "docs" / "settings.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])}


def test_every_row_of_the_table_is_checked_here():
    assert table_variables() == set(RUN_SETTINGS) | set(BUILD_SETTINGS) | ELSEWHERE


def test_run_settings_from_env_reach_the_server(compose_project):
    compose_project.up(**RUN_SETTINGS)
    port = compose_project.port
    base = f"http://127.0.0.2:{port}/team/lab-one"
    server = Server(compose_project.container(), base, TOKEN)
    server.wait_ready(90)

    # JUPYTER_TOKEN: needed; JUPYTER_BASE_URL: nothing at the root.
    assert requests.get(f"{base}/api/contents/notebooks", timeout=10).status_code == 403
    assert requests.get(f"http://127.0.0.2:{port}/api/status", timeout=10).status_code == 404
    # JUPYTER_HOST_IP: published on 127.0.0.2 only.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/team/lab-one/api/status", timeout=10)

    attrs = server.container.attrs
    # JUPYTER_PORT: the server listens on it, and the published port leads there.
    assert list(attrs["HostConfig"]["PortBindings"]) == ["9999/tcp"]
    # JUPYTER_MEMORY_LIMIT.
    assert attrs["HostConfig"]["Memory"] == 1024**3
    # JUPYTER_PIDS_LIMIT.
    assert attrs["HostConfig"]["PidsLimit"] == 512

    # JUPYTER_IP=0.0.0.0: a listener on IPv4 only (the default listens on IPv6 too). Port 9999 is
    # 270F in /proc/net/tcp*; state 0A is LISTEN.
    def listeners(table: str) -> list[str]:
        code, out = server.exec("cat", f"/proc/net/{table}")
        assert code == 0, out
        return [line for line in out.splitlines()[1:] if line.split()[1].endswith(":270F") and line.split()[3] == "0A"]

    assert listeners("tcp") and not listeners("tcp6")

    # NOTEBOOK_PACKAGES: a kernel imports what lies in that folder's site.
    code, out = server.exec("sh", "-c", "d=/tmp/notebook-site/lib/python3.13/site-packages && mkdir -p $d "
                            "&& echo 'WHERE = __file__' > $d/settings_probe.py")
    assert code == 0, out
    kernel = start_kernel(server)
    reply = execute(server, kernel, "import settings_probe; print(settings_probe.WHERE)")
    assert reply["stdout"].strip() == "/tmp/notebook-site/lib/python3.13/site-packages/settings_probe.py", reply


def test_build_settings_from_env_reach_the_build(compose_project):
    env = {**compose_project.settings, **BUILD_SETTINGS}
    (compose_project.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    config = json.loads(compose_project("config", "--format", "json").stdout)
    build = config["services"]["jupyterlab"]["build"]
    assert build["args"]["NB_UID"] == "1234" and build["args"]["NB_GID"] == "2345"
    assert build["args"]["BASE_IMAGE"] == BUILD_SETTINGS["BASE_IMAGE"]
    assert config["secrets"]["ca"]["file"] == BUILD_SETTINGS["CA_BUNDLE"]


def test_lab_settings_volume_outlives_the_container(compose_project):
    """What the lab saves as user settings lands in the lab-state volume, not in HOME's tmpfs."""
    compose_project.up()
    server = compose_project.server()
    theme = {"raw": json.dumps({"theme": "JupyterLab Dark"})}
    url = "/lab/api/settings/@jupyterlab/apputils-extension:themes"
    assert server.request("PUT", url, json=theme).status_code == 204
    compose_project("down")
    compose_project.up()
    server = compose_project.server()
    poll(lambda: server.get(url).status_code == 200, 30, "settings API")
    assert server.get(url).json()["settings"]["theme"] == "JupyterLab Dark"


def test_env_example_offers_every_setting():
    example = (PROJECT_ROOT / ".env.example").read_text()
    assert {v for v in table_variables() if not re.search(rf"^#?{v}=", example, re.M)} == set()
