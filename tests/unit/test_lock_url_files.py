"""lock/url_files.py: wheel tags per target (pure), and the download-verify-cache cycle against a real
HTTP server on 127.0.0.1 (the requests it receives are counted)."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading

import pytest
from packaging.requirements import Requirement
from packaging.tags import parse_tag

from lock.errors import InputError, ResolverError
from lock.requirements_in import Spec
from lock.config import Platform
from lock.url_files import check_wheel, verify_hash
from lock.wheel_tags import tags_install

X86, ARM = Platform.parse("x86_64-manylinux_2_28"), Platform.parse("aarch64-manylinux_2_28")
BOTH = (X86, ARM)
WHEEL = b"not really a zip, but bytes with a hash"
SHA = hashlib.sha256(WHEEL).hexdigest()


def spec(text: str) -> Spec:
    return Spec(Requirement(text), "requirements.in", 3, text)


@pytest.mark.parametrize("platform, fits", [
    ("manylinux_2_28_x86_64", True), ("manylinux_2_5_x86_64", True), ("manylinux2014_x86_64", True),
    ("manylinux2010_x86_64", True), ("manylinux1_x86_64", True), ("manylinux_2_29_x86_64", False),
    ("manylinux_2_28_aarch64", False),
])
def test_platform_tags_of_manylinux_2_28(platform, fits):
    assert tags_install(parse_tag(f"cp313-cp313-{platform}"), X86, "3.13") is fits


@pytest.mark.parametrize(
    "filename",
    [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux_2_17_aarch64.whl",
        "demo-1.0-cp39-abi3-manylinux2014_x86_64.manylinux2014_aarch64.whl",
    ],
)
def test_wheels_that_fit_every_target(filename):
    check_wheel(spec(f"demo @ https://example.org/{filename}#sha256={SHA}"), "3.13", BOTH)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("demo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl", "cannot install on aarch64-manylinux_2_28 with Python 3.13"),
        ("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux_2_17_aarch64.whl", "cannot install on x86_64-manylinux_2_28"),
        ("demo-1.0-cp313-cp313-manylinux_2_34_x86_64.manylinux_2_34_aarch64.whl", "cannot install on x86_64-manylinux_2_28"),
        ("demo-1.0.tar.gz", "demo-1.0.tar.gz' is not a wheel (.whl)"),
        ("other-1.0-py3-none-any.whl", "the URL is a wheel of other, not of demo"),
        ("demo.whl", "not a valid wheel file name"),
    ],
)
def test_wheels_refused(filename, message):
    with pytest.raises(InputError, match=r"^requirements.in:3: ") as e:
        check_wheel(spec(f"demo @ https://example.org/{filename}#sha256={SHA}"), "3.13", BOTH)
    assert message in str(e.value)


def test_a_marker_limits_the_targets_checked():
    url = f"https://example.org/demo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl#sha256={SHA}"
    check_wheel(spec(f'demo @ {url} ; platform_machine == "x86_64"'), "3.13", BOTH)
    with pytest.raises(InputError, match='limit this line to the targets it fits with `; platform_machine == "x86_64"`'):
        check_wheel(spec(f"demo @ {url}"), "3.13", BOTH)


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 serving WHEEL at /demo-1.0-py3-none-any.whl; counts GETs."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/demo-1.0-py3-none-any.whl":
                self.send_response(200)
                self.send_header("Content-Length", str(len(WHEEL)))
                self.end_headers()
                self.wfile.write(WHEEL)
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_download_is_verified_once_then_cached(server, tmp_path):
    base, hits = server
    demo = spec(f"demo @ {base}/demo-1.0-py3-none-any.whl#sha256={SHA}")
    verify_hash(demo, tmp_path)
    verify_hash(demo, tmp_path)
    assert hits == ["/demo-1.0-py3-none-any.whl"]
    assert (tmp_path / SHA).read_bytes() == WHEEL
    assert [p.name for p in tmp_path.iterdir()] == [SHA]  # no temp file left


def test_mismatch_names_both_hashes_and_caches_nothing(server, tmp_path):
    base, _ = server
    wrong = "0" * 64
    with pytest.raises(InputError) as e:
        verify_hash(spec(f"demo @ {base}/demo-1.0-py3-none-any.whl#sha256={wrong}"), tmp_path)
    assert str(e.value) == (
        f"requirements.in:3: sha256 mismatch for demo-1.0-py3-none-any.whl: the requirement says {wrong}, "
        f"the file is {SHA}"
    )
    assert list(tmp_path.iterdir()) == []


def test_missing_file_is_input_error(server, tmp_path):
    base, _ = server
    with pytest.raises(InputError, match=r"^requirements.in:3: 'http://127.0.0.1:\d+/gone.whl' answered HTTP 404 Not Found$"):
        verify_hash(spec(f"demo @ {base}/gone.whl#sha256={SHA}"), tmp_path)


def test_no_server_is_resolver_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(ResolverError, match="^cannot download .* check the network and proxy settings$"):
        verify_hash(spec(f"demo @ http://127.0.0.1:{port}/demo-1.0-py3-none-any.whl#sha256={SHA}"), tmp_path)
