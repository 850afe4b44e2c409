"""`lock remove PKG`: the package's line leaves requirements.in (every other byte kept), it and what
only it needed leave the lock, every other pin stays; a package that is not required is one line."""

from __future__ import annotations

import pytest

from tests.support.lock_helpers import OLD

pytestmark = pytest.mark.network


def pins(lock_text: str) -> set[str]:
    return {line.split(" ")[0] for line in lock_text.splitlines() if "==" in line and not line.startswith("#")}


def test_remove_drops_the_line_and_what_only_it_needed(project, lock):
    root = project("# tools\nsix\nattrs>=20\nrequests  # http\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    before = pins((root / "requirements.lock").read_text())
    assert {"six", "attrs", "requests", "urllib3"} <= {p.split("==")[0] for p in before}

    proc = lock(root, "remove", "Requests", "attrs")
    assert proc.returncode == 0, proc.stderr
    assert (root / "requirements.in").read_text() == "# tools\nsix\n"
    after = pins((root / "requirements.lock").read_text())
    assert after == {p for p in before if p.startswith("six==")}
    assert lock(root, "check").returncode == 0


def test_remove_of_a_package_not_required_is_one_line(project, lock, files, error):
    root = project("six\n")
    assert lock(root, "--exclude-newer", OLD).returncode == 0
    snapshot = files(root)
    proc = lock(root, "remove", "attrs")
    assert proc.returncode == 2
    assert error(proc) == "lock: error: lock remove 'attrs': attrs is not required in requirements.in (nothing to remove)"
    assert files(root) == snapshot
