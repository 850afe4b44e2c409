"""Fixtures shared by the test suites: the docker client, the image under test, tracked containers.

The image is built once per session by scripts/build (the same script users run), so tests see
exactly what users get. scripts/test sets up the engine and the base image before pytest starts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import docker
import pytest

from tests.support.builds import build
from tests.support.compose_project import ComposeProject
from tests.support.containers import TrackedContainer
from tests.support.paths import PROJECT_ROOT, TEST_OUTPUT

TEST_IMAGE = os.environ.get("TEST_IMAGE", "jupyterlab-minimalist:test")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """item.report_setup / report_call / report_teardown: fixtures look at how their test went."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    client = docker.from_env(timeout=300)
    client.ping()
    return client


@pytest.fixture(scope="session")
def image(docker_client) -> str:
    """The project's image, built from the working tree's Dockerfile and lock."""
    if os.environ.get("TEST_IMAGE_PREBUILT"):
        return TEST_IMAGE
    result = build(TEST_IMAGE)
    assert result.returncode == 0, f"scripts/build failed:\n{result.stderr[-4000:]}"
    return TEST_IMAGE


@pytest.fixture(scope="session")
def hub_image(image, docker_client) -> str:
    """The hub-ready image: requirements-hub.lock as a layer on the image under test (scripts/build-layer)."""
    import subprocess

    tag = image + "-hub"
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "build-layer"), "--base", image, "--tag", tag,
                             "requirements-hub.lock"], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"scripts/build-layer failed:\n{result.stderr[-4000:]}"
    return tag


@pytest.fixture(scope="session")
def frozen_index():
    """frozen_index(lock_path, ...) -> URL: a local index on 127.0.0.1 holding exactly the files the
    locks vouch for (a base lock and its layers' locks: tests/support/local_index.py), built once per
    set of lock bodies and kept in .cache/ between runs."""
    from contextlib import ExitStack

    from tests.support.local_index import freeze, serve

    from lock import header, index
    from lock.lockfile import parse_body

    served: dict[str, str] = {}
    with ExitStack() as stack:

        def url_for(*lock_paths: Path) -> str:
            bodies = [header.parse(path.read_text(encoding="utf-8")).body for path in lock_paths]
            key = "-".join(header.body_sha256(body).removeprefix("sha256:")[:32] for body in bodies)
            if key not in served:
                cache = PROJECT_ROOT / ".cache" / "frozen-index" / key
                if not (cache / "simple").is_dir():
                    staging = cache.with_name(key + ".partial")
                    shutil.rmtree(staging, ignore_errors=True)
                    entries = [entry for body in bodies for entry in parse_body(body).entries]
                    freeze(entries, index.index_url(), staging)
                    staging.rename(cache)
                served[key] = stack.enter_context(serve(cache))
            return served[key]

        yield url_for


@pytest.fixture
def containers(docker_client, image):
    tracked = TrackedContainer(docker_client, image)
    yield tracked
    tracked.remove_all()


@pytest.fixture
def compose_project(tmp_path, image, docker_client, request):
    """compose.yaml in a fresh folder (tests/support/compose_project.py), torn down afterwards."""
    if os.geteuid() != 0:
        pytest.skip("chowns the volume folders to UID 1000")
    project = ComposeProject(tmp_path, image, docker_client)
    yield project
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:  # the server's side of the failure
        print("--- server log ---", project.container().logs().decode(errors="replace"), sep="\n")
    project("down", "-v", check=False)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium whose pages reach 127.0.0.1 only (tests/support/browser.py)."""
    from tests.support.browser import chromium  # Playwright only in sessions that drive a browser

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/browser/: what browser tests leave to look at (screenshots of failures)."""
    path = TEST_OUTPUT / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def host_dir(tmp_path):
    """A folder to bind-mount, writable by whatever UID the container runs as."""
    path = tmp_path / "mount"
    path.mkdir()
    path.chmod(0o777)
    return path
