"""The cut-off model: which uploads the resolver may see.

A lock records one global `exclude-newer` timestamp and optional per-package ones. Resolution is a
pure function of those recorded values (plus the inputs), which is what makes re-running `lock`
reproduce the file byte for byte.

- `lock` reuses the recorded cut-offs (first lock: now, to the second, UTC).
- `lock add NAME` keeps them and gives NAME a per-package cut-off of now: it arrives at its latest
  version without moving anything else.
- `lock upgrade` moves the global cut-off to now and drops the per-package ones.
- `lock upgrade NAME...` gives those names a per-package cut-off of now.

A per-package cut-off means what uv's `--exclude-newer-package` means: that package's uploads up
to that time, whether it is later than the global one (a package added or upgraded since) or
earlier (a package held back). Normal form: a per-package cut-off equal to the global one does
nothing and is dropped; the rest are sorted by name. Timestamps are `YYYY-MM-DDTHH:MM:SSZ`, so
string order is time order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from lock.errors import InputError, shorten

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def now(hours_ago: int = 0) -> str:
    """The current time (less `hours_ago`, the settle margin) as a cut-off."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).strftime(_FORMAT)


def parse_timestamp(text: str, what: str = "--exclude-newer", *, latest: str | None = None) -> str:
    """A date or RFC 3339 time, as a UTC timestamp to the second. Dates mean midnight UTC; a time
    needs its offset (Z, +02:00): without one it would mean the zone of whoever runs lock. Refuses
    the future (a cut-off later than now would let uploads still to come change the lock) and
    what a timestamp cannot hold (before year 1, after 9999 once in UTC)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            when = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
        else:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{what}: cannot read {shorten(text)} as a date (use e.g. 2026-11-22 or 2026-11-22T10:00:00Z)"
        ) from None
    if when.tzinfo is None:
        raise InputError(f"{what}: {shorten(text)} has no time zone (add Z for UTC, e.g. {value}Z)")
    try:
        stamp = when.astimezone(dt.UTC).replace(microsecond=0).strftime(_FORMAT)
    except (OverflowError, ValueError):
        raise InputError(f"{what}: {shorten(text)} is out of range (years 1000 to 9999, in UTC)") from None
    if not is_timestamp(stamp):  # strftime writes years before 1000 with fewer digits
        raise InputError(f"{what}: {shorten(text)} is out of range (years 1000 to 9999, in UTC)")
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
        normal = tuple(sorted((n, s) for n, s in merged.items() if s != self.exclude_newer))
        object.__setattr__(self, "packages", normal)

    def with_packages(self, names, stamp: str) -> Cutoffs:
        """Per-package cut-offs of `stamp` for `names` (replacing theirs, earlier or later)."""
        given = {canonicalize_name(n) for n in names}
        kept = tuple((n, s) for n, s in self.packages if n not in given)
        return Cutoffs(self.exclude_newer, (*kept, *((n, stamp) for n in sorted(given))))

    def with_global(self, stamp: str) -> Cutoffs:
        """A new global cut-off. Per-package ones it overtakes fall away (they brought a package
        forward); one that held a package back before the old global cut-off stays."""
        return Cutoffs(stamp, tuple((n, s) for n, s in self.packages if s > stamp or s < self.exclude_newer))

    def describe(self) -> str:
        extra = "".join(f", {n} {s}" for n, s in self.packages)
        return f"exclude-newer {self.exclude_newer}{extra}"
