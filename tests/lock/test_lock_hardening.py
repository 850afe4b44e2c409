"""What a careless or hostile user does to a lock and its derived files, against an index the test
serves on 127.0.0.1 (tests/support/local_index.py), resolved by the real uv: a hand-edited pin is
never kept, a no-op `lock` writes nothing, a multi-lock run is all-or-nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.support.local_index import LocalIndex
from tests.support.lock_helpers import error_line, lock_environment

from lock.lockfile import parse_body

CUTOFF = "2026-06-01T00:00:00Z"
BEFORE = "2026-01-01T00:00:00Z"
LAGGED = "2026-03-01T00:00:00Z"  # a file a lagging mirror lists only now, dated before the cut-off


@pytest.fixture
def index(tmp_path):
    """demo-a 1.0 (needs demo-b), demo-b 0.9 and 1.0, demo-c 1.0, all before the cut-off."""
    local = LocalIndex(tmp_path / "index")
    local.add_wheel("demo-a", "1.0", BEFORE, requires=["demo-b>=0.9"])
    local.add_wheel("demo-b", "0.9", "2025-12-01T00:00:00Z")
    local.add_wheel("demo-b", "1.0", BEFORE)
    local.add_wheel("demo-c", "1.0", BEFORE)
    with local.serve() as url:
        yield local, {"UV_DEFAULT_INDEX": url, "UV_NO_CACHE": "1"}


@pytest.fixture
def locked(project, lock, index):
    local, env = index
    root = project("demo-a\n")
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    return root, local, env


def pins(path) -> dict[str, str]:
    return {e.name: e.version for e in parse_body(path.read_text()).entries}


def hand_edit_pin(path, name: str, old: str, new: str, new_sha256: str) -> None:
    """Change a pin in the lock's body as a user would: its version and its hash lines."""
    text = path.read_text()
    start = text.index(f"{name}=={old}")
    end = text.index("\n    # via", start)
    block = f"{name}=={new} \\\n    --hash=sha256:{new_sha256}"
    path.write_text(text[:start] + block + text[end:])


def test_a_hand_edited_pin_is_not_kept_by_lock(locked, lock):
    """Finding 1: `lock` after a hand edit regenerates from the inputs, not from the edited pins."""
    root, local, env = locked
    older = next(f for f in local.projects["demo-b"] if f.filename.startswith("demo_b-0.9"))
    hand_edit_pin(root / "requirements.lock", "demo-b", "1.0", "0.9", older.sha256)
    assert pins(root / "requirements.lock")["demo-b"] == "0.9"
    proc = lock(root, "check", env=env)
    assert proc.returncode == 1 and "edited by hand" in proc.stderr, proc.stderr
    proc = lock(root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root / "requirements.lock") == {"demo-a": "1.0", "demo-b": "1.0"}, proc.stdout
    assert lock(root, "check", env=env).returncode == 0


def test_a_no_op_lock_writes_no_index_view_for_a_lock_that_has_none(locked, lock, files):
    """Finding 2: the view is never back-filled from today's index for an existing lock."""
    root, local, env = locked
    (root / "requirements.lock.index-view").unlink()
    local.add_wheel("demo-b", "1.1", LAGGED)  # today's index differs from the one the lock was made with
    before = files(root)
    proc = lock(root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "requirements.lock is up to date" in proc.stdout
    assert files(root) == before


def test_add_on_a_lock_without_index_view_keeps_it_missing(locked, lock):
    """Finding 2: `add` keeps the other pins; their view is unknown, so none is made up from today's
    index, and `check --resolve` says the index changed (5), not that lock has a bug (6)."""
    root, local, env = locked
    (root / "requirements.lock.index-view").unlink()
    local.add_wheel("demo-b", "1.1", LAGGED)
    proc = lock(root, "add", "demo-c", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root / "requirements.lock") == {"demo-a": "1.0", "demo-b": "1.0", "demo-c": "1.0"}
    assert not (root / "requirements.lock.index-view").exists()
    assert "no index view" in proc.stderr, proc.stderr
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 5, proc.stderr
    assert "has no recorded index view" in proc.stderr


NAMESPACES = shutil.which("unshare") is not None and (
    subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True).returncode == 0
)


@pytest.mark.skipif(not NAMESPACES, reason="unshare --mount --map-root-user is not allowed here")
def test_lock_on_an_up_to_date_read_only_checkout_exits_0(locked, files):
    """Finding 2: a read-only checkout (a CI cache, a bind mount) of an up-to-date project."""
    root, _, env = locked
    (root / "requirements.lock.index-view").unlink()
    before = files(root)
    script = (f'set -e; P="{root}"; mount --bind "$P" "$P"; mount -o remount,bind,ro "$P"; cd "$P"; '
              f'exec {sys.executable} -m lock')
    proc = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script],
                          env=lock_environment(env), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "requirements.lock is up to date" in proc.stdout
    assert files(root) == before


@pytest.fixture
def layered(project, lock, index):
    """A base lock (demo-a) with a layer `hub` (demo-c<1) on top, both locked."""
    local, env = index
    local.add_wheel("demo-c", "0.5", BEFORE)
    root = project("demo-a\n", files={"requirements-hub.in": "demo-c<1\n"})
    with (root / "pyproject.toml").open("a") as f:
        f.write("\n[tool.lock.layers.hub]\n")
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root / "requirements-hub.lock") == {"demo-c": "0.5"}
    return root, local, env


def test_a_failed_layer_step_puts_the_base_back(layered, lock, files):
    """Finding 5: `add` rewrote the base, then the layer could not follow: all or nothing."""
    root, _, env = layered
    before = files(root)
    proc = lock(root, "add", "demo-c", env=env)  # the base now pins demo-c 1.0; the layer wants <1
    assert proc.returncode == 3, proc.stderr
    line = error_line(proc)
    assert line.endswith("-- no file was changed (requirements.in, requirements.lock, requirements.lock.index-view "
                         "put back as it was)"), line
    assert "lock: wrote" not in proc.stdout
    assert files(root) == before


def test_check_resolve_over_several_locks_exits_with_the_most_severe(layered, lock):
    """Finding 6: the base's 5 (index changed) hid the layer's 1 (stale)."""
    root, local, env = layered
    local.add_wheel("demo-b", "1.1", LAGGED)
    (root / "requirements-hub.in").write_text("demo-c<0.9\n")
    proc = lock(root, "check", "--resolve", env=env)
    assert "the package index changed under requirements.lock's cut-off" in proc.stderr
    assert "requirements-hub.lock is out of date" in proc.stderr
    assert proc.returncode == 1, proc.stderr


def test_an_earlier_per_package_cut_off_is_honoured(locked, lock):
    """Finding 4: `add`/`upgrade PKG --exclude-newer DATE`, DATE before the lock's cut-off, as uv means it."""
    root, local, env = locked
    local.add_wheel("demo-c", "2.0", "2026-02-01T00:00:00Z")
    proc = lock(root, "add", "demo-c", "--exclude-newer", "2026-01-15T00:00:00Z", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root / "requirements.lock")["demo-c"] == "1.0", proc.stdout
    proc = lock(root, "upgrade", "demo-b", "--exclude-newer", "2025-12-15T00:00:00Z", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root / "requirements.lock") == {"demo-a": "1.0", "demo-b": "0.9", "demo-c": "1.0"}, proc.stdout
    assert "demo-b 2025-12-15T00:00:00Z" in proc.stdout
    again = lock(root, "check", "--resolve", env=env)
    assert again.returncode == 0, again.stderr


@pytest.fixture
def with_pylock(project, lock, index):
    local, env = index
    root = project("demo-a\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('pylock = "pylock.toml"\n')
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (root / "pylock.toml").is_file()
    return root, env


@pytest.mark.parametrize("edit", [
    lambda t: t.replace('requires-python = "==3.13.*"', 'requires-python = ">=3.13"'),
    lambda t: t.replace('lock-version = "1.0"', 'lock-version = "1.0"\n# a note'),
    lambda t: t.replace('created-by = "lock"', 'created-by = "me"'),
    lambda t: t + "\n",
], ids=["requires-python", "comment", "created-by", "trailing-newline"])
def test_an_edit_to_pylock_outside_its_packages_is_named_and_regenerated(with_pylock, lock, edit):
    """Finding 7: check names pylock.toml (not requirements.lock) and `lock` writes it back."""
    root, env = with_pylock
    good = (root / "pylock.toml").read_bytes()
    (root / "pylock.toml").write_text(edit(good.decode()))
    proc = lock(root, "check", env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("lock: pylock.toml was edited by hand -- run `lock` to regenerate it"), proc.stderr
    proc = lock(root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (root / "pylock.toml").read_bytes() == good


@pytest.mark.parametrize("edit", [
    lambda t: re.sub(r"^(demo-a) 1 ", r"\1 2 ", t, flags=re.M),
    lambda t: re.sub(r"^(demo-b \d+ \S+ sha256:)[0-9a-f]", r"\g<1>0", t, flags=re.M),
    lambda t: t.replace("# Written by lock", "#  Written by lock"),
], ids=["count", "digest", "comment"])
def test_an_edit_to_the_index_view_is_named_and_the_view_is_not_made_up(locked, lock, edit):
    """Finding 7: a count or digest edit in the view passed check and survived `lock`."""
    root, _, env = locked
    view = root / "requirements.lock.index-view"
    edited = edit(view.read_text())
    assert edited != view.read_text()
    view.write_text(edited)
    proc = lock(root, "check", env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("lock: requirements.lock.index-view was edited by hand or damaged"), proc.stderr
    proc = lock(root, env=env)
    assert proc.returncode == 0 and not view.exists(), proc.stderr
    assert lock(root, "check", env=env).returncode == 0


def test_advice_names_the_layer_the_base_and_the_key(layered, lock, files):
    """Finding 10: upgrade of a layer's package advised `lock add` (into the base image); a layer
    package already in the base was "added"; a missing layer input named [tool.lock] requirements."""
    root, _, env = layered
    before = files(root)
    proc = lock(root, "upgrade", "demo-c", env=env)
    assert proc.returncode == 2 and error_line(proc) == (
        "lock: error: lock upgrade 'demo-c': demo-c is not in requirements.lock (it is in layer hub's "
        "requirements-hub.lock: lock upgrade --layer hub demo-c)"), proc.stderr
    proc = lock(root, "add", "--layer", "hub", "demo-b", env=env)
    assert proc.returncode == 2 and error_line(proc).startswith(
        "lock: error: lock add 'demo-b': demo-b is already in the base lock requirements.lock (demo-b==1.0)"), proc.stderr
    assert files(root) == before
    (root / "requirements-hub.in").unlink()
    proc = lock(root, "check", env=env)
    assert error_line(proc) == ("lock: error: requirements-hub.in: not found (create it, or set "
                                "[tool.lock.layers.hub] requirements in pyproject.toml)")


def test_a_cached_index_page_never_hides_what_the_index_view_lists(project, lock, tmp_path):
    """Finding 12: with a warm uv cache (pages cacheable for 10 minutes, as PyPI's are), `lock
    upgrade` missed a version the index lists under the new cut-off, while its view listed it."""
    local = LocalIndex(tmp_path / "cached-index")
    local.add_wheel("demo-a", "1.0", BEFORE, requires=["demo-b>=0.9"])
    local.add_wheel("demo-b", "1.0", BEFORE)
    with local.serve(max_age=600) as url:
        env = {"UV_DEFAULT_INDEX": url, "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
        root = project("demo-a\n")
        assert lock(root, "--exclude-newer", CUTOFF, env=env).returncode == 0
        local.add_wheel("demo-b", "1.1", "2026-07-01T00:00:00Z")
        page = local.root / "simple" / "demo-b" / "index.json"
        os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 10))  # surely newer than the cached copy
        proc = lock(root, "upgrade", "--exclude-newer", "2026-08-01T00:00:00Z", env=env)
        assert proc.returncode == 0, proc.stderr
        assert pins(root / "requirements.lock")["demo-b"] == "1.1", proc.stdout
        check = lock(root, "check", "--resolve", env=env)
        assert check.returncode == 0, check.stderr
