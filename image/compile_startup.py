"""Builder step: start JupyterLab and a kernel as a user's first cell would, then keep bytecode
for exactly the modules they imported. The steps:
    compile_startup.py fingerprint         the sha256 of what decides the list (the venv's files, this script, Python)
    compile_startup.py run                 as an unprivileged user, PYTHONPYCACHEPREFIX set
    compile_startup.py modules DIR > LIST  the venv modules found under DIR, one source path a line
    compile_startup.py compile LIST        as root: compile the modules of LIST (CHUNKS processes)

The list is kept in a build cache under its fingerprint: a build whose venv, config and script did
not change (a build without the layer cache, a rebuild on another commit) compiles the same list
without starting the server again. The fingerprint covers the locks, every venv file's path, mode
and size, and the bytes of the image's own files, so a changed lock, config or pruning rule runs
the pass again.

Compiling everything costs ~140 MB of .pyc; compiling nothing makes every start recompile in
memory (the venv is read-only at run time). The modules a start and the first imports load are
the ones worth their bytes. With PYTHONPYCACHEPREFIX, Python writes a .pyc for each module it
imports into that tree; the matching venv sources are then compiled in unchecked-hash mode (the
venv never changes, so re-hashing each source at every import would be pure start-up cost), in a
fixed number of processes with fixed slices of the sorted list, so the result is byte-identical on
every rebuild (timestamp .pyc would not survive the clamped file times anyway). Jupyter refuses to run as root, hence the user.

Every wait is on the server, bounded by one deadline for the whole run: STARTUP_DEADLINE seconds
(default 3600). Natively it all takes seconds; under qemu emulation (an arm64 image built on an
x86_64 host) the server and kernel take minutes to start, so no step has a clock of its own.
"""

import asyncio
import hashlib
import json
import os
import pathlib
import py_compile
import subprocess
import sys
import sysconfig
import time
import urllib.request
import uuid

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

VENV = pathlib.Path(sys.prefix)
FIRST_CELL = "import numpy, pandas, matplotlib.pyplot as plt, sklearn\n%matplotlib inline\nplt.plot([1, 2]); plt.show()"


BASE = "http://127.0.0.1:8899"
TOKEN = "compile-startup"
DEADLINE = time.monotonic() + float(os.environ.get("STARTUP_DEADLINE") or 3600)


def remaining(what: str) -> float:
    left = DEADLINE - time.monotonic()
    if left <= 0:
        sys.exit(f"{what}: not done within STARTUP_DEADLINE={os.environ.get('STARTUP_DEADLINE') or 3600} s")
    return left


def wait_for(url: str, server: subprocess.Popen, method: str = "GET", body: dict | None = None) -> dict:
    """Poll until the server answers the request with success. Each try may take all the time
    left: a slow server is waited for, never cut off (and a POST never sent twice for slowness)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {TOKEN}"})
    while True:
        try:
            with urllib.request.urlopen(request, timeout=remaining(f"{method} {url}")) as response:
                text = response.read()
                return json.loads(text) if text and response.headers.get_content_type() == "application/json" else {}
        except OSError:  # not listening yet, or not ready (an error status)
            if server.poll() is not None:
                sys.exit(f"jupyter lab exited with {server.returncode} before answering {url}")
            remaining(f"{method} {url}")
            time.sleep(0.2)


async def execute_over_websocket(kernel_id: str, code: str) -> None:
    """The first cell as JupyterLab sends it: an execute_request on the kernel's websocket. The
    server completes the upgrade only once the kernel answers (minutes under emulation): tornado's
    default 20 s request timeout would give up first."""
    timeout = remaining("kernel websocket")
    ws = await websocket_connect(HTTPRequest(
        f"ws://127.0.0.1:8899/api/kernels/{kernel_id}/channels?token={TOKEN}",
        connect_timeout=timeout, request_timeout=timeout))
    msg_id = uuid.uuid4().hex
    await ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "build", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    while True:
        message = await asyncio.wait_for(ws.read_message(), timeout=remaining("the first cell"))
        if message is None:
            sys.exit("the kernel websocket closed before the first cell ran")
        reply = json.loads(message)
        if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "execute_reply":
            assert reply["content"]["status"] == "ok", json.dumps(reply["content"])
            ws.close()
            return


def run_start_and_first_cell() -> None:
    """Start the server, open the UI, start a notebook session and run the first cell, as a user
    does, so the server's kernel, session and websocket modules are compiled too; then stop it."""
    server = subprocess.Popen(["jupyter", "lab", "--port=8899", "--ip=127.0.0.1", "--ServerApp.root_dir=/tmp",
                               f"--IdentityProvider.token={TOKEN}"])
    try:
        for path in ("/api/status", "/lab", "/api/contents", "/lab/api/settings", "/api/kernelspecs"):
            wait_for(BASE + path, server)
        session = wait_for(BASE + "/api/sessions", server, method="POST", body={
            "path": "Untitled.ipynb", "name": "Untitled.ipynb", "type": "notebook", "kernel": {"name": "python3"}})
        asyncio.run(execute_over_websocket(session["kernel"]["id"], FIRST_CELL))
        wait_for(BASE + f"/api/sessions/{session['id']}", server, method="DELETE")
    finally:
        server.terminate()
        server.wait(timeout=max(60.0, DEADLINE - time.monotonic()))


def fingerprint() -> str:
    """sha256 of what decides which modules a start imports: this script, the Python, the locks
    (a hash of every installed wheel), each venv file's path, mode and size (what pruning and
    patching left), and the bytes of what the image adds itself (config, its own module). Stat
    only for the rest: reading every byte of the venv took longer than the run it would save."""
    digest = hashlib.sha256(pathlib.Path(__file__).read_bytes() + sys.version.encode())
    own = tuple(f"{root}/" for root in (VENV / "etc", VENV / "share/jupyter/lab/settings", "/opt/locks",
                                        pathlib.Path(sysconfig.get_path("purelib")) / "jupyterlab_minimalist"))
    for top in (str(VENV), "/opt/locks"):
        for directory, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
                path = os.path.join(directory, name)
                stat = os.lstat(path)
                digest.update(f"\0{path}\0{stat.st_mode:o}\0{stat.st_size}\0".encode())
                if os.path.islink(path):
                    digest.update(os.readlink(path).encode())
                elif path.startswith(own):
                    with open(path, "rb") as f:
                        digest.update(f.read())
    return digest.hexdigest()


def imported_modules(prefix: pathlib.Path) -> list[str]:
    sources = set()
    for pyc in prefix.rglob("*.pyc"):
        # <prefix>/opt/venv/lib/.../module.cpython-313.pyc -> /opt/venv/lib/.../module.py
        source = pathlib.Path("/") / pyc.parent.relative_to(prefix) / (pyc.name.split(".", 1)[0] + ".py")
        if source.is_relative_to(VENV) and source.is_file():
            sources.add(str(source))
    return sorted(sources)


# Processes the list is compiled in: a fixed number, not the machine's cores, so that every
# machine gives each process the same modules in the same order (what keeps the bytes identical).
CHUNKS = 4


def compile_listed(listing: pathlib.Path) -> None:
    """Compile the listed modules in CHUNKS fresh processes at once, each its own sorted slice.
    marshal's output depends on what the compiling process did before (CPython issue 78274), so a
    pool that hands out files as workers free up is not reproducible; fixed slices, each compiled
    by a process that did nothing else, are."""
    sources = listing.read_text().splitlines()
    workers = [subprocess.Popen([sys.executable, __file__, "compile-slice", str(listing), str(i)]) for i in range(CHUNKS)]
    if any(worker.wait() != 0 for worker in workers):
        sys.exit("compiling the start-up modules failed (see above)")
    print(f"compiled the {len(sources)} venv modules a start and the first cell import", file=sys.stderr)


def compile_slice(listing: pathlib.Path, index: int) -> None:
    for source in listing.read_text().splitlines()[index::CHUNKS]:
        py_compile.compile(source, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        assert os.environ.get("PYTHONPYCACHEPREFIX"), "run with PYTHONPYCACHEPREFIX set"
        os.environ.setdefault("MPLBACKEND", "agg")
        run_start_and_first_cell()
    elif sys.argv[1:] == ["fingerprint"]:
        print(fingerprint())
    elif sys.argv[1:2] == ["modules"] and len(sys.argv) == 3:
        print("\n".join(imported_modules(pathlib.Path(sys.argv[2]))))
    elif sys.argv[1:2] == ["compile"] and len(sys.argv) == 3:
        compile_listed(pathlib.Path(sys.argv[2]))
    elif sys.argv[1:2] == ["compile-slice"] and len(sys.argv) == 4:
        compile_slice(pathlib.Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
