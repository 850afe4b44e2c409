"""`lock check`: is the lock up to date with its inputs, and untouched? Offline and fast: it reads
files and compares sha256s, it never runs a resolver. `--resolve` additionally re-resolves with the
recorded cut-offs and compares bytes (needs the network)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.markers import Marker

from lock import diff, drift, header, index, index_view, layers, lockfile
from lock.resolve import BACKENDS, Request
from lock.errors import InputError, ResolutionError
from lock.lockfile import Entry
from lock.requirements_in import InputFile, Inputs, parse_tree
from lock.config import Config


@dataclass(frozen=True)
class Problem:
    kind: str  # "missing", "edited" (hand edit of the lock) or "stale" (inputs changed)
    message: str
    file: str | None = None  # the derived file it is about (pylock.toml, the index view); None: the lock


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    parsed: header.Parsed | None = None
    entries: list[Entry] = field(default_factory=list)
    inputs: Inputs | None = None

    def add(self, kind: str, message: str, file: str | None = None) -> None:
        self.problems.append(Problem(kind, message, file))


def check(config: Config) -> Report:
    report = Report()
    display = config.rel(config.output)
    try:
        raw = lockfile.read_text(config.output, display)  # bytes as they are: no newline translation
    except lockfile.NotFound:
        report.add("missing", f"{display} does not exist")
        return report
    except InputError as e:
        report.add("edited", str(e))
        return report
    text = raw.replace("\r\n", "\n")
    if text != raw:
        report.add("edited", f"{display}: its line ends were changed to CRLF (lock writes LF)")
    try:
        parsed = header.parse(text)
    except header.HeaderError as e:
        report.add("edited", f"{display}: {e} -- it was not made by lock, or its header was edited")
        return report
    report.parsed = parsed
    body = lockfile.parse_body(parsed.body, display, parsed.body_line)
    report.entries = body.entries
    for problem in body.problems:
        report.add("edited", problem)
    if header.body_sha256(parsed.body) != parsed.body_sha256:
        report.add(
            "edited", f"{display}: its pins were edited by hand (the body no longer matches the header's body-sha256)"
        )
    rendered = header.render_header(parsed.settings, parsed.fingerprint, parsed.body_sha256)
    if parsed.settings.fingerprint() != parsed.fingerprint or rendered != parsed.header:
        report.add(
            "edited",
            f"{display}: its header was edited by hand (the recorded settings no longer match its fingerprint)",
        )
    if not report.problems and header.render(parsed.settings, lockfile.render_body(body.entries)) != text:
        report.add(
            "edited",
            f"{display}: its bytes are not what lock writes (spacing, blank lines or order were changed by hand)",
        )

    try:
        read_view(config, parsed.body_sha256)
    except index_view.ViewError as e:
        view = config.rel(index_view.path_for(config.output))
        report.add("edited", f"{e} -- lock writes it with the lock: restore it (git checkout -- {view}) or delete it",
                   view)

    recorded = parsed.settings
    python = layers.target_python(config)
    if python.version != recorded.python:
        report.add(
            "stale",
            f"{python.where} now uses Python {python.version} ({python.image}); the lock was made for Python {recorded.python}",
        )
    platforms = tuple(p.name for p in config.platforms)
    if platforms != recorded.platforms:
        report.add(
            "stale",
            f"pyproject.toml [tool.lock] platforms are now {' '.join(platforms)}; the lock was made for {' '.join(recorded.platforms)}",
        )
    module = BACKENDS.get(recorded.backend)
    if module is None:
        report.add("edited", f"{display}: unknown backend {recorded.backend!r} in its header")
    elif module.RESOLVER_OPTIONS != recorded.resolver_options:
        report.add(
            "stale",
            f"lock's {recorded.backend} options are now `{module.RESOLVER_OPTIONS}`; the lock was made with `{recorded.resolver_options}`",
        )

    inputs = parse_tree(config.root, config.requirements, key=config.requirements_key)
    report.inputs = inputs
    before = {(kind, path): digest for kind, path, digest in recorded.inputs}
    now = {(f.kind, f.rel): f for f in inputs.files}
    for key, f in now.items():
        if key not in before:
            report.add(
                "stale",
                f"{f.rel} is a new input ({'constraints' if f.kind == '-c' else 'requirements'} file) since the lock was made",
            )
        elif before[key] != f.sha256:
            report.add("stale", _explain_change(f, inputs, body.entries, config, recorded.python))
    for kind, path in before:
        if (kind, path) not in now:
            report.add("stale", f"{path} is no longer an input of the lock")
    from lock.layers import check_base

    for message in check_base(config, recorded):  # a layer: its base's pins moved, or it is another base
        report.add("stale", message)
    if not [p for p in report.problems if p.kind == "stale"] and [k for k in now] != [
        (k, p) for k, p, _ in recorded.inputs
    ]:
        report.add("stale", "the order of the input files changed since the lock was made")
    from lock import pylock  # pylock.toml beside the lock, when the project keeps one

    pylock_path = pylock.path_for(config)
    for kind, message in pylock.problems(config, parsed.body_sha256, body.entries):
        report.add(kind, message, config.rel(pylock_path) if pylock_path else None)
    return report


def _explain_change(f: InputFile, inputs: Inputs, entries: list[Entry], config: Config, python: str) -> str:
    """Say how a changed input file differs from the lock, as far as the lock itself tells."""
    prefix = f"{f.rel} changed since the lock was made"
    locked = {e.name: e for e in entries}
    envs = [p.marker_environment(python) for p in config.platforms]
    found: list[str] = []
    specs = [s for s in (inputs.constraints if f.kind == "-c" else inputs.specs) if s.file == f.rel]
    for s in specs:
        marker: Marker | None = s.requirement.marker
        if marker is not None and not any(marker.evaluate(env) for env in envs):
            continue
        e = locked.get(s.name)
        if e is None:
            if f.kind == "-r":
                found.append(f"`{s.text}` ({s.where}) is not in the lock")
        elif s.requirement.url:
            if e.url != s.requirement.url:
                found.append(f"`{s.text}` ({s.where}): the lock has {e.requirement}")
        elif e.version and not s.requirement.specifier.contains(e.version, prereleases=True):
            found.append(f"`{s.text}` ({s.where}) does not allow the locked {e.name}=={e.version}")
    if f.kind == "-r":
        current = {s.name for s in specs}
        for e in entries:
            if f.rel in e.direct_from and e.name not in current:
                found.append(f"`{e.name}` is no longer in {f.rel} (the lock has it as a direct requirement)")
    if not found:
        return f"{prefix} (its requirements differ from those recorded in the lock's header)"
    return f"{prefix}: " + "; ".join(found)


def read_view(config: Config, body_sha256: str) -> dict[str, index_view.PackageView] | None:
    """The recorded index view of the lock; None when there is none. Raises ViewError when it is
    damaged or belongs to another lock body."""
    path = index_view.path_for(config.output)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise index_view.ViewError(f"{config.rel(path)}: cannot read: {e}") from None
    belongs_to, views = index_view.parse(text, config.rel(path))
    if belongs_to != body_sha256:
        raise index_view.ViewError(
            f"{config.rel(path)} belongs to another {config.rel(config.output)} (its lock-body-sha256 differs)"
        )
    return views


@dataclass
class Resolved:
    """`lock check --resolve`: None of these fields set means the lock reproduces byte for byte."""

    changes: str = ""  # the pin changes, one line
    verdict: drift.Verdict | None = None


def check_resolve(config: Config, report: Report, env: Mapping[str, str] | None = None) -> Resolved | None:
    """Re-resolve with the recorded backend and cut-offs. None: same bytes as the file on disk.
    Otherwise why not: the index changed under the cut-off, or (same index view) a non-determinism."""
    parsed, inputs = report.parsed, report.inputs
    assert parsed is not None and inputs is not None
    s = parsed.settings
    try:
        text, entries = layers.lock_text(Request(config, s.python, inputs, s.backend, s.cutoffs, env=env))
    except ResolutionError as failure:  # e.g. the only locked version was yanked
        text, entries, error = None, None, failure
    else:
        error = None
    if text == config.output.read_bytes().decode("utf-8"):  # compare bytes: CRLF is a difference
        return None
    names = {e.name for e in report.entries} | {e.name for e in entries or []}
    pages = index.uv_index_pages(names, env)
    recorded = read_view(config, parsed.body_sha256)
    verdict = drift.explain(report.entries, entries, pages, s.cutoffs, recorded)
    if verdict is None:
        assert error is not None
        raise error
    changes = diff.compare(report.entries, entries) if entries is not None else []
    listed = " ".join("; ".join(diff.render_text(changes).strip().splitlines()).split())
    if error is not None:
        listed = f"re-resolving fails: {error}"
    return Resolved(listed or "the same pins, other bytes (hashes or annotations)", verdict)
