"""Telling an index that moved from a lock that is wrong (lock/drift.py) and the index view file
(lock/index_view.py), without a network: index pages are given as data."""

from __future__ import annotations

import dataclasses

import pytest

from lock import drift, index_view
from lock.cutoff import Cutoffs
from lock.index import File
from lock.lockfile import Entry

CUT = Cutoffs("2026-06-01T00:00:00Z")


def listed(filename: str, sha256: str, upload_time: str | None) -> File:
    return File(filename, f"https://files.example/{filename}", sha256, upload_time)


A10 = listed("demo_a-1.0-py3-none-any.whl", "a" * 64, "2026-01-01T00:00:00Z")
A11 = listed("demo_a-1.1-py3-none-any.whl", "b" * 64, "2026-03-01T00:00:00Z")
A20 = listed("demo_a-2.0-py3-none-any.whl", "c" * 64, "2026-07-01T00:00:00Z")
NO_TIME = listed("demo_a-3.0-py3-none-any.whl", "d" * 64, None)


def entry(version: str, *digests: str) -> Entry:
    return Entry("demo-a", version, hashes=tuple(f"sha256:{d}" for d in digests))


def test_the_view_counts_only_files_the_resolver_may_see():
    view = index_view.of_package([A10, A11, A20, NO_TIME], CUT.exclude_newer)
    assert (view.count, view.newest) == (2, "2026-03-01T00:00:00Z")
    assert index_view.of_package([A11, A10], CUT.exclude_newer) == view  # order does not matter
    yanked = dataclasses.replace(A11, yanked=True)
    assert index_view.of_package([A10, yanked], CUT.exclude_newer).digest != view.digest
    assert index_view.without_upload_time({"demo-a": [A10, NO_TIME], "demo-b": [A10]}) == {"demo-a": 1}


def test_a_per_package_cut_off_applies_to_its_package_only():
    cut = CUT.with_packages(["demo-a"], "2026-08-01T00:00:00Z")
    assert index_view.cutoff_for(cut, "demo-a") == "2026-08-01T00:00:00Z"
    assert index_view.cutoff_for(cut, "demo-b") == CUT.exclude_newer


def test_the_view_file_round_trips_and_names_a_bad_line():
    views = index_view.compute({"demo-a": [A10, A11], "demo-b": None}, CUT)
    text = index_view.render(views, "requirements.lock", "sha256:" + "e" * 64)
    assert index_view.parse(text, "x.index-view") == ("sha256:" + "e" * 64, views)
    with pytest.raises(index_view.ViewError, match=r"^x.index-view:9: not `<package>"):
        index_view.parse(text + "demo-c two -\n", "x.index-view")
    with pytest.raises(index_view.ViewError, match="no `# lock-body-sha256:` line"):
        index_view.parse("demo-a 1 - sha256:" + "0" * 64 + "\n", "x.index-view")
    legacy = text[: text.index("# view-sha256: ")]  # written before views carried their own sha256
    assert index_view.parse(legacy, "x.index-view") == ("sha256:" + "e" * 64, views)
    with pytest.raises(index_view.ViewError, match="its bytes are not what lock writes"):
        index_view.parse(text.replace(" 2 ", " 3 ", 1), "x.index-view")


def test_recorded_view_unchanged_but_other_pins_is_a_non_determinism():
    recorded = index_view.compute({"demo-a": [A10, A11]}, CUT)
    verdict = drift.explain([entry("1.0", A10.sha256)], [entry("1.1", A11.sha256)], {"demo-a": [A10, A11]}, CUT,
                            recorded)
    assert verdict.kind == drift.NONDETERMINISTIC and verdict.proven


def test_recorded_view_that_moved_names_the_new_file():
    recorded = index_view.compute({"demo-a": [A10]}, CUT)
    verdict = drift.explain([entry("1.0", A10.sha256)], [entry("1.1", A11.sha256)], {"demo-a": [A10, A11]}, CUT,
                            recorded)
    assert verdict.kind == drift.INDEX_CHANGED and verdict.proven and verdict.upgrades == ["demo-a"]
    assert verdict.findings == [
        "demo-a: the index lists demo_a-1.1-py3-none-any.whl (uploaded 2026-03-01T00:00:00Z), before the cut-off "
        "2026-06-01T00:00:00Z; it did not list them when the lock was made"
    ]


def test_without_a_recorded_view_the_verdict_is_not_proven():
    moved = drift.explain([entry("1.0", A10.sha256)], [entry("1.1", A11.sha256)], {"demo-a": [A10, A11]}, CUT, None)
    assert moved.kind == drift.INDEX_CHANGED and not moved.proven
    unexplained = drift.explain([entry("1.0", A10.sha256)], [entry("1.0", A10.sha256, "f" * 64)],
                                {"demo-a": [A10]}, CUT, None)
    assert unexplained.kind == drift.NONDETERMINISTIC and not unexplained.proven


def test_a_failed_re_resolution_is_explained_by_a_yanked_or_gone_file_only():
    yanked = dataclasses.replace(A10, yanked=True)
    verdict = drift.explain([entry("1.0", A10.sha256)], None, {"demo-a": [yanked]}, CUT, None)
    assert verdict.kind == drift.INDEX_CHANGED
    assert verdict.findings == ["demo-a 1.0: the locked file demo_a-1.0-py3-none-any.whl is yanked now"]
    gone = drift.explain([entry("1.0", A10.sha256)], None, {"demo-a": []}, CUT, None)
    assert gone.findings == [f"demo-a 1.0: a locked file (sha256:{'a' * 12}...) is no longer listed by the index"]
    assert drift.explain([entry("1.0", A10.sha256)], None, {"demo-a": [A10]}, CUT, None) is None
