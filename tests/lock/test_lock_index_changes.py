"""`lock check --resolve` against an index that moves under the cut-off -- served by the test on
127.0.0.1 (tests/support/local_index.py), resolved by the real uv. Each cause has its own exit code:
1 the inputs changed, 5 the index changed (the lock is still valid), 6 the same index view gives
other bytes. None of them writes a file."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support.local_index import LocalIndex

from lock import header, index_view
from lock.lockfile import parse_body

CUTOFF = "2026-06-01T00:00:00Z"
BEFORE = "2026-01-01T00:00:00Z"


@pytest.fixture
def index(tmp_path):
    """A local index with demo-a 1.0 (needs demo-b) and demo-b 1.0, uploaded before the cut-off;
    yields (index, env for lock)."""
    local = LocalIndex(tmp_path / "index")
    local.add_wheel("demo-a", "1.0", BEFORE, requires=["demo-b>=1"])
    local.add_wheel("demo-b", "1.0", BEFORE)
    with local.serve() as url:
        # No cache: the test changes the index between runs, within the same second.
        yield local, {"UV_DEFAULT_INDEX": url, "UV_NO_CACHE": "1"}


def test_same_inputs_cut_off_and_index_view_give_identical_bytes(project, lock, index, tmp_path):
    _, env = index
    root = project("demo-a\n")
    assert lock(root, "--exclude-newer", CUTOFF, env=env).returncode == 0
    first = (root / "requirements.lock").read_bytes()
    again = lock(root, env=env)  # reuses the recorded cut-off
    assert again.returncode == 0 and "is up to date" in again.stdout
    assert (root / "requirements.lock").read_bytes() == first
    (root / "requirements.lock").unlink()
    fresh_cache = {"UV_DEFAULT_INDEX": env["UV_DEFAULT_INDEX"], "UV_CACHE_DIR": str(tmp_path / "empty-cache")}
    assert lock(root, "--exclude-newer", CUTOFF, env=fresh_cache).returncode == 0
    assert (root / "requirements.lock").read_bytes() == first


@pytest.fixture
def locked(project, lock, index):
    local, env = index
    root = project("demo-a\n")
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (root / "requirements.lock.index-view").is_file()
    return root, local, env


def test_a_lock_records_the_index_view_and_reproduces_against_it(locked, lock):
    root, _, env = locked
    text = (root / "requirements.lock").read_text()
    view = (root / "requirements.lock.index-view").read_text()
    body, views = index_view.parse(view, "requirements.lock.index-view")
    assert body == header.parse(text).body_sha256
    assert sorted(views) == ["demo-a", "demo-b"] and views["demo-a"].count == 1
    assert views["demo-a"].newest == BEFORE
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "re-resolving reproduces requirements.lock byte for byte" in proc.stdout


def test_a_file_that_appears_before_the_cut_off_is_an_index_change_not_a_stale_lock(locked, lock, files):
    root, local, env = locked
    local.add_wheel("demo-a", "1.1", "2026-03-01T00:00:00Z", requires=["demo-b>=1"])  # a mirror that lagged
    before = files(root)
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 5, proc.stderr
    assert "lock: the package index changed under requirements.lock's cut-off" in proc.stderr
    assert ("demo-a: the index lists demo_a-1.1-py3-none-any.whl (uploaded 2026-03-01T00:00:00Z), before the "
            f"cut-off {CUTOFF}; it did not list them when the lock was made") in proc.stderr
    assert "(upgraded demo-a 1.0 -> 1.1)" in proc.stderr
    assert "requirements.lock is still valid: it installs exactly as before" in proc.stderr
    assert "lock: to take the newer versions on purpose: lock upgrade demo-a" in proc.stderr
    assert "run `lock`" not in proc.stderr and "non-determinism is not ruled out" not in proc.stderr
    assert files(root) == before


def pins(root) -> dict[str, str]:
    return {e.name: e.version for e in parse_body((root / "requirements.lock").read_text()).entries}


LAGGED = "2026-03-01T00:00:00Z"  # a file a lagging mirror lists only now, dated before the cut-off


def test_add_moves_no_other_pin_when_the_index_moved(locked, lock):
    root, local, env = locked
    local.add_wheel("demo-b", "1.1", LAGGED)
    local.add_wheel("demo-c", "1.0", BEFORE)
    proc = lock(root, "add", "demo-c", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root) == {"demo-a": "1.0", "demo-b": "1.0", "demo-c": "1.0"}, proc.stdout
    # The kept pin keeps the view it was chosen under: a re-resolve tells the index moved (5), not a bug (6).
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 5, proc.stderr
    assert "lock: to take the newer versions on purpose: lock upgrade demo-b" in proc.stderr


def test_relock_after_a_hand_edit_moves_no_other_pin(locked, lock):
    root, local, env = locked
    local.add_wheel("demo-b", "1.1", LAGGED)
    local.add_wheel("demo-c", "1.0", BEFORE)
    with (root / "requirements.in").open("a") as f:
        f.write("demo-c\n")
    proc = lock(root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root) == {"demo-a": "1.0", "demo-b": "1.0", "demo-c": "1.0"}, proc.stdout


def test_a_kept_pin_yields_to_a_new_requirement(locked, lock):
    root, local, env = locked
    local.add_wheel("demo-b", "1.1", LAGGED)
    local.add_wheel("demo-c", "1.0", BEFORE, requires=["demo-b>=1.1"])
    proc = lock(root, "add", "demo-c", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root) == {"demo-a": "1.0", "demo-b": "1.1", "demo-c": "1.0"}, proc.stdout


def test_upgrade_of_one_package_moves_it_alone(locked, lock):
    root, local, env = locked
    local.add_wheel("demo-a", "1.1", LAGGED, requires=["demo-b>=1"])
    local.add_wheel("demo-b", "1.1", LAGGED)
    proc = lock(root, "upgrade", "demo-a", env=env)
    assert proc.returncode == 0, proc.stderr
    assert pins(root) == {"demo-a": "1.1", "demo-b": "1.0"}, proc.stdout


def test_a_file_uploaded_after_the_cut_off_changes_nothing(locked, lock):
    root, local, env = locked
    local.add_wheel("demo-a", "2.0", "2026-07-01T00:00:00Z", requires=["demo-b>=1"])
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 0, proc.stderr


def test_a_yanked_locked_file_is_an_index_change(locked, lock, files):
    root, local, env = locked
    local.yank("demo_b-1.0-py3-none-any.whl")
    before = files(root)
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 5, proc.stderr
    assert "demo-b 1.0: the locked file demo_b-1.0-py3-none-any.whl is yanked now" in proc.stderr
    assert "requirements.lock is still valid" in proc.stderr and "Traceback" not in proc.stderr
    assert files(root) == before


def test_a_changed_input_is_a_stale_lock(locked, lock, files):
    root, _, env = locked
    with (root / "requirements.in").open("a") as f:
        f.write("demo-b<1\n")
    before = files(root)
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("lock: requirements.lock is out of date -- run `lock` to update it:")
    assert "re-resolving" not in proc.stderr  # decided offline, before any resolution
    assert files(root) == before


def test_same_index_view_with_other_bytes_is_reported_as_a_bug(locked, lock, files):
    """A lock whose pins no resolver made from the recorded view (header and view made consistent
    with them): re-resolving the same view cannot give these bytes."""
    root, _, env = locked
    lock_path, view_path = root / "requirements.lock", root / "requirements.lock.index-view"
    parsed = header.parse(lock_path.read_text())
    forged = parsed.body.replace("demo-b==1.0", "demo-b==0.9")
    lock_path.write_text(header.render(parsed.settings, forged))
    _, views = index_view.parse(view_path.read_text(), "view")
    view_path.write_text(index_view.render(views, "requirements.lock", header.body_sha256(forged)))
    assert lock(root, "check", env=env).returncode == 0  # offline, it cannot know
    before = files(root)
    proc = lock(root, "check", "--resolve", env=env)
    assert proc.returncode == 6, proc.stderr
    assert re.search(r"lock: requirements.lock is not reproducible: every locked package's index view is as "
                     r"recorded, yet re-resolving changes demo-b -- a bug in lock or the resolver", proc.stderr)
    assert files(root) == before


def test_an_index_view_that_belongs_to_another_lock_is_an_edit(locked, lock):
    root, _, env = locked
    view_path = root / "requirements.lock.index-view"
    _, views = index_view.parse(view_path.read_text(), "view")  # a view lock wrote, for another body
    view_path.write_text(index_view.render(views, "requirements.lock", "sha256:" + "0" * 64))
    proc = lock(root, "check", env=env)
    assert proc.returncode == 1
    assert ("requirements.lock.index-view belongs to another requirements.lock (its lock-body-sha256 differs) -- "
            "lock writes it with the lock: restore it (git checkout -- requirements.lock.index-view) or delete it"
            ) in proc.stderr


def test_lock_warns_when_the_index_gives_no_upload_time(project, lock, index):
    local, env = index
    local.add_wheel("demo-c", "1.0", None)
    local.add_wheel("demo-c", "0.9", BEFORE)
    root = project("demo-c\n")
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    assert ("lock: warning: the index lists 1 file(s) of demo-c without an upload-time; uv treats them as "
            "unavailable under a cut-off") in proc.stderr
    assert "demo-c==0.9" in (root / "requirements.lock").read_text()


@pytest.mark.parametrize("hours", [None, 0, 72])
def test_a_new_cut_off_leaves_a_settle_margin(project, lock, index, hours):
    """The first lock (and add, upgrade) takes now - settle-hours as its cut-off: uploads a
    lagging mirror may still be missing stay out of the lock. Default: 24 hours."""
    _, env = index
    root = project("demo-b\n")
    if hours is not None:
        with (root / "pyproject.toml").open("a") as f:
            f.write(f"settle-hours = {hours}\n")
    start = dt.datetime.now(dt.UTC)
    proc = lock(root, env=env)
    assert proc.returncode == 0, proc.stderr
    cutoff = header.parse((root / "requirements.lock").read_text()).settings.cutoffs.exclude_newer
    got = dt.datetime.strptime(cutoff, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    margin = dt.timedelta(hours=24 if hours is None else hours)
    assert start - margin - dt.timedelta(seconds=5) <= got <= dt.datetime.now(dt.UTC) - margin


def test_a_bad_settle_margin_is_refused(project, lock, error):
    root = project("demo-b\n")
    with (root / "pyproject.toml").open("a") as f:
        f.write('settle-hours = "a day"\n')
    proc = lock(root)
    assert proc.returncode == 2
    assert error(proc) == ("lock: error: pyproject.toml [tool.lock] settle-hours: must be a whole number of hours "
                           "from 0 to 8784")
