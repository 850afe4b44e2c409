"""The SSH tunnel lines of docs/remote-access.md and docs/vscode.md reach the lab as compose.yaml
publishes it with .env.example's settings. The tunnel runs between a user's laptop and their host,
so it is checked as a linter would: the command line is parsed as ssh reads it (`-N`, one `-L
[bind:]port:host:hostport`, a destination), and the forward's far end must be the address and port
compose publishes; the URL the doc then opens must use the tunnel's local port."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.support.paths import PROJECT_ROOT

DOCS = ["docs/remote-access.md", "docs/vscode.md"]


def published() -> tuple[str, int]:
    """The host address and port compose publishes the lab on, .env.example's values over compose's defaults."""
    spec = re.search(r'"\$\{JUPYTER_HOST_IP:-([^}]*)\}:\$\{JUPYTER_HOST_PORT:-(\d+)\}:\$\{JUPYTER_PORT:-\d+\}"',
                     (PROJECT_ROOT / "compose.yaml").read_text())
    assert spec, "compose.yaml publishes the port in a form this test does not know"
    env = dict(re.findall(r"^(JUPYTER_HOST_IP|JUPYTER_HOST_PORT)=(.*)$", (PROJECT_ROOT / ".env.example").read_text(), re.M))
    return env.get("JUPYTER_HOST_IP") or spec.group(1), int(env.get("JUPYTER_HOST_PORT") or spec.group(2))


def tunnel(argv: list[str]) -> tuple[int, str, int]:
    """(local port, far host, far port) of an `ssh -N -L ... user@host` line."""
    assert argv[0] == "ssh" and "-N" in argv, f"not a tunnel-only ssh line: {argv}"
    forwards = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-L"]
    assert len(forwards) == 1, f"one -L forward expected: {argv}"
    parts = forwards[0].split(":")
    assert len(parts) in (3, 4), f"-L takes [bind_address:]port:host:hostport, got {forwards[0]}"
    assert re.fullmatch(r"[^@\s-][^@\s]*@[^@\s]+", argv[-1]), f"the destination must be user@host: {argv[-1]}"
    return int(parts[-3]), parts[-2], int(parts[-1])


@pytest.mark.parametrize("doc", DOCS)
def test_tunnel_lines_reach_the_published_lab(doc):
    text = (PROJECT_ROOT / doc).read_text()
    lines = re.findall(r"`(ssh [^`]+)`", text)
    assert lines, f"{doc} has no `ssh ...` line"
    host, port = published()
    for line in lines:
        local, far_host, far_port = tunnel(shlex.split(line))
        assert (far_host, far_port) == (host, port), \
            f"{doc}: `{line}` forwards to {far_host}:{far_port}, but compose publishes the lab on {host}:{port}"
        for url_port in re.findall(r"http://(?:127\.0\.0\.1|localhost):(\d+)/", text):
            assert int(url_port) == local, f"{doc}: a URL uses port {url_port}, the tunnel's local port is {local}"
