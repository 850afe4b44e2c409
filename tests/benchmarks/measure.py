"""What the benchmark suite measures: image sizes and layers, installed distributions, builds,
and a container's life (start, first cell, stop). Docker SDK and CLI; no pytest here."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import tarfile
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors
import requests

from tests.benchmarks.registry import MB
from tests.support.builds import build
from tests.support.containers import Server, free_port
from tests.support.kernel import execute, start_kernel

from tests.support.paths import PROJECT_ROOT
NAIVE_DOCKERFILE = Path(__file__).resolve().parent / "naive.Dockerfile"
NAIVE_TAG = os.environ.get("BENCH_NAIVE_TAG") or "jupyterlab-minimalist:naive"

# The first cell of a data-science notebook: what the first-cell benchmark executes (the plot goes
# through the kernel's inline backend to a PNG in the reply's display data, as in a notebook).
FIRST_CELL = "import numpy, pandas, matplotlib.pyplot as plt, sklearn\nplt.plot([1, 2]); plt.show()"


# --- builds -----------------------------------------------------------------------------------
# scripts/build, as users run it, through the suite-wide helper in tests/conftest.py.

def build_or_fail(tag: str, *args: str, context: Path | None = None) -> None:
    result = build(tag, *args, context=context)
    if result.returncode != 0:
        raise AssertionError(f"scripts/build --tag {tag} {' '.join(args)} failed:\n{result.stderr[-4000:]}")


def lock_with(lock: str, extra: str) -> str:
    """The lock with `extra` (pins with hashes) appended to its body, its header's body-sha256 made
    to match: what a relock adding them would look like to the lock tool (which refuses a body that
    does not match its header) and to the build, without resolving."""
    from lock import header

    parsed = header.parse(lock + extra)
    return parsed.header.replace(parsed.body_sha256, header.body_sha256(parsed.body)) + parsed.body


def warm_sbom_cache(folder: Path) -> None:
    """scripts/build writes the lock's SBOM from wheel metadata it keeps in .cache/wheel-info. In a
    fresh clone the first build fetches that (~30 s; then ~1 s): whichever image a build benchmark
    built first would pay for both. Fetched untimed, for the lock and for the lock with the package
    the rebuild benchmark adds."""
    lock = (PROJECT_ROOT / "requirements.lock").read_text()
    added = (PROJECT_ROOT / "tests" / "benchmarks" / "added-package.txt").read_text()
    (folder / "with-added.lock").write_text(lock_with(lock, added))
    for path in (PROJECT_ROOT / "requirements.lock", folder / "with-added.lock"):
        subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "lock.sbom", "--project", str(PROJECT_ROOT),
                        "--lock", str(path), "--output", str(folder / "sbom.cdx.json")],
                       check=True, capture_output=True, timeout=900)


def base_image() -> str:
    """The base image scripts/build builds on (the configured one, else the stand-in)."""
    script = ('. scripts/lib/common.sh && . scripts/lib/engine.sh && . scripts/lib/base_image.sh '
              '&& ensure_base_image')
    result = subprocess.run(["bash", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"could not determine the base image:\n{result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1]


# --- images -----------------------------------------------------------------------------------

def image_facts(client: docker.DockerClient, tag: str) -> dict:
    attrs = client.images.get(tag).attrs
    return {"tag": tag, "id": attrs["Id"], "size_bytes": attrs["Size"], "layers": list(attrs["RootFS"]["Layers"])}


GZIP_LEVEL = 6  # what `docker push` uses for layers (Go's gzip default)
CHUNK = 8 << 20
GZIP_FRAMING = 18  # gzip header and trailer


def _deflate(chunk: bytes, dictionary: bytes) -> int:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15, zdict=dictionary) if dictionary else \
        zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15)
    return len(compressor.compress(chunk)) + len(compressor.flush(zlib.Z_SYNC_FLUSH))


def gzip_size(stream, pool: ThreadPoolExecutor) -> tuple[int, str]:
    """Size of the gzip of a stream, and the stream's sha256 ("sha256:...").

    Compressed in 8 MiB chunks on all cores, each chunk primed with the 32 KiB before it (as pigz
    does), so the size is that of one gzip stream to a fraction of a per mille.
    """
    digest = hashlib.sha256()
    pending: list = []
    total = GZIP_FRAMING
    tail = b""
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        pending.append(pool.submit(_deflate, chunk, tail))
        tail = chunk[-32768:]
        while len(pending) > 2 * (pool._max_workers or 1):
            total += pending.pop(0).result()
    total += sum(f.result() for f in pending)
    return total, "sha256:" + digest.hexdigest()


def compressed_size(tag: str, layers: list[str], cache: dict[str, int]) -> int:
    """The image as it would be pushed: gzip of each layer tar from `docker save`, summed.

    `layers` are the image's diff IDs (sha256 of each uncompressed layer tar); `cache` maps a diff
    ID to its gzip size, so that a layer shared between images (the base) is compressed once.
    """
    if any(layer not in cache for layer in layers):
        proc = subprocess.Popen(["docker", "save", tag], stdout=subprocess.PIPE)
        try:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool, \
                    tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                for member in archive:
                    if member.isfile() and member.size > 0 and not member.name.endswith(".json"):
                        size, diff_id = gzip_size(archive.extractfile(member), pool)
                        cache[diff_id] = size
        finally:
            proc.stdout.close()
            if proc.wait() != 0:
                raise RuntimeError(f"docker save {tag} failed")
    missing = [layer for layer in layers if layer not in cache]
    if missing:
        raise RuntimeError(f"docker save {tag} did not contain the layers {missing}")
    return sum(cache[layer] for layer in layers)


def dockerfile_instructions(text: str) -> int:
    """Instructions in a Dockerfile: logical lines that are not comments (continuations joined)."""
    count, continuing = 0, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (continuing and not stripped):
            continue  # comments (also inside a continuation) and blank continuation lines
        if not stripped:
            continue
        if not continuing:
            count += 1
        continuing = stripped.endswith("\\")
    return count


# Run by the image's own python: bytes on disk per installed distribution, from its RECORD, plus the
# .pyc compiled for each of its .py files (compiled after install, so not listed in RECORD).
PACKAGES_SCRIPT = r"""
import importlib.metadata as md, importlib.util, json, os, re
sizes, seen = {}, set()
for dist in md.distributions():
    name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
    total = 0
    for f in dist.files or []:
        path = str(f.locate())
        paths = [path]
        if path.endswith(".py"):
            try:
                paths.append(importlib.util.cache_from_source(path))
            except ValueError:
                pass
        for p in paths:
            p = os.path.normpath(p)
            if p in seen:
                continue
            try:
                total += os.lstat(p).st_size
            except OSError:
                continue
            seen.add(p)
    sizes[name] = sizes.get(name, 0) + total
print(json.dumps(sizes, sort_keys=True))
"""


def installed_packages(client: docker.DockerClient, tag: str) -> dict[str, int]:
    output = client.containers.run(tag, entrypoint=["python", "-c", PACKAGES_SCRIPT], command=[],
                                   remove=True, stdout=True, stderr=False)
    return json.loads(output)


def runs_python(client: docker.DockerClient, tag: str, code: str) -> str:
    return client.containers.run(tag, entrypoint=["python", "-c", code], command=[], remove=True).decode()


# --- the machine ------------------------------------------------------------------------------

def machine(client: docker.DockerClient) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    version = client.version()
    return {"nproc": nproc, "cpu": cpu, "engine": version.get("Version", "?"),
            "os": platform.system(), "arch": platform.machine()}


# --- a container's life -------------------------------------------------------------------------

@dataclass
class Run:
    """One `docker run` of an image serving JupyterLab; times are seconds from the run call."""

    client: docker.DockerClient
    image: str
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    container: object = None
    server: Server | None = None
    t0: float = 0.0

    def start(self) -> None:
        port = free_port()
        self.t0 = time.perf_counter()
        self.container = self.client.containers.run(
            self.image, detach=True, ports={"8888/tcp": ("127.0.0.1", port)},
            environment={"JUPYTER_TOKEN": self.token})
        self.server = Server(self.container, f"http://127.0.0.1:{port}", self.token)

    def wait_ready(self, timeout: float = 120, interval: float = 0.02) -> float:
        """Poll /api/status with the token until it answers 200; seconds since the run call."""
        deadline = time.monotonic() + timeout
        last: object = None
        next_state_check = 0.0
        while time.monotonic() < deadline:
            try:
                response = self.server.session.get(self.server.url + "/api/status", timeout=5)
                if response.status_code == 200:
                    return time.perf_counter() - self.t0
                last = response.status_code
            except requests.RequestException as error:
                last = error
            if time.monotonic() > next_state_check:  # a crashed server must not look like a slow one
                self.container.reload()
                if self.container.status == "exited":
                    raise RuntimeError(f"{self.image} exited before answering:\n{self.logs()}")
                next_state_check = time.monotonic() + 1
            time.sleep(interval)
        raise TimeoutError(f"{self.image}: /api/status did not answer 200 within {timeout} s (last: {last!r})\n"
                           f"{self.logs()}")

    def first_cell(self, code: str = FIRST_CELL) -> float:
        """Start a kernel through the REST API and execute `code`; seconds since the run call."""
        kernel_id = start_kernel(self.server)
        reply = execute(self.server, kernel_id, code, timeout=180)
        if reply["status"] != "ok":
            raise AssertionError(f"{self.image}: first cell failed: {reply}")
        return time.perf_counter() - self.t0

    def stop(self, grace: int = 10) -> tuple[float, int]:
        """`docker stop` (SIGTERM, SIGKILL after `grace` s): seconds taken and the exit code."""
        start = time.perf_counter()
        self.container.stop(timeout=grace)
        elapsed = time.perf_counter() - start
        self.container.reload()
        return elapsed, self.container.attrs["State"]["ExitCode"]

    def logs(self) -> str:
        try:
            return self.container.logs(tail=40).decode(errors="replace")
        except docker.errors.APIError:
            return "(no logs)"

    def remove(self) -> None:
        if self.container is not None:
            try:
                self.container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
            self.container = None
