"""Builds from nothing that several groups read, made once per session (tests/conftest.py).

The reproducibility checks need two --no-cache builds of the commit (scripts/verify-rebuild); the
build benchmark needs two timed --no-cache builds of the project, interleaved with the naive ones;
the image under test is any one of them. One scripts/verify-rebuild run serves all three. Likewise
the arm64 group's two --no-cache arm64 builds are the arm64 benchmark's samples.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, field

from tests.support.builds import build
from tests.support.paths import PROJECT_ROOT

NAIVE_DOCKERFILE = PROJECT_ROOT / "tests" / "benchmarks" / "naive.Dockerfile"
# What .dockerignore lets into the context: a clean tree here builds what the commit builds.
BUILD_INPUTS = ("Dockerfile", ".dockerignore", "image", "requirements.lock", "requirements-*.lock")


@dataclass
class Timed:
    """Samples in seconds per image ("project", "naive"), in the order they were built."""
    project_tag: str  # the project image the samples built
    samples: dict[str, list[float]] = field(default_factory=lambda: {"project": [], "naive": []})
    order: list[str] = field(default_factory=list)

    def add(self, which: str, seconds: float) -> None:
        self.samples[which].append(seconds)
        self.order.append(which)


def build_seconds(verify_rebuild_output: str) -> list[float]:
    """The two build times scripts/verify-rebuild prints ("build N: TAG ID (S s)")."""
    return [float(s) for s in re.findall(r"^build [12]: \S+ \S+ \((\d+) s\)$", verify_rebuild_output, re.M)]


def sbom_name(tag: str) -> str:
    """scripts/build's name for the SBOM it writes beside an image (scripts/lib/build.sh)."""
    return tag.replace("/", "_").replace(":", "_") + ".cdx.json"


def tree_builds_the_commit(sha: str) -> bool:
    """True when the working tree's build inputs are the commit's (no change, nothing untracked)."""
    changed = subprocess.run(["git", "-C", str(PROJECT_ROOT), "diff", "--quiet", sha, "--", *BUILD_INPUTS],
                             capture_output=True, timeout=60)
    untracked = subprocess.run(["git", "-C", str(PROJECT_ROOT), "ls-files", "--others", "--exclude-standard", "--",
                                *BUILD_INPUTS], capture_output=True, text=True, timeout=60)
    return changed.returncode == 0 and untracked.returncode == 0 and not untracked.stdout.strip()


def timed_build(timed: Timed, which: str, tag: str, *args: str, env: dict | None = None) -> None:
    start = time.perf_counter()
    result = build(tag, *args, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise AssertionError(f"scripts/build --tag {tag} {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    timed.add(which, seconds)


def session_uses(session, fixture: str) -> bool:
    return any(fixture in getattr(item, "fixturenames", ()) for item in session.items)


def selects(session, test_name: str) -> bool:
    return any(getattr(item, "originalname", item.name) == test_name for item in session.items)


@dataclass
class Arm64Builds:
    """The arm64 group's --no-cache builds (and, for the benchmark, one amd64 between them)."""
    build_env: dict  # {"SOURCE_DATE_EPOCH": ..., "SOURCE_COMMIT": ...}: one for every build of the group
    tag: str  # the first arm64 build: the arm64 image under test
    again: str | None  # the second, for the image ID check (None when not selected)
    results: dict[str, subprocess.CompletedProcess]  # tag -> scripts/build's result
    timed: Timed  # "project": arm64 builds, "naive": the amd64 build (the benchmark's columns)

    def ok(self, tag: str) -> subprocess.CompletedProcess:
        result = self.results[tag]
        assert result.returncode == 0, f"scripts/build --tag {tag} failed:\n{result.stderr[-4000:]}"
        return result
