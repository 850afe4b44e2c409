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


def main() -> int:
    servers = glob.glob(os.path.join(jupyter_runtime_dir(), "jpserver-*.json"))
    if not servers:
        print("no Jupyter server has started yet")
        return 1
    with open(max(servers, key=os.path.getmtime)) as f:
        info = json.load(f)
    scheme = "https" if info.get("secure") else "http"
    url = f"{scheme}://127.0.0.1:{info['port']}{info['base_url']}api/status"
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
    except OSError as error:
        print(error)
        sys.exit(1)
