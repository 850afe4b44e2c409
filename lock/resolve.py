"""Make a lock: resolve once per target platform, check the platforms agree, merge, add the header.

Each platform is resolved on its own (`--python-platform P --only-binary :all:`), which proves every
pin has a wheel for P. The lock pins one version per package for all platforms: if the resolutions
disagree on a version, that is an error naming the package (pin it in requirements.in). A package
needed on some platforms only (a dependency behind a platform marker) gets a `platform_machine`
marker, when the machines tell those platforms apart.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.version import InvalidVersion, Version

from lock import backends, header, lockfile
from lock.backends import Backend
from lock.cutoff import Cutoffs
from lock.errors import FileSystemError, ResolutionError, ResolverError
from lock.lockfile import Entry
from lock.requirements_in import Inputs
from lock.config import Config, Platform

BACKENDS: dict[str, Backend] = backends.REGISTRY  # the registry itself (lock.backends)


def backend_module(name: str) -> Backend:
    return backends.get(name)


def settings_for(
    python: str, platforms: tuple[Platform, ...], inputs: Inputs, backend: str, cutoffs: Cutoffs
) -> header.Settings:
    return header.Settings(
        backend=backend,
        python=python,
        platforms=tuple(p.name for p in platforms),
        resolver_options=backend_module(backend).RESOLVER_OPTIONS,
        cutoffs=cutoffs,
        inputs=tuple((f.kind, f.rel, f.sha256) for f in inputs.files),
    )


@dataclass
class Existing:
    """The lock on disk, read as far as it can be."""

    text: str | None
    parsed: header.Parsed | None  # None: no file, or no (valid) lock header
    entries: list[Entry]


def read_existing(path: Path) -> Existing:
    try:
        text = lockfile.read_text(path, path.name)  # as it is: a CRLF lock is rewritten, not "up to date"
    except lockfile.NotFound:
        return Existing(None, None, [])
    lf = text.replace("\r\n", "\n")  # its settings still count when only the line ends changed
    try:
        parsed = header.parse(lf)
    except header.HeaderError:
        parsed = None
    return Existing(text, parsed, lockfile.parse_body(lf).entries)


# Staged copies are `.lock-staged.requirements.in.XXXX.in`: removed at the end of the run (also on
# SIGTERM/SIGHUP); .gitignore covers what a SIGKILL leaves, and the next run under the project lock
# removes it.
STAGED_PREFIX = ".lock-staged."


def remove_stale_staged(directory: Path) -> None:
    """Staged files of earlier runs that were killed (call only while holding the project lock)."""
    for leftover in directory.glob(f"{STAGED_PREFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


@contextlib.contextmanager
def staged_requirements(path: Path, text: str | None) -> Iterator[Path]:
    """The requirements file to hand the resolver: `path` itself, or (for `lock add`) a temporary
    sibling holding `text`, so includes still resolve and nothing real changes until the end."""
    if text is None:
        yield path
        return
    path = path.resolve()  # a symlinked requirements.in: stage beside its target, where its includes are
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{STAGED_PREFIX}{path.name}.", suffix=".in")
    except OSError as e:
        raise FileSystemError(f"cannot write in {path.parent} (for {path.name}): {e.strerror}") from None
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as e:
            raise FileSystemError(f"cannot write in {path.parent} (for {path.name}): {e.strerror}") from None
        yield Path(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _entries_from_output(output: str, backend: str, platform: Platform, rename: Mapping[str, str]) -> dict[str, Entry]:
    body = lockfile.parse_body(output, display=f"{backend} output for {platform.name}")
    if body.problems:
        raise ResolverError(f"unexpected {backend} output: {body.problems[0]}")
    entries: dict[str, Entry] = {}
    for e in body.entries:
        via = []
        for item in e.via:
            kind, _, target = item.partition(" ")
            if kind in ("-r", "-c") and target in rename:
                item = f"{kind} {rename[target]}"
            via.append(item)
        # Resolutions are for one environment: markers have been evaluated already.
        entries[e.name] = replace(e, marker=None, via=tuple(via), line=0)
    return entries


def merge(results: list[tuple[Platform, dict[str, Entry]]]) -> list[Entry]:
    merged: list[Entry] = []
    differ: list[str] = []
    unmarkable: list[str] = []
    names = sorted(set().union(*(r.keys() for _, r in results))) if results else []
    for name in names:
        present = [(p, r[name]) for p, r in results if name in r]
        pins = {(e.version, e.url) for _, e in present}
        if len(pins) > 1:
            shown = ", ".join(f"{e.shown_version} on {p.name}" for p, e in present)
            lowest = min((e.shown_version for _, e in present), key=_version_key)
            differ.append(f"{name} ({shown}; pin one, e.g. {name}=={lowest})")
            continue
        marker = None
        if len(present) < len(results):
            machines = sorted({p.machine for p, _ in present})
            absent = [p for p, r in results if name not in r]
            if any(p.machine in machines for p in absent):
                unmarkable.append(
                    f"{name} (on {', '.join(p.name for p, _ in present)}, not on {', '.join(p.name for p in absent)})"
                )
                continue
            marker = " or ".join(f'platform_machine == "{m}"' for m in machines)
        first = present[0][1]
        merged.append(
            Entry(
                name=name,
                version=first.version,
                url=first.url,
                marker=marker,
                hashes=tuple(sorted({h for _, e in present for h in e.hashes})),
                via=tuple({v: None for _, e in present for v in e.via}),
            )
        )
    if differ:
        raise ResolutionError(
            "the target platforms resolve to different versions of "
            + "; ".join(differ)
            + " -- usually a newer version lacks a wheel for one platform; pin it in requirements.in"
        )
    if unmarkable:
        raise ResolutionError(
            "needed on some platforms only, which a platform_machine marker cannot express: " + "; ".join(unmarkable)
        )
    return merged


def _version_key(v: str):
    try:
        return (0, Version(v), v)
    except InvalidVersion:
        return (1, Version("0"), v)


@dataclass(frozen=True)
class Request:
    """One resolution, as asked of lock.resolve (and of lock.layers for a layer): the same object
    from the command to the backend call, instead of a row of positional parameters."""

    config: Config  # the files and the target platforms
    python: str  # "3.13", the target's (lock.layers.target_python)
    inputs: Inputs
    backend: str  # a name in the registry (lock.backends)
    cutoffs: Cutoffs
    requirements_text: str | None = None  # resolved instead of requirements.in's content
    env: Mapping[str, str] | None = None  # the resolver's environment (check --resolve: a fresh cache)
    preferences: Mapping[str, str] | None = None  # pins to keep where the requirements allow


def resolve_all(request: Request, platforms: tuple[Platform, ...] | None = None,
                rename: Mapping[str, str] | None = None) -> list[Entry]:
    """Resolve for every platform and merge. `rename` maps further include paths in the resolver's
    annotations to the names to show; the request's `preferences` go to backend.write_preferences."""
    config, python, cutoffs = request.config, request.python, request.cutoffs
    module = backend_module(request.backend)
    platforms = platforms or config.platforms
    module.prepare(python=python, platforms=platforms, cutoffs=cutoffs)
    real = config.rel(config.requirements)
    with staged_requirements(config.requirements, request.requirements_text) as staged:
        given = config.rel(staged)

        def one(platform: Platform) -> dict[str, Entry]:
            output = module.resolve(root=config.root, requirements=given, python=python, platform=platform,
                                    cutoffs=cutoffs, env=request.env, preferences=request.preferences)
            return _entries_from_output(output, request.backend, platform, {**(rename or {}), given: real})

        with ThreadPoolExecutor(max_workers=len(platforms)) as pool:
            futures = [pool.submit(one, p) for p in platforms]
            results: list[tuple[Platform, dict[str, Entry]]] = []
            errors: list[BaseException] = []
            for p, f in zip(platforms, futures, strict=False):
                try:
                    results.append((p, f.result()))
                except BaseException as e:  # report the first platform's failure, in config order
                    errors.append(e)
        if errors:
            raise errors[0]
    return merge(results)


def lock_without_base(request: Request) -> tuple[str, list[Entry]]:
    """The complete lock text (header + body) and its entries, for a lock without a base (a layer's
    is lock.layers' to make: lock.layers.lock_text chooses)."""
    entries = resolve_all(request)
    settings = settings_for(request.python, request.config.platforms, request.inputs, request.backend, request.cutoffs)
    return header.render(settings, lockfile.render_body(entries)), entries
