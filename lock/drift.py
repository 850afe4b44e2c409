"""Why re-resolving a lock gives other bytes: the index changed under the cut-off, or not.

`lock check --resolve` re-resolves with the recorded inputs and cut-offs (a changed input was
already reported, offline, as a stale lock). What is left to tell apart:

- the index changed: it now lists files with upload-times before the cut-off that it did not list
  when the lock was made (a mirror that lagged), or locked files are yanked or gone. The lock is
  still valid and installs as before; `lock upgrade PKG` takes a newer version on purpose.
- a real non-determinism: the index offers exactly what it offered when the lock was made (the
  recorded index view), yet the bytes differ. That is a bug in lock or the resolver.

Without a recorded view (locks made before lock recorded one) the second cannot be proven; the
report says which files explain the difference, and that it cannot rule the bug out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.version import Version
from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from lock.cutoff import Cutoffs
from lock.index import File
from lock.index_view import PackageView, cutoff_for, of_package, visible
from lock.lockfile import Entry

INDEX_CHANGED = "index"
NONDETERMINISTIC = "nondeterministic"
_SHOWN = 3  # files named per package at most


@dataclass
class Verdict:
    kind: str
    findings: list[str] = field(default_factory=list)  # one line each, for humans
    upgrades: list[str] = field(default_factory=list)  # packages `lock upgrade` would move on purpose
    proven: bool = True  # False: no recorded view, so a non-determinism is not ruled out


def _pin(e: Entry | None):
    """What a lock entry pins (version or URL, marker, files): two entries that differ here differ in bytes."""
    return None if e is None else (e.version, e.url, e.marker, e.hashes)


def _file_list(files: list[File]) -> str:
    shown = [f"{f.filename} (uploaded {f.upload_time})" for f in sorted(files, key=lambda f: (f.upload_time, f.filename))]
    more = f" and {len(shown) - _SHOWN} more" if len(shown) > _SHOWN else ""
    return ", ".join(shown[:_SHOWN]) + more


def _gone_or_yanked(name: str, old: Entry, files: list[File] | None) -> list[str]:
    by_sha = {f.sha256: f for f in files or []}
    out = []
    for h in old.hashes:
        f = by_sha.get(h.removeprefix("sha256:"))
        if f is None:
            out.append(f"{name} {old.shown_version}: a locked file ({h[:19]}...) is no longer listed by the index")
        elif f.yanked:
            out.append(f"{name} {old.shown_version}: the locked file {f.filename} is yanked now")
    return out


def _version_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _appeared(name: str, old: Entry | None, new: Entry | None, files: list[File], cutoff: str,
              recorded: PackageView | None, proven: bool) -> list[str]:
    seen = visible(files, cutoff)
    newer = [f for f in seen if recorded and recorded.newest and f.upload_time > recorded.newest]
    if not newer and new is not None:
        if old is None or new.version != old.version:
            newer = [f for f in seen if new.version and _version_of(f.filename) == Version(new.version)]
        else:
            added = set(new.hashes) - set(old.hashes)
            newer = [f for f in seen if f"sha256:{f.sha256}" in added]
    if not newer:
        return []
    seen_then = "; it did not list them when the lock was made" if proven else ""
    return [f"{name}: the index lists {_file_list(newer)}, before the cut-off {cutoff}{seen_then}"]


def explain(old: list[Entry], new: list[Entry] | None, pages: Mapping[str, list[File] | None], cutoffs: Cutoffs,
            recorded: Mapping[str, PackageView] | None) -> Verdict | None:
    """The verdict on a re-resolution that differs (`new` None: it failed), or None when nothing
    about the index explains it and the failure is to be reported as it is."""
    olds = {e.name: e for e in old}
    news = {e.name: e for e in new} if new is not None else {}
    changed = sorted(n for n in set(olds) | set(news) if new is not None and _pin(olds.get(n)) != _pin(news.get(n)))
    findings: list[str] = []
    for name in sorted(olds):
        findings += _gone_or_yanked(name, olds[name], pages.get(name))
    views_moved = []
    if recorded is not None:
        for name in sorted(olds):
            now = of_package(pages.get(name) or [], cutoff_for(cutoffs, name))
            if recorded.get(name) != now:
                views_moved.append(name)
                findings += _appeared(name, olds[name], news.get(name), pages.get(name) or [],
                                      cutoff_for(cutoffs, name), recorded.get(name), True)
    else:
        for name in changed:
            findings += _appeared(name, olds.get(name), news.get(name), pages.get(name) or [],
                                  cutoff_for(cutoffs, name), None, False)
    findings = list(dict.fromkeys(findings))
    upgrades = [n for n in changed if n in olds and n in news]
    if recorded is not None and not views_moved and not findings:
        return Verdict(NONDETERMINISTIC, [f"every locked package's index view is as recorded, yet {_what(changed)}"])
    if recorded is not None and views_moved and not findings:
        findings = [f"the index lists other files under the cut-off for {', '.join(views_moved)} than when the "
                    "lock was made"]
    if not findings:
        if new is None:
            return None
        return Verdict(NONDETERMINISTIC, [f"no change of the index explains it: {_what(changed)}"], proven=False)
    return Verdict(INDEX_CHANGED, findings, upgrades, proven=recorded is not None)


def _what(changed: list[str]) -> str:
    if changed:
        return "re-resolving changes " + ", ".join(changed)
    return "re-resolving gives the same pins with other bytes"
