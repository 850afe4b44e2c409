"""The cut-off model: parsing, normal form, add/upgrade transitions."""

from __future__ import annotations

import re

import pytest

from lock.cutoff import Cutoffs, now, parse_timestamp
from lock.errors import InputError


@pytest.mark.parametrize(
    ("given", "stamp"),
    [
        ("2024-06-01", "2024-06-01T00:00:00Z"),
        ("2024-06-01T12:30:00Z", "2024-06-01T12:30:00Z"),
        ("2024-06-01T12:30:00+02:00", "2024-06-01T10:30:00Z"),
        ("2024-06-01T12:30:00.999999Z", "2024-06-01T12:30:00Z"),
        ("2024-06-01 12:30:00z", "2024-06-01T12:30:00Z"),
    ],
)
def test_timestamps_are_utc_to_the_second(given, stamp):
    assert parse_timestamp(given) == stamp


@pytest.mark.parametrize("given", ["yesterday", "2024-13-01", "1 week", ""])
def test_unreadable_dates(given):
    with pytest.raises(InputError, match="--exclude-newer: cannot read"):
        parse_timestamp(given)


@pytest.mark.parametrize(("given", "message"), [
    ("2024-06-01T12:30:00", "has no time zone (add Z for UTC, e.g. 2024-06-01T12:30:00Z)"),
    ("2024-06-01 12:30", "has no time zone"),
    ("0001-01-01T00:00:00+01:00", "is out of range"),
    ("9999-12-31T23:59:59-05:00", "is out of range"),
    ("0999-06-01T00:00:00Z", "is out of range"),
])
def test_a_time_without_zone_or_out_of_range_is_one_line(given, message):
    """Finding 4 (and 8: an out-of-range offset was a traceback)."""
    with pytest.raises(InputError, match=re.escape(f"--exclude-newer: {given!r} {message}")):
        parse_timestamp(given)


def test_future_cutoff_is_refused():
    with pytest.raises(InputError, match="is in the future"):
        parse_timestamp("2099-01-01")


def test_now_is_a_second_resolution_utc_stamp():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now())


def test_normal_form_keeps_earlier_and_later_package_cutoffs_drops_equal_ones_and_sorts():
    c = Cutoffs(
        "2024-06-01T00:00:00Z",
        (("Six", "2025-01-01T00:00:00Z"), ("attrs", "2024-01-01T00:00:00Z"), ("Py_YAML", "2025-02-01T00:00:00Z"),
         ("idna", "2024-06-01T00:00:00Z")),
    )
    assert c.packages == (("attrs", "2024-01-01T00:00:00Z"), ("py-yaml", "2025-02-01T00:00:00Z"),
                          ("six", "2025-01-01T00:00:00Z"))


def test_a_new_package_cutoff_replaces_the_old_one_earlier_or_later():
    """Finding 4: `upgrade PKG --exclude-newer DATE` before the lock's cut-off holds PKG back."""
    c = Cutoffs("2024-06-01T00:00:00Z", (("six", "2025-01-01T00:00:00Z"),))
    assert c.with_packages(["Six"], "2024-01-01T00:00:00Z").packages == (("six", "2024-01-01T00:00:00Z"),)
    assert c.with_packages(["attrs"], "2024-01-01T00:00:00Z").packages == (
        ("attrs", "2024-01-01T00:00:00Z"), ("six", "2025-01-01T00:00:00Z"))
    held = Cutoffs("2024-06-01T00:00:00Z", (("attrs", "2024-01-01T00:00:00Z"),))
    assert held.with_global("2025-06-01T00:00:00Z").packages == (("attrs", "2024-01-01T00:00:00Z"),)


def test_add_keeps_global_and_sets_per_package():
    c = Cutoffs("2024-06-01T00:00:00Z").with_packages(["attrs"], "2025-01-01T00:00:00Z")
    assert c.exclude_newer == "2024-06-01T00:00:00Z"
    assert c.packages == (("attrs", "2025-01-01T00:00:00Z"),)
    # a later add of another package keeps the first one's cut-off
    c2 = c.with_packages(["six"], "2025-02-01T00:00:00Z")
    assert c2.packages == (("attrs", "2025-01-01T00:00:00Z"), ("six", "2025-02-01T00:00:00Z"))


def test_moving_the_global_cutoff_drops_what_it_overtakes():
    c = Cutoffs("2024-06-01T00:00:00Z", (("attrs", "2025-01-01T00:00:00Z"), ("six", "2025-03-01T00:00:00Z")))
    assert c.with_global("2025-02-01T00:00:00Z").packages == (("six", "2025-03-01T00:00:00Z"),)
    assert c.describe() == "exclude-newer 2024-06-01T00:00:00Z, attrs 2025-01-01T00:00:00Z, six 2025-03-01T00:00:00Z"
