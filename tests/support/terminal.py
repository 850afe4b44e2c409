"""Type a line into a new terminal of a running JupyterLab (its REST API and terminal websocket), as
a user at the lab's Terminal would, and read what comes back."""

from __future__ import annotations

import json
import time

import websocket

from tests.support.containers import Server


def type_in_terminal(server: Server, line: str, until: str, timeout: float = 30) -> str:
    """The terminal's output (the typed line echoed first) once `until` appears, or at the deadline."""
    name = server.request("POST", "/api/terminals").json()["name"]
    ws = websocket.create_connection(server.url.replace("http", "ws", 1) + f"/terminals/websocket/{name}",
                                     header=[f"Authorization: token {server.token}"], timeout=timeout)
    try:
        ws.send(json.dumps(["stdin", line + "\r"]))
        output = ""
        deadline = time.monotonic() + timeout
        while until not in output and time.monotonic() < deadline:
            kind, *data = json.loads(ws.recv())
            output += data[0] if kind == "stdout" else ""
        return output
    finally:
        ws.close()
