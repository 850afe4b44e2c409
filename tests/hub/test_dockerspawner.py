"""The hub image under a real JupyterHub: hub, configurable-http-proxy and DockerSpawner on 127.0.0.1,
spawning one hardened container per user from the local image. Two users log in at once in a real
Chromium, each gets their own container and volume, runs a plot and saves a notebook; one cannot
reach the other's server; a stopped and restarted server keeps the notebook; the idle culler stops an
idle server. One hub serves the whole module."""

from __future__ import annotations

import json
import re
import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.containers import poll
from tests.support.hubs import Hub
from tests.support.lab import run_plot_and_save, stream_text, wait_for_lab
from tests.support.paths import PROJECT_ROOT

pytestmark = [pytest.mark.hub, pytest.mark.image, pytest.mark.browser]

USERS = {"alice": "alice-secret-1", "bob": "bob-secret-2", "idle": "idle-secret-3"}
NOTEBOOK = "plotted-through-the-hub.ipynb"
CULL_SECONDS = 15


@pytest.fixture(scope="module")
def hub(hub_image, tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("hub"), hub_image, USERS, idle_user="idle", cull_seconds=CULL_SECONDS)
    try:
        yield hub
    finally:
        hub.close()


def log_in(page: Page, hub: Hub, name: str, password: str) -> None:
    page.goto(hub.url + "/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()


def container_of(hub: Hub, name: str):
    matches = [c for c in hub.containers() if c.name == f"{hub.prefix}-{name}"]
    assert len(matches) == 1, [c.name for c in hub.containers()]
    return matches[0]


def read_notebook(hub: Hub, name: str) -> dict:
    code, out = container_of(hub, name).exec_run(["cat", f"/home/jovyan/notebooks/{NOTEBOOK}"])
    assert code == 0, out
    return json.loads(out)


def test_two_users_at_once_each_in_their_own_container(hub, user_context, offsite_requests, output_dir):
    pages = {}
    for name in ("alice", "bob"):  # both submit the login before either lab is waited for
        pages[name] = user_context().new_page()
        log_in(pages[name], hub, name, USERS[name])
    try:
        for name, page in pages.items():
            wait_for_lab(page)
            expect(page).to_have_url(re.compile(rf"/user/{name}/lab"))
            run_plot_and_save(page, NOTEBOOK)
            page.screenshot(path=output_dir / f"hub-{name}-notebook-saved.png")
    except BaseException:
        for name, page in pages.items():
            page.screenshot(path=output_dir / f"hub-{name}-at-failure.png")
        raise

    alice, bob = container_of(hub, "alice"), container_of(hub, "bob")
    assert alice.id != bob.id and alice.status == bob.status == "running"
    for name in ("alice", "bob"):
        outputs = saved_outputs_of(read_notebook(hub, name))
        assert stream_text(outputs).strip() == "6", outputs
        assert any("image/png" in o.get("data", {}) for o in outputs), "the saved notebook must hold the plot"
        mounts = container_of(hub, name).attrs["Mounts"]
        assert [(m["Type"], m["Name"], m["Destination"]) for m in mounts] == [
            ("volume", f"{hub.prefix}-{name}", "/home/jovyan/notebooks")], mounts
    assert offsite_requests == [], f"a page tried to leave 127.0.0.1: {offsite_requests}"


def saved_outputs_of(notebook: dict) -> list[dict]:
    return [o for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]


def test_spawned_containers_carry_compose_hardening(hub, hub_image):
    hub.start_server("alice")
    attrs = container_of(hub, "alice").attrs
    host = attrs["HostConfig"]
    assert attrs["Config"]["Image"] == hub_image
    assert host["ReadonlyRootfs"] is True
    assert "/tmp" in host["Tmpfs"]
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert host["Memory"] == 1024**3 and host["MemorySwap"] == 1024**3
    assert host["PidsLimit"] == 4096
    assert host["NetworkMode"] == "host"
    code, uid = container_of(hub, "alice").exec_run(["id", "-u"])
    assert code == 0 and int(uid) != 0
    code, out = container_of(hub, "alice").exec_run(["touch", "/home/jovyan/x"])
    assert code != 0 and b"Read-only file system" in out


def test_one_user_cannot_reach_another_users_server(hub, user_context):
    hub.start_server("alice")
    hub.start_server("bob")
    page = user_context().new_page()
    log_in(page, hub, "alice", USERS["alice"])
    wait_for_lab(page)
    # Alice's session (her cookies) on Bob's lab: the hub refuses the OAuth hand-over.
    response = page.goto(hub.url + "/user/bob/lab")
    assert response.status == 403, (response.status, response.url)
    # Alice's API token on Bob's server.
    token = hub.api("POST", "/users/alice/tokens", json={"expires_in": 600}).json()["token"]
    own = requests.get(f"{hub.url}/user/alice/api/contents/notebooks", headers={"Authorization": f"token {token}"}, timeout=30)
    assert own.status_code == 200, own.text
    other = requests.get(f"{hub.url}/user/bob/api/contents/notebooks", headers={"Authorization": f"token {token}"}, timeout=30)
    assert other.status_code == 403, (other.status_code, other.text)


def test_stop_and_start_keeps_the_notebook(hub):
    hub.start_server("alice")
    before = container_of(hub, "alice").id
    notebook = read_notebook(hub, "alice")
    hub.stop_server("alice")
    assert [c.name for c in hub.containers()].count(f"{hub.prefix}-alice") == 0, "the container goes, the volume stays"
    hub.start_server("alice")
    assert container_of(hub, "alice").id != before
    assert read_notebook(hub, "alice") == notebook


def test_idle_culler_stops_an_idle_server(hub):
    hub.start_server("idle")
    hub.start_server("alice")
    poll(lambda: hub.stopped("idle"), CULL_SECONDS * 6, "the idle culler did not stop the idle server")
    assert "idle-culler" in hub.log_tail(200_000).split("DELETE /hub/api/users/idle/server", 1)[1].split("\n", 1)[0]
    assert hub.ready("alice"), "the culler may only see the idle user (its scopes)"


def test_locked_jupyterhub_major_is_the_hubs(hub, hub_image, docker_client):
    """The image's jupyterhub-singleuser and the hub share a major: README says which hubs it is for."""
    lock = (PROJECT_ROOT / "requirements-hub.lock").read_text()
    locked = re.search(r"^jupyterhub==(\S+)", lock, re.M)[1]
    running = hub.api("GET", "/").json()["version"]
    in_image = docker_client.containers.run(hub_image, ["jupyterhub-singleuser", "--version"], remove=True).decode().strip()
    assert in_image == locked
    assert locked.split(".")[0] == running.split(".")[0], (locked, running)
    readme = (PROJECT_ROOT / "docs" / "teams.md").read_text()
    assert f"JupyterHub {locked.split('.')[0]}." in readme, "docs/teams.md must name the hub versions the image is for"
