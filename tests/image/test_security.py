"""Secure runtime: any UID without root, a token always, HTTPS, read-only root, clean signals,
a healthcheck that follows the server, nothing phoning home, nothing outside the lock."""

import json
import re
import socket
import ssl
import warnings

import pytest
import requests
from packaging.utils import canonicalize_name

from tests.support.certs import self_signed_certificate
from tests.support.containers import Server, free_port, poll
from tests.support.kernel import execute, start_kernel
from tests.support.lock_pins import lock_pins
from tests.support.terminal import type_in_terminal

pytestmark = pytest.mark.image

NOTEBOOK = {"type": "notebook", "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}
HARDENED = {"read_only": True, "tmpfs": {"/tmp": ""}, "cap_drop": ["ALL"], "security_opt": ["no-new-privileges"]}


def test_runs_as_any_uid_without_passwd_entry(containers, host_dir):
    server = containers.run_server(user="12345:23456", volumes={str(host_dir): {"bind": "/home/jovyan/notebooks"}})
    code, out = server.exec("sh", "-c", "id -u; getent passwd $(id -u) || echo no-entry")
    assert out.split() == ["12345", "no-entry"], out
    code, out = server.exec("sh", "-c", 'for d in "$HOME" "$(jupyter --runtime-dir)" "$(jupyter --data-dir)"; '
                                        'do mkdir -p "$d" && touch "$d/probe" && echo "writable $d"; done')
    assert code == 0 and out.count("writable") == 3, out
    assert server.request("PUT", "/api/contents/notebooks/any-uid.ipynb", json=NOTEBOOK).status_code == 201
    saved = host_dir / "any-uid.ipynb"
    assert (saved.stat().st_uid, saved.stat().st_gid) == (12345, 23456)


def test_random_token_in_logs_when_none_given(containers):
    port = free_port()
    # compose passes an unset JUPYTER_TOKEN as an empty string: that must not mean "no token".
    container = containers.run(ports={"8888/tcp": ("127.0.0.1", port)}, environment={"JUPYTER_TOKEN": ""})
    token = poll(lambda: re.search(r"token=([0-9a-f]{32,})", container.logs().decode()), 60,
                 "no generated token in the logs").group(1)
    server = Server(container, f"http://127.0.0.1:{port}", token)
    server.wait_ready()
    assert requests.get(server.url + "/api/contents", timeout=10).status_code == 403


def test_image_never_starts_without_a_token(image, docker_client):
    config = docker_client.images.get(image).attrs["Config"]
    command = " ".join((config.get("Entrypoint") or []) + (config.get("Cmd") or []))
    assert "--allow-root" not in command
    assert "token=''" not in command and 'token=""' not in command and "token= " not in command + " "
    assert "JUPYTER_TOKEN" not in " ".join(config.get("Env") or []), "no token may be baked into the image"


def test_https_only_with_mounted_certificate(containers, host_dir):
    cert = self_signed_certificate(host_dir)
    port = free_port()
    container = containers.run(
        ports={"8888/tcp": ("127.0.0.1", port)},
        volumes={str(host_dir): {"bind": "/certs", "mode": "ro"}},
        environment={"JUPYTER_TOKEN": "tls-token", "JUPYTER_CERTFILE": "/certs/cert.pem",
                     "JUPYTER_KEYFILE": "/certs/key.pem"},
    )
    server = Server(container, f"https://127.0.0.1:{port}", "tls-token", verify=str(cert))
    server.wait_ready()
    assert server.get("/api/status").status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/status", timeout=10)
    # TLS 1.2 at least (the container's OpenSSL): a client offering only 1.0 and 1.1 is refused.
    # The same client completes a TLS 1.1 handshake with a server that allows it (seen).
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    legacy.check_hostname, legacy.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():  # TLS 1.0 and 1.1 are deprecated in Python too
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy.minimum_version, legacy.maximum_version = ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1
    legacy.set_ciphers("DEFAULT:@SECLEVEL=0")  # the client's own floor out of the way
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, pytest.raises(ssl.SSLError):
        legacy.wrap_socket(raw)


def test_read_only_root_without_capabilities_runs_kernel_and_saves(containers, host_dir):
    server = containers.run_server(volumes={str(host_dir): {"bind": "/home/jovyan/notebooks"}}, **HARDENED)
    code, out = server.exec("sh", "-c", "touch /opt/venv/x 2>&1; touch /home/jovyan/x 2>&1; grep CapEff /proc/self/status")
    assert "Read-only file system" in out and "CapEff:\t0000000000000000" in out, out
    kernel = start_kernel(server)
    reply = execute(server, kernel, "import numpy; print(numpy.arange(4).sum())")
    assert reply["status"] == "ok" and reply["stdout"].strip() == "6", reply
    assert server.request("PUT", "/api/contents/notebooks/hardened.ipynb", json=NOTEBOOK).status_code == 201
    assert (host_dir / "hardened.ipynb").is_file()


def test_the_terminal_gains_no_privilege(containers):
    """As compose runs it: the lab's terminal has no capabilities and cannot gain any (setuid
    programs do not raise it), and cannot become root."""
    server = containers.run_server(**HARDENED)
    output = type_in_terminal(server, "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; "
                                      "su -c 'echo became-$((1 + 1))' root </dev/null; echo done-$((6 * 7))",
                              until="done-42")
    assert "done-42" in output and "CapEff:\t0000000000000000" in output and "NoNewPrivs:\t1" in output, output
    assert "became-2" not in output, output


ZOMBIES = "import os; print(sum(open(f'/proc/{p}/stat').read().split(')')[1].split()[0] == 'Z' for p in os.listdir('/proc') if p.isdigit()))"


def test_init_reaps_orphans_and_stop_is_clean(containers):
    server = containers.run_server()
    kernel = start_kernel(server)
    # An orphan: the kernel's child forks a grandchild and exits; the grandchild exits later and
    # is reparented to PID 1, which must reap it.
    reply = execute(server, kernel, "import os, subprocess; subprocess.Popen(['sh', '-c', 'sleep 0.5 & exit 0']).wait(); print(os.getpid())")
    assert reply["status"] == "ok", reply
    code, pid1 = server.exec("cat", "/proc/1/comm")
    assert pid1.strip() == "dumb-init"
    poll(lambda: server.exec("python", "-c", ZOMBIES)[1].strip() == "0", 10, "zombie processes were not reaped")
    server.container.stop(timeout=10)
    server.container.reload()
    state = server.container.attrs["State"]
    # 137 would mean SIGKILL after the 10 s timeout: SIGTERM was not handled.
    assert state["ExitCode"] != 137 and not state["OOMKilled"], state


def health(container):
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status")


def quick_healthcheck(docker_client, image):
    """The image's own HEALTHCHECK command, checked every second so the test is quick."""
    test = docker_client.images.get(image).attrs["Config"]["Healthcheck"]["Test"]
    return {"test": test, "interval": 1_000_000_000, "timeout": 5_000_000_000, "retries": 2, "start_period": 1_000_000}  # 0 would inherit the 60 s


def test_healthcheck_follows_custom_port_base_url_and_https(containers, docker_client, image, host_dir):
    self_signed_certificate(host_dir)
    container = containers.run(
        healthcheck=quick_healthcheck(docker_client, image),
        volumes={str(host_dir): {"bind": "/certs", "mode": "ro"}},
        environment={"JUPYTER_PORT": "9999", "JUPYTER_BASE_URL": "/lab-here/", "JUPYTER_TOKEN": "t",
                     "JUPYTER_CERTFILE": "/certs/cert.pem", "JUPYTER_KEYFILE": "/certs/key.pem"},
    )
    poll(lambda: health(container) == "healthy", 60, "the container did not become healthy")
    log = container.attrs["State"]["Health"]["Log"][-1]["Output"]
    assert "https://127.0.0.1:9999/lab-here/api/status 200" in log, log


def test_healthcheck_reports_unhealthy_without_a_server(containers, docker_client, image):
    container = containers.run(healthcheck=quick_healthcheck(docker_client, image),
                               command=["python", "-c", "import time; time.sleep(600)"])
    poll(lambda: health(container) == "unhealthy", 60, "the container did not become unhealthy")


def test_nothing_phones_home(containers):
    server = containers.run_server()
    # The image's overrides.json becomes the schema default the UI starts from.
    schema = server.get("/lab/api/settings/@jupyterlab/apputils-extension:notification").json()["schema"]
    assert schema["properties"]["fetchNews"]["default"] == "false"
    assert schema["properties"]["checkForUpdates"]["default"] is False
    assert server.get("/lab/api/news").json()["news"] == []
    assert server.get("/lab/api/update").json()["notification"] is None


def test_runtime_has_exactly_the_locked_packages(containers):
    container = containers.run(command=["python", "-c",
        "import importlib.metadata as m, json; print(json.dumps({d.name: d.version for d in m.distributions()}))"])
    assert container.wait(timeout=60)["StatusCode"] == 0
    installed = {canonicalize_name(k): v for k, v in json.loads(container.logs().decode()).items()}
    assert installed == lock_pins()
