"""scripts/build-layer's `--tag NAME` / `--tag=NAME` (and `--base`) are found wherever they are among its
arguments, as scripts/build's `--tag` is (pick_option in scripts/lib/build.sh); LOCK is the first other one."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

SCRIPT = ('. scripts/lib/common.sh; . scripts/lib/build.sh; layer_args "$@"; '
          'printf "%s\\n" "$tag" "$base" "$lock" "${rest[@]}"')


def layer_args(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", SCRIPT, "layer_args", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True)


@pytest.mark.parametrize("args, tag, base, rest", [
    (("requirements-hub.lock",), "jupyterlab-minimalist:hub", "jupyterlab-minimalist:latest", []),
    (("--tag", "x", "requirements-hub.lock"), "x", "jupyterlab-minimalist:latest", []),
    (("--base", "b:1", "--tag=x", "requirements-hub.lock"), "x", "b:1", []),
    (("--base", "b:1", "requirements-hub.lock", "--no-cache", "--tag", "x"), "x", "b:1", ["--no-cache"]),
    (("requirements-hub.lock", "--no-cache", "--tag=x", "--progress", "plain"), "x", "jupyterlab-minimalist:latest",
     ["--no-cache", "--progress", "plain"]),
    (("requirements-hub.lock", "--base=b:2", "--no-cache"), "jupyterlab-minimalist:hub", "b:2", ["--no-cache"]),
])
def test_tag_is_recognised_anywhere(args, tag, base, rest):
    result = layer_args(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [tag, base, "requirements-hub.lock", *rest]


@pytest.mark.parametrize("args, error", [
    (("--tag",), "error: --tag needs a NAME\n"),
    (("requirements-hub.lock", "--base"), "error: --base needs an IMAGE\n"),
    (("--tag", "x"), "error: which layer lock? (usage: scripts/build-layer [--base IMAGE] [--tag TAG] LOCK)\n"),
])
def test_missing_values_are_one_line(args, error):
    result = layer_args(*args)
    assert (result.returncode, result.stderr) == (1, error)
