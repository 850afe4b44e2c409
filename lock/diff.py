"""What changed between two locks: added, removed, upgraded, downgraded (old -> new), as text for
the terminal and as Markdown for pull requests and CI job summaries."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from lock.lockfile import Entry

KINDS = ("added", "removed", "upgraded", "downgraded", "changed")


@dataclass(frozen=True)
class Change:
    name: str  # with its marker, when it has one
    kind: str  # one of KINDS; "changed": same version, other hashes / marker / URL
    old: str | None
    new: str | None
    detail: str = ""  # for "changed": what changed


def _key(e: Entry) -> str:
    return f"{e.name} ; {e.marker}" if e.marker else e.name


def compare(old: list[Entry], new: list[Entry]) -> list[Change]:
    before = {_key(e): e for e in old}
    after = {_key(e): e for e in new}
    # A package that only gained or lost a marker is one change, not a removal plus an addition.
    for name in {e.name for e in old} & {e.name for e in new}:
        o = [k for k, e in before.items() if e.name == name]
        n = [k for k, e in after.items() if e.name == name]
        if len(o) == 1 and len(n) == 1 and o != n:
            after[o[0]] = after.pop(n[0])
    changes = []
    for key in sorted(before.keys() | after.keys()):
        o, n = before.get(key), after.get(key)
        if o is None:
            changes.append(Change(key, "added", None, n.shown_version))
        elif n is None:
            changes.append(Change(key, "removed", o.shown_version, None))
        elif (o.version, o.url) != (n.version, n.url):
            changes.append(Change(key, _direction(o.shown_version, n.shown_version), o.shown_version, n.shown_version))
        elif (o.hashes, o.marker) != (n.hashes, n.marker):
            detail = "other hashes" if o.marker == n.marker else f"marker: {o.marker or 'none'} -> {n.marker or 'none'}"
            changes.append(Change(_key(n), "changed", o.shown_version, n.shown_version, detail))
    return changes


def _direction(old: str, new: str) -> str:
    try:
        return "upgraded" if Version(new) > Version(old) else "downgraded" if Version(new) < Version(old) else "changed"
    except InvalidVersion:
        return "changed"


def _what(c: Change) -> str:
    if c.kind == "added":
        return f"{c.name} {c.new}"
    if c.kind == "removed":
        return f"{c.name} {c.old}"
    if c.kind == "changed" and c.old == c.new:
        return f"{c.name} {c.new} ({c.detail or 'other hashes'})"
    return f"{c.name} {c.old} -> {c.new}"


def summary(changes: list[Change]) -> str:
    counts = [f"{sum(c.kind == k for c in changes)} {k}" for k in KINDS if any(c.kind == k for c in changes)]
    return ", ".join(counts) if counts else "no package changes"


def render_text(changes: list[Change]) -> str:
    """One line per change, e.g. `  upgraded    six 1.16.0 -> 1.17.0`."""
    return "".join(f"  {c.kind:<11} {_what(c)}\n" for c in changes)


def render_markdown(
    changes: list[Change],
    title: str = "requirements.lock",
    old_cutoff: str | None = None,
    new_cutoff: str | None = None,
    extra: dict[str, dict[str, str]] | None = None,
    note: str | None = None,
) -> str:
    """`extra`: more columns, {heading: {change name: cell}}; `note`: a line after the summary."""
    extra = extra or {}
    out = [f"### Dependency changes in `{title}`", ""]
    if old_cutoff or new_cutoff:
        if old_cutoff == new_cutoff:
            out += [f"Cut-off (uploads up to): {new_cutoff}", ""]
        else:
            out += [f"Cut-off (uploads up to): {old_cutoff or 'none'} → {new_cutoff or 'none'}", ""]
    if not changes:
        out.append("No package changes.")
        return "\n".join(out) + "\n"
    out += ["| Package | Change | Old | New |" + "".join(f" {h} |" for h in extra),
            "|---|---|---|---|" + "---|" * len(extra)]
    for c in changes:
        cells = "".join(f" {column.get(c.name, '')} |" for column in extra.values())
        out.append(f"| `{c.name}` | {c.kind} | {c.old or ''} | {c.new or ''} |{cells}")
    out += ["", f"{summary(changes)}."] + ([note] if note else [])
    return "\n".join(out) + "\n"
