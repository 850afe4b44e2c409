"""What a pytest selection needs set up before it runs, read from the tests it collects: a Docker
engine (and the base image) for the `image` marker or an engine fixture, Chromium for `browser`,
configurable-http-proxy (npm) for `hub`, qemu and the arm64 base for `arm64` (so that the arm64
build benchmark times the build, not the set-up). scripts/test collects first with this plugin
(`-p tests.support.needs --needs-file FILE --collect-only`) and sets up only what the file names,
so `scripts/test tests/unit` runs without an engine, a browser or npm."""

from __future__ import annotations

from pathlib import Path

ENGINE_FIXTURES = frozenset({"docker_client", "image", "hub_image", "containers", "compose_project"})


def needs(items) -> set[str]:
    """The set-ups `items` (collected pytest items) need: a subset of {"engine", "browser", "proxy",
    "arm64"}."""
    wanted: set[str] = set()
    for item in items:
        marks = {mark.name for mark in item.iter_markers()}
        if "image" in marks or "hub" in marks or ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            wanted.add("engine")
        if "browser" in marks or "browser" in getattr(item, "fixturenames", ()):
            wanted.add("browser")
        if "hub" in marks:
            wanted.add("proxy")
        if "arm64" in marks:
            wanted.add("arm64")
    return wanted


def pytest_addoption(parser):
    parser.addoption("--needs-file", help="write the set-ups the selected tests need to this file")


def pytest_collection_finish(session):
    path = session.config.getoption("--needs-file")
    if path:
        Path(path).write_text(" ".join(sorted(needs(session.items))) + "\n")
