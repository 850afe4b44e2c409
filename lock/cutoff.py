"""The cut-off model: which uploads the resolver may see.

A lock records one global `exclude-newer` timestamp and optional per-package ones. Resolution is a
pure function of those recorded values (plus the inputs), which is what makes re-running `lock`
reproduce the file byte for byte.

- `lock` reuses the recorded cut-offs (first lock: now, to the second, UTC).
- `lock add NAME` keeps them and gives NAME a per-package cut-off of now: it arrives at its latest
  version without moving anything else.
- `lock upgrade` moves the global cut-off to now and drops the per-package ones.
- `lock upgrade NAME...` gives those names a per-package cut-off of now.

Normal form: per-package cut-offs not later than the global one do nothing and are dropped; the
rest are sorted by name. Timestamps are `YYYY-MM-DDTHH:MM:SSZ`, so string order is time order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from lock.errors import InputError

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def now(hours_ago: int = 0) -> str:
    """The current time (less `hours_ago`, the settle margin) as a cut-off."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).strftime(_FORMAT)


def parse_timestamp(text: str, what: str = "--exclude-newer", *, latest: str | None = None) -> str:
    """A date or RFC 3339 time, as a UTC timestamp to the second. Dates mean midnight UTC; times
    without an offset are taken as UTC. Refuses the future: a cut-off later than now would let
    uploads still to come change the lock."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            when = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
        else:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
    except ValueError:
        raise InputError(
            f"{what}: cannot read {text!r} as a date (use e.g. 2026-11-22 or 2026-11-22T10:00:00Z)"
        ) from None
    stamp = when.astimezone(dt.UTC).replace(microsecond=0).strftime(_FORMAT)
    if stamp > (latest or now()):
        raise InputError(f"{what}: {stamp} is in the future; a cut-off must be in the past to be reproducible")
    return stamp


def is_timestamp(text: str) -> bool:
    return bool(_STAMP_RE.match(text))


@dataclass(frozen=True)
class Cutoffs:
    exclude_newer: str
    packages: tuple[tuple[str, str], ...] = ()  # (canonical name, timestamp), normal form

    def __post_init__(self) -> None:
        merged: dict[str, str] = {}
        for name, stamp in self.packages:
            name = canonicalize_name(name)
            merged[name] = max(stamp, merged.get(name, stamp))
        normal = tuple(sorted((n, s) for n, s in merged.items() if s > self.exclude_newer))
        object.__setattr__(self, "packages", normal)

    def with_packages(self, names, stamp: str) -> Cutoffs:
        """Per-package cut-offs of `stamp` for `names` (kept if already later)."""
        return Cutoffs(self.exclude_newer, (*self.packages, *((n, stamp) for n in names)))

    def with_global(self, stamp: str) -> Cutoffs:
        """A new global cut-off; per-package ones that are not later than it fall away."""
        return Cutoffs(stamp, self.packages)

    def describe(self) -> str:
        extra = "".join(f", {n} {s}" for n, s in self.packages)
        return f"exclude-newer {self.exclude_newer}{extra}"
