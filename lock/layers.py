"""Layered locks: a lock resolved on top of another, holding only what the other does not.

    [tool.lock.layers.hub]                  # requirements-hub.in -> requirements-hub.lock
    requirements = "requirements-hub.in"    # (these two are the defaults for a layer named hub)
    output = "requirements-hub.lock"

    [tool.lock]
    base-lock = "jupyterlab-minimalist.lock"   # this project's own lock is a layer on that one

Every pin of the base is a hard constraint: the layer is resolved with `-c` on the base's pins (and,
for those packages, the base's cut-offs), so it can never move them; a layer requirement that
contradicts one is refused (exit 3) naming both. The layer's lock then leaves out every package the
base installs, and its header records the base's path and body-sha256 (`# base:`): `lock check`
calls the layer stale as soon as the base's pins change. A layer installs into its base's Python on
its base's platforms, so both come from the base lock's header.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path


from lock import header, lockfile, resolve
from lock.cutoff import Cutoffs
from lock.errors import InputError, ResolutionError
from lock.index_view import cutoff_for
from lock.lockfile import Entry
from lock.requirements_in import Inputs
from lock.config import Config, PythonTarget, read_python
from lock.wheel_tags import platforms_of


def names(config: Config) -> list[str]:
    return [name for name, _, _ in config.layers]


def select(config: Config, name: str | None) -> Config:
    """The config of layer `name` (None: the project's own lock). A layer's base is that lock."""
    if name is None:
        return config
    for layer, requirements, output in config.layers:
        if layer == name:
            return replace(config, requirements=requirements, output=output, base=config.output, layer=name)
    known = ", ".join(names(config)) or "none is declared"
    raise InputError(f"--layer {name}: no such layer in pyproject.toml [tool.lock.layers] ({known})")


@dataclass(frozen=True)
class Base:
    rel: str
    parsed: header.Parsed
    entries: dict[str, Entry]  # every pin below the layer: its base's, and the base's base's, ...


def read_base(config: Config) -> Base:
    assert config.base is not None
    rel = config.rel(config.base)
    parsed, entries, path, seen = None, {}, config.base, set()
    while path is not None and path not in seen:
        seen.add(path)
        shown = config.rel(path)
        try:
            read = lockfile.read_lock(path, shown, made_by_lock=True, intact=False)
        except lockfile.NotFound:
            what = "run `lock` to make it" if path == config.output or shown == rel else "restore it"
            raise InputError(f"{shown}: not found (the base of {config.rel(config.output)}; {what})") from None
        here = read.parsed
        parsed = parsed or here
        for e in read.entries:
            entries.setdefault(e.name, e)
        # A base's own base sits beside it (as the locks of an image do in /opt/locks).
        path = path.parent / Path(here.settings.base[0]).name if here.settings.base else None
    return Base(rel, parsed, entries)


def base_python(config: Config) -> PythonTarget:
    base = read_base(config)
    return PythonTarget(base.parsed.settings.python, base.rel, f"the Python of the base lock {base.rel}")


def target_python(config: Config) -> PythonTarget:
    """The Python a lock is made for: a layer installs into its base's Python (the base lock's
    header), a project's own lock into the Dockerfile's base image's."""
    if config.base is not None:
        return base_python(config)
    return read_python(config.dockerfile, config.rel(config.dockerfile))


def _conflicts(config: Config, inputs: Inputs, base: Base, python: str) -> list[str]:
    """Layer requirements that no base pin satisfies, each naming both."""
    envs = [p.marker_environment(python) for p in config.platforms]
    found = []
    for s in [*inputs.specs, *inputs.constraints]:
        pin = base.entries.get(s.name)
        if pin is None or s.requirement.url or pin.version is None:
            continue
        if s.requirement.marker is not None and not any(s.requirement.marker.evaluate(env) for env in envs):
            continue
        if not s.requirement.specifier.contains(pin.version, prereleases=True):
            found.append(f"{s.where}: `{s.text}` conflicts with the base: {base.rel} pins {pin.requirement}")
    return found


@contextlib.contextmanager
def _constraints(config: Config, base: Base) -> Iterator[Path]:
    """The base's pins as a constraints file beside the layer's input (removed afterwards)."""
    lines = "".join(f"{e.name} @ {e.url}\n" if e.url else f"{e.name}=={e.version}\n" for e in base.entries.values())
    fd, tmp = tempfile.mkstemp(dir=config.requirements.parent, prefix=".base-pins-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(lines)
        yield Path(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _machines(entry: Entry, config: Config, python: str) -> set[str]:
    return {p.machine for p in platforms_of(entry, config.platforms, python)}


def only_new(entries: list[Entry], base: Base, config: Config, python: str) -> list[Entry]:
    """The layer's own entries: what the base does not install (on some platform, for a base pin
    behind a platform marker)."""
    kept = []
    for e in entries:
        pin = base.entries.get(e.name)
        if pin is None:
            kept.append(e)
            continue
        missing = sorted(_machines(e, config, python) - _machines(pin, config, python))
        if missing:
            kept.append(replace(e, marker=" or ".join(f'platform_machine == "{m}"' for m in missing)))
    return kept


def lock_text(request: resolve.Request) -> tuple[str, list[Entry]]:
    """The complete lock text (header + body) and its entries: a layer's on top of its base lock
    (lock_on_base below), else lock.resolve's own resolution. lock.resolve knows nothing of layers."""
    if request.config.base is not None:
        return lock_on_base(request)
    return resolve.lock_without_base(request)


def lock_on_base(request: resolve.Request) -> tuple[str, list[Entry]]:
    """A layer's lock text and entries (lock_text for a config with a base)."""
    config, python, inputs, backend, cutoffs = (request.config, request.python, request.inputs, request.backend,
                                                request.cutoffs)
    requirements_text = request.requirements_text
    base = read_base(config)
    recorded = base.parsed.settings
    if recorded.platforms != tuple(p.name for p in config.platforms):
        raise InputError(
            f"pyproject.toml [tool.lock] platforms ({' '.join(p.name for p in config.platforms)}) must be those of "
            f"the base lock {base.rel} ({' '.join(recorded.platforms)})"
        )
    conflicts = _conflicts(config, inputs, base, python)
    if conflicts:
        raise ResolutionError("; ".join(conflicts) + " -- a layer cannot move a pin of its base; change it in the "
                              "base's requirements, or drop it here")
    if requirements_text is None:
        requirements_text = inputs.files[0].text  # the top file, as parse_tree read it
    # Base packages at the base's cut-offs, so the resolver sees the very versions the base pins.
    seen = Cutoffs(cutoffs.exclude_newer,
                   (*cutoffs.packages, *((n, cutoff_for(recorded.cutoffs, n)) for n in base.entries)))
    with _constraints(config, base) as pins:
        include = os.path.relpath(pins, config.requirements.parent)
        text = requirements_text + ("" if requirements_text.endswith("\n") or not requirements_text else "\n")
        try:
            entries = resolve.resolve_all(replace(request, cutoffs=seen, requirements_text=f"{text}-c {include}\n"),
                                         rename={config.rel(pins): base.rel})
        except ResolutionError as e:
            involved = [pin.requirement for name, pin in base.entries.items()
                        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", str(e), re.I)]
            raise ResolutionError(
                f"{config.rel(config.requirements)} cannot be resolved on top of {base.rel}, whose pins are hard "
                f"constraints{' (base pins involved: ' + ', '.join(involved) + ')' if involved else ''}: {e}"
            ) from None
    entries = only_new(entries, base, config, python)
    settings = replace(resolve.settings_for(python, config.platforms, inputs, backend, cutoffs),
                       layer=config.layer, base=(base.rel, base.parsed.body_sha256))
    return header.render(settings, lockfile.render_body(entries)), entries


def check_base(config: Config, recorded: header.Settings) -> list[str]:
    """Why a lock is stale with respect to its base (offline); empty when it is not."""
    output = config.rel(config.output)
    if config.base is None:
        return [f"{output} was made on top of {recorded.base[0]}, which pyproject.toml no longer names"] \
            if recorded.base else []
    try:
        base = read_base(config)
    except InputError as e:
        return [str(e)]
    if recorded.base is None:
        return [f"{output} was made without a base; it is now a layer on {base.rel}"]
    if recorded.base[0] != base.rel:
        return [f"{output} was made on top of {recorded.base[0]}; its base is now {base.rel}"]
    if recorded.layer != config.layer:
        return [f"{output} was made as layer {recorded.layer or '(none)'}; it is now layer {config.layer or '(none)'}"]
    if recorded.base[1] != base.parsed.body_sha256:
        return [f"its base {base.rel} changed since {output} was made (the base's pins differ)"]
    return []


IMAGE_LOCKS = "/opt/locks"  # where an image of this project carries its lock files
DEFAULT_BASE = "image-locks/requirements.lock"


def fetch_base(config: Config, image: str, outputs: list[tuple[str, Path]] = ()) -> Config:
    """`--base-image IMAGE`: the image's lock files into the base lock's folder (default
    image-locks/), read with `docker cp` from a container that is created, never started.
    `outputs`: (key, path) of the files this project's runs write, which the copy must not replace."""
    from lock import atomic

    target = config.base or config.root / DEFAULT_BASE
    try:
        created = subprocess.run(["docker", "create", image], capture_output=True, text=True, timeout=300)
    except OSError as e:
        raise InputError(f"--base-image {image}: cannot run docker: {e}") from None
    if created.returncode != 0:
        raise InputError(f"--base-image {image}: {' '.join(created.stderr.split()) or 'docker create failed'}")
    container = created.stdout.strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            copied = subprocess.run(["docker", "cp", f"{container}:{IMAGE_LOCKS}/.", tmp],
                                    capture_output=True, text=True, timeout=300)
            locks = sorted(Path(tmp).glob("*.lock"))
            if copied.returncode != 0 or not locks:
                raise InputError(f"--base-image {image}: no lock files in {IMAGE_LOCKS} (an image of this project "
                                 "carries them there)")
            if not (Path(tmp) / target.name).is_file():
                raise InputError(f"--base-image {image}: no {target.name} in {IMAGE_LOCKS} (it has "
                                 f"{', '.join(p.name for p in locks)}; set [tool.lock] base-lock)")
            written = {os.path.realpath(path): key for key, path in outputs}
            for p in locks:
                key = written.get(os.path.realpath(target.parent / p.name))
                if key is not None:
                    raise InputError(f"--base-image {image}: its {p.name} would replace this project's {key} "
                                     f"({config.rel(target.parent / p.name)}); set [tool.lock] base-lock to a "
                                     "folder of its own")
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_many([(target.parent / p.name, p.read_text(encoding="utf-8")) for p in locks])
    finally:
        subprocess.run(["docker", "rm", container], capture_output=True, timeout=300)
    return replace(config, base=target)
