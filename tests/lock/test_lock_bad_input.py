"""Every bad input: one `lock: error:` line (file:line where there is one), its exit code, and no
file touched. Resolver failures come from the real uv; no network is a real unreachable proxy."""

from __future__ import annotations

import pytest

from tests.support.lock_helpers import OLD

pytestmark = pytest.mark.network

OFFLINE = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
    "UV_HTTP_TIMEOUT": "5",
    "UV_HTTP_RETRIES": "0",
}


@pytest.fixture
def locked(project, lock):
    """A small project with a good lock, to prove failures leave it alone."""
    root = project("six\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    return root


@pytest.mark.parametrize(
    ("requirements", "code", "starts"),
    [
        (
            "nosuchpkg-zzq-lock-test\n",
            3,
            "lock: error: unknown package 'nosuchpkg-zzq-lock-test': the index has no such project (uv: Because "
            "nosuchpkg-zzq-lock-test was not found in the package registry",
        ),
        (
            "attrs<20\nattrs>21\n",
            3,
            "lock: error: your requirements conflict: attrs<20 and attrs>21 cannot all hold on Python 3.13 on "
            "x86_64-manylinux_2_28 (uv: Because you require attrs<20 and attrs>21",
        ),
        # tbb has manylinux x86_64 wheels only: the aarch64 resolution fails, naming package and platform.
        ("tbb\n", 3, "lock: error: no wheel of 'tbb' installs on aarch64-manylinux_2_28 with Python 3.13 (uv: "),
        (
            "six\nsix===1.0 ; nonsense\n",
            2,
            "lock: error: requirements.in:2: malformed requirement 'six===1.0 ; nonsense'",
        ),
    ],
)
def test_resolution_failures(locked, lock, files, error, requirements, code, starts):
    (locked / "requirements.in").write_text(requirements)
    before = files(locked)
    proc = lock(locked, "--exclude-newer", "2025-06-01")
    assert proc.returncode == code
    assert error(proc).startswith(starts)
    assert files(locked) == before


def test_no_wheel_for_one_platform_names_the_available_ones(project, lock, error):
    root = project("tbb\n")
    line = error(lock(root, "--exclude-newer", "2025-06-01"))
    assert "manylinux_2_28_aarch64" in line and "x86_64" in line
    assert not (root / "requirements.lock").exists()


def test_conflict_is_named_not_blamed_on_wheels(project, lock, files, error):
    """scikit-learn needs scipy>=1.6; some old scikit-learn versions also lack wheels, which is not
    the cause."""
    root = project("scikit-learn\n")
    assert lock(root, "--exclude-newer", "2025-06-01T00:00:00Z").returncode == 0
    before = files(root)
    proc = lock(root, "add", "scipy<1")
    assert proc.returncode == 3
    assert error(proc).startswith(
        "lock: error: your requirements conflict: scikit-learn and scipy<1 cannot all hold on Python 3.13 on "
    )
    assert files(root) == before


def test_extra_whose_dependency_has_no_wheel_names_the_dependency(project, lock, error):
    """pandas[excel] needs odfpy, which has no wheel: odfpy is named, not a version or pandas."""
    root = project("pandas[excel]\n")
    proc = lock(root, "--exclude-newer", "2025-06-01T00:00:00Z")
    assert proc.returncode == 3
    assert error(proc).startswith(
        "lock: error: no wheel of 'odfpy' installs on x86_64-manylinux_2_28 with Python 3.13 (needed by pandas[excel]) (uv: "
    )


def test_unknown_package_in_add_leaves_both_files(locked, lock, files, error):
    before = files(locked)
    proc = lock(locked, "add", "nosuchpkg-zzq-lock-test")
    assert proc.returncode == 3
    assert "unknown package 'nosuchpkg-zzq-lock-test'" in error(proc)
    assert files(locked) == before


def test_no_network(locked, lock, files, error, tmp_path):
    (locked / "requirements.in").write_text("six\nattrs\n")
    before = files(locked)
    env = {**OFFLINE, "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    proc = lock(locked, env=env, timeout=120)
    assert proc.returncode == 4
    line = error(proc)
    assert line.startswith("lock: error: cannot reach the package index (")
    assert line.endswith("); check the network and proxy settings")
    assert files(locked) == before
    proc = lock(locked, "add", "idna", env=env, timeout=120)
    assert proc.returncode == 4 and files(locked) == before


def test_missing_requirements_in(project, lock, files, error):
    root = project("six\n")
    (root / "requirements.in").unlink()
    proc = lock(root)
    assert proc.returncode == 2
    assert (
        error(proc)
        == "lock: error: requirements.in: not found (create it, or set [tool.lock] requirements in pyproject.toml)"
    )
    assert not (root / "requirements.lock").exists()


def test_lock_edited_by_hand(locked, lock):
    path = locked / "requirements.lock"
    path.write_text(path.read_text().replace("six==1.16.0", "six==1.17.0"))
    proc = lock(locked, "check")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0].startswith(
        "lock: requirements.lock was edited by hand -- run `lock` to regenerate it"
    )
    assert "its pins were edited by hand" in proc.stderr
    fixed = lock(locked)
    assert fixed.returncode == 0 and "  changed     six 1.17.0 -> 1.16.0" not in fixed.stdout
    assert "six 1.17.0 -> 1.16.0" in fixed.stdout
    assert lock(locked, "check").returncode == 0
