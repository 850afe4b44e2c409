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


def execute(server: Server, kernel_id: str, code: str, timeout: float = 120) -> dict:
    """Execute code; return {"status": ..., "stdout": ..., "stderr": ..., "error": ...} from the reply."""
    ws_url = server.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    sslopt = {"cert_reqs": ssl.CERT_NONE} if server.url.startswith("https") else None
    ws = websocket.create_connection(
        ws_url, header=[f"Authorization: token {server.token}"], timeout=timeout, sslopt=sslopt
    )
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    result = {"status": None, "stdout": "", "stderr": "", "error": None}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                result[content["name"]] += content["text"]
            elif kind == "error":
                result["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                result["status"] = content["status"]
                return result
    finally:
        ws.close()
    raise TimeoutError(f"no execute_reply within {timeout} s: {result}")
