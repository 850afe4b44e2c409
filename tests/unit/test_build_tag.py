"""scripts/build's `--tag NAME` is found wherever it is among the docker arguments (it was read only
as the first argument, so `scripts/build --no-cache --tag x` built and printed the default tag)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import PROJECT_ROOT as ROOT


def pick_tag(*args: str) -> tuple[str, list[str]]:
    script = (
        '. scripts/lib/common.sh; . scripts/lib/build.sh; pick_tag jupyterlab-minimalist:latest "$@"; '
        'printf "%s\\n" "$tag" "${rest[@]}"'
    )
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script, "pick_tag", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return out[0], out[1:]


@pytest.mark.parametrize("args, tag, rest", [
    ((), "jupyterlab-minimalist:latest", []),
    (("--tag", "x"), "x", []),
    (("--no-cache", "--tag", "x"), "x", ["--no-cache"]),
    (("--no-cache", "--tag=x", "-f", "D"), "x", ["--no-cache", "-f", "D"]),
    (("-f", "D", "--tag", "x", "--no-cache"), "x", ["-f", "D", "--no-cache"]),
])
def test_tag_is_recognised_anywhere(args, tag, rest):
    assert pick_tag(*args) == (tag, rest)


def test_tag_without_a_name_is_one_line():
    result = subprocess.run(["bash", "-c", '. scripts/lib/common.sh; . scripts/lib/build.sh; pick_tag d --tag'],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr == "error: --tag needs a NAME\n"
