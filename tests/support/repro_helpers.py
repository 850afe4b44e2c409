"""Helpers of the reproducibility tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "scripts"
# Named after the session's image, so that two sessions on one engine do not share tags.
TAG = os.environ.get("TEST_IMAGE", "jupyterlab-minimalist:test") + "-repro"
STANDIN_IMAGE = os.environ.get("STANDIN_IMAGE", "jupyterlab-minimalist/python-standin:3.13-slim-trixie")
BUILD_TIMEOUT = 1800


@dataclass(frozen=True)
class Commit:
    sha: str
    epoch: int
    context: Path  # a clean export of the commit: the build context


@dataclass(frozen=True)
class Rebuild:
    output: str  # stdout: commit, both builds, "identical: ..." or the differences
    errors: str
    returncode: int
    seconds: float
    identical_id: str | None
    first_id: str | None  # the first build's ID, whatever the outcome
    # The build benchmark's samples when the session runs it: naive, project, project, naive
    # (tests/support/fresh_builds.py); bench_error when one of its builds failed (the benchmark says so).
    timed: object = None
    bench_error: str | None = None


def run(*cmd, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kwargs)


def docker_inspect(ref: str, template: str) -> str | None:
    result = run("docker", "image", "inspect", "--format", template, ref)
    return result.stdout.strip() if result.returncode == 0 else None


def remove_tags(*tags: str) -> None:
    for tag in tags:
        run("docker", "image", "rm", tag)


def build_commit(commit: Commit, tag: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """scripts/build on the commit's export, with the commit's SOURCE_DATE_EPOCH (what verify-rebuild does)."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(commit.epoch), "SOURCE_COMMIT": commit.sha, "BUILD_CONTEXT": str(commit.context),
                   **(env or {})}
    return run(SCRIPTS / "build", "--tag", tag, *args, env=environment, timeout=BUILD_TIMEOUT)


def compare(a: str, b: str) -> str:
    """compare_images.py's report, for assertion messages."""
    result = run("python3", SCRIPTS / "lib" / "compare_images.py", a, b, timeout=600)
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Registry:
    port: int
    pid: int

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


def registry_sh(function: str, *args) -> subprocess.CompletedProcess:
    script = f'. "$0/scripts/lib/common.sh" && . "$0/scripts/lib/registry.sh" && {function} "$@"'
    return run("bash", "-c", script, PROJECT_ROOT, *args, timeout=300)
