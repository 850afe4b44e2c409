"""The package index: one HTTP client for every part of lock that reads it -- PEP 691 project
pages, wheel metadata, range reads and verified downloads (the wheelhouse, URL requirements).

It stands on urllib3, not on urllib or requests: urllib sends `Connection: close` (a new TCP and
TLS handshake for every one of a hundred pages) and cannot take credentials from a URL; requests
would add four packages for a session object lock does not need, while urllib3 (requests' own
transport) gives what this needs directly and is already in every Python tool chain: a connection
pool per host with keep-alive, retries with back-off on what is likely transient (connection
errors, timeouts, 5xx), gzip decoding, and TLS with the host's CA bundle (lock.ca_bundle).

- One name lookup per host and run: a host's pool connects to an address looked up once (the next
  one when it cannot connect; TLS still checks the host name), so sixteen threads starting at once
  do not ask the resolver sixteen times (measured on a network whose resolver dropped some of 16
  lookups at a time: 15.4 s for 105 pages, 0.8 s with one lookup). Through a proxy from the environment (`HTTPS_PROXY`, `NO_PROXY`), the
  proxy looks names up.
- Credentials: from the index URL (`https://user:secret@host/simple`, the usual way to reach
  Artifactory, Nexus, GitLab or CodeArtifact), sent to that host only; else from `~/.netrc` (or
  `$NETRC`) for the host asked. They are sent as basic auth and never appear in a message, a log
  or a written file: Index.url and every File.url are without them, and errors name `redact(url)`.
- `page(name)`, `pages(names)` (parallel), `get(url)` and `download(url, sha256, path)`.

Readers: lock.index_view and lock.drift (what the index offered under a cut-off: the resolver sees
a file when its upload-time is not later than the cut-off; a file without one is unavailable),
lock.check and lock.commands through `uv_index_pages`, lock.wheel_info and lock.pylock (a locked file's URL,
size, metadata), the wheelhouse (the files to download) and lock.url_files.

Which index: index_url with one of two variable lists. RESOLVER_INDEX is uv's (UV_DEFAULT_INDEX,
else UV_INDEX_URL, else PyPI): the index `lock` resolves against is the one whose view it records.
FILES_INDEX adds pip's PIP_INDEX_URL as a last fallback, for what fetches files the lock already
names by sha256 (the wheelhouse, wheel metadata and pylock.toml's URLs): whichever index serves them,
the hashes decide what is accepted, so a machine set up for pip alone (a mirror named only in
PIP_INDEX_URL, often the one way out of a closed network) fills a wheelhouse without learning uv's
variables; when uv's are set they win, and both lists name the same index.
"""

from __future__ import annotations

import hashlib
import json
import netrc
import os
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import urllib3
from urllib3.util import Retry, Timeout, make_headers

from lock import atomic, ca_bundle
from lock.errors import ResolverError

DEFAULT_INDEX = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
USER_AGENT = "jupyterlab-minimalist-lock"
RESOLVER_INDEX = ("UV_DEFAULT_INDEX", "UV_INDEX_URL")
FILES_INDEX = (*RESOLVER_INDEX, "PIP_INDEX_URL")
_TIMEOUT = 60  # seconds to connect, and without a byte while reading
_WORKERS = 16
# Three tries on what is likely transient; back-off 0.5 s, 1 s, 2 s (and Retry-After when sent).
RETRIES = Retry(total=3, backoff_factor=0.5, status_forcelist=range(500, 600), allowed_methods=None,
                raise_on_status=False, raise_on_redirect=False, redirect=0)
_REDIRECTS = 5


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


class HTTPStatusError(ResolverError):
    """The server answered, but not with the file: `status` says how (4xx: the URL or the
    credentials are wrong; 5xx: still failing after the retries)."""

    def __init__(self, message: str, status: int, reason: str = ""):
        super().__init__(message)
        self.status, self.reason = status, reason


class HashMismatch(ResolverError):
    def __init__(self, message: str, actual: str):
        super().__init__(message)
        self.actual = actual


@dataclass(frozen=True)
class Reply:
    url: str  # after redirects, without credentials
    status: int
    headers: Mapping[str, str]
    data: bytes


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def _from_netrc(host: str) -> tuple[str, str] | None:
    """The login and password ~/.netrc (or $NETRC) gives for host; None without one."""
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        found = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError) as e:
        line = getattr(e, "lineno", None)
        raise ResolverError(f"{path}{f':{line}' if line else ''}: not a readable netrc file") from None
    return (found[0], found[2] or "") if found else None


class Index:
    """One index (and the file hosts its pages point to): pooled connections, credentials, retries."""

    def __init__(self, url: str, context: ssl.SSLContext | None = None, remember: bool = False,
                 retries: Retry = RETRIES, workers: int = _WORKERS):
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        self.url = redact(parts.geturl())  # never holds credentials: messages may name it
        self._credentials: dict[tuple[str, str, int], tuple[str, str]] = {}
        if parts.username is not None:
            self._credentials[_origin(parts)] = (urllib.parse.unquote(parts.username),
                                                 urllib.parse.unquote(parts.password or ""))
        self.context = context or ca_bundle.ssl_context()
        self.retries, self.workers = retries, workers
        self._pools: dict[tuple[str, str, int], urllib3.PoolManager | urllib3.HTTPConnectionPool] = {}
        self._addresses: dict[tuple[str, str, int], list[str]] = {}  # a host's addresses, looked up once
        self._lock = threading.Lock()  # one thread creates a host's pool (and looks it up) while the others wait
        self._pages: dict[str, list[File] | None] | None = {} if remember else None

    # -- transport -----------------------------------------------------------------------------

    def _pool(self, origin: tuple[str, str, int]):
        """The host's pool: through the environment's proxy when one applies, else to its address
        looked up once."""
        with self._lock:
            if origin not in self._pools:
                scheme, host, port = origin
                tls = {"ssl_context": self.context} if scheme == "https" else {}
                proxy = urllib.request.getproxies().get(scheme)
                if proxy and not urllib.request.proxy_bypass(host):
                    self._pools[origin] = urllib3.ProxyManager(proxy, maxsize=self.workers, **tls)
                else:
                    if origin not in self._addresses:
                        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                        self._addresses[origin] = list(dict.fromkeys(info[4][0] for info in infos))
                    cls = urllib3.HTTPSConnectionPool if scheme == "https" else urllib3.HTTPConnectionPool
                    if scheme == "https":
                        tls.update(server_hostname=host, assert_hostname=host)
                    self._pools[origin] = cls(self._addresses[origin][0], port, maxsize=self.workers, **tls)
            return self._pools[origin]

    def _next_address(self, origin: tuple[str, str, int], pool) -> bool:
        """After `pool` could not connect: move the host to its next address (True), if it has one."""
        with self._lock:
            addresses = self._addresses.get(origin, [])
            if self._pools.get(origin) is pool and len(addresses) > 1:
                addresses.pop(0)
                del self._pools[origin]
            return self._pools.get(origin) is not pool

    def _send(self, url: str, headers: Mapping[str, str] | None, preload: bool):
        """One GET of url (credentials stripped) after redirects; (final url, urllib3 response)."""
        for _ in range(_REDIRECTS + 1):
            parts = urllib.parse.urlsplit(url)
            origin = _origin(parts)
            if origin[0] not in ("http", "https"):
                raise ResolverError(f"{redact(url)}: only http and https URLs can be read")
            credentials = self._credentials.get(origin) or _from_netrc(origin[1])
            url = redact(url)
            sent = {"User-Agent": USER_AGENT, "Host": parts.netloc.rpartition("@")[2], **(headers or {})}
            if credentials:
                sent.update(make_headers(basic_auth=":".join(credentials)))
            target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            while True:
                pool = self._pool(origin)
                try:
                    response = pool.urlopen("GET", url if isinstance(pool, urllib3.PoolManager) else target,
                                            headers=sent, retries=self.retries.new(), redirect=False,
                                            preload_content=preload,
                                            timeout=Timeout(connect=_TIMEOUT, read=_TIMEOUT))
                    break
                except urllib3.exceptions.HTTPError as e:
                    reason = getattr(e, "reason", None) or e
                    if isinstance(reason, urllib3.exceptions.NewConnectionError) and self._next_address(origin, pool):
                        continue  # this address refuses or is unreachable: the host's next one
                    raise ResolverError(f"cannot reach {url}: {reason} "
                                        "(network or proxy? SSL_CERT_FILE for a proxy's CA)") from None
            location = response.get_redirect_location()
            if not location:
                return url, response
            response.drain_conn()
            response.release_conn()
            url = urllib.parse.urljoin(url, location)
        raise ResolverError(f"{url}: more than {_REDIRECTS} redirects")

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Reply:
        """The whole answer to a GET (gzip decoded), any status: the caller judges a 4xx."""
        final, response = self._send(url, headers, preload=True)
        return Reply(final, response.status, response.headers, response.data)

    def download(self, url: str, sha256: str, dest: Path, mode: int = 0o644) -> int:
        """url's file into dest (temp file + rename), kept only when its sha256 is `sha256`. Returns bytes."""
        final, response = self._send(url, None, preload=False)
        try:
            if response.status >= 400:
                raise HTTPStatusError(f"{final} answered HTTP {response.status} {response.reason}", response.status,
                                      response.reason or "")
            digest, size = hashlib.sha256(), 0
            with atomic.replacing(dest, mode=mode) as out:
                for chunk in response.stream(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                if digest.hexdigest() != sha256:
                    raise HashMismatch(f"{dest.name}: sha256 {digest.hexdigest()} from {final}, expected {sha256}",
                                       digest.hexdigest())
        except urllib3.exceptions.HTTPError as e:
            raise ResolverError(f"cannot download {final}: {e}") from None
        finally:
            response.release_conn()
        return size

    # -- project pages -------------------------------------------------------------------------

    def page(self, name: str) -> list[File] | None:
        """The files the index lists for project `name`; None when it is not there (404). An Index
        that remembers reads each page once."""
        if self._pages is None:
            return self._read(name)
        if name not in self._pages:
            self._pages[name] = self._read(name)
        return self._pages[name]

    def pages(self, names: Iterable[str]) -> dict[str, list[File] | None]:
        """The page of every name (None: not there), read in parallel; sorted by name."""
        names = sorted(set(names))
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return dict(zip(names, pool.map(self.page, names), strict=True))

    def _read(self, name: str) -> list[File] | None:
        page = f"{self.url}/{name}/"
        reply = self.get(page, {"Accept": SIMPLE_JSON, "Accept-Encoding": "gzip"})
        if reply.status == 404:
            return None
        if reply.status >= 400:
            raise ResolverError(f"the package index answered HTTP {reply.status} for {name} ({page})")
        kind = (reply.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != SIMPLE_JSON:
            raise ResolverError(f"{page} answered {kind}, not PEP 691 JSON ({SIMPLE_JSON}); "
                                "use an index that supports it")
        return parse_page(reply.data, reply.url)


def parse_page(data: bytes, url: str) -> list[File]:
    """A PEP 691 project page's files; url: the page's own (relative file URLs are joined to it)."""
    try:
        return [_file(f, url) for f in json.loads(data)["files"]]
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ResolverError(f"{redact(url)}: not a readable PEP 691 project page ({e})") from None


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


def uv_index_pages(names: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, list[File] | None]:
    """The page of every name on uv's index (None: not there), read in parallel; sorted by name."""
    return shared(index_url(env)).pages(names)
