"""hadolint on every Dockerfile the repository holds (the image's and the benchmarks' naive one);
the naive one may only carry documented `# hadolint ignore=` lines."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import project_files

DOCKERFILES = [name for name in project_files() if re.search(r"(^|/)(Dockerfile|[^/]*\.Dockerfile)$", name)]


def test_the_dockerfiles_are_found():
    assert {"Dockerfile", "tests/benchmarks/naive.Dockerfile"} <= set(DOCKERFILES)


@pytest.mark.parametrize("name", DOCKERFILES)
def test_hadolint_passes(name):
    result = subprocess.run(["hadolint", "--no-color", name], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_dockerfile_ignores_nothing():
    assert "hadolint ignore" not in (PROJECT_ROOT / "Dockerfile").read_text()


@pytest.mark.parametrize("name", DOCKERFILES)
def test_every_ignore_says_why(name):
    lines = (PROJECT_ROOT / name).read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore=" in line:
            assert number > 0 and lines[number - 1].startswith("#") and "hadolint" not in lines[number - 1], \
                f"{name}:{number + 1}: an ignore without a comment above saying why"


def test_hadolint_finds_a_mistake(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM debian:trixie\nRUN apt-get update && apt-get install -y curl\n")
    result = subprocess.run(["hadolint", "--no-color", str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"{broken}:2 DL3008" in result.stdout, result.stdout
