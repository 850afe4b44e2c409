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
        ("2024-06-01T12:30:00", "2024-06-01T12:30:00Z"),
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


def test_future_cutoff_is_refused():
    with pytest.raises(InputError, match="is in the future"):
        parse_timestamp("2099-01-01")


def test_now_is_a_second_resolution_utc_stamp():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now())


def test_normal_form_drops_package_cutoffs_not_later_than_global_and_sorts():
    c = Cutoffs(
        "2024-06-01T00:00:00Z",
        (("Six", "2025-01-01T00:00:00Z"), ("attrs", "2024-01-01T00:00:00Z"), ("Py_YAML", "2025-02-01T00:00:00Z")),
    )
    assert c.packages == (("py-yaml", "2025-02-01T00:00:00Z"), ("six", "2025-01-01T00:00:00Z"))


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
