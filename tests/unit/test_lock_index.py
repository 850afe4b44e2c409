"""lock/index.py, the one reader of the index's PEP 691 pages, against a real index on 127.0.0.1
(tests/support/local_index.py): files parsed into File, 404, a page that is not PEP 691 JSON, and
retries with back-off, credentials left out of the message. Which index each variable list picks."""

from __future__ import annotations

import time

import pytest

from lock import index
from lock.errors import ResolverError
from tests.support.local_index import LocalIndex


@pytest.fixture
def local(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    served = LocalIndex(tmp_path / "index")
    with served.serve() as url:
        yield served, url


def test_a_page_is_parsed_into_files(local):
    served, url = local
    listed = served.add_wheel("demo", "1.0", "2026-01-02T03:04:05.678901Z")
    served.add_wheel("demo", "1.1", None)
    served.yank(listed.filename)
    files = index.Index(url + "/").page("demo")
    assert [f.filename for f in files] == ["demo-1.0-py3-none-any.whl", "demo-1.1-py3-none-any.whl"]
    first = files[0]
    assert first.url == url.removesuffix("/simple") + "/files/demo-1.0-py3-none-any.whl"
    assert (first.sha256, first.size, first.yanked) == (listed.sha256, listed.size, True)
    assert (first.upload_time, first.uploaded) == ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.678901Z")
    assert first.metadata_sha256 == listed.metadata_sha256 and first.metadata_sha256
    assert (files[1].upload_time, files[1].yanked) == (None, False)


def test_a_project_that_is_not_there_is_none(local):
    assert index.Index(local[1]).page("absent") is None


def test_a_run_looks_the_host_up_once_and_reads_each_page_once(local, monkeypatch):
    served, url = local
    for name in ("demo-a", "demo-b", "demo-c"):
        served.add_wheel(name, "1.0", "2026-01-02T03:04:05Z")
    by_name = url.replace("127.0.0.1", "localhost")  # a name to look up, as an index has
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("UV_DEFAULT_INDEX", by_name)
    lookups, reads = [], []
    getaddrinfo, read = index.socket.getaddrinfo, index.Index._read

    def slow_lookup(host, *args, **kwargs):  # a slow resolver: every thread of the first wave is waiting
        lookups.append(host)
        if host == "localhost":
            time.sleep(0.3)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(index.socket, "getaddrinfo", slow_lookup)
    monkeypatch.setattr(index.Index, "_read", lambda self, name: reads.append(name) or read(self, name))
    monkeypatch.setattr(index, "_SHARED", {})
    first = index.uv_index_pages(["demo-a", "demo-b", "demo-c"])
    again = index.uv_index_pages(["demo-b", "demo-c"])  # the index view, then pylock.toml: the same pages
    assert [f.filename for f in first["demo-b"]] == [f.filename for f in again["demo-b"]] == ["demo_b-1.0-py3-none-any.whl"]
    assert sorted(reads) == ["demo-a", "demo-b", "demo-c"]
    assert lookups.count("localhost") == 1, lookups  # 16 threads at once, one lookup


def test_a_page_that_is_not_pep_691_json_is_refused(local):
    served, url = local
    (served.root / "simple" / "htmlonly").mkdir()  # served as an HTML directory listing
    with pytest.raises(ResolverError, match=r"/simple/htmlonly/ answered text/html, not PEP 691 JSON"):
        index.Index(url).page("htmlonly")


def test_an_unreachable_index_is_retried_and_named_without_credentials(monkeypatch):
    tries = []
    connect = index.urllib3.util.connection.create_connection
    monkeypatch.setattr(index.urllib3.util.connection, "create_connection",
                        lambda *a, **k: tries.append(a[0]) or connect(*a, **k))
    quick = index.RETRIES.new(backoff_factor=0)
    with pytest.raises(ResolverError) as e:
        index.Index("http://user:secret@127.0.0.1:1/simple", retries=quick).page("demo")
    assert len(tries) == 4  # the first try and three retries
    assert str(e.value).startswith("cannot reach http://127.0.0.1:1/simple/demo/: ")
    assert "secret" not in str(e.value) and "user" not in str(e.value)


def test_a_run_keeps_its_connection_open(tmp_path):
    served, connections = LocalIndex(tmp_path / "index"), []
    for name in ("demo-a", "demo-b", "demo-c"):
        served.add_wheel(name, "1.0", "2026-01-02T03:04:05Z")
    with served.serve(connections=connections) as url:
        reader = index.Index(url, workers=1)
        pages = reader.pages(["demo-a", "demo-b", "demo-c"])
        file = pages["demo-a"][0]
        assert reader.download(file.url, file.sha256, tmp_path / file.filename) == file.size
    assert len(connections) == 1, connections  # urllib: one connection per request


def test_credentials_from_the_url_or_netrc_reach_a_basic_auth_index_and_are_never_shown(tmp_path, monkeypatch):
    served = LocalIndex(tmp_path / "index")
    listed = served.add_wheel("demo", "1.0", "2026-01-02T03:04:05Z")
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    with served.serve(credentials="user:s3cr%t") as url:
        with_secret = url.replace("http://", "http://user:s3cr%25t@")
        reader = index.Index(with_secret)
        files = reader.page("demo")
        assert [f.sha256 for f in files] == [listed.sha256]
        assert "s3cr" not in repr(files) + reader.url
        assert reader.download(files[0].url, listed.sha256, tmp_path / "got.whl") == listed.size
        with pytest.raises(ResolverError, match="HTTP 401") as e:
            index.Index(url).page("demo")
        with pytest.raises(index.HashMismatch) as mismatch:
            reader.download(files[0].url, "0" * 64, tmp_path / "bad.whl")
        assert not (tmp_path / "bad.whl").exists()
        for message in (str(e.value), str(mismatch.value)):
            assert "s3cr" not in message
        (tmp_path / "netrc").write_text("machine 127.0.0.1\nlogin user\npassword s3cr%t\n")
        (tmp_path / "netrc").chmod(0o600)
        monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
        assert [f.sha256 for f in index.Index(url).page("demo")] == [listed.sha256]


@pytest.mark.parametrize("env, resolver, files", [
    ({}, index.DEFAULT_INDEX, index.DEFAULT_INDEX),
    ({"PIP_INDEX_URL": "https://pip/simple/"}, index.DEFAULT_INDEX, "https://pip/simple"),
    ({"UV_INDEX_URL": "https://uv/simple/", "PIP_INDEX_URL": "https://pip/simple"}, "https://uv/simple", "https://uv/simple"),
    ({"UV_DEFAULT_INDEX": "https://default/simple", "UV_INDEX_URL": "https://uv/simple"},
     "https://default/simple", "https://default/simple"),
])
def test_lock_reads_uvs_index_and_fetching_by_hash_also_pips(env, resolver, files):
    assert index.index_url(env) == resolver
    assert index.index_url(env, index.FILES_INDEX) == files


def test_a_host_whose_first_address_refuses_is_reached_on_the_next(local, monkeypatch):
    """One lookup gives every address; a refused one is left for the next (a host whose IPv6
    address is unreachable from here, say), as socket.create_connection would."""
    served, url = local
    served.add_wheel("demo", "1.0", "2026-01-02T03:04:05Z")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    getaddrinfo = index.socket.getaddrinfo

    def refused_first(host, port, *args, **kwargs):
        found = getaddrinfo(host, port, *args, **kwargs)
        if host != "localhost":
            return found
        nowhere = (found[0][0], found[0][1], found[0][2], "", ("127.0.0.2", port))  # nothing listens there
        return [nowhere, *[f for f in found if f[4][0] == "127.0.0.1"]]

    monkeypatch.setattr(index.socket, "getaddrinfo", refused_first)
    reader = index.Index(url.replace("127.0.0.1", "localhost"), retries=index.RETRIES.new(backoff_factor=0))
    assert [f.filename for f in reader.page("demo")] == ["demo-1.0-py3-none-any.whl"]
