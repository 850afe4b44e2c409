"""hadolint on every Dockerfile the repository holds (the image's, the layer's, the example's, the
benchmarks' naive one, and any added later: found by name, and a file that reads like a Dockerfile
under another name fails the suite); the naive one may only carry documented `# hadolint ignore=`
lines."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import project_files

NAMED = re.compile(r"(^|/)(Dockerfile|Containerfile)(\.[^/]+)?$|\.(Dockerfile|Containerfile)$")
DOCKERFILES = [name for name in project_files() if NAMED.search(name)]
# A Dockerfile's first instruction: FROM, or ARG before it (parser directives and comments start with #).
FIRST_INSTRUCTION = re.compile(r"\A(?:\s*(?:#[^\n]*)?\n)*\s*(?:ARG\s[^\n]*\n(?:\s*(?:#[^\n]*)?\n)*\s*)*FROM\s", re.I)


def reads_like_a_dockerfile(path) -> bool:
    try:
        return bool(FIRST_INSTRUCTION.match(path.read_text()))
    except (UnicodeDecodeError, IsADirectoryError):
        return False


def test_the_dockerfiles_are_found():
    shipped = {"Dockerfile", "image/layer.Dockerfile", "examples/extend/Dockerfile",
               "tests/benchmarks/naive.Dockerfile"}
    assert shipped <= set(DOCKERFILES)


def test_no_dockerfile_hides_under_another_name():
    """A Dockerfile named otherwise would escape hadolint: name it Dockerfile or NAME.Dockerfile."""
    hidden = [name for name in project_files()
              if name not in DOCKERFILES and reads_like_a_dockerfile(PROJECT_ROOT / name)]
    assert hidden == []


def test_a_dockerfile_is_recognised_by_its_content(tmp_path):
    (tmp_path / "build").write_text("# a comment\nARG BASE=debian\n\nFROM ${BASE}\nRUN true\n")
    (tmp_path / "notes").write_text("Build it FROM the Dockerfile.\n")
    assert reads_like_a_dockerfile(tmp_path / "build") and not reads_like_a_dockerfile(tmp_path / "notes")


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
