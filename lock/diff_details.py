"""For reviewers of a lock change: what each added, removed, upgraded or downgraded package does to
the installed size, and whether its licence changed -- read from the locked wheels themselves (the
index's listing, each wheel's zip directory by HTTP range, its PEP 658 metadata), without a build.

The size is the first target platform's wheel (the lock header's first platform, x86_64 here),
unpacked; the licence is the one the SBOM shows. Cached by sha256 in .cache/wheel-info/.
"""

from __future__ import annotations

from pathlib import Path

from lock.diff import Change
from lock.lockfile import Entry
from lock.sbom import licenses_of
from lock.config import Platform
from lock.wheel_info import WheelInfoCache
from lock.wheel_tags import locked_wheels

SIZED = ("added", "removed", "upgraded", "downgraded", "changed")


def licence_text(metadata) -> str:
    names = []
    for item in licenses_of(metadata):
        names.append(str(getattr(item, "value", None) or getattr(item, "id", None) or getattr(item, "name", None)))
    return " AND ".join(names) or "unknown"


def _size(cache: WheelInfoCache, entry: Entry, platform: Platform, python: str) -> int | None:
    """The unpacked size of the wheel `entry` installs on `platform` (the lowest such sha256)."""
    infos = (cache.info(entry.name, h.removeprefix("sha256:"), metadata=False) for h in sorted(entry.hashes))
    picked = locked_wheels(entry, [i for i in infos if i], [platform], python)
    return cache.unpacked_size(entry.name, picked[0].sha256) if picked else None


def _licence(cache: WheelInfoCache, entry: Entry) -> str:
    found = cache.many([entry])[entry.name]
    return licence_text(found.metadata if found else None)


def size_text(size: int) -> str:
    return f"{size / 1e3:+.0f} kB" if abs(size) < 1e6 else f"{size / 1e6:+.1f} MB"


def columns(changes: list[Change], old: dict[str, Entry], new: dict[str, Entry], platform: Platform, python: str,
            cache_dir: Path) -> tuple[dict[str, dict[str, str]], str]:
    """Extra Markdown columns (size change, licence) per change, and a total line."""
    cache = WheelInfoCache(cache_dir)
    size_cells, licence_cells = {}, {}
    total, unknown = 0, []
    for c in changes:
        if c.kind not in SIZED:
            continue
        before, after = old.get(c.name), new.get(c.name)
        sizes = [(_size(cache, e, platform, python) if e else 0) for e in (before, after)]
        if None in sizes:
            size_cells[c.name] = "?"
            unknown.append(c.name)
        else:
            total += sizes[1] - sizes[0]
            size_cells[c.name] = size_text(sizes[1] - sizes[0])
        was = _licence(cache, before) if before else None
        now = _licence(cache, after) if after else None
        if was and now and was != now:
            licence_cells[c.name] = f"**{was} → {now}**"
        else:
            licence_cells[c.name] = now or was or ""
    note = f"Installed size ({platform.machine} wheels, unpacked): {size_text(total)}"
    if unknown:
        note += f" (not counted: {', '.join(unknown)}, whose wheel for {platform.name} the index does not list)"
    return {"Size": size_cells, "Licence": licence_cells}, note + "."
