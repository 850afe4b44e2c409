"""Run code in a kernel of a running JupyterLab through its REST API and kernel websocket."""

from __future__ import annotations

import json
import ssl
import time
import uuid

import websocket

from tests.support.containers import Server


def start_kernel(server: Server) -> str:
    response = server.request("POST", "/api/kernels", json={"name": "python3"})
    response.raise_for_status()
    return response.json()["id"]


def _messages(server: Server, kernel_id: str, msg_type: str, content: dict, timeout: float):
    """Send one shell request over the kernel websocket; yield the messages answering it."""
    ws_url = server.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    sslopt = {"cert_reqs": ssl.CERT_NONE} if server.url.startswith("https") else None
    ws = websocket.create_connection(
        ws_url, header=[f"Authorization: token {server.token}"], timeout=timeout, sslopt=sslopt
    )
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": msg_type, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content,
    }))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg["msg_type"], msg["content"]
    finally:
        ws.close()
    raise TimeoutError(f"no reply to {msg_type} within {timeout} s")


def execute(server: Server, kernel_id: str, code: str, timeout: float = 120) -> dict:
    """Execute code; return {"status": ..., "stdout": ..., "stderr": ..., "error": ...} from the reply."""
    channel = KernelChannel(server, kernel_id)
    try:
        return channel.execute(code, timeout)
    finally:
        channel.close()


def complete(server: Server, kernel_id: str, code: str, timeout: float = 120) -> list[str]:
    """What the kernel offers to complete at the end of code (Tab in JupyterLab)."""
    content = {"code": code, "cursor_pos": len(code)}
    for kind, reply in _messages(server, kernel_id, "complete_request", content, timeout):
        if kind == "complete_reply":
            return reply["matches"]


class KernelChannel:
    """One kernel websocket kept open, as JupyterLab keeps it: cells run one after another, and
    every status the kernel (or the server, for a restart) reports is recorded in `statuses`.

    recv() waits at most a second at a time (the server's pings are answered inside it, so a long
    socket timeout would never fire); every wait has its own deadline."""

    def __init__(self, server: Server, kernel_id: str, connect_timeout: float = 60):
        ws_url = server.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
        sslopt = {"cert_reqs": ssl.CERT_NONE} if server.url.startswith("https") else None
        # The handshake waits for the kernel to answer the server: up to a minute on a busy machine.
        self.ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {server.token}"], timeout=connect_timeout, sslopt=sslopt)
        self.ws.settimeout(1)
        self.session = uuid.uuid4().hex
        self.statuses: list[str] = []

    def send(self, code: str) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        return msg_id

    def receive(self, deadline: float) -> dict | None:
        """The next message, or None when a second passed without one."""
        if time.monotonic() > deadline:
            raise TimeoutError("no answer from the kernel before the deadline")
        try:
            msg = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if msg.get("msg_type") == "status":
            self.statuses.append(msg["content"]["execution_state"])
        return msg

    def wait(self, msg_id: str, timeout: float = 120) -> dict:
        """The result of one execution: its reply and its outputs (the reply can come before the
        outputs: done at the reply and the kernel's idle for the same request)."""
        result = {"status": None, "stdout": "", "stderr": "", "error": None}
        idle = False
        deadline = time.monotonic() + timeout
        while result["status"] is None or not idle:
            try:
                msg = self.receive(deadline)
            except TimeoutError:
                raise TimeoutError(f"no {'reply' if result['status'] is None else 'idle status'} for the cell "
                                   f"before the deadline; so far {result}, statuses {self.statuses}") from None
            if msg is None or msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                result[content["name"]] += content["text"]
            elif kind == "error":
                result["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                result["status"] = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return result

    def execute(self, code: str, timeout: float = 120) -> dict:
        return self.wait(self.send(code), timeout)

    def ready(self, timeout: float = 120) -> None:
        """Wait until a kernel_info_request gets its reply on shell and its status on iopub, asking
        again every 2 s: what jupyter_server's nudge does when a websocket opens, and the nudge is
        skipped for a kernel the server still thinks busy -- one killed mid-cell and restarted. Until
        the kernel has been seen on iopub, a cell's reply can arrive while its output and its idle
        status are lost (the websocket's iopub socket reconnects to the new kernel up to 10 ms late:
        image/jupyterlab_minimalist/kernels.py).
        (kernel_info is safe to repeat; a cell is not.)"""
        deadline = time.monotonic() + timeout
        while True:
            msg_id = uuid.uuid4().hex
            self.ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": "test", "session": self.session,
                           "msg_type": "kernel_info_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": {}}))
            seen = set()
            ask_again = time.monotonic() + 2
            while time.monotonic() < ask_again:
                msg = self.receive(deadline)  # past the deadline: TimeoutError
                if msg and msg.get("parent_header", {}).get("msg_id") == msg_id:
                    seen.add(msg["channel"])
                    if seen >= {"shell", "iopub"}:
                        return

    def wait_for_status(self, state: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while state not in self.statuses:
            self.receive(deadline)

    def close(self) -> None:
        self.ws.close()
