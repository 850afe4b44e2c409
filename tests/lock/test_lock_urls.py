"""URL requirements against the real index: lock checks the sha256 the requirement gives (uv takes
it on trust) and refuses a wheel that cannot install on every target it applies to."""

from __future__ import annotations

import pytest

from tests.support.lock_helpers import OLD

pytestmark = pytest.mark.network

FILES = "https://files.pythonhosted.org/packages"
SIX = f"{FILES}/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl"
SIX_SHA = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
# A wheel built for x86_64 only (23 KB): the aarch64 image could not install it.
MARKUPSAFE = (
    f"{FILES}/0c/91/96cf928db8236f1bfab6ce15ad070dfdd02ed88261c2afafd4b43575e9e9/"
    "MarkupSafe-3.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
)
MARKUPSAFE_SHA = "15ab75ef81add55874e7ab7055e9c397312385bd9ced94920f2802310c930396"


@pytest.fixture
def cache(tmp_path):
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_wrong_hash_is_refused_with_both_hashes(project, lock, files, error, cache):
    root = project(f"attrs\nsix @ {SIX}#sha256={'0' * 64}\n")
    before = files(root)
    proc = lock(root, "--exclude-newer", OLD, env=cache)
    assert proc.returncode == 2
    assert error(proc) == (
        f"lock: error: requirements.in:2: sha256 mismatch for six-1.16.0-py2.py3-none-any.whl: "
        f"the requirement says {'0' * 64}, the file is {SIX_SHA}"
    )
    assert files(root) == before


def test_right_hash_locks_and_is_cached(project, lock, error, cache, tmp_path):
    root = project(f"six @ {SIX}#sha256={SIX_SHA}\n")
    proc = lock(root, "--exclude-newer", OLD, env=cache)
    assert proc.returncode == 0, proc.stderr
    assert f"six @ {SIX}#sha256={SIX_SHA} \\\n    --hash=sha256:{SIX_SHA}\n" in (root / "requirements.lock").read_text()
    assert (tmp_path / "cache" / "lock" / "url-files" / SIX_SHA).stat().st_size == 11053
    assert lock(root, "check").returncode == 0


def test_wheel_for_one_machine_is_refused_naming_the_target(project, lock, files, error, cache, tmp_path):
    root = project(f"markupsafe @ {MARKUPSAFE}#sha256={MARKUPSAFE_SHA}\n")
    before = files(root)
    proc = lock(root, "--exclude-newer", "2025-06-01T00:00:00Z", env=cache)
    assert proc.returncode == 2
    assert error(proc) == (
        "lock: error: requirements.in:1: MarkupSafe-3.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl "
        "cannot install on aarch64-manylinux_2_28 with Python 3.13 (its tags: cp313-cp313-manylinux2014_x86_64, "
        "cp313-cp313-manylinux_2_17_x86_64); require markupsafe by name, or limit this line to the targets it fits "
        'with `; platform_machine == "x86_64"`'
    )
    assert files(root) == before
    assert not (tmp_path / "cache" / "lock" / "url-files").exists()  # refused before any download


def test_wheel_limited_by_a_marker_is_locked_for_its_machine_only(project, lock, cache):
    root = project(f'markupsafe @ {MARKUPSAFE}#sha256={MARKUPSAFE_SHA} ; platform_machine == "x86_64"\n')
    proc = lock(root, "--exclude-newer", "2025-06-01T00:00:00Z", env=cache)
    assert proc.returncode == 0, proc.stderr
    text = (root / "requirements.lock").read_text()
    assert f'markupsafe @ {MARKUPSAFE}#sha256={MARKUPSAFE_SHA} ; platform_machine == "x86_64" \\\n' in text
    assert lock(root, "check").returncode == 0


def test_a_url_requirement_locks_with_pylock_on(project, lock, cache):
    """A documented `NAME @ URL` wheel failed after a full resolution whenever pylock.toml was on
    (this project's default): pylock.toml now points at the URL, with its hash and no index."""
    root = project(f"attrs\nsix @ {SIX}#sha256={SIX_SHA}\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('pylock = "pylock.toml"\n')
    proc = lock(root, "--exclude-newer", OLD, env=cache)
    assert proc.returncode == 0, proc.stderr
    text = (root / "pylock.toml").read_text()
    assert f'url = "{SIX}"' in text and f'sha256 = "{SIX_SHA}"' in text and 'version = "1.16.0"' in text
    assert lock(root, "check").returncode == 0
