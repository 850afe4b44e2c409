"""`lock diff --details`: size and licence columns from the locked wheels, here from a filled
wheel-info cache (the same files a run against the index leaves), so no network is needed."""

from __future__ import annotations

import json

from lock.diff import compare, render_markdown
from lock.diff_details import columns, size_text
from lock.lockfile import Entry
from lock.config import Platform

X86 = Platform.parse("x86_64-manylinux_2_28")


def wheel(cache, sha, filename, unpacked, licence):
    cache.mkdir(parents=True, exist_ok=True)
    (cache / f"{sha}.json").write_text(json.dumps({"filename": filename, "size": 1, "metadata": True,
                                                   "unpacked": unpacked}))
    (cache / f"{sha}.metadata").write_text(f"Metadata-Version: 2.4\nName: x\nLicense-Expression: {licence}\n")
    return "sha256:" + sha


def test_size_and_licence_columns(tmp_path):
    cache = tmp_path / "wheel-info"
    a1 = wheel(cache, "a" * 64, "alpha-1.0-py3-none-any.whl", 1_000_000, "MIT")
    a2 = wheel(cache, "b" * 64, "alpha-2.0-py3-none-any.whl", 3_500_000, "Apache-2.0")
    arm = wheel(cache, "c" * 64, "beta-1.0-cp313-cp313-manylinux_2_28_aarch64.whl", 9, "BSD-3-Clause")
    x86 = wheel(cache, "d" * 64, "beta-1.0-cp313-cp313-manylinux_2_28_x86_64.whl", 40_000, "BSD-3-Clause")
    gone = wheel(cache, "e" * 64, "gamma-1.0-py3-none-any.whl", 500_000, "ISC")
    old = [Entry("alpha", "1.0", hashes=(a1,)), Entry("gamma", "1.0", hashes=(gone,))]
    new = [Entry("alpha", "2.0", hashes=(a2,)), Entry("beta", "1.0", hashes=(arm, x86))]
    changes = compare(old, new)
    extra, note = columns(changes, {e.name: e for e in old}, {e.name: e for e in new}, X86, "3.13", cache)
    assert extra["Size"] == {"alpha": "+2.5 MB", "beta": "+40 kB", "gamma": "-500 kB"}  # beta: the x86_64 wheel
    assert extra["Licence"] == {"alpha": "**MIT → Apache-2.0**", "beta": "BSD-3-Clause", "gamma": "ISC"}
    assert note == "Installed size (x86_64 wheels, unpacked): +2.0 MB."
    table = render_markdown(changes, extra=extra, note=note)
    assert "| Package | Change | Old | New | Size | Licence |" in table
    assert "| `alpha` | upgraded | 1.0 | 2.0 | +2.5 MB | **MIT → Apache-2.0** |" in table
    assert table.rstrip().endswith(note)


def test_without_details_the_table_is_as_before():
    table = render_markdown(compare([], [Entry("six", "1.17.0", hashes=("sha256:" + "f" * 64,))]))
    assert "| Package | Change | Old | New |\n|---|---|---|---|\n| `six` | added |  | 1.17.0 |" in table


def test_size_text():
    assert (size_text(0), size_text(-1_234), size_text(12_345_678)) == ("+0 kB", "-1 kB", "+12.3 MB")
