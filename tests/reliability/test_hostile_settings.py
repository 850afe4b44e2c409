"""Every setting the image reads, with generated hostile values (seeded: HOSTILE_SEED repeats a
run): a working server or one `error:` line and exit code 2, never a traceback, never a server
without a token, and a healthcheck that never crashes and follows where the server listens.

The settings check runs for all values in one container (tests/support/settings_driver.py: the
image's own check, the supervisor's, the healthcheck's); a few values start real servers."""

import json
import os
import random
import re
import shutil
import string

import pytest
import requests

from tests.support.containers import free_port, poll
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image

SEED = int(os.environ.get("HOSTILE_SEED", "34"))
EXIT_BAD_SETTING = 2
# Read by the server's settings check (image/jupyterlab_minimalist/settings.py) ...
VARIABLES = ["JUPYTER_PORT", "JUPYTER_IP", "JUPYTER_BASE_URL", "JUPYTER_TOKEN", "JUPYTER_CERTFILE",
             "JUPYTER_KEYFILE"]
# ... and by the image's command before it (image/supervise.sh).
SUPERVISOR_VARIABLES = ["JUPYTER_NO_CONFIG", "ALL_PROXY", "HTTP_PROXY", "https_proxy"]
# Hand-picked: each once broke something, or is a type a setting might be confused with.
KNOWN = ["", " ", "\t", "\n", " x ", "8888\n", "²", "é", "日本", "x" * 100_000, "-1", "0", "65536", "1e3",
         "0x1F", "null", "[]", "true", "::", "::1", "0.0.0.0", "127.0.0.1", "localhost", "no.such.host.invalid",
         "/", "lab", "/lab/", " /lab/ ", "\x7f", "a b", "socks5://127.0.0.1:9", "SOCKS5H://u:p@h:1",
         "http://127.0.0.1:9", "/etc/passwd", "/dev/null", "${HOME}", "$(id)", "'", '"', "%00", "\\"]
ALPHABETS = [string.ascii_letters + string.digits, string.printable, " \t\n\r\x0b\x0c",
             "äöü²³½日本語😀\u200b\u202e", string.digits]


def generated(rng: random.Random) -> str:
    """Up to 30,000 characters: one environment string holds at most 128 KiB (4 bytes a character)."""
    alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, len(ALPHABETS))))
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 5, 12, 64, 1025, 30_000])))


def cases(rng: random.Random) -> dict:
    single = [{name: value} for name in VARIABLES for value in KNOWN + [generated(rng) for _ in range(6)]]
    combined = [{name: rng.choice(KNOWN + [generated(rng)]) for name in rng.sample(VARIABLES, 3)} for _ in range(60)]
    supervisor = [{name: value, "JUPYTER_TOKEN": ""} for name in SUPERVISOR_VARIABLES
                  for value in KNOWN[:40] + [generated(rng) for _ in range(3)]]
    hostile_infos = [{"hostname": host, "port": port, "base_url": base, "token": token, "secure": secure}
                     for host, port, base, token, secure in [
                         ("::", 1, "/", "t", False), ("::1", 2, "/", "t\n", True), ("", 3, "/", "é" * 10, False),
                         ("0.0.0.0", "x", "/", "t", False), ("no.such.host.invalid", 4, "/", "t", False),
                         ("127.0.0.1", 5, "/\n", "x" * 100_000, True), ("127.0.0.1", None, None, None, None)]]
    hostile_infos += [{}, {"port": [], "hostname": {}}]
    return {"settings": single + combined, "supervisor": supervisor, "healthcheck": hostile_infos}


def run_driver(containers, tmp_path, all_cases) -> dict:
    folder = tmp_path / "driver"
    folder.mkdir()
    folder.chmod(0o777)
    shutil.copy(PROJECT_ROOT / "tests/support/settings_driver.py", folder)
    (folder / "cases.json").write_text(json.dumps(all_cases))
    container = containers.run(command=["python", "/driver/settings_driver.py", "/driver"],
                               volumes={str(folder): {"bind": "/driver"}})
    assert container.wait(timeout=300)["StatusCode"] == 0, container.logs().decode(errors="replace")[-3000:]
    return json.loads((folder / "results.json").read_text())


def servable(environ: dict) -> bool:
    """What passed the check is something the server can use as it is."""
    port, token, base = environ.get("JUPYTER_PORT"), environ.get("JUPYTER_TOKEN"), environ.get("JUPYTER_BASE_URL")
    return ((port is None or (re.fullmatch(r"[0-9]+", port) and 1 <= int(port) <= 65535))
            and (token is None or re.fullmatch(r"[!-~]{1,1024}", token))
            and (base is None or re.fullmatch(r"/[0-9A-Za-z._~/-]*", base)))


def test_generated_hostile_settings_get_a_server_or_one_line(containers, tmp_path):
    all_cases = cases(random.Random(SEED))
    results = run_driver(containers, tmp_path, all_cases)
    for case, result in zip(all_cases["settings"], results["settings"]):
        lines = result["stderr"].splitlines()
        shown = {name: value[:40] for name, value in case.items()}
        assert result["code"] in (0, EXIT_BAD_SETTING), (shown, result)
        assert all(line.startswith("warning: ") for line in lines[:-1] if result["code"]), (shown, lines)
        if result["code"] == EXIT_BAD_SETTING:
            assert lines and lines[-1].startswith("error: ") and len(lines[-1]) < 400, (shown, lines)
            assert sum(line.startswith("error: ") for line in lines) == 1, (shown, lines)
        else:
            assert all(line.startswith("warning: ") for line in lines), (shown, lines)
            assert servable(result["environ"]), (shown, result["environ"])
        token = case.get("JUPYTER_TOKEN", "")
        assert len(token.strip()) < 6 or token.strip() not in result["stderr"], "a token reached the log"
    for case, result in zip(all_cases["supervisor"], results["supervisor"]):
        shown = {name: value[:40] for name, value in case.items()}
        if case.get("JUPYTER_NO_CONFIG"):  # would skip the image's config, token guard included
            assert result["code"] == EXIT_BAD_SETTING and result["stderr"].startswith("error: "), (shown, result)
            assert result["stderr"].count("\n") == 1, (shown, result)
        else:
            socks = any(value.lower().startswith("socks") for value in case.values())
            assert result["code"] == 0 and result["stderr"].count("\n") == socks, (shown, result)
            assert not socks or result["stderr"].startswith("warning: "), (shown, result)
    for info, result in zip(all_cases["healthcheck"], results["healthcheck"]):
        assert result["code"] == 1 and result["output"].count("\n") == 1, (str(info)[:200], result)
        assert "Traceback" not in result["output"]
    accepted = sum(result["code"] == 0 for result in results["settings"])
    print(f"seed {SEED}: {len(results['settings'])} settings cases, {accepted} accepted; "
          f"{len(results['supervisor'])} supervisor and {len(results['healthcheck'])} healthcheck cases")


def health(container):
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status")


# (environment, what happens): a few real starts, all at once, of values the check passes or refuses.
REAL_STARTS = [
    ({"JUPYTER_TOKEN": "t", "JUPYTER_IP": "::"}, "healthy"),
    ({"JUPYTER_TOKEN": "t", "JUPYTER_PORT": "", "JUPYTER_BASE_URL": ""}, "healthy"),
    ({"JUPYTER_TOKEN": "t", "JUPYTER_PORT": "9999", "ALL_PROXY": "socks5://127.0.0.1:9",
      "HTTP_PROXY": "socks5h://127.0.0.1:9"}, "healthy"),
    ({"JUPYTER_TOKEN": " padded "}, "error: JUPYTER_TOKEN must be"),
    ({"JUPYTER_TOKEN": "", "JUPYTER_NO_CONFIG": "1"}, "error: JUPYTER_NO_CONFIG is set"),
    ({"JUPYTER_TOKEN": "t", "JUPYTER_PORT": "²"}, "error: JUPYTER_PORT="),
    ({"JUPYTER_TOKEN": "t", "JUPYTER_IP": "::1"}, "healthy"),  # the container's own loopback only
    ({"JUPYTER_TOKEN": "t", "JUPYTER_IP": "192.0.2.1"}, "error: JUPYTER_IP=192.0.2.1 is not an address of this"),
]


def test_real_starts_follow_the_check(containers, docker_client, image):
    test = docker_client.images.get(image).attrs["Config"]["Healthcheck"]["Test"]
    started = []
    for environment, expected in REAL_STARTS:
        port = free_port()
        container = containers.run(environment=environment, ports={"8888/tcp": ("127.0.0.1", port)}, healthcheck={
            "test": test, "interval": 1_000_000_000, "timeout": 5_000_000_000, "retries": 3,
            "start_period": 60_000_000_000})
        started.append((container, port, environment, expected))
    for container, port, environment, expected in started:
        logs = lambda: container.logs().decode(errors="replace")  # noqa: E731
        if expected == "healthy":
            poll(lambda: health(container) == "healthy", 90, f"{environment} never became healthy")
            assert "Traceback" not in logs()
            if "ALL_PROXY" in environment:
                assert logs().count("is a SOCKS proxy") == 2, logs()
            # The published IPv4 port answers too (but for a loopback address or another port).
            if environment.get("JUPYTER_IP") != "::1" and not environment.get("JUPYTER_PORT"):
                response = requests.get(f"http://127.0.0.1:{port}/api/status", timeout=10,
                                        headers={"Authorization": "token t"})
                assert response.status_code == 200
        else:
            assert container.wait(timeout=90)["StatusCode"] == EXIT_BAD_SETTING, logs()
            lines = [line for line in logs().splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_a_token_from_the_command_line_gets_the_same_check(containers):
    container = containers.run(command=["jupyter", "lab", "--IdentityProvider.token=é"])
    assert container.wait(timeout=60)["StatusCode"] == EXIT_BAD_SETTING
    logs = container.logs().decode(errors="replace")
    assert logs.strip().splitlines()[-1].startswith("error: the token must be"), logs
    assert "Traceback" not in logs
