"""Layered locks (lock.layers) with the real uv against an index the test serves on 127.0.0.1
(tests/support/local_index.py): a layer holds only what its base does not, never moves a base pin, is
refused with exit 3 when it would have to, and goes stale when its base's pins change."""

from __future__ import annotations

import pytest

from tests.support.local_index import LocalIndex

from lock import header
from lock.lockfile import parse_body

CUTOFF = "2026-06-01T00:00:00Z"
BEFORE = "2026-01-01T00:00:00Z"
LAYER = "\n[tool.lock.layers.hub]\n"


@pytest.fixture
def env(tmp_path):
    """demo-a 1.0 and 2.0; demo-b needs demo-a>=1; demo-c needs demo-a<2; demo-d and demo-e alone."""
    local = LocalIndex(tmp_path / "index")
    for name, version, requires in [("demo-a", "1.0", []), ("demo-a", "2.0", []), ("demo-b", "1.0", ["demo-a>=1"]),
                                    ("demo-c", "1.0", ["demo-a<2"]), ("demo-d", "1.0", []), ("demo-e", "1.0", [])]:
        local.add_wheel(name, version, BEFORE, requires=requires)
    with local.serve() as url:
        yield {"UV_DEFAULT_INDEX": url, "UV_NO_CACHE": "1"}


@pytest.fixture
def layered(project, lock, env):
    """A project whose base wants demo-a and whose layer `hub` wants demo-b; both locked."""
    root = project("demo-a\n", files={"requirements-hub.in": "demo-b\n"})
    with (root / "pyproject.toml").open("a") as f:
        f.write(LAYER)
    proc = lock(root, "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 0, proc.stderr
    return root


def pins(path) -> dict[str, str]:
    return {e.name: e.version for e in parse_body(path.read_text()).entries}


def test_a_layer_holds_only_what_the_base_does_not_and_records_the_base(layered, lock, env):
    root = layered
    base, hub = root / "requirements.lock", root / "requirements-hub.lock"
    assert pins(base) == {"demo-a": "2.0"}
    assert pins(hub) == {"demo-b": "1.0"}  # demo-a is the base's: installed once, at the base's version
    s = header.parse(hub.read_text()).settings
    assert s.layer == "hub" and s.base == ("requirements.lock", header.parse(base.read_text()).body_sha256)
    assert "#    lock --layer hub\n" in hub.read_text() and "# base: requirements.lock sha256:" in hub.read_text()
    assert (root / "requirements-hub.lock.index-view").is_file()
    check = lock(root, "check", env=env)
    assert check.returncode == 0, check.stderr
    assert "lock: requirements.lock is up to date" in check.stdout
    assert "lock: requirements-hub.lock is up to date (1 packages" in check.stdout
    before = {p: p.read_bytes() for p in (base, hub)}
    again = lock(root, env=env)
    assert again.returncode == 0 and "requirements-hub.lock is up to date" in again.stdout, again.stderr
    assert {p: p.read_bytes() for p in (base, hub)} == before


def test_add_to_a_layer_leaves_the_base_byte_for_byte(layered, lock, env):
    root = layered
    base = (root / "requirements.lock").read_bytes()
    proc = lock(root, "add", "--layer", "hub", "demo-e", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "added       demo-e 1.0" in proc.stdout
    assert (root / "requirements-hub.in").read_text() == "demo-b\ndemo-e\n"
    assert pins(root / "requirements-hub.lock") == {"demo-b": "1.0", "demo-e": "1.0"}
    assert (root / "requirements.lock").read_bytes() == base
    assert lock(root, "check", "--layer", "hub", env=env).returncode == 0


@pytest.mark.parametrize("layer, message", [
    ("demo-a<2\n", "lock: error: requirements-hub.in:1: `demo-a<2` conflicts with the base: requirements.lock pins "
                   "demo-a==2.0 -- a layer cannot move a pin of its base"),
    ("demo-c\n", "lock: error: requirements-hub.in cannot be resolved on top of requirements.lock, whose pins are hard "
                 "constraints (base pins involved: demo-a==2.0): "),
], ids=["direct", "through-a-dependency"])
def test_a_conflict_with_the_base_is_refused_naming_both(project, lock, env, error, files, layer, message):
    root = project("demo-a\n", files={"requirements-hub.in": layer})
    with (root / "pyproject.toml").open("a") as f:
        f.write(LAYER)
    assert lock(root, "--layer", "hub", env=env).returncode == 2  # no base lock yet: says to make it
    assert lock(root, "--exclude-newer", CUTOFF, env=env).returncode == 3
    assert not (root / "requirements.lock").exists()  # one transaction: the base is not kept either
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(pyproject.replace(LAYER, ""))  # the base locked on its own
    assert lock(root, "--exclude-newer", CUTOFF, env=env).returncode == 0
    (root / "pyproject.toml").write_text(pyproject)
    before = files(root)
    proc = lock(root, "--layer", "hub", "--exclude-newer", CUTOFF, env=env)
    assert proc.returncode == 3, proc.stderr
    assert error(proc).startswith(message), error(proc)
    assert files(root) == before and not (root / "requirements-hub.lock").exists()


def test_a_base_that_moved_makes_the_layer_stale_until_it_is_relocked(layered, lock, env):
    root = layered
    pyproject = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(pyproject.replace(LAYER, ""))  # the base relocked on its own
    assert lock(root, "add", "demo-d", env=env).returncode == 0
    (root / "pyproject.toml").write_text(pyproject)
    proc = lock(root, "check", env=env)
    assert proc.returncode == 1
    assert "lock: requirements.lock is up to date" in proc.stdout
    assert proc.stderr.splitlines() == [
        "lock: requirements-hub.lock is out of date -- run `lock --layer hub` to update it:",
        "  - its base requirements.lock changed since requirements-hub.lock was made (the base's pins differ)",
    ]
    hub = (root / "requirements-hub.lock").read_text()
    relock = lock(root, "--layer", "hub", env=env)
    assert relock.returncode == 0, relock.stderr
    assert pins(root / "requirements-hub.lock") == {"demo-b": "1.0"}
    assert (root / "requirements-hub.lock").read_text() != hub  # the new base's fingerprint
    assert lock(root, "check", env=env).returncode == 0


def test_adding_to_the_base_relocks_its_layers_and_diff_shows_both(layered, lock, env, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(layered, old)
    proc = lock(layered, "add", "demo-d", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "lock: wrote requirements.lock" in proc.stdout and "lock: wrote requirements-hub.lock" in proc.stdout
    assert lock(layered, "check", env=env).returncode == 0
    diff = lock(layered, "diff", str(old), str(layered))
    assert diff.returncode == 0, diff.stderr
    assert "### Dependency changes in `requirements.lock`" in diff.stdout and "| `demo-d` | added |" in diff.stdout
    assert "### Dependency changes in `requirements-hub.lock`" in diff.stdout


def test_a_project_on_a_base_lock_it_does_not_make(layered, project, lock, env, tmp_path):
    """Downstream: `--base-lock FILE` (or [tool.lock] base-lock) locks a repository's additions
    against a lock it only has a copy of (e.g. the one an image ships)."""
    downstream = tmp_path / "downstream"
    downstream.mkdir()
    (downstream / "pyproject.toml").write_text('[tool.lock]\nbase-lock = "base.lock"\n')
    (downstream / "requirements.in").write_text("demo-b\ndemo-e\n")
    (downstream / "base.lock").write_bytes((layered / "requirements.lock").read_bytes())
    proc = lock(downstream, "--exclude-newer", CUTOFF, env=env)  # no Dockerfile: Python from the base lock
    assert proc.returncode == 0, proc.stderr
    assert pins(downstream / "requirements.lock") == {"demo-b": "1.0", "demo-e": "1.0"}
    assert "# base: base.lock sha256:" in (downstream / "requirements.lock").read_text()
    assert lock(downstream, "check", env=env).returncode == 0


def test_upgrade_one_layer_or_everything(layered, lock, env):
    root = layered
    base = (root / "requirements.lock").read_bytes()

    def cutoff(name):
        return header.parse((root / name).read_text()).settings.cutoffs.exclude_newer

    proc = lock(root, "upgrade", "--layer", "hub", "--exclude-newer", "2026-07-01", env=env)
    assert proc.returncode == 0, proc.stderr
    assert cutoff("requirements-hub.lock") == "2026-07-01T00:00:00Z"
    assert (root / "requirements.lock").read_bytes() == base
    proc = lock(root, "upgrade", "--exclude-newer", "2026-08-01", env=env)
    assert proc.returncode == 0, proc.stderr
    assert cutoff("requirements.lock") == cutoff("requirements-hub.lock") == "2026-08-01T00:00:00Z"
    assert lock(root, "check", env=env).returncode == 0
