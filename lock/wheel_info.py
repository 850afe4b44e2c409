"""What the lock's own files say about themselves, read without installing them: each wheel's core
metadata (licences) and its size, looked up by the sha256 the lock pins.

Metadata comes from the index's PEP 658 `.metadata` file (checked against the hash the index gives
for it), else from the wheel itself (checked against the lock's hash). Both are cached under
.cache/wheel-info/ by the wheel's sha256, so a second run asks the index nothing and the same lock
always reads the same bytes, whatever the index does later.
"""

from __future__ import annotations

import email.parser
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from lock import atomic
from lock.errors import ResolverError
from lock.index import FILES_INDEX, File, Index, index_url, redact, shared
from lock.lockfile import Entry

_WORKERS = 8


@dataclass(frozen=True)
class WheelInfo:
    sha256: str  # hex
    filename: str
    size: int | None  # bytes of the wheel, as the index says (PEP 700)
    metadata: Message | None  # the wheel's core metadata


class WheelInfoCache:
    def __init__(self, directory: Path, index: Index | None = None):
        self.directory = directory
        self._index = index
        self._pages: dict[str, dict[str, File]] = {}

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = shared(index_url(variables=FILES_INDEX))
        return self._index

    def prefetch(self, names: Iterable[str]) -> None:
        """Read the pages of `names` in parallel (page() then answers from memory)."""
        self.index.pages(set(names) - self._pages.keys())
        for name in sorted(set(names) - self._pages.keys()):
            self.page(name)

    def page(self, name: str) -> dict[str, File]:
        """The index's files of project `name`, by sha256."""
        if name not in self._pages:
            files = self.index.page(name)
            if files is None:
                raise ResolverError(f"{name} is not on the package index {redact(self.index.url)}")
            self._pages[name] = {f.sha256 or "": f for f in files}
        return self._pages[name]

    def info(self, name: str, sha256: str, metadata: bool = True) -> WheelInfo | None:
        """The file of `name` with this sha256 (its metadata too, unless told not to); None when the
        index does not list it."""
        record = self.directory / f"{sha256}.json"
        meta = self.directory / f"{sha256}.metadata"
        data = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
        if data is None or (metadata and data.get("metadata") is None):
            listed = self.page(name).get(sha256)
            if listed is None:
                return None
            data = {"filename": listed.filename, "size": listed.size, "metadata": None}
            files = []
            if metadata:
                text = self._fetch_metadata(listed, sha256)
                data["metadata"] = text is not None
                if text is not None:
                    files.append((meta, text))
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic.write_many([*files, (record, json.dumps(data, sort_keys=True) + "\n")])
        text = meta.read_text(encoding="utf-8") if metadata and data.get("metadata") else None
        return WheelInfo(sha256, data["filename"], data["size"], _parse(text))

    def unpacked_size(self, name: str, sha256: str) -> int | None:
        """The bytes a wheel unpacks to (its files' sizes, from the zip's central directory, read with
        HTTP range requests: no download of the whole wheel); None when the index does not list it."""
        record = self.directory / f"{sha256}.json"
        if self.info(name, sha256, metadata=False) is None:
            return None
        data = json.loads(record.read_text(encoding="utf-8"))
        if data.get("unpacked") is None:
            listed = self.page(name)[sha256]
            with zipfile.ZipFile(_RemoteFile(self.index, listed.url, listed.size)) as wheel:
                data["unpacked"] = sum(i.file_size for i in wheel.infolist())
            atomic.write_text(record, json.dumps(data, sort_keys=True) + "\n")
        return data["unpacked"]

    def _fetch_metadata(self, listed: File, sha256: str) -> str | None:
        if not listed.filename.endswith(".whl"):
            return None
        # The file host often has the .metadata file even when the page does not advertise it.
        expected = listed.metadata_sha256
        reply = self.index.get(listed.url + ".metadata")
        if reply.status == 200 and (expected is None or hashlib.sha256(reply.data).hexdigest() == expected):
            return reply.data.decode("utf-8", errors="replace")
        reply = self.index.get(listed.url)
        if reply.status != 200:
            raise ResolverError(f"{listed.filename}: {redact(listed.url)} answered HTTP {reply.status}")
        raw = reply.data
        if hashlib.sha256(raw).hexdigest() != sha256:
            raise ResolverError(f"{listed.filename}: the index sent a file whose sha256 is not the lock's")
        with zipfile.ZipFile(io.BytesIO(raw)) as wheel:
            names = [n for n in wheel.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            return wheel.read(names[0]).decode("utf-8", errors="replace") if names else None

    def many(self, entries: list[Entry]) -> dict[str, WheelInfo | None]:
        """For each entry (by name): the wheel with the lowest locked sha256 that the index lists (a
        pure function of the lock: every wheel of a version carries the same licence); None when
        the index lists none."""

        def one(entry: Entry) -> WheelInfo | None:
            for sha256 in sorted(h.removeprefix("sha256:") for h in entry.hashes):
                found = self.info(entry.name, sha256, metadata=False)
                if found is not None and found.filename.endswith(".whl"):  # uv locks the sdist's hash too
                    return self.info(entry.name, sha256)
            return None

        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            return dict(zip([e.name for e in entries], pool.map(one, entries), strict=True))


class _RemoteFile(io.RawIOBase):
    """A read-only, seekable view of a file on the index, fetched by HTTP range (its tail first:
    that is where a zip keeps its directory)."""

    _TAIL = 1 << 18

    def __init__(self, index: Index, url: str, size: int):
        self.index, self.url, self.size, self.pos = index, url, size, 0
        self.start = max(0, size - self._TAIL)
        self.tail = self._get(self.start, size)

    def _get(self, start: int, end: int) -> bytes:
        reply = self.index.get(self.url, {"Range": f"bytes={start}-{end - 1}"})
        if reply.status >= 400:
            raise ResolverError(f"{redact(self.url)} answered HTTP {reply.status}")
        data = reply.data
        if reply.status != 206 and start > 0:  # a server without ranges sent the whole file
            data = data[start:end]
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence] + offset
        return self.pos

    def readinto(self, buffer) -> int:
        end = min(self.size, self.pos + len(buffer))
        if end <= self.pos:
            return 0
        if self.pos >= self.start:
            data = self.tail[self.pos - self.start:end - self.start]
        else:
            data = self._get(self.pos, end)
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


def _parse(text: str | None) -> Message | None:
    return email.parser.Parser().parsestr(text, headersonly=True) if text else None
