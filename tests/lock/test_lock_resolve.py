"""Real resolutions against the index: both platforms, determinism, add/upgrade round trips,
check --resolve, and the pip-tools backend."""

from __future__ import annotations

import platform
import re
import sys

import pytest

from tests.support.lock_helpers import OLD, index_files, pip_dry_run

from lock import header
from lock.lockfile import parse_body

pytestmark = pytest.mark.network


def pins(root) -> dict[str, str]:
    return {e.name: e.version for e in parse_body((root / "requirements.lock").read_text()).entries}


def settings(root) -> header.Settings:
    return header.parse((root / "requirements.lock").read_text()).settings


def test_lock_small_project_with_includes(project, lock):
    root = project(
        "# the image\nsix\n-r dev.in\n-c constraints.txt\n",
        files={"dev.in": "attrs ; python_version >= '3.8'\nrequests[socks]\n", "constraints.txt": "attrs<24\n"},
    )
    proc = lock(root, "--exclude-newer", OLD)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("lock: wrote requirements.lock: ")
    assert pins(root)["six"] == "1.16.0" and pins(root)["attrs"] == "23.2.0"
    assert "pysocks" in pins(root)  # the extra's dependency
    s = settings(root)
    assert (s.backend, s.python, s.platforms) == ("uv", "3.13", ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28"))
    assert [(k, p) for k, p, _ in s.inputs] == [("-r", "requirements.in"), ("-r", "dev.in"), ("-c", "constraints.txt")]
    text = (root / "requirements.lock").read_text()
    assert str(root) not in text and "/tmp" not in text and ".staged-" not in text
    body = parse_body(text)
    assert body.problems == [] and all(e.hashes for e in body.entries)
    assert body.by_name()["attrs"].via[:2] == ("-c constraints.txt", "-r dev.in")
    assert lock(root, "check").returncode == 0


def test_platforms_that_disagree_on_a_version_are_refused(project, lock, error):
    # attrs' test extra wants pytest-xdist[psutil]; in mid-2024 psutil had no aarch64 wheel, so on
    # aarch64 the resolver falls back to an old pytest-xdist without that extra: one lock cannot
    # pin both, and lock says which package to pin.
    root = project("attrs[tests-no-zope]\n")
    proc = lock(root, "--exclude-newer", OLD)
    assert proc.returncode == 3
    line = error(proc)
    assert line.startswith("lock: error: the target platforms resolve to different versions of pytest-xdist (")
    assert "on x86_64-manylinux_2_28" in line and "on aarch64-manylinux_2_28" in line
    assert not (root / "requirements.lock").exists()


def test_lock_has_wheels_for_both_platforms(project, lock, tmp_path):
    root = project("numpy\n")
    assert lock(root, "--exclude-newer", "2025-06-01").returncode == 0
    entry = parse_body((root / "requirements.lock").read_text()).by_name()["numpy"]
    wheels = {
        f.filename: f"sha256:{f.sha256}"
        for f in index_files("numpy")
        if f.filename.startswith(f"numpy-{entry.version}-cp313-cp313-manylinux")
    }
    x86 = [h for name, h in wheels.items() if name.endswith("x86_64.whl")]
    arm = [h for name, h in wheels.items() if name.endswith("aarch64.whl")]
    assert x86 and arm, wheels
    assert set(x86) <= set(entry.hashes) and set(arm) <= set(entry.hashes)
    for machine in ("x86_64", "aarch64"):
        report = pip_dry_run(root / "requirements.lock", machine, tmp_path)
        (item,) = report["install"]
        assert machine in item["download_info"]["url"]
        assert "sha256:" + item["download_info"]["archive_info"]["hashes"]["sha256"] in entry.hashes


def test_add_round_trip(project, lock):
    root = project("# what goes into the image\nsix  # utilities\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    proc = lock(root, "add", "attrs")
    assert proc.returncode == 0, proc.stderr
    assert (root / "requirements.in").read_text() == "# what goes into the image\nsix  # utilities\nattrs\n"
    assert re.search(r"^  added       attrs \S+$", proc.stdout, re.M)
    new = pins(root)
    assert new["six"] == "1.16.0"  # nothing else moved
    assert new["attrs"] != "23.2.0"  # the new package came at its latest, past the global cut-off
    s = settings(root)
    assert s.cutoffs.exclude_newer == OLD and [n for n, _ in s.cutoffs.packages] == ["attrs"]
    assert lock(root, "check").returncode == 0
    assert lock(root).stdout.startswith("lock: requirements.lock is up to date")  # reproducible from the header


def test_upgrade_everything(project, lock):
    root = project("six\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    proc = lock(root, "upgrade", "--exclude-newer", "2025-06-01")
    assert proc.returncode == 0, proc.stderr
    assert "  upgraded    six 1.16.0 -> 1.17.0\n" in proc.stdout
    assert settings(root).cutoffs.exclude_newer == "2025-06-01T00:00:00Z"
    now = lock(root, "upgrade")  # to now
    assert now.returncode == 0 and settings(root).cutoffs.exclude_newer > "2025-06-01T00:00:00Z"


def test_upgrade_one_package_only(project, lock):
    root = project("six\nattrs\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    proc = lock(root, "upgrade", "six")
    assert proc.returncode == 0, proc.stderr
    assert pins(root) == {"attrs": "23.2.0", "six": pins(root)["six"]} and pins(root)["six"] != "1.16.0"
    assert "  upgraded    six 1.16.0 -> " in proc.stdout and "attrs" not in proc.stdout.split("\n", 1)[1]
    assert [n for n, _ in settings(root).cutoffs.packages] == ["six"]


@pytest.mark.skipif(sys.platform != "linux" or platform.machine() != "x86_64", reason="needs an x86_64 Linux host")
def test_pip_tools_backend_gives_the_same_pins_for_the_host_target(project, lock):
    host = f"{sys.version_info[0]}.{sys.version_info[1]}"
    root = project("six\nattrs\n", python=host, platforms=("x86_64-manylinux_2_28",))
    proc = lock(root, "--backend", "pip-tools", "--exclude-newer", OLD)
    assert proc.returncode == 0, proc.stderr
    text = (root / "requirements.lock").read_text()
    assert "#    lock --backend pip-tools\n" in text and "# backend: pip-tools\n" in text
    assert lock(root, "check").returncode == 0
    by_pip_tools = pins(root)
    assert lock(root, "--backend", "uv").returncode == 0
    assert pins(root) == by_pip_tools == {"attrs": "23.2.0", "six": "1.16.0"}


@pytest.mark.skipif(sys.platform != "linux" or platform.machine() != "x86_64", reason="needs an x86_64 Linux host")
@pytest.mark.parametrize(
    ("requirements", "starts"),
    [
        (
            "nosuchpkg-zzq-lock-test\n",
            "lock: error: unknown package 'nosuchpkg-zzq-lock-test', or none of its versions has a wheel for Python ",
        ),
        ("attrs<20\nattrs>21\n", "lock: error: your requirements conflict: attrs<20 and attrs>21 cannot all hold on "),
    ],
)
def test_pip_tools_failures_are_one_line_like_uv(project, lock, error, requirements, starts):
    """pip-compile prints a Python traceback on these: none of it reaches the user."""
    host = f"{sys.version_info[0]}.{sys.version_info[1]}"
    root = project(requirements, python=host, platforms=("x86_64-manylinux_2_28",))
    proc = lock(root, "--backend", "pip-tools", "--exclude-newer", OLD)
    assert proc.returncode == 3
    line = error(proc)
    assert line.startswith(starts), line
    assert "File " not in line and "raise " not in line and "^^^" not in line and len(line) < 400
