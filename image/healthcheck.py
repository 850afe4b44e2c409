"""Docker HEALTHCHECK: ask the running Jupyter server for /api/status wherever it listens.

The server writes its port, base URL, scheme and token to jpserver-*.json in its runtime dir, so a
custom JUPYTER_PORT, JUPYTER_BASE_URL or HTTPS needs no change here. Standard library only, run
with `python -IS` (isolated, no site-packages): it fires every few seconds while the server starts, so it must cost little.
"""

import glob
import json
import os
import ssl
import sys
import urllib.request


def jupyter_runtime_dir() -> str:
    """Where jupyter_core puts it on Linux (JUPYTER_RUNTIME_DIR, else the data dir's runtime/)."""
    if os.environ.get("JUPYTER_RUNTIME_DIR"):
        return os.environ["JUPYTER_RUNTIME_DIR"]
    data = os.environ.get("JUPYTER_DATA_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "jupyter")
    return os.path.join(data, "runtime")


def probe_host(listening_on: str) -> str:
    """Where to ask a server listening on an address: its loopback for every address."""
    if listening_on in ("", "*", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    if listening_on == "::":
        return "[::1]"
    return f"[{listening_on}]" if ":" in listening_on else listening_on


def main() -> int:
    servers = glob.glob(os.path.join(jupyter_runtime_dir(), "jpserver-*.json"))
    if not servers:
        print("no Jupyter server has started yet")
        return 1
    with open(max(servers, key=os.path.getmtime)) as f:
        info = json.load(f)
    scheme = "https" if info.get("secure") else "http"
    url = f"{scheme}://{probe_host(info.get('hostname', ''))}:{int(info['port'])}{info['base_url']}api/status"
    request = urllib.request.Request(url, headers={"Authorization": f"token {info['token']}"})
    # The certificate names the public host, not 127.0.0.1; this request never leaves the container,
    # so it never goes through a proxy either (HTTP_PROXY/HTTPS_PROXY would make it fail).
    context = ssl._create_unverified_context() if scheme == "https" else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    with opener.open(request, timeout=5) as response:
        print(url, response.status)
        return 0 if response.status == 200 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # noqa: BLE001 -- any failure is "unhealthy" with one line, never a traceback
        print(f"{type(error).__name__}: {str(error)[:200]!r}")
        sys.exit(1)
