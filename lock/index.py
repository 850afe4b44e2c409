"""The package index: its PEP 691 JSON project pages, read in one place for every part of lock.

Index.page asks for a project's page (gzip: numpy's lists thousands of files and shrinks about
tenfold), refuses an answer that is not PEP 691 JSON, retries what is likely transient (connection
errors, timeouts, 5xx) with back-off, names URLs without their credentials in errors, and parses
each file into one File. Over HTTPS it trusts the host's CA bundle (lock.ca_bundle).

Readers: lock.index_view and lock.drift (what the index offered under a cut-off: the resolver sees
a file when its upload-time is not later than the cut-off; a file without one is unavailable),
lock.check and lock.commands through `many`, lock.wheel_info and lock.pylock (a locked file's URL,
size, metadata), and the wheelhouse (the files to download).

Which index: index_url with one of two variable lists. RESOLVER_INDEX is uv's (UV_DEFAULT_INDEX,
else UV_INDEX_URL, else PyPI): the index `lock` resolves against is the one whose view it records.
FILES_INDEX adds pip's PIP_INDEX_URL as a last fallback, for what fetches files the lock already
names by sha256 (the wheelhouse, wheel metadata and pylock.toml's URLs): whichever index serves them,
the hashes decide what is accepted, so a machine set up for pip alone (a mirror named only in
PIP_INDEX_URL, often the one way out of a closed network) fills a wheelhouse without learning uv's
variables; when uv's are set they win, and both lists name the same index.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lock import ca_bundle
from lock.errors import ResolverError

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
USER_AGENT = "jupyterlab-minimalist-lock"
RESOLVER_INDEX = ("UV_DEFAULT_INDEX", "UV_INDEX_URL")
FILES_INDEX = (*RESOLVER_INDEX, "PIP_INDEX_URL")
_RETRIES = 3
_TIMEOUT = 60
_WORKERS = 16


@dataclass(frozen=True)
class File:
    """One file a project page lists."""

    filename: str
    url: str  # absolute
    sha256: str | None  # hex, lower case; None when the index gives none
    upload_time: str | None = None  # to the second, YYYY-MM-DDTHH:MM:SSZ (what cut-offs compare); None: none given
    yanked: bool = False
    size: int | None = None  # bytes (PEP 700)
    uploaded: str | None = None  # the upload-time as the index wrote it (pylock.toml records it so)
    metadata_sha256: str | None = None  # of its PEP 658 .metadata file, when the index names one


def index_url(env: Mapping[str, str] | None = None, variables: Sequence[str] = RESOLVER_INDEX) -> str:
    """The first of `variables` set in env (default os.environ), else PyPI; without a trailing slash."""
    env = os.environ if env is None else env
    for variable in variables:
        if env.get(variable):
            return env[variable].rstrip("/")
    return DEFAULT_INDEX


def redact(url: str) -> str:
    """url without user and password, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        parts = parts._replace(netloc=(parts.hostname or "") + (f":{parts.port}" if parts.port else ""))
    return urllib.parse.urlunsplit(parts)


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


def _file(entry: dict, base: str) -> File:
    sha256 = (entry.get("hashes") or {}).get("sha256")
    metadata = entry.get("core-metadata") or entry.get("data-dist-info-metadata")  # PEP 714's key, PEP 658's
    return File(
        filename=entry["filename"],
        url=urllib.parse.urljoin(base, entry["url"]),
        sha256=sha256.lower() if sha256 else None,
        upload_time=_stamp(entry.get("upload-time")),
        yanked=bool(entry.get("yanked")),
        size=entry.get("size"),
        uploaded=entry.get("upload-time"),
        metadata_sha256=metadata.get("sha256") if isinstance(metadata, dict) else None,
    )


_ADDRESSES: dict[tuple[str, int], tuple[str, ...]] = {}
_ADDRESSES_LOCK = threading.Lock()


def _addresses(host: str, port: int) -> tuple[str, ...]:
    """The host's addresses, looked up once a run, by one thread while the others wait for it (16
    threads start at once); a failed lookup is not kept: it is asked again."""
    with _ADDRESSES_LOCK:
        if (host, port) not in _ADDRESSES:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            _ADDRESSES[(host, port)] = tuple(dict.fromkeys(info[4][0] for info in infos))
        return _ADDRESSES[(host, port)]


def _create_connection(address, *args, **kwargs) -> socket.socket:
    """socket.create_connection, with the name looked up once a run: urllib looks it up for every
    request, and a run reads a hundred pages at once (measured on a network whose resolver dropped
    some of 16 lookups at a time: 15.4 s for 105 pages, 0.8 s with one lookup; TLS still checks
    the host name, which this does not change)."""
    host, port = address
    last: OSError | None = None
    for ip in _addresses(host, port):
        try:
            return socket.create_connection((ip, port), *args, **kwargs)
        except OSError as e:
            last = e
    raise last or OSError(f"{host}: no address")


def _looked_up_once(connection_class):
    """A factory of connection_class (what urllib's do_open calls) that connects through _create_connection."""
    def make(*args, **kwargs):
        connection = connection_class(*args, **kwargs)
        connection._create_connection = _create_connection
        return connection
    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_looked_up_once(http.client.HTTPConnection), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_looked_up_once(http.client.HTTPSConnection), req, context=self._context)


class Index:
    def __init__(self, url: str, context: ssl.SSLContext | None = None, remember: bool = False):
        self.url = url.rstrip("/")
        self.context = context or ca_bundle.ssl_context()
        self._pages: dict[str, list[File] | None] | None = {} if remember else None
        # urllib's own opener (proxies from the environment included), with names looked up once.
        self._opener = urllib.request.build_opener(_HTTPHandler(), _HTTPSHandler(context=self.context))

    def urlopen(self, request: urllib.request.Request, timeout: float = _TIMEOUT):
        """One request, no retries (open() retries)."""
        return self._opener.open(request, timeout=timeout)

    def open(self, url: str, headers: Mapping[str, str] | None = None):
        """urlopen with retries on what is likely transient (connection errors, timeouts, 5xx);
        an HTTPError below 500 is raised as it is, for the caller to judge."""
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
        last: Exception | None = None
        for attempt in range(_RETRIES):
            try:
                return self.urlopen(request)
            except urllib.error.HTTPError as e:
                if e.code < 500:
                    raise
                last = e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                last = e
            if attempt + 1 < _RETRIES:
                time.sleep(2**attempt)  # back off before retrying a transient failure
        if isinstance(last, urllib.error.HTTPError):
            raise ResolverError(f"{redact(url)}: HTTP {last.code} {last.reason}")
        reason = getattr(last, "reason", last)
        raise ResolverError(f"cannot reach {redact(url)}: {reason} (network or proxy? SSL_CERT_FILE for a proxy's CA)")

    def page(self, name: str) -> list[File] | None:
        """The files the index lists for project `name`; None when it is not there (404). An Index
        that remembers reads each page once."""
        if self._pages is None:
            return self._read(name)
        if name not in self._pages:
            self._pages[name] = self._read(name)
        return self._pages[name]

    def _read(self, name: str) -> list[File] | None:
        page = f"{self.url}/{name}/"
        try:
            with self.open(page, {"Accept": SIMPLE_JSON, "Accept-Encoding": "gzip"}) as response:
                kind = response.headers.get_content_type()
                raw = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                base = response.geturl()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise ResolverError(f"the package index answered HTTP {e.code} {e.reason} for {name} ({redact(page)})") from None
        except (OSError, EOFError, http.client.HTTPException) as e:  # the body broke off
            raise ResolverError(f"cannot read {redact(page)}: {e}") from None
        if kind != SIMPLE_JSON:
            raise ResolverError(f"{redact(page)} answered {kind}, not PEP 691 JSON ({SIMPLE_JSON}); "
                                "use an index that supports it")
        try:
            return [_file(f, base) for f in json.loads(raw)["files"]]
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ResolverError(f"{redact(page)}: not a readable PEP 691 project page ({e})") from None


_SHARED: dict[str, Index] = {}
_SHARED_LOCK = threading.Lock()


def shared(url: str) -> Index:
    """This process's Index for `url`, which reads each page once: one `lock add` writes the lock's
    index view and its pylock.toml from the same pages (each read them all before: 2 x 106 HTTPS
    requests, most of the command's time)."""
    with _SHARED_LOCK:
        if url not in _SHARED:
            _SHARED[url] = Index(url, remember=True)
        return _SHARED[url]


def many(names: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, list[File] | None]:
    """The page of every name on uv's index (None: not there), read in parallel; sorted by name."""
    names = sorted(set(names))
    index = shared(index_url(env))
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pages = list(pool.map(index.page, names))
    return dict(zip(names, pages, strict=True))
