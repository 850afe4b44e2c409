"""Builder step: start JupyterLab and a kernel as a user's first cell would, then keep bytecode
for exactly the modules they imported. Two steps:
    compile_startup.py run            as an unprivileged user, PYTHONPYCACHEPREFIX set
    compile_startup.py compile DIR    as root: compile the venv modules found under DIR

Compiling everything costs ~140 MB of .pyc; compiling nothing makes every start recompile in
memory (the venv is read-only at run time). The modules a start and the first imports load are
the ones worth their bytes. With PYTHONPYCACHEPREFIX, Python writes a .pyc for each module it
imports into that tree; the matching venv sources are then compiled in checked-hash mode, one
process, sorted, so the result is byte-identical on every rebuild (timestamp .pyc would not
survive the clamped file times anyway). Jupyter refuses to run as root, hence the user.
"""

import json
import os
import pathlib
import py_compile
import subprocess
import sys
import time
import urllib.request

from jupyter_client.manager import start_new_kernel

VENV = pathlib.Path(sys.prefix)
FIRST_CELL = "import numpy, pandas, matplotlib.pyplot as plt, sklearn\n%matplotlib inline\nplt.plot([1, 2]); plt.show()"


def wait_for(url: str, token: str, server: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except OSError:
            if server.poll() is not None:
                sys.exit(f"jupyter lab exited with {server.returncode} before answering {url}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run_server_start() -> None:
    token = "compile-startup"
    server = subprocess.Popen(["jupyter", "lab", "--port=8899", "--ip=127.0.0.1", "--ServerApp.root_dir=/tmp",
                               f"--IdentityProvider.token={token}"])
    try:
        for path in ("/api/status", "/lab", "/api/contents", "/lab/api/settings", "/api/kernelspecs"):
            wait_for("http://127.0.0.1:8899" + path, token, server)
    finally:
        server.terminate()
        server.wait(timeout=60)


def run_first_cell() -> None:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(FIRST_CELL, timeout=300)
        assert reply["content"]["status"] == "ok", json.dumps(reply["content"])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def compile_imported(prefix: pathlib.Path) -> None:
    sources = set()
    for pyc in prefix.rglob("*.pyc"):
        # <prefix>/opt/venv/lib/.../module.cpython-313.pyc -> /opt/venv/lib/.../module.py
        source = pathlib.Path("/") / pyc.parent.relative_to(prefix) / (pyc.name.split(".", 1)[0] + ".py")
        if source.is_relative_to(VENV) and source.is_file():
            sources.add(source)
    for source in sorted(sources):
        py_compile.compile(str(source), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    print(f"compiled the {len(sources)} venv modules a start and the first cell import", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        assert os.environ.get("PYTHONPYCACHEPREFIX"), "run with PYTHONPYCACHEPREFIX set"
        os.environ.setdefault("MPLBACKEND", "agg")
        run_server_start()
        run_first_cell()
    elif sys.argv[1:2] == ["compile"]:
        compile_imported(pathlib.Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
