"""URL requirements (`NAME @ https://.../file.whl#sha256=HEX`) are checked by lock itself before
resolving, because the resolver takes the fragment's hash on trust and locks a URL for every
target. A URL requirement must be

- a wheel of NAME (the image installs wheels only),
- installable on every target it applies to (its marker may limit it, e.g. `; platform_machine ==
  "x86_64"`): one of its tags fits the target Python and platform,
- the file the hash says: it is downloaded once, its sha256 compared with the fragment's, and kept
  in a cache under that hash (`$XDG_CACHE_HOME/lock/url-files`, else `~/.cache/...`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import urllib.parse
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from lock import index
from lock.errors import InputError, ResolverError, shorten
from lock.requirements_in import Inputs, Spec
from lock.config import Platform
from lock.wheel_tags import tags_install

_SHA256_RE = re.compile(r"(?:^|&)sha256=([0-9a-f]{64})(?:$|&)")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lock" / "url-files"


def wheel_name(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])


def check_wheel(spec: Spec, python: str, platforms: tuple[Platform, ...]) -> None:
    """Offline: the URL names a wheel of this package that installs on every target it applies to."""
    url = spec.requirement.url or ""
    filename = wheel_name(url)
    if not filename.endswith(".whl"):
        raise InputError(f"{spec.where}: {shorten(filename)} is not a wheel (.whl); the image installs wheels only")
    try:
        name, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as e:
        raise InputError(f"{spec.where}: {shorten(filename)}: not a valid wheel file name ({e})") from None
    if canonicalize_name(name) != spec.name:
        raise InputError(f"{spec.where}: the URL is a wheel of {name}, not of {spec.requirement.name}")
    marker = spec.requirement.marker
    fits = {p.name for p in platforms if tags_install(tags, p, python)}
    for platform in platforms:
        if marker is not None and not marker.evaluate(platform.marker_environment(python)):
            continue
        if platform.name not in fits:
            shown = ", ".join(sorted(str(t) for t in tags))
            machines = sorted({p.machine for p in platforms if p.name in fits} - {platform.machine})
            limit = " or ".join(f'platform_machine == "{m}"' for m in machines)
            hint = f", or limit this line to the targets it fits with `; {limit}`" if limit else ""
            raise InputError(
                f"{spec.where}: {filename} cannot install on {platform.name} with Python {python} "
                f"(its tags: {shown}); require {spec.name} by name{hint}"
            )


def expected_sha256(url: str) -> str:
    m = _SHA256_RE.search(urllib.parse.urlsplit(url).fragment)
    return m[1] if m else ""


def verify_hash(spec: Spec, cache: Path | None = None) -> None:
    """Download the file (unless the cache holds it under its hash) and compare its sha256."""
    url = spec.requirement.url or ""
    expected = expected_sha256(url)
    cache = cache or cache_dir()
    if (cache / expected).is_file():
        return
    shown = shorten(index.redact(url.split("#")[0]), 160)
    with contextlib.ExitStack() as stack:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            where = cache
        except OSError:  # no cache (read-only home): check without keeping the file
            where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lock-url-")))
        try:  # kept only when its hash is right
            index.Index(url.split("#")[0]).download(url.split("#")[0], expected, where / expected)
        except index.HashMismatch as e:
            raise InputError(
                f"{spec.where}: sha256 mismatch for {wheel_name(url)}: the requirement says {expected}, "
                f"the file is {e.actual}"
            ) from None
        except index.HTTPStatusError as e:
            if 400 <= e.status < 500:  # the server answered: the URL is wrong
                raise InputError(f"{spec.where}: {shown} answered HTTP {e.status} {e.reason}") from None
            raise ResolverError(f"cannot download {shown}: HTTP {e.status} {e.reason}") from None
        except ResolverError as e:
            raise ResolverError(f"cannot download {shown} ({e}); check the network and proxy settings") from None


def verify(inputs: Inputs, python: str, platforms: tuple[Platform, ...], cache: Path | None = None) -> None:
    """Every URL requirement and constraint: wheel and tags first (offline), then the hash."""
    specs = [s for s in (*inputs.specs, *inputs.constraints) if s.requirement.url]
    for spec in specs:
        check_wheel(spec, python, platforms)
    for spec in specs:
        verify_hash(spec, cache)
