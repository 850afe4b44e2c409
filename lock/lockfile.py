"""The lock body: parse it (ours, or a resolver's output), validate it, render it.

Every entry is `name==version` (or `name @ https://...#sha256=...`), optionally `; marker`, followed
by one or more `--hash=sha256:...` and an optional `# via` annotation:

    numpy==2.3.1 \\
        --hash=sha256:... \\
        --hash=sha256:...
        # via
        #   -r requirements.in
        #   pandas

This module is the one reader of that format: `lock check`, `lock diff`, the layered locks' bases,
the SBOM, labels, pylock and the wheelhouse all read the file with `read_text` / `read_lock` and parse
with it, so the same bytes are accepted or refused everywhere, with the same words
(tests/unit/test_lock_model.py, tests/unit/test_lock_reader.py). Rendering is canonical (sorted names, sorted hashes, sorted annotations), so the body depends only on
the resolution, not on how a resolver happened to format it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from lock import header
from lock.errors import InputError

_HASH_RE = re.compile(r"--hash[=\s]\s*(\S+)")
_HASH_VALUE_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Entry:
    name: str  # canonical
    version: str | None  # None for a URL entry
    url: str | None = None
    marker: str | None = None
    hashes: tuple[str, ...] = ()  # "sha256:hex", sorted
    via: tuple[str, ...] = ()  # sorted, includes come first
    line: int = 0

    @property
    def requirement(self) -> str:
        spec = f"{self.name} @ {self.url}" if self.url else f"{self.name}=={self.version}"
        return f"{spec} ; {self.marker}" if self.marker else spec

    @property
    def shown_version(self) -> str:
        """The version for humans: a URL entry shows its file's version where the name allows."""
        if self.version:
            return self.version
        filename = (self.url or "").split("#")[0].rsplit("/", 1)[-1]
        parts = filename.split("-")
        if filename.endswith(".whl") and len(parts) >= 5:
            return parts[1]
        return filename or "?"

    @property
    def direct_from(self) -> tuple[str, ...]:
        """The requirement files that name this package directly (`-r FILE` annotations)."""
        return tuple(v[3:] for v in self.via if v.startswith("-r "))


@dataclass
class Body:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file:line: what is wrong", hand edits

    def by_name(self) -> dict[str, Entry]:
        return {e.name: e for e in self.entries}


def _via_sort_key(item: str) -> tuple[int, str]:
    return (0 if item.startswith("-") else 1, item)


def parse_body(text: str, display: str = "requirements.lock", first_line: int = 1) -> Body:
    """Entries of a pip-style hashed requirements file, tolerant of comments and headers; whatever
    is not a pinned, hashed entry is reported in `problems` with file:line."""
    body = Body()
    lines = text.splitlines()
    i = 0
    current: dict | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            body.entries.append(
                Entry(
                    name=current["name"],
                    version=current["version"],
                    url=current["url"],
                    marker=current["marker"],
                    hashes=tuple(sorted(set(current["hashes"]))),
                    via=tuple(sorted(set(current["via"]), key=_via_sort_key)),
                    line=current["line"],
                )
            )
            current = None

    in_via_block = False
    while i < len(lines):
        number = first_line + i
        raw = lines[i]
        stripped = raw.strip()
        if not stripped:
            in_via_block = False
            i += 1
            continue
        if stripped.startswith("#"):
            comment = stripped[1:].strip()
            if current is not None and raw.startswith((" ", "\t")):
                if comment == "via":
                    in_via_block = True
                elif comment.startswith("via "):
                    current["via"].extend(x.strip() for x in comment[4:].split(", ") if x.strip())
                    in_via_block = False
                elif in_via_block and comment:
                    current["via"].append(comment)
            else:
                in_via_block = False
            i += 1
            continue
        in_via_block = False
        # A logical line: join `\` continuations.
        logical = stripped
        while logical.endswith("\\") and i + 1 < len(lines):
            i += 1
            logical = logical[:-1].rstrip() + " " + lines[i].strip()
        logical = logical.rstrip("\\").strip()
        i += 1
        finish()
        where = f"{display}:{number}"
        if logical.startswith("-"):
            body.problems.append(
                f"{where}: option line {logical.split()[0]!r} (a lock holds only pinned, hashed requirements)"
            )
            continue
        req_text, _, rest = logical.partition(" --")
        rest = ("--" + rest) if rest else ""
        hashes = _HASH_RE.findall(rest)
        leftover = _HASH_RE.sub("", rest).strip()
        if leftover.startswith("#"):
            body.problems.append(f"{where}: a comment after the hashes of {req_text.strip()!r} (lock writes none there)")
        elif leftover:
            body.problems.append(f"{where}: unexpected option {leftover.split()[0]!r} on {req_text.strip()!r}")
        try:
            req = Requirement(req_text.strip())
        except InvalidRequirement as e:
            body.problems.append(f"{where}: malformed line {req_text.strip()!r}: {str(e).splitlines()[0]}")
            continue
        name = canonicalize_name(req.name)
        version = None
        if req.url:
            if "#sha256=" not in req.url and not hashes:
                body.problems.append(f"{where}: {req_text.strip()!r} is a URL without a hash")
        else:
            specs = list(req.specifier)
            if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
                body.problems.append(f"{where}: {req_text.strip()!r} is not pinned with ==")
                version = str(req.specifier) or "(unpinned)"
            else:
                version = specs[0].version
        if not hashes:
            body.problems.append(f"{where}: {req_text.strip()!r} has no --hash")
        for h in hashes:
            if not _HASH_VALUE_RE.match(h):
                body.problems.append(f"{where}: {req_text.strip()!r} has a malformed hash {h!r}")
        current = {
            "name": name,
            "version": version,
            "url": req.url,
            "marker": str(req.marker) if req.marker else None,
            "hashes": hashes,
            "via": [],
            "line": number,
        }
    finish()
    seen: dict[tuple[str, str | None], int] = {}
    for e in body.entries:
        key = (e.name, e.marker)
        if key in seen:
            body.problems.append(f"{display}:{e.line}: {e.name} is listed twice (also line {seen[key]})")
        seen.setdefault(key, e.line)
    return body


def valid_entries(text: str, display: str = "requirements.lock", first_line: int = 1) -> list[Entry]:
    """The entries of a body that has no problem at all, else InputError naming the first (file:line)."""
    body = parse_body(text, display, first_line)
    if body.problems:
        more = f" (and {len(body.problems) - 1} more)" if len(body.problems) > 1 else ""
        raise InputError(body.problems[0] + more)
    return body.entries


class NotFound(InputError):
    """The file does not exist: `check` reports the lock as missing, `lock` makes it."""


def read_text(path: Path, display: str) -> str:
    """A lock's text, its line ends as they are (a CRLF lock is an edit, not the same lock). The one
    set of words for a file that cannot be read: missing, a directory, unreadable, not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise NotFound(f"{display}: not found") from None
    except IsADirectoryError:
        raise InputError(f"{display}: is a directory, not a lock") from None
    except OSError as e:
        raise InputError(f"{display}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(f"{display}: not a lock (not UTF-8 text)") from None


@dataclass(frozen=True)
class LockFile:
    text: str  # as it is on disk (line ends included)
    parsed: header.Parsed | None  # None: no lock header (a resolver's output, image/build-tools.txt)
    entries: list[Entry]


def read_lock(path: Path, display: str, *, made_by_lock: bool = False, intact: bool = True) -> LockFile:
    """A lock file, read and refused one way for every reader: not found, unreadable, empty, not made
    by lock (when `made_by_lock`), truncated or hand-edited pins (when `intact` and it has a header),
    any entry that is not pinned and hashed (file:line). InputError with one line."""
    text = read_text(path, display)
    if not text.strip():
        raise InputError(f"{display} is not a lock: it is empty")
    lf = text.replace("\r\n", "\n")
    try:
        parsed = header.parse(lf)
    except header.HeaderError as e:
        if made_by_lock:
            raise InputError(f"{display}: not a lock made by `lock` ({e})") from None
        parsed = None
    if parsed and intact and header.body_sha256(parsed.body) != parsed.body_sha256:
        raise InputError(f"{display} is not a valid lock: its body does not match its header's body-sha256 "
                         "(truncated, or its pins were edited by hand)")
    entries = valid_entries(parsed.body if parsed else lf, display, parsed.body_line if parsed else 1)
    return LockFile(text, parsed, entries)


def read_entries(path: Path, display: str) -> list[Entry]:
    """The entries of a hashed requirements file (a lock with or without lock's header, or a
    resolver's output such as image/build-tools.txt), read by `read_lock`."""
    return read_lock(path, display).entries


def render_body(entries: list[Entry]) -> str:
    out: list[str] = []
    for e in sorted(entries, key=lambda e: (e.name, e.marker or "")):
        hashes = sorted(set(e.hashes))
        if hashes:
            out.append(f"{e.requirement} \\\n")
            out += [f"    --hash={h} \\\n" for h in hashes[:-1]]
            out.append(f"    --hash={hashes[-1]}\n")
        else:
            out.append(f"{e.requirement}\n")
        via = sorted(set(e.via), key=_via_sort_key)
        if len(via) == 1:
            out.append(f"    # via {via[0]}\n")
        elif via:
            out.append("    # via\n")
            out += [f"    #   {v}\n" for v in via]
    return "".join(out)
