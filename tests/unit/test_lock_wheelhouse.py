"""lock.wheelhouse without the internet: reading the locks, which wheels a target installs, and whole runs
against a PEP 691 index served from 127.0.0.1 (hash checks, the cache, missing platforms, errors).
No engine and no network needed: these run in the fast suite."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lock.index import SIMPLE_JSON
from lock.config import Platform
from lock.wheel_tags import platforms_of, wheel_installs
from lock import cli
from lock.wheelhouse.fetch import read_pins
from lock.wheelhouse.manifest import MANIFEST

X86 = Platform.parse("x86_64-manylinux_2_28")
ARM = Platform.parse("aarch64-manylinux_2_28")


# --- reading the locks (the format itself: tests/unit/test_lock_model.py) -----------------------


def test_locks_are_read_with_their_markers(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "# header comment\n"
        "Foo_Bar==1.0 \\\n"
        f"    --hash=sha256:{'a' * 64} \\\n"
        f"    --hash=sha256:{'b' * 64}\n"
        "    # via\n"
        "    #   -r requirements.in\n"
        "\n"
        f"armonly==2.0 ; platform_machine == 'aarch64' --hash=sha256:{'c' * 64}\n"
    )
    pins = read_pins(lock, "requirements.lock")
    assert [(p.entry.name, p.entry.version, p.where) for p in pins] == [
        ("foo-bar", "1.0", "requirements.lock:2"), ("armonly", "2.0", "requirements.lock:8")]
    assert pins[0].hashes == {"a" * 64, "b" * 64}
    assert pins[0].entry.marker is None
    assert platforms_of(pins[1].entry, [X86, ARM], "3.13") == [ARM]


def test_a_lock_the_model_refuses_is_refused_with_file_and_line(project, capsys):
    (project / "requirements.lock").write_text(f"# lock\nsix===1.0 --hash=sha256:{'a' * 64}\n")
    assert run_main(project) == 2
    assert capsys.readouterr().err == "lock: error: requirements.lock:2: 'six===1.0' is not pinned with ==\n"


# --- which wheels a target installs -----------------------------------------------------------------


@pytest.mark.parametrize("filename, x86, arm, x86_newer", [
    ("demo-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", True, False, True),
    ("demo-1.0-cp313-cp313-manylinux_2_28_x86_64.whl", True, False, True),
    ("demo-1.0-cp313-cp313-manylinux_2_34_x86_64.whl", False, False, True),  # glibc newer than the floor
    ("demo-1.0-cp313-cp313-manylinux_2_28_aarch64.whl", False, True, False),
    ("demo-1.0-cp310-abi3-manylinux1_x86_64.whl", True, False, True),
    ("demo-1.0-py3-none-any.whl", True, True, True),
    ("demo-1.0-py2.py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.whl", True, False, True),
    ("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", False, False, False),  # another Python
    ("demo-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl", False, False, False),  # free-threaded ABI
    ("demo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", False, False, False),  # musl, not glibc
    ("demo-1.0-cp313-cp313-linux_x86_64.whl", False, False, False),  # not a portable tag
    ("demo-1.0-cp313-cp313-win_amd64.whl", False, False, False),
    ("demo-1.1-py3-none-any.whl", False, False, False),  # another version
    ("other-1.0-py3-none-any.whl", False, False, False),  # another project
])
def test_wheel_installs_on_target(filename, x86, arm, x86_newer):
    assert wheel_installs(filename, "demo", "1.0", X86, "3.13") is x86
    assert wheel_installs(filename, "demo", "1.0", ARM, "3.13") is arm
    assert wheel_installs(filename, "demo", "1.0", X86, "3.13", newer_libc=True) is x86_newer


# --- whole runs against a local index ------------------------------------------------------------


def wheel(filename: str) -> tuple[str, bytes]:
    return filename, f"not really a wheel: {filename}".encode()


WHEELS = dict([
    wheel("demo-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
    wheel("demo-1.0-cp313-cp313-manylinux_2_34_x86_64.whl"),  # newer glibc: kept, the image may pick it
    wheel("demo-1.0-cp313-cp313-manylinux_2_28_aarch64.whl"),
    wheel("demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),  # in the lock, but another Python
    wheel("demo-1.0-cp313-cp313-win_amd64.whl"),  # in the lock, another OS
    wheel("demo-1.0.tar.gz"),  # an sdist: never
    wheel("demo-0.9-py3-none-any.whl"),  # another version, not in the lock
    wheel("pure-2.0-py3-none-any.whl"),
    wheel("armonly-3.0-cp313-cp313-manylinux_2_17_aarch64.whl"),
])
FETCHED = {
    "demo-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "demo-1.0-cp313-cp313-manylinux_2_34_x86_64.whl",
    "demo-1.0-cp313-cp313-manylinux_2_28_aarch64.whl",
    "pure-2.0-py3-none-any.whl",
    "armonly-3.0-cp313-cp313-manylinux_2_17_aarch64.whl",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeIndex:
    """A PEP 691 index on 127.0.0.1: /simple/<project>/ as JSON, files under /files/. Records requests;
    `served` overrides the bytes sent for a file (to fake a tampered download)."""

    def __init__(self):
        self.requests: list[str] = []
        self.served: dict[str, bytes] = {}
        self.content_type = SIMPLE_JSON
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                index.requests.append(self.path)
                if self.path.startswith("/simple/"):
                    project = self.path.split("/")[2]
                    files = [{"filename": n, "url": f"../../files/{n}", "hashes": {"sha256": sha(d)}}
                             for n, d in WHEELS.items() if n.split("-")[0] == project]
                    if not files:
                        return self.send_error(404)
                    body = json.dumps({"meta": {"api-version": "1.0"}, "name": project, "files": files}).encode()
                    content_type = index.content_type
                elif self.path.startswith("/files/") and self.path[7:] in WHEELS:
                    name = self.path[7:]
                    body = index.served.get(name, WHEELS[name])
                    content_type = "application/octet-stream"
                else:
                    return self.send_error(404)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/simple"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def file_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/files/")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def index(monkeypatch):
    fake = FakeIndex()
    for variable in ("UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", fake.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield fake
    fake.close()


def entry(name: str, version: str, files: list[str], marker: str = "") -> str:
    hashes = " \\\n".join(f"    --hash=sha256:{sha(WHEELS[f])}" for f in files)
    return f"{name}=={version}{' ; ' + marker if marker else ''} \\\n{hashes}\n"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "image").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.lock]\nplatforms = ["x86_64-manylinux_2_28", "aarch64-manylinux_2_28"]\n')
    (root / "Dockerfile").write_text("ARG BASE_IMAGE=python:3.13-slim-trixie\nFROM ${BASE_IMAGE}\n")
    demo = [n for n in WHEELS if n.startswith("demo-1.0")]
    (root / "requirements.lock").write_text(
        "# lock\n"
        + entry("demo", "1.0", demo)
        + entry("armonly", "3.0", ["armonly-3.0-cp313-cp313-manylinux_2_17_aarch64.whl"],
                marker='platform_machine == "aarch64"')
    )
    (root / "image" / "build-tools.txt").write_text(entry("pure", "2.0", ["pure-2.0-py3-none-any.whl"]))
    return root


def run_main(project: Path, *args: str) -> int:
    return cli.main(["wheelhouse", "--project", str(project), *args])


def test_fetches_exactly_the_wheels_the_targets_install_then_nothing(project, index, capsys):
    assert run_main(project) == 0
    house = project / "wheelhouse"
    assert {p.name for p in house.iterdir() if p.name != MANIFEST} == FETCHED
    for name in FETCHED:
        assert (house / name).read_bytes() == WHEELS[name]
    assert sorted(index.file_requests()) == sorted(f"/files/{n}" for n in FETCHED)
    assert "fetched 5" in capsys.readouterr().out

    # Second run: the manifest says it is complete; the index is not asked at all.
    index.requests.clear()
    assert run_main(project) == 0
    assert index.requests == []
    assert "fetched 0 (0.0 MB), 5 already there" in capsys.readouterr().out

    # --refresh asks the index again, but every file is there with its hash: nothing is downloaded.
    assert run_main(project, "--refresh") == 0
    assert index.requests and index.file_requests() == []


def test_a_file_with_a_wrong_hash_is_fetched_again(project, index):
    assert run_main(project) == 0
    damaged = project / "wheelhouse" / "pure-2.0-py3-none-any.whl"
    damaged.write_bytes(b"tampered")
    index.requests.clear()
    assert run_main(project) == 0
    assert index.file_requests() == ["/files/pure-2.0-py3-none-any.whl"]
    assert damaged.read_bytes() == WHEELS["pure-2.0-py3-none-any.whl"]


def test_a_download_with_another_hash_is_refused_and_leaves_nothing(project, index, capsys):
    index.served["pure-2.0-py3-none-any.whl"] = b"something else"
    assert run_main(project) == 4
    error = capsys.readouterr().err
    assert "pure-2.0-py3-none-any.whl: sha256" in error and sha(WHEELS["pure-2.0-py3-none-any.whl"]) in error
    house = project / "wheelhouse"
    assert not (house / "pure-2.0-py3-none-any.whl").exists()
    assert not list(house.glob(".*")), "a partial download (or a manifest) was left behind"
    assert not (house / MANIFEST).exists(), "an incomplete wheelhouse must not be recorded as complete"


def test_no_wheel_for_a_target_platform_is_an_error_naming_it(project, index, capsys):
    lock = project / "requirements.lock"
    lock.write_text(entry("demo", "1.0", ["demo-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                                          "demo-1.0-cp313-cp313-manylinux_2_34_x86_64.whl"]))
    assert run_main(project) == 3
    error = capsys.readouterr().err
    assert "requirements.lock:1: demo==1.0 has no wheel for aarch64-manylinux_2_28 with Python 3.13" in error
    assert "x86_64" not in error.split("has no wheel for")[1].split(";")[0]
    assert not (project / "wheelhouse").exists() or not any((project / "wheelhouse").iterdir())


def test_an_index_without_pep_691_json_is_an_error(project, index, capsys):
    index.content_type = "text/html"
    assert run_main(project) == 4
    assert "not PEP 691 JSON" in capsys.readouterr().err


def test_prune_deletes_files_no_lock_wants(project, index):
    house = project / "wheelhouse"
    house.mkdir()
    (house / "stale-0.1-py3-none-any.whl").write_bytes(b"old")
    assert run_main(project) == 0
    assert (house / "stale-0.1-py3-none-any.whl").exists(), "kept without --prune"
    assert run_main(project, "--prune") == 0
    assert not (house / "stale-0.1-py3-none-any.whl").exists()
    assert {p.name for p in house.iterdir() if p.name != MANIFEST} == FETCHED


@pytest.mark.parametrize("jobs", ["0", "-1", "x", "65", "²"])
def test_a_bad_jobs_count_is_one_line_and_exit_2(jobs, tmp_path, capsys):
    """--jobs 0 was a traceback from the thread pool; now argparse refuses it before any request."""
    from lock.cli import main

    assert main(["wheelhouse", "--jobs", jobs, "--dest", str(tmp_path / "wh")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--jobs" in err and "Traceback" not in err, err
    assert not (tmp_path / "wh").exists()
