"""Fixtures shared by the test suites: the docker client, the image under test, tracked containers.

The image is built once per session by scripts/build (the same script users run), so tests see
exactly what users get. scripts/test sets up the engine and the base image before pytest starts.
Builds from nothing are made once per session and read by every group that needs one
(tests/support/fresh_builds.py): scripts/verify-rebuild's pair is also the build benchmark's
project samples and, when the tree builds the commit, the image under test; the arm64 group's pair
is also the arm64 benchmark's samples.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import docker
import pytest

from tests.support import dangling_images, fresh_builds
from tests.support.builds import build
from tests.support.compose_project import ComposeProject
from tests.support.containers import TrackedContainer
from tests.support.needs import needs
from tests.support.paths import PROJECT_ROOT, TEST_OUTPUT
from tests.support.repro_helpers import (BUILD_TIMEOUT, SCRIPTS, TAG, Commit, Rebuild, docker_inspect, registry_sh,
                                         remove_tags, run)

TEST_IMAGE = os.environ.get("TEST_IMAGE", "jupyterlab-minimalist:test")


DANGLING_AT_START = pytest.StashKey[frozenset]()


def pytest_collection_finish(session):
    """Before any test runs, and only for a selection that uses the engine (the fast lane never
    calls docker: tests/unit/test_fast_lane.py). The background lane (tests/support/lanes.py) never
    sweeps: the main lane's sweep spans its whole run, and an image the main lane has just built
    untagged must not go from under it."""
    if getattr(session.config.option, "lane", None) == "background":
        return
    if not session.config.option.collectonly and "engine" in needs(session.items):
        session.stash[DANGLING_AT_START] = dangling_images.dangling()


def pytest_sessionfinish(session):
    """Untagged images this run left behind go (tests/support/dangling_images.py): without this a
    few runs fill the disk."""
    if DANGLING_AT_START not in session.stash:
        return
    removed = dangling_images.remove_new(session.stash[DANGLING_AT_START])
    if removed:
        session.config.get_terminal_writer().line(f"removed {len(removed)} image(s) this run left untagged")


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
def image(request, docker_client) -> str:
    """The project's image, built from the working tree's Dockerfile and lock. When the session runs
    scripts/verify-rebuild anyway and the tree's build inputs are the commit's, it is that run's
    first build (the same image ID scripts/build gives: the build is reproducible), not one more."""
    if os.environ.get("TEST_IMAGE_PREBUILT"):
        return TEST_IMAGE
    if fresh_builds.session_uses(request.session, "rebuild"):
        commit = request.getfixturevalue("commit")
        if fresh_builds.tree_builds_the_commit(commit.sha):
            first = request.getfixturevalue("rebuild").first_id
            if first and run("docker", "tag", first, TEST_IMAGE).returncode == 0:
                # What scripts/build writes beside the image (sbom/<tag>.cdx.json), under this tag too.
                sboms = PROJECT_ROOT / "sbom"
                shutil.copyfile(sboms / fresh_builds.sbom_name(f"{TAG}-1"), sboms / fresh_builds.sbom_name(TEST_IMAGE))
                return TEST_IMAGE
    result = build(TEST_IMAGE)
    assert result.returncode == 0, f"scripts/build failed:\n{result.stderr[-4000:]}"
    return TEST_IMAGE


@pytest.fixture(scope="session")
def commit(tmp_path_factory) -> Commit:
    """The session's commit: HEAD when the session starts (others may commit meanwhile), exported
    clean with `git archive`, built with SOURCE_DATE_EPOCH = its commit time."""
    sha = run("git", "-C", PROJECT_ROOT, "rev-parse", "HEAD").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", sha), "not a git checkout"
    epoch = int(run("git", "-C", PROJECT_ROOT, "log", "-1", "--format=%ct", sha).stdout)
    context = tmp_path_factory.mktemp("commit")
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", sha],
                             capture_output=True, check=True, timeout=120)
    subprocess.run(["tar", "-x", "-C", str(context)], input=archive.stdout, check=True, timeout=120)
    return Commit(sha, epoch, context)


@pytest.fixture(scope="session")
def rebuild(request, commit, tmp_path_factory) -> Rebuild:
    """scripts/verify-rebuild on the session's commit: two --no-cache builds, compared. When the
    session runs the build benchmark, a timed --no-cache naive build comes before and after them
    (naive, project, project, naive): its project samples are verify-rebuild's two build times.
    A failed benchmark build is reported by the benchmark (bench_error), not by these tests."""
    from tests.benchmarks import measure  # the naive image's tag and the SBOM cache

    benchmark = fresh_builds.selects(request.session, "test_build_from_scratch")
    # With uncommitted build inputs the benchmark measures the tree, not the commit: two builds of
    # its own (as before this fixture shared them), verify-rebuild after, untimed.
    own_tree = benchmark and not fresh_builds.tree_builds_the_commit(commit.sha)
    timed, bench_error = fresh_builds.Timed(f"{TAG}-tree" if own_tree else f"{TAG}-1"), None

    def timed_build(which, tag, *args):
        nonlocal bench_error
        try:
            fresh_builds.timed_build(timed, which, tag, *args)
        except AssertionError as error:
            bench_error = bench_error or str(error)

    def naive():
        timed_build("naive", measure.NAIVE_TAG, "--no-cache", "-f", str(measure.NAIVE_DOCKERFILE))

    if benchmark:
        measure.warm_sbom_cache(tmp_path_factory.mktemp("sbom-warm"))
        naive()
    if own_tree:
        for _ in range(2):
            timed_build("project", timed.project_tag, "--no-cache")
        naive()
    start = time.monotonic()
    result = run(SCRIPTS / "verify-rebuild", "--commit", commit.sha,
                 env={**os.environ, "VERIFY_REBUILD_TAG": TAG}, timeout=2 * BUILD_TIMEOUT)
    seconds = time.monotonic() - start
    if benchmark and not own_tree:
        for sample in fresh_builds.build_seconds(result.stdout):
            timed.add("project", sample)
        naive()
    identical = re.search(r"^identical: (sha256:[0-9a-f]{64})$", result.stdout, re.M)
    yield Rebuild(result.stdout, result.stderr, result.returncode, seconds,
                  identical[1] if identical else None, docker_inspect(f"{TAG}-1", "{{.Id}}"),
                  timed if benchmark else None, bench_error)
    remove_tags(f"{TAG}-tree")
    if identical:  # two different images are kept, to be looked into
        remove_tags(f"{TAG}-1", f"{TAG}-2")


@pytest.fixture(scope="session")
def arm64_builds(request, tmp_path_factory) -> fresh_builds.Arm64Builds:
    """The arm64 image, --no-cache, and (when the session checks its image ID or runs the arm64
    benchmark) a second --no-cache arm64 build; for the benchmark a timed --no-cache amd64 build
    between the two (arm64, amd64, arm64). One SOURCE_DATE_EPOCH and one SOURCE_COMMIT for every
    build of the group (scripts/build takes the last commit's time and HEAD for the revision label,
    and a commit made meanwhile must not make two builds differ: it did, in the revision label).
    The builds finish before any arm64 container starts."""
    from tests.benchmarks import measure  # the SBOM cache

    sha = run("git", "-C", PROJECT_ROOT, "rev-parse", "HEAD").stdout.strip()
    when = run("git", "-C", PROJECT_ROOT, "log", "-1", "--format=%ct", sha).stdout.strip()
    build_env = {"SOURCE_DATE_EPOCH": when, "SOURCE_COMMIT": sha}
    benchmark = fresh_builds.selects(request.session, "test_arm64_build_from_scratch")
    second = benchmark or fresh_builds.selects(request.session, "test_two_no_cache_builds_give_one_id")
    tag, again, amd64 = f"{TEST_IMAGE}-arm64", f"{TEST_IMAGE}-arm64-again", f"{TEST_IMAGE}-bench-no-cache-amd64"
    timed, results = fresh_builds.Timed(tag), {}

    def one(which, name, platform):
        start = time.perf_counter()
        results[name] = build(name, "--platform", platform, "--no-cache", env=build_env)
        if results[name].returncode == 0:
            timed.add(which, time.perf_counter() - start)

    if benchmark:
        measure.warm_sbom_cache(tmp_path_factory.mktemp("sbom-warm-arm64"))
    one("project", tag, "linux/arm64")
    if benchmark:
        one("naive", amd64, "linux/amd64")
    if second:
        one("project", again, "linux/arm64")
    yield fresh_builds.Arm64Builds(build_env, tag, again if second else None, results, timed)
    remove_tags(again, amd64)


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
        try:
            print("--- server log ---", project.container().logs().decode(errors="replace"), sep="\n")
        except docker.errors.DockerException:  # the test had taken it down: nothing to show
            pass
    project("down", "-v", check=False)  # always, or a failed test leaves its volume behind


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


@pytest.fixture
def registry(tmp_path):
    """A throw-away registry on 127.0.0.1 (scripts/lib/registry.sh), stopped after the test."""
    started = registry_sh("registry_start", tmp_path / "registry")
    assert started.returncode == 0, f"the registry did not start:\n{started.stderr}"
    pid, port = started.stdout.split()
    yield f"127.0.0.1:{port}"
    registry_sh("registry_stop", pid)
