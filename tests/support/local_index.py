"""A package index the test owns: PEP 691 JSON pages with upload-times (PEP 700) and PEP 658
metadata files, served over real HTTP on 127.0.0.1, so that uv resolves against an index view that
only the test changes.

Why not pypiserver or devpi-server: their pages carry no upload-time, and uv treats such files as
unavailable under `--exclude-newer` -- every lock here has a cut-off. The files are static; the
server is the standard library's, with the JSON content type the simple API asks for.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import json
import os
import threading
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name

from lock import index

PEP691 = "application/vnd.pypi.simple.v1+json"


@dataclass
class IndexFile:
    filename: str
    sha256: str
    size: int
    upload_time: str | None
    yanked: bool = False
    metadata_sha256: str | None = None


@dataclass
class LocalIndex:
    root: Path
    projects: dict[str, list[IndexFile]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        (self.root / "files").mkdir(parents=True, exist_ok=True)
        self.publish()

    # -- content ---------------------------------------------------------------------------------

    def add_file(self, name: str, filename: str, upload_time: str | None, *, sha256: str, size: int,
                 data: bytes | None = None, metadata: bytes | None = None, yanked: bool = False) -> IndexFile:
        """List a file. `data` is served if given; `metadata` becomes its PEP 658 .metadata."""
        if data is not None:
            (self.root / "files" / filename).write_bytes(data)
        meta_sha = None
        if metadata is not None:
            (self.root / "files" / f"{filename}.metadata").write_bytes(metadata)
            meta_sha = hashlib.sha256(metadata).hexdigest()
        entry = IndexFile(filename, sha256, size, upload_time, yanked, meta_sha)
        self.projects.setdefault(canonicalize_name(name), []).append(entry)
        return entry

    def add_wheel(self, name: str, version: str, upload_time: str | None, requires: Iterable[str] = (),
                  yanked: bool = False) -> IndexFile:
        """Build a tiny pure-Python wheel of NAME VERSION, list it and publish the pages."""
        data, metadata, filename = wheel(name, version, list(requires))
        entry = self.add_file(name, filename, upload_time, sha256=hashlib.sha256(data).hexdigest(),
                              size=len(data), data=data, metadata=metadata, yanked=yanked)
        self.publish()
        return entry

    def yank(self, filename: str) -> None:
        for files in self.projects.values():
            for f in files:
                if f.filename == filename:
                    f.yanked = True
        self.publish()

    def publish(self) -> None:
        """Write the project pages (and the project list) as they now are."""
        for name, files in self.projects.items():
            page = self.root / "simple" / name
            page.mkdir(parents=True, exist_ok=True)
            listed = []
            for f in sorted(files, key=lambda f: f.filename):
                item = {"filename": f.filename, "url": f"../../files/{f.filename}", "hashes": {"sha256": f.sha256},
                        "size": f.size, "yanked": f.yanked}
                if f.upload_time:
                    item["upload-time"] = f.upload_time
                if f.metadata_sha256:
                    item["core-metadata"] = {"sha256": f.metadata_sha256}
                listed.append(item)
            doc = {"meta": {"api-version": "1.1"}, "name": name, "files": listed, "versions": []}
            (page / "index.json").write_text(json.dumps(doc, indent=1))
        (self.root / "simple").mkdir(exist_ok=True)
        projects = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in sorted(self.projects)]}
        (self.root / "simple" / "index.json").write_text(json.dumps(projects))

    # -- serving ---------------------------------------------------------------------------------

    def serve(self, credentials: str | None = None, connections: list | None = None,
              max_age: int | None = None) -> contextlib.AbstractContextManager[str]:
        return serve(self.root, credentials, connections, max_age)


@contextlib.contextmanager
def serve(root: Path, credentials: str | None = None, connections: list | None = None,
          max_age: int | None = None) -> Iterator[str]:
    """Serve an index folder on a free port of 127.0.0.1 over HTTP/1.1 (keep-alive); yields its
    simple index URL. `credentials` ("user:password"): every request must carry them as basic auth
    (401 otherwise); `connections`: each new connection's client address is appended to it;
    `max_age`: pages say `Cache-Control: max-age=N`, as PyPI's do (a client may reuse them that long)."""
    handler = type("_Cached", (_Handler,), {"max_age": max_age})
    handler = functools.partial(handler, directory=str(root), credentials=credentials, connections=connections)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".json": PEP691}
    protocol_version = "HTTP/1.1"  # keep-alive, as real indexes
    max_age: int | None = None

    def __init__(self, *args, credentials: str | None = None, connections: list | None = None, **kwargs):
        self.credentials, self.connections = credentials, connections
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        if self.connections is not None:
            self.connections.append(self.client_address)

    def send_head(self):
        if self.credentials is not None:
            expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="index"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        if self.max_age is not None:
            self.send_header("Cache-Control", f"max-age={self.max_age}")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        page = os.path.join(local, "index.json")
        return page if os.path.isdir(local) and os.path.isfile(page) else local

    def log_message(self, format, *args) -> None:  # noqa: A002 -- quiet: the test's output is what matters
        pass


def wheel(name: str, version: str, requires: list[str]) -> tuple[bytes, bytes, str]:
    """A minimal valid wheel (one module, METADATA, WHEEL, RECORD) with fixed timestamps."""
    dist = canonicalize_name(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = "".join(
        [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"] + [f"Requires-Dist: {r}\n" for r in requires]
    ).encode()
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: local_index\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={hashlib.sha256(data).hexdigest()},{len(data)}\n" for path, data in files.items()
    ) + f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue(), metadata, f"{dist}-{version}-py3-none-any.whl"


def _metadata(reader: index.Index, wheel_urls: list[str]) -> bytes | None:
    """A version's core metadata (the same in each of its wheels): PEP 658's .metadata file of the
    smallest wheel where the host serves one (advertised or not), else the METADATA inside it."""
    if not wheel_urls:
        return None
    reply = reader.get(wheel_urls[0] + ".metadata")
    if reply.status == 200:
        return reply.data
    with zipfile.ZipFile(io.BytesIO(reader.get(wheel_urls[0]).data)) as archive:
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        return archive.read(name)


def freeze(lock_entries, index_url: str, into: Path) -> LocalIndex:
    """A local index holding exactly the files a lock vouches for, as `index_url` lists them today
    (filename, hash and upload-time of a file never change), with each version's core metadata.
    Nothing newer, nothing the lock does not name, none yanked (they were not when the lock chose
    them): the view of the index the lock needs, frozen. Read through lock's own index client."""
    frozen = LocalIndex(into)
    reader = index.Index(index_url)
    pages = reader.pages(entry.name for entry in lock_entries)

    def one(entry):
        locked = {h.removeprefix("sha256:") for h in entry.hashes}
        files = [f for f in pages[entry.name] or [] if f.sha256 in locked]
        wheels = sorted((f for f in files if f.filename.endswith(".whl")), key=lambda f: f.size or 0)
        return entry.name, files, _metadata(reader, [f.url for f in wheels])

    with ThreadPoolExecutor(max_workers=16) as pool:
        for name, files, metadata in pool.map(one, lock_entries):
            for f in files:
                frozen.add_file(name, f.filename, f.uploaded, sha256=f.sha256, size=f.size or 0,
                                metadata=metadata if f.filename.endswith(".whl") else None)
    frozen.publish()
    return frozen
