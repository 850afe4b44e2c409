"""A stand-in for a collected pytest item: what tests/support/needs.py and tests/support/lanes.py
read of one (its markers and its fixture names), for their fast unit tests."""

from __future__ import annotations

import pytest


class Item:
    """What needs() and lane() read of a collected test: its markers and fixture names."""

    def __init__(self, marks=(), fixtures=()):
        self.marks, self.fixturenames = [getattr(pytest.mark, m).mark for m in marks], list(fixtures)

    def iter_markers(self):
        return iter(self.marks)
