"""Reading the committed lock's index pages: lock's one index client (lock/index.py, urllib3: pooled
keep-alive connections, one name lookup per host) against the way lock read them before it (a new
TCP and TLS connection for every page, `Connection: close`, as its urllib client sent; here on
http.client), with the same 16 threads, the
same PEP 691 request and the same index (uv's variables, else PyPI). No Docker: the index and this
process only, a few seconds a round.

Each round reads every page of requirements.lock's pins with one reader; the rounds alternate the
readers (project naive, naive project, ...), so a slow phase of the network or the machine hits
both. Recorded as the timing "lock_pages" (project: lock's client; naive: a connection per page).
BENCH_PAGE_ROUNDS (default 5) sets the rounds per reader.
"""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from lock import ca_bundle, index, lockfile
from tests.benchmarks.registry import Gate, Metric, alternating, record_timing, register
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.network

register(__name__,
         Metric("lock_pages", "Lock: read the committed lock's index pages (naive: a new connection per page)"),
         Gate.ratio_cap("lock_pages", "lock.max_page_read_ratio"))


def lock_names() -> list[str]:
    """The committed lock's pins, read as every command reads a lock."""
    return sorted(e.name for e in lockfile.read_entries(PROJECT_ROOT / "requirements.lock", "requirements.lock"))


def project_pages(url: str, names: list[str]) -> dict[str, int | None]:
    """lock's client, as `lock` uses it: a fresh Index (no page remembered from an earlier round)."""
    pages = index.Index(url).pages(names)
    return {name: None if files is None else len(files) for name, files in pages.items()}


class _OneAddress:
    """A connection to an address looked up once per round, not per page (as lock's client, and
    the one before it, did: a resolver may drop some of sixteen lookups made at once)."""

    address = ""

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        if isinstance(self, http.client.HTTPSConnection):
            self.sock = CONTEXT.wrap_socket(self.sock, server_hostname=self.host)


class _HTTP(_OneAddress, http.client.HTTPConnection):
    pass


class _HTTPS(_OneAddress, http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, context=CONTEXT, **kwargs)  # one context: loading CAs per page is not the point


CONTEXT = ca_bundle.ssl_context()


def naive_pages(url: str, names: list[str]) -> dict[str, int | None]:
    """The same threads and request over the standard library, a new connection (and TLS
    handshake) for every page, `Connection: close`, as urllib sent it."""
    parts = urllib.parse.urlsplit(url)
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    address = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)[0][4][0]
    connection = type("Connection", (_HTTPS if tls else _HTTP,), {"address": address})
    headers = {"Accept": index.SIMPLE_JSON, "Accept-Encoding": "gzip", "User-Agent": index.USER_AGENT,
               "Connection": "close"}

    def one(name: str) -> int | None:
        conn = connection(parts.hostname, port, timeout=60)
        try:
            conn.request("GET", f"{parts.path}/{name}/", headers=headers)
            reply = conn.getresponse()
            data = reply.read()
        finally:
            conn.close()
        if reply.status == 404:
            return None
        assert reply.status == 200, f"{url}/{name}/: HTTP {reply.status}"
        if reply.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return len(index.parse_page(data, f"{url}/{name}/"))  # parsed as lock's client parses

    with ThreadPoolExecutor(max_workers=16) as pool:
        return dict(zip(names, pool.map(one, names), strict=True))


READERS = {"project": project_pages, "naive": naive_pages}


def test_reading_the_lock_pages(benchmark, bench_results):
    url, names = index.index_url(), lock_names()
    host = urllib.parse.urlsplit(url)
    if host.username or (urllib.request.getproxies().get(host.scheme) and not urllib.request.proxy_bypass(host.hostname)):
        pytest.skip("the index is behind credentials or a proxy: the standard-library reader here takes neither")
    rounds = max(1, int(os.environ.get("BENCH_PAGE_ROUNDS", "5")))
    order = iter(alternating(rounds))
    samples: dict[str, list[float]] = {"project": [], "naive": []}
    seen: dict[str, dict[str, int | None]] = {}

    def setup():
        return (next(order),), {}

    def read(which: str) -> None:
        start = time.perf_counter()
        seen[which] = READERS[which](url, names)
        samples[which].append(time.perf_counter() - start)

    benchmark.pedantic(read, setup=setup, rounds=2 * rounds, iterations=1)
    result = record_timing(bench_results, "lock_pages", samples)
    benchmark.extra_info.update(pages=len(names), index=index.redact(url), ratio=result.get("ratio"),
                                **{name: result[name] for name in ("project", "naive")})
    # Both read the same pages: every pin is on the index, with the same files either way.
    assert all(seen["project"].values()), [n for n, files in seen["project"].items() if not files]
    assert seen["project"] == seen["naive"]
