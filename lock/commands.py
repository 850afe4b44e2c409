"""What `lock`'s commands do, below the command line: lock.cli parses the arguments, calls one of
these and prints what it returns; the steps themselves (requirements_in, cutoff, resolve, url_files,
index_view, pylock, atomic) are called from here only.

    relock(...)     resolve, then write the lock, requirements.in (add), the index view and pylock.toml
                    together (lock.atomic: all or nothing)
    lock / add / upgrade   the cut-offs and inputs each one resolves with, then relock
    lock_steps(...) which locks a command goes through: the project's, then each layer's
    read_lock(...)  a lock for `lock diff` (check is lock.check)

`say` is for progress (`--quiet` silences it), `warn` for warnings (always shown).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidName, canonicalize_name

from lock import atomic, config_paths, diff, errors, header, index_view, layers, lockfile, resolve
from lock.cutoff import Cutoffs, now, parse_timestamp
from lock.errors import InputError, ResolverError, shorten
from lock.lockfile import Entry
from lock.requirements_in import Inputs, append_specs, parse_spec, parse_tree
from lock.config import Config, find_root, load_config

Say = Callable[[str], None]


def open_config(project: str | None, layer: str | None = None, base_lock: str | None = None,
                base_image: str | None = None) -> Config:
    """The project's settings for one lock: its own (layer None) or a layer's."""
    start = Path(project) if project else Path.cwd()
    if not start.is_dir():
        raise InputError(f"--project {project}: not a directory")
    from lock import pylock

    config = load_config(find_root(start))
    if base_lock:
        config = dataclasses.replace(config, base=Path(base_lock).resolve())
    base_key = "--base-lock" if base_lock else "pyproject.toml [tool.lock] base-lock"
    config_paths.validate(config, pylock.path_for(config), base_key)
    if base_image:
        config = layers.fetch_base(config, base_image, config_paths.files(config, pylock.path_for(config), "")[1])
        config_paths.validate(config, pylock.path_for(config), f"--base-image {base_image}")
    return layers.select(config, layer)


@contextlib.contextmanager
def project_locked(config: Config, say: Say) -> Iterator[None]:
    """Hold the project lock for a run that may write; clear what killed runs left behind."""
    from lock import mutex

    with mutex.held(config.output, say):
        resolve.remove_stale_staged(config.requirements.resolve().parent)
        yield


def lock_steps(config: Config, command: str, layer: str | None, packages: list[str]) -> list[tuple[str | None, str]]:
    """(layer, command) for each lock a command goes through. One lock with --layer NAME; else the
    project's lock, then each layer: `lock` and `check` go through all; after `add` or `upgrade PKG`
    of the base its layers are relocked with their own cut-offs (they follow the base); `upgrade`
    moves every cut-off."""
    if command not in ("lock", "add", "remove", "upgrade", "check") or layer:
        return [(layer, command)]
    follow = "lock" if command in ("add", "remove") or (command == "upgrade" and packages) else command
    return [(None, command), *((name, follow) for name in layers.names(config))]


@dataclass
class Relocked:
    """What a relock did, for the command line to print."""

    output: str  # the lock, relative to the project
    summary: str  # "N packages for Python X on P (backend, cut-off)"
    wrote: bool  # False: the lock was already these bytes
    old_cutoffs: Cutoffs | None
    cutoffs: Cutoffs
    changes: list[diff.Change]


def _cutoff(exclude_newer: str | None) -> str | None:
    return parse_timestamp(exclude_newer) if exclude_newer else None


def lock(config: Config, backend: str | None, exclude_newer: str | None, say: Say, warn: Say) -> Relocked:
    """`lock`: relock with the recorded cut-offs (a new global one with --exclude-newer, else now for a first lock)."""
    inputs = parse_tree(config.root, config.requirements, key=config.requirements_key)
    existing = resolve.read_existing(config.output)
    explicit = _cutoff(exclude_newer)
    recorded = existing.parsed.settings.cutoffs if existing.parsed else None
    if explicit:  # a new global cut-off moves every pin to it: nothing to keep
        cutoffs = recorded.with_global(explicit) if recorded else Cutoffs(explicit)
    else:
        cutoffs = recorded or Cutoffs(now(config.settle_hours))
    return relock(config, inputs, cutoffs, existing, backend, say, warn, keep=None if explicit else existing_pins(existing))


def add(config: Config, specs: list[str], backend: str | None, exclude_newer: str | None, say: Say,
        warn: Say) -> Relocked:
    """`lock add SPEC...`: append to requirements.in (kept as it is: CRLF stays CRLF), the new
    packages at their newest (a per-package cut-off), nothing else moves."""
    inputs = parse_tree(config.root, config.requirements, key=config.requirements_key)
    required = {s.name: s for s in inputs.specs}
    new: dict[str, str] = {}
    for raw in specs:
        spec = parse_spec(raw, f"lock add {shorten(raw)}")
        if spec.name in required:
            raise InputError(
                f"lock add {shorten(raw)}: {spec.name} is already required ({required[spec.name].where}: {required[spec.name].text!r}); edit that line instead"
            )
        if spec.name in new:
            raise InputError(f"lock add {shorten(raw)}: {spec.name} is given twice")
        _in_base(config, spec, raw)
        new[spec.name] = str(spec.requirement)
    original = inputs.files[0].text  # the top file, as parse_tree read it
    text = append_specs(original, list(new.values()))
    if "\r\n" in original:
        text = original + text[len(original) :].replace("\n", "\r\n")
    new_inputs = parse_tree(config.root, config.requirements, top_text=text, key=config.requirements_key)
    existing = resolve.read_existing(config.output)
    stamp = _cutoff(exclude_newer) or now(config.settle_hours)
    base = existing.parsed.settings.cutoffs if existing.parsed else Cutoffs(stamp)
    cutoffs = base.with_packages(new, stamp)
    return relock(config, new_inputs, cutoffs, existing, backend, say, warn, requirements_text=text,
                  keep=existing_pins(existing, but=new))


def package_name(command: str, raw: str) -> str:
    """A package name given on the command line, canonical; else one line naming the command."""
    try:
        return canonicalize_name(raw, validate=True)
    except InvalidName:
        raise InputError(f"{command} {shorten(raw)}: not a package name") from None


def remove(config: Config, packages: list[str], backend: str | None, say: Say, warn: Say) -> Relocked:
    """`lock remove PKG...`: delete their lines from requirements.in (the rest kept byte for byte),
    drop their per-package cut-offs, relock; every other pin stays, what only they needed goes."""
    inputs = parse_tree(config.root, config.requirements)
    top = config.rel(config.requirements)
    names = []
    for raw in packages:
        name = package_name("lock remove", raw)
        specs = [s for s in inputs.specs if s.name == name]
        if not specs:
            raise InputError(f"lock remove {shorten(raw)}: {name} is not required in {top} (nothing to remove)")
        elsewhere = [s for s in specs if s.file != top]
        if elsewhere:
            raise InputError(f"lock remove {shorten(raw)}: {name} is required in {elsewhere[0].where}; remove it there")
        if name in names:
            raise InputError(f"lock remove {shorten(raw)}: {name} is given twice")
        names.append(name)
    original = inputs.files[0].text  # the top file, as parse_tree read it
    lines = original.splitlines(keepends=True)
    dropped: set[int] = set()
    for spec in (s for s in inputs.specs if s.name in names):
        number = spec.line - 1
        while True:  # the requirement and its continuation lines
            dropped.add(number)
            if not lines[number].rstrip("\r\n").endswith("\\") or number + 1 >= len(lines):
                break
            number += 1
    text = "".join(line for number, line in enumerate(lines) if number not in dropped)
    new_inputs = parse_tree(config.root, config.requirements, top_text=text)
    existing = resolve.read_existing(config.output)
    cutoffs = existing.parsed.settings.cutoffs if existing.parsed else Cutoffs(now(config.settle_hours))
    cutoffs = Cutoffs(cutoffs.exclude_newer, tuple((n, s) for n, s in cutoffs.packages if n not in names))
    return relock(config, new_inputs, cutoffs, existing, backend, say, warn, requirements_text=text,
                  keep=existing_pins(existing, but=names))


def upgrade(config: Config, packages: list[str], backend: str | None, exclude_newer: str | None, say: Say,
            warn: Say) -> Relocked:
    """`lock upgrade [PKG...]`: a new global cut-off, or new per-package ones for PKG..."""
    inputs = parse_tree(config.root, config.requirements, key=config.requirements_key)
    existing = resolve.read_existing(config.output)
    stamp = _cutoff(exclude_newer) or now(config.settle_hours)
    keep = None
    if not packages:
        cutoffs = Cutoffs(stamp)
    else:
        if not existing.parsed:
            raise InputError(
                f"{config.rel(config.output)} has no lock header yet: run `lock` first, then `lock upgrade PKG`"
            )
        known = {e.name for e in existing.entries} | inputs.names()
        names = []
        for raw in packages:
            name = package_name("lock upgrade", raw)
            if name not in known:
                raise InputError(f"lock upgrade {shorten(raw)}: {name} is not in {config.rel(config.output)} "
                                 f"({_where_else(config, name, raw)})")
            names.append(name)
        cutoffs = existing.parsed.settings.cutoffs.with_packages(names, stamp)
        keep = existing_pins(existing, but=names)
    return relock(config, inputs, cutoffs, existing, backend, say, warn, keep=keep)


def _where_else(config: Config, name: str, raw: str) -> str:
    """Advice for a package `upgrade` does not find in this lock: the layer that has it, else add."""
    if config.layer is None:
        for layer in layers.names(config):
            other = layers.select(config, layer)
            if any(e.name == name for e in resolve.read_existing(other.output).entries):
                return f"it is in layer {layer}'s {config.rel(other.output)}: lock upgrade --layer {layer} {raw}"
    where = f" --layer {config.layer}" if config.layer else ""
    return f"to add it: lock add{where} {raw}"


def _in_base(config: Config, spec, raw: str) -> None:
    """`lock add --layer L X` where L's base already installs X: nothing would be added."""
    if config.base is None or spec.requirement.extras or spec.requirement.url:
        return
    pin = layers.read_base(config).entries.get(spec.name)
    if pin is not None:
        raise InputError(
            f"lock add {shorten(raw)}: {spec.name} is already in the base lock {config.rel(config.base)} "
            f"({pin.requirement}); the layer installs it from there, so nothing would be added"
        )


def existing_pins(existing: resolve.Existing, but: Iterable[str] = ()) -> dict[str, str]:
    """The lock's pins for the resolver to keep (all but the packages named): an index that lists
    a new file under the cut-off (a lagging mirror, a back-dated upload) must not move them."""
    if not vouched(existing):  # a hand-edited pin goes to the resolver as nothing at all
        return {}
    skip = {canonicalize_name(n) for n in but}
    return {e.name: e.version for e in existing.entries if e.url is None and e.name not in skip}


def vouched(existing: resolve.Existing) -> bool:
    """Whether the lock on disk is as lock wrote it: its body matches the header's body-sha256 and
    its settings the header's fingerprint. Only then are its pins (and its index view) the
    resolver's own; otherwise the lock is regenerated from its inputs."""
    parsed = existing.parsed
    return (parsed is not None and header.body_sha256(parsed.body) == parsed.body_sha256
            and parsed.settings.fingerprint() == parsed.fingerprint)


def relock(config: Config, inputs: Inputs, cutoffs: Cutoffs, existing: resolve.Existing, backend: str | None,
           say: Say, warn: Say, requirements_text: str | None = None, keep: dict[str, str] | None = None) -> Relocked:
    """Resolve and write the lock (and its index view and pylock.toml); `keep`: pins to prefer."""
    from lock import url_files

    python = layers.target_python(config).version
    # The backend the lock was made with, unless told otherwise: `lock` alone reproduces the lock.
    recorded = existing.parsed.settings.backend if existing.parsed else None
    backend = backend or (recorded if recorded in resolve.BACKENDS else "uv")
    # Refuse what the backend cannot do before resolving anything.
    resolve.backend_module(backend).prepare(python=python, platforms=config.platforms, cutoffs=cutoffs)
    url_files.verify(inputs, python, config.platforms)  # wheel, tags and sha256 of URL requirements
    if not config.output.parent.is_dir():
        raise InputError(
            f"cannot write {config.rel(config.output)}: its directory {config.rel(config.output.parent)} does not exist"
        )
    where = ", ".join(p.name for p in config.platforms)
    say(f"resolving {config.rel(config.requirements)} with {backend} for Python {python} on {where} ({cutoffs.describe()})")
    text, entries = layers.lock_text(resolve.Request(config, python, inputs, backend, cutoffs,
                                                    requirements_text=requirements_text, preferences=keep))
    output = config.rel(config.output)
    files = []
    if text != existing.text:
        files.append((config.output, text))
    if requirements_text is not None:
        files.append((config.requirements, requirements_text))
    view = _index_view(config, entries, cutoffs, text, existing, warn, keep)
    view_path = index_view.path_for(config.output)
    if view:
        files.append((view_path, view))
    elif view == "" and view_path.exists():  # no view: one of the previous lock would mislead
        files.append((view_path, None))
    files += _pylock(config, python, entries, text, existing)
    if files:
        try:
            atomic.write_many(files)
        except OSError as e:  # read-only, no space, no permission, immutable: nothing was replaced
            failed = config.rel(Path(e.filename)) if e.filename else output
            raise errors.FileSystemError(f"cannot write {failed}: {e.strerror or e}") from None
    return Relocked(
        output=output,
        summary=f"{len(entries)} packages for Python {python} on {where} ({backend}, {cutoffs.describe()})",
        wrote=text != existing.text,
        old_cutoffs=existing.parsed.settings.cutoffs if existing.parsed else None,
        cutoffs=cutoffs,
        changes=diff.compare(existing.entries, entries),
    )


def _index_view(config: Config, entries: list[Entry], cutoffs: Cutoffs, text: str, existing: resolve.Existing,
                warn: Say, keep: dict[str, str] | None = None) -> str | None:
    """The index view to write beside the lock: its text, "" when there is none to give (the old
    one goes), None to leave the file as it is.

    Never made up from today's index for pins chosen earlier: a lock that is not rewritten keeps
    its view as it is (a missing one stays missing, a damaged one is `lock check`'s to report),
    and pins kept from a lock without a (valid) view get none."""
    from lock import check, index

    body_sha256 = header.parse(text).body_sha256
    if text == existing.text:
        try:
            check.read_view(config, body_sha256)
        except index_view.ViewError as e:  # what it recorded is lost: it goes, none is made up
            warn(f"{e}; it is removed (a view is recorded when the pins are chosen: the next `lock upgrade`)")
            return ""
        return None
    if keep and existing.parsed:
        try:
            recorded = check.read_view(config, existing.parsed.body_sha256)
        except index_view.ViewError:
            recorded = None
        if recorded is None or any(e.name not in recorded for e in entries if keep.get(e.name) == e.version):
            warn(f"no index view recorded for {config.rel(config.output)}: the pins it keeps were chosen under an "
                 "index view it did not record; the next `lock upgrade` records one")
            return ""
    try:
        pages = index.uv_index_pages(e.name for e in entries)
    except ResolverError as e:
        warn(f"no index view recorded ({e}); `lock check --resolve` will not be able to tell "
             "an index that changed from a lock that is wrong")
        return ""
    for name, count in index_view.without_upload_time(pages).items():
        warn(f"the index lists {count} file(s) of {name} without an upload-time; uv treats "
             "them as unavailable under a cut-off")
    views = index_view.compute(pages, cutoffs)
    views.update(_kept_views(config, existing, entries, keep))
    return index_view.render(views, config.rel(config.output), body_sha256)


def _kept_views(config: Config, existing: resolve.Existing, entries: list[Entry],
                keep: dict[str, str] | None) -> dict[str, index_view.PackageView]:
    """For each pin kept from the previous lock, the view it was chosen under (the recorded one):
    where the index has listed more under the cut-off since, `lock check --resolve` then says the
    index changed (and which `lock upgrade` takes it), not that the lock cannot be reproduced."""
    from lock import check

    if not keep or not existing.parsed:
        return {}
    try:
        recorded = check.read_view(config, existing.parsed.body_sha256) or {}
    except index_view.ViewError:
        return {}
    return {e.name: recorded[e.name] for e in entries if keep.get(e.name) == e.version and e.name in recorded}


def _pylock(config: Config, python: str, entries: list[Entry], text: str, existing: resolve.Existing) -> list[tuple[Path, str]]:
    """pylock.toml to write beside the lock (when pyproject.toml asks for one and it is not in sync)."""
    from lock import pylock

    path = pylock.path_for(config)
    body_sha256 = header.parse(text).body_sha256
    if path is None or (text == existing.text and not pylock.problems(config, body_sha256, entries)):
        return []
    return [(path, pylock.render(config, python, entries, body_sha256))]


def read_lock(name: str, missing: bool = False) -> tuple[list[Entry], str | None]:
    """`lock diff`'s view of a file: its entries (refused as by every reader, lock.lockfile) and
    its cut-off for the heading (None without a lock header). A lock whose body no longer matches
    its header (truncated, edited) and an empty file are refused; `missing`: the file stands for a
    lock that does not exist yet (no entries), as /dev/null does."""
    if missing or name == os.devnull:
        return [], None
    read = lockfile.read_lock(Path(name), name)
    return read.entries, read.parsed.settings.cutoffs.describe() if read.parsed else None


def diff_details(new: str, changes: list[diff.Change], old_entries: list[Entry], new_entries: list[Entry]):
    """Size and licence columns for `lock diff --details`, for the NEW lock's first platform."""
    from lock import diff_details as details
    from lock.config import Platform

    parsed = lockfile.read_lock(Path(new), new).parsed
    if parsed is None:
        raise InputError(f"{new}: --details needs a lock header (its platforms and Python)")
    settings = parsed.settings
    if settings.fingerprint() != parsed.fingerprint or not settings.platforms \
            or not re.fullmatch(r"3\.\d+", settings.python):
        raise InputError(f"{new}: --details needs the lock header lock wrote (its platforms and Python); "
                         "this one was edited by hand")
    cache = _cache_dir(Path(new))
    keyed = ({diff._key(e): e for e in old_entries}, {diff._key(e): e for e in new_entries})
    platform = Platform.parse(settings.platforms[0], f"{new}: its header's platforms")
    return details.columns(changes, *keyed, platform, settings.python, cache)


def _cache_dir(near: Path) -> Path:
    """The project's .cache/wheel-info (the nearest pyproject.toml), else one beside the file."""
    try:
        return find_root(Path.cwd()) / ".cache" / "wheel-info"
    except InputError:
        return near.resolve().parent / ".cache" / "wheel-info"


def project_locks(new_dir: str) -> list[str]:
    """`lock diff OLD_DIR NEW_DIR`: the locks of NEW's project (its own, then its layers'), relative."""
    config = load_config(Path(new_dir).resolve())
    return [config.rel(layers.select(config, name).output) for name in [None, *layers.names(config)]]
