"""Read and validate requirements.in (and the files it includes with -r / -c).

Accepted: comments, blank lines, `\\` continuations, `-r FILE` and `-c FILE` (relative to the
including file), PEP 508 requirements with extras and markers, and `NAME @ https://...#sha256=HEX`.
Refused, with file:line, because they cannot be locked reproducibly or would change the resolver
behind the lock's back: editable (-e), VCS (git+...), URLs without a sha256, local paths, and every
other option.

Each file is also reduced to a normal form (comments, blank lines, spacing and name spelling gone;
order kept, since it can steer the resolver) whose sha256 goes into the lock's fingerprint.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from lock.errors import InputError, shorten

# pip's own rules (pip/_internal/req/req_file.py): a comment starts at a `#` at the start of the
# line or after whitespace, so `URL#sha256=...` is not a comment.
_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_VCS_RE = re.compile(r"(^|@\s*)(git|hg|svn|bzr)\+", re.IGNORECASE)
_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SHA256_FRAGMENT_RE = re.compile(r"(^|&)sha256=[0-9a-f]{64}($|&)")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar")
_INCLUDE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
_EDITABLE_OPTIONS = ("-e", "--editable")
# Longer names are no package anyone can publish; refusing them early keeps messages short and
# the resolver from sending a 100 KB index request.
MAX_NAME = 128


@dataclass(frozen=True)
class Spec:
    """One requirement line, validated."""

    requirement: Requirement
    file: str  # project-relative path, for messages
    line: int
    text: str  # as written (comments and continuations removed)
    constraint: bool = False

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def normal(self) -> str:
        r = Requirement(str(self.requirement))
        r.name = canonicalize_name(r.name)
        r.extras = {canonicalize_name(e) for e in r.extras}
        return str(r)


@dataclass
class InputFile:
    """One file of the requirements tree and its normal form."""

    path: Path
    rel: str  # project-relative posix path
    kind: str  # "-r" (requirements) or "-c" (constraints)
    normal: list[str] = field(default_factory=list)
    text: str = field(default="", repr=False, compare=False)  # as read (or as given for the top file): edits start from it

    @property
    def sha256(self) -> str:
        return hashlib.sha256("".join(f"{line}\n" for line in self.normal).encode()).hexdigest()


@dataclass
class Inputs:
    files: list[InputFile]  # top file first, then includes in the order they are met
    specs: list[Spec]  # requirements (not constraints), in order
    constraints: list[Spec]

    def names(self) -> set[str]:
        return {s.name for s in self.specs}


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, content) of each non-blank line, continuations joined, comments removed."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.endswith("\\") or _COMMENT_RE.match(line):
            if _COMMENT_RE.match(line):
                line = " " + line
            if pending:
                pending.append(line)
                number, line = first, "".join(pending)
                pending = []
        else:
            if not pending:
                first = number
            pending.append(line.rstrip("\\"))
            continue
        content = _COMMENT_RE.sub("", line).strip()
        if content:
            out.append((number, content))
    if pending:
        content = _COMMENT_RE.sub("", "".join(pending)).strip()
        if content:
            out.append((first, content))
    return out


def dangling_continuation(text: str) -> int | None:
    """The number of a line that ends with a `\\` continuation but is followed by a blank line or
    the end of the file (uv refuses both), else None."""
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if line.endswith("\\") and not _COMMENT_RE.match(line):
            if number == len(lines) or not lines[number].strip():
                return number
    return None


def parse_spec(text: str, where: str, file: str = "", line: int = 0, constraint: bool = False) -> Spec:
    """Validate one requirement; `where` prefixes every error ("requirements.in:3" or "argument 'x'")."""
    text = text.strip()
    name = re.match(r"[^\s\[;@<>=!~(]*", text)[0]
    if len(name) > MAX_NAME:
        raise InputError(f"{where}: package name {shorten(name)} is longer than {MAX_NAME} characters")
    if _VCS_RE.search(text):
        raise InputError(
            f"{where}: VCS requirement {shorten(text)} cannot be locked reproducibly (not hashable); use a released version"
        )
    if _URL_RE.match(text):
        raise InputError(f"{where}: bare URL {shorten(text)}: write it as NAME @ URL#sha256=HEX")
    if _looks_like_path(text):
        raise InputError(
            f"{where}: local path {shorten(text)} cannot be locked reproducibly; publish it to an index and require it by name"
        )
    if re.search(r"(^|\s)--?[a-z]", text):
        raise InputError(f"{where}: {shorten(text)}: per-requirement options are not supported")
    try:
        req = Requirement(text)
    except InvalidRequirement as e:
        reason = str(e).splitlines()[0] if str(e) else "invalid requirement"
        raise InputError(f"{where}: malformed requirement {shorten(text)}: {reason}") from None
    if req.url:
        url = req.url
        if url.lower().startswith("file:"):
            raise InputError(
                f"{where}: local path {shorten(text)} cannot be locked reproducibly; publish it to an index and require it by name"
            )
        if not url.lower().startswith("https://"):
            raise InputError(f"{where}: URL requirement {shorten(text)} must use https://")
        fragment = url.partition("#")[2]
        if not _SHA256_FRAGMENT_RE.search(fragment):
            raise InputError(
                f"{where}: URL requirement {shorten(text)} has no #sha256= hash, so it cannot be locked reproducibly"
            )
    for spec in req.specifier:
        if spec.operator == "===":
            raise InputError(f"{where}: {shorten(text)}: arbitrary equality (===) is not supported")
    return Spec(req, file, line, text, constraint)


def _looks_like_path(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    if "@" in head:
        return False
    return (
        head.startswith((".", "/", "~", "\\"))
        or "/" in head
        or "\\" in head
        or head.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _option(content: str) -> tuple[str, str] | None:
    """(option, value) when the line is an option, else None."""
    if not content.startswith("-"):
        return None
    for opt in sorted((*_INCLUDE_OPTIONS, *_EDITABLE_OPTIONS), key=len, reverse=True):
        if content == opt:
            return opt, ""
        if content.startswith(opt):
            rest = content[len(opt) :]
            if rest[:1] in (" ", "\t", "="):
                return opt, rest.lstrip(" \t=").strip()
            if not opt.startswith("--"):  # -rfile, as optparse allows
                return opt, rest.strip()
    return content.split(None, 1)[0].split("=", 1)[0], ""


def parse_tree(root: Path, top: Path, top_text: str | None = None, key: str = "[tool.lock] requirements") -> Inputs:
    """Parse `top` and everything it includes. `top_text` replaces top's content (for `lock add`);
    `key`: the pyproject.toml setting that names `top`, for a message when it is missing."""
    root = root.resolve()
    inputs = Inputs([], [], [])
    seen: set[tuple[Path, str]] = set()

    def rel(path: Path) -> str:
        import os

        return Path(os.path.relpath(path, root)).as_posix()

    def visit(path: Path, kind: str, stack: tuple[Path, ...], text: str | None, where: str) -> None:
        path = path.resolve()
        display = rel(path)
        if path in stack:
            raise InputError(f"{where}: include cycle: {display} includes itself")
        if (path, kind) in seen:
            return
        seen.add((path, kind))
        if text is None:
            try:
                text = path.read_bytes().decode("utf-8")
            except FileNotFoundError:
                if not stack:
                    raise InputError(
                        f"{display}: not found (create it, or set {key} in pyproject.toml)"
                    ) from None
                raise InputError(f"{where}: included file {display} not found") from None
            except IsADirectoryError:
                raise InputError(f"{where or display}: {display} is a directory, not a requirements file") from None
            except UnicodeDecodeError:
                raise InputError(f"{display}: not UTF-8 text") from None
        dangling = dangling_continuation(text)
        if dangling is not None:
            raise InputError(
                f"{display}:{dangling}: the line ends with `\\` (a continuation) but no requirement follows it"
            )
        entry = InputFile(path, display, kind, text=text)
        inputs.files.append(entry)
        for number, content in logical_lines(text):
            here = f"{display}:{number}"
            option = _option(content)
            if option is None:
                spec = parse_spec(content, here, display, number, constraint=(kind == "-c"))
                entry.normal.append(spec.normal)
                (inputs.constraints if kind == "-c" else inputs.specs).append(spec)
                continue
            opt, value = option
            if opt in _EDITABLE_OPTIONS:
                raise InputError(
                    f"{here}: editable requirement {shorten(content)} cannot be locked reproducibly; require a released version"
                )
            if opt not in _INCLUDE_OPTIONS:
                raise InputError(
                    f"{here}: unknown option {opt!r} (requirements.in takes requirements, -r FILE and -c FILE only)"
                )
            if not value:
                raise InputError(f"{here}: {opt} needs a file name")
            if _URL_RE.match(value):
                raise InputError(f"{here}: {opt} {value}: remote requirement files cannot be locked reproducibly")
            child_kind = "-c" if _INCLUDE_OPTIONS[opt] == "-c" or kind == "-c" else "-r"
            child = (path.parent / value).resolve()
            entry.normal.append(f"{child_kind} {rel(child)}")
            visit(child, child_kind, (*stack, path), None, here)

    visit(top, "-r", (), top_text, "")
    return inputs


def append_specs(text: str, specs: list[str]) -> str:
    """requirements.in with specs added at the end; comments, order and everything else untouched."""
    if text and not text.endswith("\n"):
        text += "\n"
    if text.endswith("\\\n"):  # a dangling continuation would swallow the new line
        text += "\n"
    return text + "".join(f"{s}\n" for s in specs)
