"""Bad settings stop the server within seconds with one line naming the setting and exit code 2:
no traceback, no server that cannot save, no restart loop under compose."""

import os

import pytest

from tests.support.certs import self_signed_certificate
from tests.support.containers import poll

pytestmark = pytest.mark.image

EXIT_BAD_SETTING = 2


def only_line(container) -> str:
    container.wait(timeout=60)
    lines = [line for line in container.logs().decode(errors="replace").splitlines() if line.strip()]
    assert len(lines) == 1, "\n".join(lines)
    return lines[0]


@pytest.mark.parametrize("environment, names", [
    ({"JUPYTER_PORT": "abc"}, "JUPYTER_PORT=abc"),
    ({"JUPYTER_PORT": "70000"}, "JUPYTER_PORT=70000"),
    ({"JUPYTER_BASE_URL": "lab/"}, "JUPYTER_BASE_URL=lab/"),
    ({"JUPYTER_CERTFILE": "/certs/missing.pem", "JUPYTER_KEYFILE": "/certs/key.pem"}, "/certs/missing.pem does not exist"),
    ({"JUPYTER_CERTFILE": "/certs/cert.pem", "JUPYTER_KEYFILE": "/certs/other/key.pem"}, "matching private key"),
], ids=["port-not-a-number", "port-out-of-range", "base-url-without-slash", "certificate-missing", "key-of-another-cert"])
def test_bad_setting_gets_one_line_and_exit_2(containers, tmp_path, environment, names):
    certs = tmp_path / "certs"
    (certs / "other").mkdir(parents=True)
    self_signed_certificate(certs)
    self_signed_certificate(certs / "other")
    for folder in (certs, certs / "other"):
        folder.chmod(0o755)
    container = containers.run(environment={"JUPYTER_TOKEN": "t", **environment},
                               volumes={str(certs): {"bind": "/certs", "mode": "ro"}})
    line = only_line(container)
    assert line.startswith("error: ") and names in line, line
    assert container.wait()["StatusCode"] == EXIT_BAD_SETTING


def test_unwritable_notebooks_volume_names_owner_and_fix(containers, tmp_path):
    volume = tmp_path / "notebooks"
    volume.mkdir()
    volume.chmod(0o755)
    owner = volume.stat().st_uid
    container = containers.run(user="12345:23456", volumes={str(volume): {"bind": "/home/jovyan/notebooks"}})
    line = only_line(container)
    assert container.wait()["StatusCode"] == EXIT_BAD_SETTING
    assert f"belongs to UID {owner}" in line and f"set NB_UID={owner}" in line and "UID 12345" in line, line


@pytest.mark.parametrize("option", ["--IdentityProvider.token=", "--ServerApp.token="])
def test_empty_token_on_the_command_line_is_refused(containers, option):
    container = containers.run(command=["jupyter", "lab", option])
    assert container.wait(timeout=60)["StatusCode"] == EXIT_BAD_SETTING
    logs = container.logs().decode(errors="replace")
    assert logs.strip().splitlines()[-1].startswith("error: an empty token"), logs
    assert "All authentication is disabled" not in logs and "Traceback" not in logs, logs


def test_compose_stops_after_a_few_tries_never_a_restart_loop(compose_project):
    """compose.yaml restarts a server that died (restart: on-failure), but a bad setting exits
    with code 2 every time: three more tries, the same one line each, then it stays stopped."""
    os.chown(compose_project.folder / "notebooks", 4242, 4242)
    compose_project.up()

    def stopped_for_good():
        container = compose_project.container()
        return container.status == "exited" and container.attrs["RestartCount"] == 3 and container

    container = poll(stopped_for_good, 60, "the container did not stop after three restarts")
    assert container.attrs["State"]["ExitCode"] == EXIT_BAD_SETTING, container.attrs["State"]
    lines = [line for line in container.logs().decode().splitlines() if line.strip()]
    assert len(lines) == 4 and set(lines) == {lines[0]} and "belongs to UID 4242" in lines[0], lines
