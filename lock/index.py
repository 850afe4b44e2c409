"""What the package index lists: its PEP 691 JSON pages, read the way uv reads them.

The resolver sees a file when its upload-time is not later than the cut-off; a file without an
upload-time is treated as newer than any cut-off (unavailable). `lock` reads the same pages to
record what the index offered (lock.index_view) and `lock check --resolve` reads them again to say
what changed. The index is the one uv uses: UV_DEFAULT_INDEX, else UV_INDEX_URL, else PyPI.
"""

from __future__ import annotations

import gzip
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lock import ca_bundle
from lock.errors import ResolverError

DEFAULT_INDEX = "https://pypi.org/simple"
_ACCEPT = "application/vnd.pypi.simple.v1+json"
_WORKERS = 16


@dataclass(frozen=True)
class File:
    filename: str
    sha256: str | None  # hex
    upload_time: str | None  # YYYY-MM-DDTHH:MM:SSZ, or None when the index gives none
    yanked: bool


def index_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    url = env.get("UV_DEFAULT_INDEX") or env.get("UV_INDEX_URL") or DEFAULT_INDEX
    return url.rstrip("/")


def _stamp(value: str | None) -> str | None:
    """PEP 700's upload-time (ISO 8601, often with fractions) as a UTC timestamp to the second."""
    if not value:
        return None
    if len(value) >= 20 and value[10] == "T" and value.endswith("Z"):  # PyPI's form: fast path
        return value[:19] + "Z"
    import datetime as dt

    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def project_files(name: str, env: Mapping[str, str] | None = None, timeout: float = 60) -> list[File] | None:
    """The files the index lists for a project; None when the project is not there (404)."""
    url = f"{index_url(env)}/{name}/"
    # gzip: the large projects' pages (numpy: thousands of files) shrink about tenfold.
    request = urllib.request.Request(url, headers={"Accept": _ACCEPT, "Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ca_bundle.ssl_context()) as response:
            kind = response.headers.get_content_type()
            raw = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise ResolverError(f"the package index answered {e.code} for {name}") from None
    except (urllib.error.URLError, OSError) as e:
        raise ResolverError(f"cannot reach the package index for {name}: {getattr(e, 'reason', e)}") from None
    if kind != _ACCEPT:
        raise ResolverError(f"the package index does not answer in PEP 691 JSON ({kind} for {name})")
    try:
        files = json.loads(raw)["files"]
        return [
            File(
                filename=f["filename"],
                sha256=(f.get("hashes") or {}).get("sha256"),
                upload_time=_stamp(f.get("upload-time")),
                yanked=bool(f.get("yanked")),
            )
            for f in files
        ]
    except (ValueError, KeyError, TypeError) as e:
        raise ResolverError(f"the package index sent an unreadable page for {name}: {e}") from None


def many(names: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, list[File] | None]:
    """project_files for every name, in parallel; sorted by name."""
    names = sorted(set(names))
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pages = list(pool.map(lambda n: project_files(n, env), names))
    return dict(zip(names, pages, strict=True))
