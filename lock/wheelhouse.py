"""Fetch every locked wheel the image can install into a wheelhouse, for an offline build.

    python -m lock.wheelhouse [--project DIR] [--dest DIR] [--lock FILE ...] [--prune] [-q]

For each pin of requirements.lock and image/build-tools.txt, ask the index's PEP 691 JSON simple API
for the files of the pinned version and keep the wheels that (1) have a sha256 the lock lists and
(2) install on one of the target platforms (pyproject.toml `[tool.lock] platforms`) with the image's
Python (read from the Dockerfile's base image): cpXY / abi3 / py3-none-any, manylinux up to the
target's glibc. Each is downloaded once, its sha256 checked before it is renamed into place; a file
already there with the right hash is not fetched again, so the wheelhouse is its own cache. After a
complete run, .wheelhouse.json records what the locks asked for; while the locks, the Python and the
platforms are unchanged and every file is there with its hash, a rerun asks the index nothing at all.

A pinned package with no such wheel for a target platform is an error naming the package and the
platform: the offline build would fail on that platform otherwise.

Then: docker buildx build --network=none --build-context wheelhouse=wheelhouse ...
(scripts/wheelhouse and scripts/build do both). Exit codes as for `lock`: 2 bad input, 3 no wheel for
a platform, 4 the index could not be reached or sent a file with another hash.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import re
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging import tags as tagging
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from lock.errors import EXIT_INTERRUPTED, InputError, LockError, ResolutionError, ResolverError
from lock.targets import Platform, find_root, load_config

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
BUILD_TOOLS = "image/build-tools.txt"
MANIFEST = ".wheelhouse.json"
# Bumped whenever the choice of files changes, so that a manifest of an older choice is not trusted.
SELECTION_RULES = 2
USER_AGENT = "jupyterlab-minimalist-wheelhouse"
_HASH_OPTION = re.compile(r"^--hash(?:=|$)")
_SHA256 = re.compile(r"^sha256:([0-9a-f]{64})$")
_CHUNK = 1 << 20
_RETRIES = 3
_TIMEOUT = 60


@dataclass(frozen=True)
class Pin:
    name: str  # canonical
    version: str | None  # None for a direct URL
    hashes: frozenset[str]  # hex sha256
    marker: Marker | None
    url: str | None
    where: str  # "requirements.lock:17"


@dataclass(frozen=True)
class WheelFile:
    filename: str
    url: str
    sha256: str


# --- the lock files ------------------------------------------------------------------------------


def _logical_lines(text: str):
    """(first line number, text) of each logical line: comments dropped, `\\` continuations joined."""
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        if line.lstrip().startswith("#"):
            line = ""
        else:
            line = re.sub(r"(^|\s)#.*$", "", line)  # an inline comment needs whitespace before `#`
        if not buffer:
            start = number
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1])
            continue
        buffer.append(stripped)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            yield start, joined
    if buffer and (joined := " ".join(part.strip() for part in buffer).strip()):
        yield start, joined


def parse_lock(path: Path, display: str | None = None) -> list[Pin]:
    """The pins of a hashed requirements file (`name==version` or `name @ url`, `--hash` options)."""
    display = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{display}: not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{display}: cannot read: {e}") from None
    pins: list[Pin] = []
    for number, line in _logical_lines(text):
        where = f"{display}:{number}"
        tokens = line.split()
        spec: list[str] = []
        hashes: set[str] = set()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if _HASH_OPTION.match(token):
                value = token.partition("=")[2] if "=" in token else (tokens[i + 1] if i + 1 < len(tokens) else "")
                i += 1 if "=" in token else 2
                m = _SHA256.match(value)
                if not m:
                    raise InputError(f"{where}: unsupported hash {value!r} (sha256:<64 hex digits> expected)")
                hashes.add(m[1])
                continue
            if token.startswith("--") or (token.startswith("-") and not spec):
                raise InputError(f"{where}: option {token} is not supported in a lock (pins and --hash only)")
            spec.append(token)
            i += 1
        try:
            requirement = Requirement(" ".join(spec))
        except InvalidRequirement as e:
            raise InputError(f"{where}: not a requirement: {e}") from None
        if not hashes:
            raise InputError(f"{where}: {requirement.name} has no --hash: every file must be hash-checked")
        version = None
        if requirement.url is None:
            specifiers = list(requirement.specifier)
            if len(specifiers) != 1 or specifiers[0].operator not in ("==", "===") or "*" in specifiers[0].version:
                raise InputError(f"{where}: {requirement.name} is not pinned to one version (name==version expected)")
            version = specifiers[0].version
        pins.append(Pin(canonicalize_name(requirement.name), version, frozenset(hashes), requirement.marker,
                        requirement.url, where))
    return pins


# --- which wheels a target installs ----------------------------------------------------------------


_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(\w+)$")
_MUSLLINUX = re.compile(r"^musllinux_(\d+)_(\d+)_(\w+)$")


@functools.lru_cache
def python_pairs(python: str) -> frozenset[tuple[str, str]]:
    """(interpreter, abi) pairs CPython `python` installs: cpXY-cpXY, cpXY-abi3 and older abi3,
    cpXY-none, pyXY-none, py3-none ... (packaging's order of preference, platform aside)."""
    version = tuple(int(part) for part in python.split("."))
    interpreter = f"cp{version[0]}{version[1]}"
    tags = [
        *tagging.cpython_tags(python_version=version, abis=[interpreter], platforms=["any"]),
        *tagging.compatible_tags(python_version=version, interpreter=interpreter, platforms=["any"]),
    ]
    return frozenset((t.interpreter, t.abi) for t in tags)


def _musl_floor(platform: Platform) -> tuple[int, int]:
    m = re.search(r"musllinux_(\d+)_(\d+)", platform.name)
    return (int(m[1]), int(m[2])) if m else (1, 2)  # uv's unknown-linux-musl means musllinux_1_2


def platform_fits(tag_platform: str, target: Platform, newer_libc: bool = False) -> bool:
    """Whether a wheel's platform tag installs on `target`: `any`, or a manylinux (musllinux) tag for
    the target's machine whose libc version is at most the target's -- or any version with
    `newer_libc`, for a host whose libc may be newer than the target's floor."""
    if tag_platform == "any":
        return True
    if target.libc == "glibc":
        legacy, _, arch = tag_platform.partition("_")
        if legacy in _LEGACY_MANYLINUX:
            version = _LEGACY_MANYLINUX[legacy]
        elif m := _MANYLINUX.match(tag_platform):
            version, arch = (int(m[1]), int(m[2])), m[3]
        else:
            return False
        floor = target.glibc
    else:
        m = _MUSLLINUX.match(tag_platform)
        if not m:
            return False
        version, arch, floor = (int(m[1]), int(m[2])), m[3], _musl_floor(target)
    return arch == target.machine and (newer_libc or version <= floor)


def wheel_installs(filename: str, name: str, version: str | None, target: Platform, python: str,
                   newer_libc: bool = False) -> bool:
    """Whether the wheel `filename` is `name`==`version` and installs on `target` with CPython `python`."""
    try:
        wheel_name, wheel_version, _build, wheel_tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion):
        return False
    if canonicalize_name(wheel_name) != name:
        return False
    if version is not None and wheel_version != Version(version):
        return False
    pairs = python_pairs(python)
    return any((t.interpreter, t.abi) in pairs and platform_fits(t.platform, target, newer_libc) for t in wheel_tags)


def needed_on(pin: Pin, platform: Platform, python: str) -> bool:
    return pin.marker is None or pin.marker.evaluate(platform.marker_environment(python))


# --- the index ---------------------------------------------------------------------------------------


def index_url() -> str:
    for variable in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        if os.environ.get(variable):
            return os.environ[variable].rstrip("/")
    return DEFAULT_INDEX


def ssl_context() -> ssl.SSLContext:
    """The host's trust: SSL_CERT_FILE / REQUESTS_CA_BUNDLE, else the system bundle (a TLS-intercepting
    proxy's CA is usually added there), else Python's defaults."""
    for candidate in (os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE"),
                      "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.R_OK):
            return ssl.create_default_context(cafile=candidate)
    return ssl.create_default_context()


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return urllib.parse.urlunsplit(parts)


class Index:
    def __init__(self, url: str, context: ssl.SSLContext | None = None):
        self.url = url.rstrip("/")
        self.context = context or ssl_context()

    def open(self, url: str, accept: str | None = None):
        """urlopen with retries on what is likely transient (connection errors, timeouts, 5xx)."""
        headers = {"User-Agent": USER_AGENT}
        if accept:
            headers["Accept"] = accept
        last: Exception | None = None
        for attempt in range(_RETRIES):
            try:
                return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=_TIMEOUT,
                                              context=self.context if url.startswith("https:") else None)
            except urllib.error.HTTPError as e:
                if e.code < 500:
                    raise
                last = e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                last = e
            if attempt + 1 < _RETRIES:
                time.sleep(2**attempt)  # back off before retrying a transient failure
        reason = getattr(last, "reason", last)
        raise ResolverError(f"cannot reach {_redact(url)}: {reason} (network or proxy? SSL_CERT_FILE for a proxy's CA)")

    def files(self, name: str) -> list[WheelFile]:
        """The files of project `name` that have a sha256, from its PEP 691 JSON page."""
        page = f"{self.url}/{name}/"
        try:
            with self.open(page, accept=SIMPLE_JSON) as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
                final = response.geturl()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise ResolutionError(f"{name} is not on the index {_redact(self.url)}") from None
            raise ResolverError(f"{_redact(page)}: HTTP {e.code} {e.reason}") from None
        if not content_type.split(";")[0].strip().startswith("application/vnd.pypi.simple.v1+json"):
            raise ResolverError(
                f"{_redact(page)} answered {content_type or 'without a content type'}, not PEP 691 JSON "
                f"({SIMPLE_JSON}); use an index that supports it (UV_INDEX_URL / PIP_INDEX_URL)"
            )
        try:
            data = json.loads(body)
            listed = data["files"]
        except (ValueError, KeyError, TypeError):
            raise ResolverError(f"{_redact(page)}: not a PEP 691 project page") from None
        out = []
        for entry in listed:
            sha256 = (entry.get("hashes") or {}).get("sha256")
            if entry.get("filename") and entry.get("url") and sha256:
                out.append(WheelFile(entry["filename"], urllib.parse.urljoin(final, entry["url"]), sha256.lower()))
        return out


# --- the wheelhouse ---------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def download(index: Index, wheel: WheelFile, dest: Path) -> int:
    """Fetch one file into dest, checking its sha256 before it is renamed into place. Returns bytes."""
    target = dest / wheel.filename
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{wheel.filename}.", suffix=".part")
    try:
        h = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, index.open(wheel.url) as response:
            while chunk := response.read(_CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != wheel.sha256:
            raise ResolverError(
                f"{wheel.filename}: sha256 {h.hexdigest()} from {_redact(wheel.url)}, the lock says {wheel.sha256}"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        return size
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass
class Plan:
    wanted: dict[str, WheelFile]  # filename -> file
    problems: list[str]


def plan(pins: list[Pin], platforms: tuple[Platform, ...], python: str, index: Index, jobs: int = 8) -> Plan:
    """Which files of the index the wheelhouse needs, and which pins have no wheel for a target."""
    names = sorted({pin.name for pin in pins if pin.url is None})
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        listings = dict(zip(names, pool.map(index.files, names)))
    wanted: dict[str, WheelFile] = {}
    problems: list[str] = []
    for pin in pins:
        if pin.url is not None:
            filename = urllib.parse.unquote(urllib.parse.urlsplit(pin.url).path.rsplit("/", 1)[-1])
            candidates = [WheelFile(filename, pin.url.split("#")[0], h) for h in sorted(pin.hashes)][:1]
        else:
            candidates = [f for f in listings[pin.name] if f.sha256 in pin.hashes and f.filename.endswith(".whl")]
        for platform in platforms:
            if not needed_on(pin, platform, python):
                continue
            # The lock's promise: a wheel for the target's glibc (or older).
            fits = [f for f in candidates if wheel_installs(f.filename, pin.name, pin.version, platform, python)]
            if not fits:
                problems.append(
                    f"{pin.where}: {pin.name}=={pin.version or pin.url} has no wheel for {platform.name} "
                    f"with Python {python} among its {len(pin.hashes)} locked hashes"
                )
            # What the installer in the image may pick: the base image's glibc is usually newer than
            # the target's floor (trixie has 2.41), and an installer takes the most specific wheel it
            # can run -- e.g. a cp313 manylinux_2_34 wheel over py3-none-any. The offline build must
            # find that same file, or its image differs from the online one.
            for f in candidates:
                if wheel_installs(f.filename, pin.name, pin.version, platform, python, newer_libc=True):
                    wanted.setdefault(f.filename, f)
    return Plan(wanted, problems)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def fill(dest: Path, wanted: dict[str, WheelFile], index: Index, jobs: int, say) -> tuple[int, int, int]:
    """Download what is missing or wrong. Returns (fetched files, fetched bytes, files already there)."""
    dest.mkdir(parents=True, exist_ok=True)
    missing: list[WheelFile] = []
    present = 0
    for filename, wheel in sorted(wanted.items()):
        path = dest / filename
        if path.is_file() and sha256_of(path) == wheel.sha256:
            present += 1
        else:
            missing.append(wheel)

    def fetch(wheel: WheelFile) -> int:
        size = download(index, wheel, dest)
        say(f"fetched {wheel.filename} ({_mb(size)})")
        return size

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        sizes = list(pool.map(fetch, missing))
    return len(missing), sum(sizes), present


def inputs_fingerprint(locks: list[Path], platforms: tuple[Platform, ...], python: str) -> str:
    """What the wheelhouse depends on: the locks' bytes, the target platforms and the Python."""
    data = {
        "rules": SELECTION_RULES,
        "python": python,
        "platforms": [p.name for p in platforms],
        "locks": [hashlib.sha256(lock.read_bytes()).hexdigest() for lock in locks],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def up_to_date(dest: Path, fingerprint: str) -> dict[str, str] | None:
    """The files of the last complete run for the same inputs, if all are still there with their hash."""
    try:
        manifest = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != 1 or manifest.get("inputs") != fingerprint or not isinstance(files, dict):
            return None
        if all((dest / name).is_file() and sha256_of(dest / name) == sha256 for name, sha256 in files.items()):
            return files
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def write_manifest(dest: Path, fingerprint: str, files: dict[str, str]) -> None:
    text = json.dumps({"format": 1, "inputs": fingerprint, "files": dict(sorted(files.items()))}, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=f"{MANIFEST}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest / MANIFEST)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lock.wheelhouse",
        description="Fetch the locked wheels for the target platforms into a wheelhouse for an offline build.",
    )
    parser.add_argument("--project", metavar="DIR", help="the project (default: nearest pyproject.toml)")
    parser.add_argument("--dest", metavar="DIR", help="the wheelhouse (default: PROJECT/wheelhouse)")
    parser.add_argument("--lock", metavar="FILE", action="append",
                        help=f"a hashed lock to fetch (repeatable; default: the project's lock and {BUILD_TOOLS})")
    parser.add_argument("--prune", action="store_true", help="delete files in the wheelhouse that no lock wants")
    parser.add_argument("--refresh", action="store_true",
                        help=f"ask the index again even when {MANIFEST} says the wheelhouse is complete")
    parser.add_argument("--jobs", type=int, default=8, help="parallel requests (default 8)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary and errors")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        if not args.quiet:
            print(message, flush=True)

    started = time.monotonic()
    try:
        root = Path(args.project).resolve() if args.project else find_root(Path.cwd())
        config = load_config(root)
        python = config.python.version
        locks = [Path(p) for p in args.lock] if args.lock else [config.output, root / BUILD_TOOLS]
        pins = [pin for lock in locks for pin in parse_lock(lock, config.rel(lock))]
        dest = Path(args.dest).resolve() if args.dest else root / "wheelhouse"
        fingerprint = inputs_fingerprint(locks, config.platforms, python)
        known = None if args.refresh else up_to_date(dest, fingerprint)
        if known is not None:
            wanted = set(known)
            fetched, fetched_bytes, present = 0, 0, len(known)
            say(f"{dest.name}/ is complete for these locks ({MANIFEST}); the index was not asked")
        else:
            index = Index(index_url())
            result = plan(pins, config.platforms, python, index, args.jobs)
            if result.problems:
                raise ResolutionError(
                    f"{len(result.problems)} pinned package(s) cannot be installed offline: "
                    + "; ".join(result.problems)
                )
            fetched, fetched_bytes, present = fill(dest, result.wanted, index, args.jobs, say)
            write_manifest(dest, fingerprint, {name: f.sha256 for name, f in result.wanted.items()})
            wanted = set(result.wanted)
        others = sorted(p for p in dest.iterdir() if p.name not in wanted and p.name != MANIFEST)
        if args.prune:
            for path in others:
                if path.is_file():
                    path.unlink()
        elif others:
            say(f"{len(others)} other file(s) in {dest.name}/ no lock wants (--prune deletes them)")
    except LockError as e:
        print(f"wheelhouse: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    total = sum((dest / name).stat().st_size for name in wanted)
    platforms = ", ".join(p.name for p in config.platforms)
    print(
        f"wheelhouse: {len(wanted)} wheels for Python {python} on {platforms}, {_mb(total)} in {dest}; "
        f"fetched {fetched} ({_mb(fetched_bytes)}), {present} already there, in {time.monotonic() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
