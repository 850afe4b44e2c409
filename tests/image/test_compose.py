"""compose.yaml as users run it: data saved through JupyterLab survives down/up and belongs to
the host user; the hardened defaults are in force; README's HTTPS recipe (compose.https.yaml)
serves HTTPS only, with the token."""


import pytest
import requests

from tests.support.certs import self_signed_certificate

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}


def test_notebook_survives_down_and_up_owned_by_host_user(compose_project):
    compose_project.up()
    server = compose_project.server()
    assert server.request("PUT", "/api/contents/notebooks/kept.ipynb", json=NOTEBOOK).status_code == 201
    compose_project("down")
    saved = compose_project.folder / "notebooks" / "kept.ipynb"
    assert saved.is_file() and (saved.stat().st_uid, saved.stat().st_gid) == (1000, 1000)
    compose_project.up()
    server = compose_project.server()
    assert server.get("/api/contents/notebooks/kept.ipynb").status_code == 200


def test_compose_defaults_are_hardened_and_local(compose_project):
    compose_project.up()
    server = compose_project.server()
    host_config = server.container.attrs["HostConfig"]
    assert host_config["ReadonlyRootfs"] is True
    assert host_config["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host_config["SecurityOpt"]
    bindings = host_config["PortBindings"]["8888/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]


def test_https_recipe_serves_https_only_and_needs_the_token(compose_project):
    """README's HTTPS section: certs in ./certs, COMPOSE_FILE=compose.yaml:compose.https.yaml in .env."""
    (compose_project.folder / "certs").mkdir()
    cert = str(self_signed_certificate(compose_project.folder / "certs"))
    compose_project.up(COMPOSE_FILE="compose.yaml:compose.https.yaml")
    server = compose_project.server(scheme="https", verify=cert)
    assert server.get("/api/contents/notebooks").status_code == 200
    assert requests.get(f"{server.url}/api/contents/notebooks", verify=cert, timeout=10).status_code == 403
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{compose_project.port}/api/status", timeout=10)
