"""VS Code against the running lab, through the client its Jupyter extension really uses:
@jupyterlab/services driven from Node (client.mjs), over HTTP and over HTTPS with a self-signed
certificate the client is told to trust. `npm ci` installs the locked client (package-lock.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.certs import self_signed_certificate
from tests.support.compose_project import TOKEN

pytestmark = [pytest.mark.image, pytest.mark.vscode]

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def client():
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("needs Node 20 and npm")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=HERE, check=True, timeout=300,
                   capture_output=True)

    def run(url: str, token: str, ca: Path | None = None) -> dict:
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)} if ca else os.environ
        done = subprocess.run(["node", "client.mjs", url, token], cwd=HERE, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])  # the library logs its websockets before

    return run


def check(seen: dict) -> None:
    assert seen["wrongTokenStatus"] == 403
    assert "python3" in seen["kernelspecs"]
    assert seen["executeStatus"] == "ok"
    assert seen["pngs"] == 1, "the plot cell must send one image/png"
    assert "plt.plot" in seen["savedSource"]


def test_vscode_client_over_http_and_https(compose_project, client):
    compose_project.up()
    compose_project.server()
    check(client(f"http://127.0.0.1:{compose_project.port}/", TOKEN))

    compose_project("down")
    (compose_project.folder / "certs").mkdir()
    cert = self_signed_certificate(compose_project.folder / "certs")
    compose_project.up(COMPOSE_FILE="compose.yaml:compose.https.yaml")
    compose_project.server(scheme="https", verify=str(cert))
    check(client(f"https://127.0.0.1:{compose_project.port}/", TOKEN, ca=cert))
