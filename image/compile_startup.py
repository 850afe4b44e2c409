"""Bytecode for what a start of JupyterLab, a kernel and a user's first cell import.

    compile_startup.py compile LIST   in the builder, as root: compile the modules LIST names
    compile_startup.py find           in the built image (scripts/startup-modules runs it): start
                                      the server and a kernel, run the first cell, import every
                                      public module of PACKAGES, print the site-packages modules
                                      all of that imported, one path a line
    compile_startup.py public         print the public modules of PACKAGES, one dotted name a line
                                      (the benchmark times each one's import)

LIST is image/startup-modules.txt: paths relative to the venv's site-packages, so it holds across
version bumps of the packages that own them; comment lines start with #. The build compiles the
listed modules that exist and says how many did not (a package left the lock); a stale list costs
start-up time, never correctness, and tests/image/test_startup_modules.py fails until it is
refreshed. The list is found once and committed, not found at every build: finding it starts a
server and a kernel (~15 s of a ~45 s build; minutes under emulation).

Compiling everything costs ~85 MB of .pyc; compiling nothing makes every start recompile in
memory (the venv is read-only at run time). The modules a start loads, and those that importing any
public module of the data-science packages loads (PACKAGES: a user's session imports those, in any
order; docs/benchmarks/bytecode.md compares the options), are the ones worth their bytes: tests,
vendored copies nobody imports, other packages' unused corners and the like stay uncompiled. They are compiled in unchecked-hash mode (the venv never changes, so
re-hashing each source at every import would be pure start-up cost), in a fixed number of
processes with fixed slices of the sorted list, so the result is byte-identical on every rebuild
(timestamp .pyc would not survive the clamped file times anyway).

`find` runs the server with PYTHONPYCACHEPREFIX set to a fresh directory: Python then writes a .pyc
there for every module the server and its kernel import, whatever the venv already holds. Every
wait is on the server, bounded by one deadline for the whole run: STARTUP_DEADLINE seconds (default
3600); under qemu emulation the server and kernel take minutes to start.
"""

import asyncio
import json
import os
import pathlib
import py_compile
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
import uuid

SITE = pathlib.Path(sysconfig.get_path("purelib"))
FIRST_CELL = "import numpy, pandas, matplotlib.pyplot as plt, sklearn\n%matplotlib inline\nplt.plot([1, 2]); plt.show()"

BASE = "http://127.0.0.1:8899"
TOKEN = "compile-startup"
DEADLINE = time.monotonic() + float(os.environ.get("STARTUP_DEADLINE") or 3600)

# The packages a data scientist imports directly (requirements.in's and scipy, which they bring):
# every public module of these gets its bytecode, whatever a session imports first.
PACKAGES = ("numpy", "pandas", "matplotlib", "sklearn", "scipy")
# Not public: tests, and private modules (a leading underscore; imported through public ones).
NOT_PUBLIC = {"tests", "test", "conftest", "__main__"}

# Processes the list is compiled in: a fixed number, not the machine's cores, so that every
# machine gives each process the same modules in the same order (what keeps the bytes identical).
CHUNKS = 4


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
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

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


def run_start_and_first_cell(pycache: str) -> None:
    """Start the server, open the UI, start a notebook session and run the first cell, as a user
    does, so the server's kernel, session and websocket modules are found too; then stop it. Its
    output goes to stderr: stdout is the list."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache, MPLBACKEND=os.environ.get("MPLBACKEND", "agg"))
    server = subprocess.Popen(["jupyter", "lab", "--port=8899", "--ip=127.0.0.1", "--ServerApp.root_dir=/tmp",
                               f"--IdentityProvider.token={TOKEN}"], env=env, stdin=subprocess.DEVNULL,
                              stdout=sys.stderr)
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


def imported_modules(prefix: pathlib.Path) -> list[str]:
    """The site-packages sources whose .pyc Python wrote under prefix, relative to site-packages."""
    sources = set()
    for pyc in prefix.rglob("*.pyc"):
        # <prefix>/opt/venv/lib/.../module.cpython-313.pyc -> /opt/venv/lib/.../module.py
        source = pathlib.Path("/") / pyc.parent.relative_to(prefix) / (pyc.name.split(".", 1)[0] + ".py")
        if source.is_relative_to(SITE) and source.is_file():
            sources.add(source.relative_to(SITE).as_posix())
    return sorted(sources)


def public_modules(site: pathlib.Path = SITE) -> list[str]:
    """Every public module of PACKAGES present in site, as dotted names, sorted: .py files and
    packages none of whose path components is private (leading underscore) or a test suite."""
    names = set()
    for package in PACKAGES:
        for source in (site / package).rglob("*.py"):
            parts = source.relative_to(site).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not any(part.startswith("_") or part in NOT_PUBLIC for part in parts):
                names.add(".".join(parts))
    return sorted(names)


# Imports every module named on stdin, each in its own try: one that cannot import here (a GUI
# backend without its toolkit) must not stop the others. Warnings (deprecated modules) are muted.
IMPORT_EACH = """
import importlib, sys, warnings
warnings.simplefilter("ignore")
for name in sys.stdin.read().split():
    try:
        importlib.import_module(name)
    except BaseException:
        pass
"""


def import_public_modules(pycache: str) -> None:
    """Import every public module of PACKAGES in one fresh process, so their .pyc land in pycache."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache, MPLBACKEND="agg")
    subprocess.run([sys.executable, "-c", IMPORT_EACH], input="\n".join(public_modules()), text=True, env=env,
                   stdout=sys.stderr, check=True, timeout=remaining("importing the public modules"))


def find() -> None:
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as pycache:
        run_start_and_first_cell(pycache)
        import_public_modules(pycache)
        print("\n".join(imported_modules(pathlib.Path(pycache))))


def read_list(listing: pathlib.Path) -> tuple[list[str], int]:
    """The listed modules present in this venv, sorted, and how many are not. A line that is not a
    relative .py path inside site-packages is an error naming the file and line."""
    present, missing = [], 0
    for number, line in enumerate(listing.read_text().splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = pathlib.PurePosixPath(entry)
        if path.is_absolute() or ".." in path.parts or path.suffix != ".py":
            sys.exit(f"{listing}:{number}: not a .py path relative to site-packages: {entry!r}")
        if (SITE / path).is_file():
            present.append(str(SITE / path))
        else:
            missing += 1
    return sorted(present), missing


def compile_listed(listing: pathlib.Path) -> None:
    """Compile the listed modules in CHUNKS fresh processes at once, each its own sorted slice.
    marshal's output depends on what the compiling process did before (CPython issue 78274), so a
    pool that hands out files as workers free up is not reproducible; fixed slices, each compiled
    by a process that did nothing else, are."""
    sources, missing = read_list(listing)
    if missing:
        print(f"compile_startup: {missing} modules of {listing.name} are not in this venv, skipped "
              "(refresh the list: scripts/startup-modules)", file=sys.stderr)
    workers = [subprocess.Popen([sys.executable, __file__, "compile-slice", str(listing), str(i)]) for i in range(CHUNKS)]
    if any(worker.wait() != 0 for worker in workers):
        sys.exit("compiling the start-up modules failed (see above)")
    print(f"compile_startup: compiled the {len(sources)} modules a start and the first cell import", file=sys.stderr)


def compile_slice(listing: pathlib.Path, index: int) -> None:
    for source in read_list(listing)[0][index::CHUNKS]:
        py_compile.compile(source, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


if __name__ == "__main__":
    if sys.argv[1:] == ["find"]:
        find()
    elif sys.argv[1:] == ["public"]:
        print("\n".join(public_modules()))
    elif sys.argv[1:2] == ["compile"] and len(sys.argv) == 3:
        compile_listed(pathlib.Path(sys.argv[2]))
    elif sys.argv[1:2] == ["compile-slice"] and len(sys.argv) == 4:
        compile_slice(pathlib.Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
