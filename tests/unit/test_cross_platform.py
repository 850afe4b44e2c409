"""image/cross_platform.sh: a native build gets no uv platform option (its install stays what it
was), a build for another platform the target's wheels, an unknown platform one clear line."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "image" / "cross_platform.sh"


def run(build: str, target: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT)], env={"BUILDPLATFORM": build, "TARGETPLATFORM": target, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)


@pytest.mark.parametrize("platform", ["linux/amd64", "linux/arm64"])
def test_native_build_gets_no_option(platform):
    result = run(platform, platform)
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize("build, target, option", [
    ("linux/amd64", "linux/arm64", "--python-platform=aarch64-manylinux_2_40"),
    ("linux/arm64", "linux/amd64", "--python-platform=x86_64-manylinux_2_40"),
])
def test_other_platform_gets_its_wheels(build, target, option):
    result = run(build, target)
    assert (result.returncode, result.stdout.strip()) == (0, option)


def test_unknown_platform_is_one_line():
    result = run("linux/amd64", "linux/s390x")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "linux/s390x" in result.stderr
