"""Run code in a kernel of a running JupyterLab through its REST API and kernel websocket."""

from __future__ import annotations

import json
import ssl
import time
import uuid

import websocket

from containers import Server


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
    result = {"status": None, "stdout": "", "stderr": "", "error": None}
    content = {"code": code, "silent": False, "store_history": False,
               "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
    for kind, reply in _messages(server, kernel_id, "execute_request", content, timeout):
        if kind == "stream":
            result[reply["name"]] += reply["text"]
        elif kind == "error":
            result["error"] = f"{reply['ename']}: {reply['evalue']}"
        elif kind == "execute_reply":
            result["status"] = reply["status"]
            return result


def complete(server: Server, kernel_id: str, code: str, timeout: float = 120) -> list[str]:
    """What the kernel offers to complete at the end of code (Tab in JupyterLab)."""
    content = {"code": code, "cursor_pos": len(code)}
    for kind, reply in _messages(server, kernel_id, "complete_request", content, timeout):
        if kind == "complete_reply":
            return reply["matches"]
