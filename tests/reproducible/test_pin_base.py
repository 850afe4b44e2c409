"""scripts/pin-base: the base image pinned by digest, checked like `lock check`, resolved against a real
registry on 127.0.0.1, and the image built from the pinned reference."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repro_helpers import (
    SCRIPTS, STANDIN_IMAGE, build_commit, compare, docker_inspect, remove_tags, run,
)

from lock.config import read_python

PIN_BASE = SCRIPTS / "pin-base"
ARG_LINE = re.compile(r"^ARG BASE_IMAGE=(\S+)$", re.M)


def dockerfile_copy(tmp_path: Path, base: str | None = None) -> tuple[Path, int]:
    """A copy of the project's Dockerfile, its BASE_IMAGE set to `base`; and that line's number."""
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    m = ARG_LINE.search(text)
    assert m, "the Dockerfile has no `ARG BASE_IMAGE=` line"
    if base is not None:
        text = text[: m.start(1)] + base + text[m.end(1):]
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return path, text[: m.start()].count("\n") + 1


def pin_base(*args) -> subprocess.CompletedProcess:
    return run(PIN_BASE, *args, timeout=300)


def push_standin(tag: str) -> str:
    """The stand-in base tagged `tag` and pushed to the test's registry: the digest the registry gave it."""
    assert run("docker", "tag", STANDIN_IMAGE, tag).returncode == 0
    pushed = run("docker", "push", tag, timeout=600)
    assert pushed.returncode == 0, pushed.stderr
    digest = re.search(r"digest: (sha256:[0-9a-f]{64})", pushed.stdout)
    assert digest, pushed.stdout
    return digest[1]


def test_check_fails_on_a_tag_without_digest_naming_the_line(tmp_path):
    dockerfile, line = dockerfile_copy(tmp_path, "python:3.13-slim-trixie")
    result = pin_base("--dockerfile", dockerfile, "--check")
    assert result.returncode == 1
    message = result.stderr.strip()
    assert "\n" not in message, "one line"
    assert message.startswith(f"{dockerfile}:{line}: ") and "python:3.13-slim-trixie" in message, message
    assert "without a digest" in message


def test_check_passes_on_a_digest(tmp_path):
    dockerfile, line = dockerfile_copy(tmp_path, "python:3.13-slim-trixie@sha256:" + "0" * 64)
    result = pin_base("--dockerfile", dockerfile, "--check")
    assert result.returncode == 0, result.stderr
    assert f"{dockerfile}:{line}: base image pinned" in result.stdout


def test_check_names_a_dockerfile_without_the_arg(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.13-slim-trixie\n")
    result = pin_base("--dockerfile", dockerfile, "--check")
    assert result.returncode != 0
    assert "no `ARG BASE_IMAGE=<image>` line" in result.stderr


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "hub/Dockerfile"])
def test_the_committed_base_is_pinned_by_digest(dockerfile):
    """The default is what gets built: a tag alone could be another image next week."""
    result = pin_base("--dockerfile", PROJECT_ROOT / dockerfile, "--check")
    assert result.returncode == 0, result.stderr
    assert "@sha256:" in result.stdout


@pytest.mark.image
def test_the_stand_in_path_says_what_the_default_pins():
    """Without a registry the build falls back to the stand-in, and says it is not the pinned image."""
    default = ARG_LINE.search((PROJECT_ROOT / "Dockerfile").read_text())[1]
    script = f'. "{SCRIPTS}/lib/common.sh"; . "{SCRIPTS}/lib/base_image.sh"; ensure_base_image'
    result = run("bash", "-c", script, env={**os.environ, "BASE_IMAGE": "", "STANDIN_IMAGE": STANDIN_IMAGE},
                 timeout=600)
    assert result.returncode == 0, result.stderr
    if result.stdout.strip() == default:
        pytest.skip(f"{default} is present or pullable here: no stand-in is used")
    assert result.stdout.strip() == STANDIN_IMAGE
    assert f"The Dockerfile pins {default}; the stand-in is NOT that image." in result.stderr, result.stderr


@pytest.mark.image
def test_pin_an_unknown_image_fails_and_leaves_the_dockerfile(tmp_path, registry):
    dockerfile, _ = dockerfile_copy(tmp_path, f"{registry.host}/python:3.13-never-pushed")
    before = dockerfile.read_bytes()
    result = pin_base("--dockerfile", dockerfile)
    assert result.returncode != 0
    assert "cannot resolve" in result.stderr, result.stderr
    assert dockerfile.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"], "a temp file was left behind"


@pytest.mark.image
def test_pin_records_the_registry_digest_and_the_image_builds_from_it(tmp_path, registry, commit, reference_id):
    tag = f"{registry.host}/python:3.13-slim-trixie"
    pushed_digest = push_standin(tag)

    dockerfile, line = dockerfile_copy(tmp_path, tag)
    before = dockerfile.read_text().splitlines()
    result = pin_base("--dockerfile", dockerfile)
    assert result.returncode == 0, result.stderr
    pinned = f"{tag}@{pushed_digest}"
    after = dockerfile.read_text().splitlines()
    # Only that line changed, and only by the digest; nothing left beside the file.
    assert after[line - 1] == f"ARG BASE_IMAGE={pinned}"
    assert after[: line - 1] == before[: line - 1] and after[line:] == before[line:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"], "a temp file was left behind"
    assert f"{dockerfile}:{line}: BASE_IMAGE={pinned}" in result.stdout
    # The lock tool still reads the Python version from that line.
    assert read_python(dockerfile).version == "3.13"
    # The sibling of `lock check` is now happy; pinning again changes nothing.
    assert pin_base("--dockerfile", dockerfile, "--check").returncode == 0
    again = pin_base("--dockerfile", dockerfile)
    assert again.returncode == 0 and "already pinned" in again.stdout
    assert dockerfile.read_text().splitlines() == after

    # Build from the pinned reference, with no local copy of it: the base comes from the registry.
    remove_tags(tag, f"{registry.host}/python@{pushed_digest}")
    assert docker_inspect(pinned, "{{.Id}}") is None
    built_tag = "jupyterlab-minimalist:repro-pinned"
    build = build_commit(commit, built_tag, env={"BASE_IMAGE": pinned})
    remove_tags(f"{registry.host}/python@{pushed_digest}")
    assert build.returncode == 0, f"the build from {pinned} failed:\n{build.stderr[-4000:]}"
    assert f"on {pinned}" in build.stderr and "STAND-IN" not in build.stderr, build.stderr[-2000:]
    # Same base content, same commit: the very image verify-rebuild built. Pinning changes where
    # the base comes from, not the image. (On a difference the image stays, to be looked into.)
    built = docker_inspect(built_tag, "{{.Id}}")
    assert built == reference_id, f"{built_tag} {built} != {reference_id}:\n{compare(reference_id, built_tag)}"
    print(f"pinned {pinned}; built from it: {built}")
    remove_tags(built_tag)


@pytest.mark.image
def test_pin_a_tag_given_as_argument(tmp_path, registry):
    """`scripts/pin-base IMAGE` replaces the whole reference (say, moving to a mirror) and pins it."""
    tag = f"{registry.host}/mirror/python:3.13-slim-trixie"
    try:
        digest = push_standin(tag)
        dockerfile, line = dockerfile_copy(tmp_path, "python:3.13-slim-trixie")
        result = pin_base("--dockerfile", dockerfile, tag)
        assert result.returncode == 0, result.stderr
        assert dockerfile.read_text().splitlines()[line - 1] == f"ARG BASE_IMAGE={tag}@{digest}"
    finally:
        remove_tags(tag)


@pytest.mark.image
def test_pin_a_multi_arch_image_records_the_index_digest(tmp_path, registry):
    """For an image with an index (multi-arch), the index's digest is pinned -- the one reference
    valid on every platform -- not the manifest of the machine pin-base runs on."""
    single = f"{registry.host}/python:3.13-slim-trixie"
    index_tag = f"{registry.host}/python:3.13-index"
    try:
        manifest_digest = push_standin(single)
        created = run("docker", "buildx", "imagetools", "create", "-t", index_tag, single, timeout=300)
        assert created.returncode == 0, created.stderr
    finally:
        remove_tags(single)
    # What the registry itself says the tag points to, asked for an index.
    request = urllib.request.Request(
        f"http://{registry.host}/v2/python/manifests/3.13-index", method="HEAD",
        headers={"Accept": "application/vnd.oci.image.index.v1+json, "
                           "application/vnd.docker.distribution.manifest.list.v2+json"})
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: never via a proxy
    with direct.open(request, timeout=30) as response:
        index_digest = response.headers["Docker-Content-Digest"]
        assert "manifest.list" in response.headers["Content-Type"] or "index" in response.headers["Content-Type"]
    assert index_digest != manifest_digest
    dockerfile, line = dockerfile_copy(tmp_path, index_tag)
    result = pin_base("--dockerfile", dockerfile)
    assert result.returncode == 0, result.stderr
    assert dockerfile.read_text().splitlines()[line - 1] == f"ARG BASE_IMAGE={index_tag}@{index_digest}"
