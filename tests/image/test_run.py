"""The image builds from the lock and serves JupyterLab, with a token, as a non-root user."""

import json

import pytest
import requests

pytestmark = pytest.mark.image

PACKAGES = ["jupyterlab", "numpy", "pandas", "matplotlib", "sklearn"]


def test_server_answers_with_token(containers):
    server = containers.run_server(token="s3cret-token")
    status = server.get("/api/status")
    assert status.status_code == 200
    assert "started" in status.json()


@pytest.mark.parametrize("auth", [None, "token wrong-token"], ids=["no-token", "wrong-token"])
def test_api_refused_without_the_right_token(containers, auth):
    server = containers.run_server(token="right-token")
    # A fresh session each time: the authenticated session holds a login cookie.
    headers = {"Authorization": auth} if auth else {}
    for path in ("/api/contents", "/api/kernels", "/api/sessions"):
        response = requests.get(server.url + path, headers=headers, allow_redirects=False, timeout=10)
        assert response.status_code == 403, (path, response.status_code, response.text[:200])
    lab = requests.get(server.url + "/lab", headers=headers, timeout=10)
    assert lab.status_code == 200 and "/login" in lab.url, "the UI must send a token-less visitor to /login"


def test_user_is_not_root(containers):
    server = containers.run_server()
    code, out = server.exec("id", "-u")
    assert code == 0 and out.strip() not in ("", "0"), out


def test_packages_import(containers):
    server = containers.run_server()
    code, out = server.exec("python", "-c", f"import {', '.join(PACKAGES)}; print('imported')")
    assert code == 0 and "imported" in out, out


def test_contents_api_writes_to_mounted_notebooks(containers, host_dir):
    server = containers.run_server(volumes={str(host_dir): {"bind": "/home/jovyan/notebooks", "mode": "rw"}})
    notebook = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
    response = server.request("PUT", "/api/contents/notebooks/written-by-api.ipynb", json=notebook)
    assert response.status_code == 201, response.text
    on_host = host_dir / "written-by-api.ipynb"
    assert on_host.is_file()
    assert json.loads(on_host.read_text())["nbformat"] == 4
    code, uid = server.exec("id", "-u")
    assert on_host.stat().st_uid == int(uid), "the file must belong to the container user's UID on the host"
