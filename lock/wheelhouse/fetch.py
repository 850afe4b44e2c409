"""Which files the wheelhouse needs (plan) and getting them (fill): each locked wheel that installs on
a target platform, downloaded once and sha256-checked before it is renamed into place."""

from __future__ import annotations

import hashlib
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


from lock.errors import ResolutionError, ResolverError
from lock.index import File, HashMismatch, Index, redact
from lock.lockfile import Entry, read_entries
from lock.config import Platform
from lock.wheel_tags import locked_wheels, platforms_of

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Pin:
    """A lock entry and where it is (file:line), for messages."""

    entry: Entry
    where: str

    @property
    def hashes(self) -> frozenset[str]:
        return frozenset(h.removeprefix("sha256:") for h in self.entry.hashes)


def read_pins(lock: Path, display: str) -> list[Pin]:
    """The pins of a hashed requirements file, read by the lock model (InputError: file:line)."""
    return [Pin(e, f"{display}:{e.line}") for e in read_entries(lock, display)]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def download(index: Index, wheel: File, dest: Path) -> int:
    """Fetch one file into dest, checking its sha256 before it is renamed into place. Returns bytes."""
    try:
        return index.download(wheel.url, wheel.sha256 or "", dest / wheel.filename)
    except HashMismatch as e:
        raise ResolverError(
            f"{wheel.filename}: sha256 {e.actual} from {redact(wheel.url)}, the lock says {wheel.sha256}"
        ) from None


def listings(index: Index, names: list[str]) -> dict[str, list[File]]:
    """The files of each project that have a sha256 (what a lock can pin), read in parallel."""
    pages = index.pages(names)
    missing = [name for name, files in pages.items() if files is None]
    if missing:
        raise ResolutionError(f"{', '.join(missing)} not on the index {redact(index.url)}")
    return {name: [f for f in files if f.sha256] for name, files in pages.items()}


@dataclass
class Plan:
    wanted: dict[str, File]  # filename -> file
    problems: list[str]


def plan(pins: list[Pin], platforms: tuple[Platform, ...], python: str, index: Index, jobs: int = 8) -> Plan:
    """Which files of the index the wheelhouse needs, and which pins have no wheel for a target."""
    names = sorted({pin.entry.name for pin in pins if pin.entry.url is None})
    listed = listings(index, names)
    wanted: dict[str, File] = {}
    problems: list[str] = []
    for pin in pins:
        entry = pin.entry
        if entry.url is not None:
            filename = urllib.parse.unquote(urllib.parse.urlsplit(entry.url).path.rsplit("/", 1)[-1])
            candidates = [File(filename, entry.url.split("#")[0], h) for h in sorted(pin.hashes)][:1]
        else:
            candidates = [f for f in listed[entry.name] if f.sha256 in pin.hashes and f.filename.endswith(".whl")]
        for platform in platforms_of(entry, platforms, python):
            # The lock's promise: a wheel for the target's glibc (or older).
            fits = locked_wheels(entry, candidates, [platform], python, newer_libc=False)
            if not fits:
                problems.append(
                    f"{pin.where}: {entry.name}=={entry.version or entry.url} has no wheel for {platform.name} "
                    f"with Python {python} among its {len(pin.hashes)} locked hashes"
                )
            # What the installer in the image may pick: the base image's glibc is usually newer than
            # the target's floor (trixie has 2.41), and an installer takes the most specific wheel it
            # can run -- e.g. a cp313 manylinux_2_34 wheel over py3-none-any. The offline build must
            # find that same file, or its image differs from the online one.
            for f in locked_wheels(entry, candidates, [platform], python):
                wanted.setdefault(f.filename, f)
    return Plan(wanted, problems)


def mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def fill(dest: Path, wanted: dict[str, File], index: Index, jobs: int, say) -> tuple[int, int, int]:
    """Download what is missing or wrong. Returns (fetched files, fetched bytes, files already there)."""
    dest.mkdir(parents=True, exist_ok=True)
    missing: list[File] = []
    present = 0
    for filename, wheel in sorted(wanted.items()):
        path = dest / filename
        if path.is_file() and sha256_of(path) == wheel.sha256:
            present += 1
        else:
            missing.append(wheel)

    def fetch(wheel: File) -> int:
        size = download(index, wheel, dest)
        say(f"fetched {wheel.filename} ({mb(size)})")
        return size

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        sizes = list(pool.map(fetch, missing))
    return len(missing), sum(sizes), present
