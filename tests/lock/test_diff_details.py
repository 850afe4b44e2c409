"""`lock diff --details` against the index: the size and licence of a package the lock adds."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import PROJECT_ROOT

from lock import header

pytestmark = pytest.mark.network


def test_details_show_an_added_packages_size_and_licence(tmp_path):
    lock = (PROJECT_ROOT / "requirements.lock").read_text()
    block = re.search(r"^six==\S+.*?(?=^\S|\Z)", lock, re.M | re.S)
    assert block, "six is expected in the lock"
    parsed = header.parse(lock)  # the lock lock would have written without six (diff refuses a hand edit)
    (tmp_path / "before.lock").write_text(header.render(parsed.settings, parsed.body.replace(block.group(0), "")))
    result = subprocess.run([sys.executable, "-m", "lock", "diff", "--details", str(tmp_path / "before.lock"),
                             str(PROJECT_ROOT / "requirements.lock")], capture_output=True, text=True, timeout=300,
                            cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    row = re.search(r"^\| `six` \| added \|  \| (\S+) \| \+(\d+) kB \| MIT \|$", result.stdout, re.M)
    assert row, result.stdout
    assert re.search(rf"^Installed size \(x86_64 wheels, unpacked\): \+{row[2]} kB\.$", result.stdout, re.M)
