"""The index view: what the package index offered each locked package under the cut-off when the
lock was made, kept beside the lock in `<lock>.index-view`.

A lock is a function of its inputs, its cut-offs and the index. Indexes move under a cut-off: a
mirror that lagged lists files later with upload-times before the cut-off, files are yanked or
deleted. With the view recorded, `lock check --resolve` tells those apart from a real
non-determinism: a package whose view is unchanged must resolve to the same bytes.

    # (comment lines)
    # lock-body-sha256: sha256:...         the body of the lock this view belongs to
    certifi 57 2026-10-18T16:21:07Z sha256:...
    <name> <files under its cut-off> <newest upload-time, or -> <sha256 of those files>
    # view-sha256: sha256:...              of every line above: an edit anywhere shows, offline

The digest covers every file the resolver could see for the package (upload-time not later than
its cut-off): filename, sha256 and yanked flag. Files without an upload-time are left out (uv
treats them as unavailable under a cut-off), and `lock` warns about them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lock.cutoff import Cutoffs
from lock.index import File

SUFFIX = ".index-view"
_LINE_RE = re.compile(r"^(\S+) (\d+) (\S+) (sha256:[0-9a-f]{64})$")
_BODY_RE = re.compile(r"^# lock-body-sha256: (sha256:[0-9a-f]{64})$")
_FIRST_RE = re.compile(r"^# What the package index listed for (.+) under its cut-offs when it was made\.$")
_SELF = "# view-sha256: "


class ViewError(ValueError):
    """The view file is damaged or was edited."""


@dataclass(frozen=True)
class PackageView:
    count: int
    newest: str | None
    digest: str


def path_for(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + SUFFIX)


def cutoff_for(cutoffs: Cutoffs, name: str) -> str:
    return dict(cutoffs.packages).get(name, cutoffs.exclude_newer)


def visible(files: list[File], cutoff: str) -> list[File]:
    """The files the resolver may use under `cutoff`."""
    return [f for f in files if f.upload_time is not None and f.upload_time <= cutoff]


def of_package(files: list[File], cutoff: str) -> PackageView:
    seen = sorted(visible(files, cutoff), key=lambda f: (f.filename, f.sha256 or ""))
    text = "".join(f"{f.filename} {f.sha256 or '-'} {'yanked' if f.yanked else 'ok'}\n" for f in seen)
    newest = max((f.upload_time for f in seen), default=None)
    return PackageView(len(seen), newest, "sha256:" + hashlib.sha256(text.encode()).hexdigest())


def compute(pages: Mapping[str, list[File] | None], cutoffs: Cutoffs) -> dict[str, PackageView]:
    return {name: of_package(files or [], cutoff_for(cutoffs, name)) for name, files in sorted(pages.items())}


def without_upload_time(pages: Mapping[str, list[File] | None]) -> dict[str, int]:
    """Packages whose index page lists files with no upload-time, and how many."""
    counts = {name: sum(1 for f in files or [] if f.upload_time is None) for name, files in pages.items()}
    return {name: n for name, n in sorted(counts.items()) if n}


def render(views: Mapping[str, PackageView], lock_name: str, body_sha256: str) -> str:
    lines = [
        f"# What the package index listed for {lock_name} under its cut-offs when it was made.",
        "# Written by lock -- DO NOT EDIT. `lock check --resolve` compares it with the index of today",
        "# to tell an index that changed (a mirror that lagged, a yanked file) from a lock that is wrong.",
        "# <package> <files under the cut-off> <newest upload-time> <sha256 of those files>",
        f"# lock-body-sha256: {body_sha256}",
    ]
    lines += [f"{name} {v.count} {v.newest or '-'} {v.digest}" for name, v in sorted(views.items())]
    text = "".join(f"{line}\n" for line in lines)
    return f"{text}{_SELF}sha256:{hashlib.sha256(text.encode()).hexdigest()}\n"


def parse(text: str, display: str) -> tuple[str, dict[str, PackageView]]:
    """(the lock body's sha256 it belongs to, the views). Raises ViewError naming file:line."""
    body = None
    views: dict[str, PackageView] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            if m := _BODY_RE.match(line):
                body = m[1]
            continue
        m = _LINE_RE.match(line)
        if not m:
            raise ViewError(f"{display}:{number}: not `<package> <count> <newest> sha256:<hex>`")
        views[m[1]] = PackageView(int(m[2]), None if m[3] == "-" else m[3], m[4])
    if body is None:
        raise ViewError(f"{display}: no `# lock-body-sha256:` line")
    first = _FIRST_RE.match(text.partition("\n")[0])
    full = render(views, first[1], body) if first else None
    # A view written before views carried their view-sha256 is held to the same bytes without it.
    if full is None or text not in (full, full[: full.rindex(_SELF)]):
        raise ViewError(f"{display}: its bytes are not what lock writes (edited by hand: a count, digest, "
                        "upload-time, comment or spacing differs from its view-sha256)")
    return body, views
