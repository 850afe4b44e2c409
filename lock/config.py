"""The lock's config: what it is for (the project's files, the target platforms, the layers) and
the Dockerfile's Python.

The Python minor comes from the Dockerfile's base image (one source of truth: the image and its lock
cannot disagree); the platforms and file names from `[tool.lock]` in pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lock.errors import InputError, shorten

DEFAULT_PLATFORMS = ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28")
DEFAULTS = {
    "requirements": "requirements.in",
    "output": "requirements.lock",
    "dockerfile": "Dockerfile",
    "platforms": list(DEFAULT_PLATFORMS),
    # New cut-offs (first lock, add, upgrade) are this many hours before now: uploads a lagging
    # mirror may not list yet stay out of the lock (README: "Reproducible rebuilds").
    "settle-hours": 24,
    # A PEP 751 pylock.toml to keep beside the lock (lock/pylock.py reads it); none by default.
    "pylock": None,
    # Layers on top of this lock (lock.layers): {name: {requirements = ..., output = ...}}.
    "layers": {},
    # This project's lock is itself a layer on a lock it does not make (an image it builds FROM).
    "base-lock": "",
}

# The platforms uv's --python-platform accepts (uv 0.13: manylinux_2_17, _2_28, _2_31 to _2_40;
# no other glibc minor, no musllinux_1_X spelling) that a Linux image can run on. Checked here so a
# platform uv would refuse is an input error before anything runs. The machine becomes a
# `platform_machine` marker when a package is needed on some platforms only.
_PLATFORM_RE = re.compile(
    r"^(?P<machine>x86_64|aarch64)-"
    r"(?:manylinux_(?P<major>2)_(?P<minor>17|28|3[1-9]|40)|(?P<m2014>manylinux2014)|(?P<gnu>unknown-linux-gnu)"
    r"|(?P<musl>unknown-linux-musl))$"
)
_PYTHON_IMAGE_RE = re.compile(r"(?:^|[\s=/])python:(3\.\d+)(?:\.\d+)?(?=$|[^\d.])")
_BASE_ARG_RE = re.compile(r"^\s*ARG\s+BASE_IMAGE\s*=\s*(\S+)", re.IGNORECASE)
_FROM_RE = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Platform:
    """One target platform, spelled as uv's --python-platform (e.g. x86_64-manylinux_2_28)."""

    name: str
    machine: str
    libc: str  # "glibc" or "musl"
    glibc: tuple[int, int] | None  # the oldest glibc the platform promises (manylinux), None for musl

    @classmethod
    def parse(cls, name: str, where: str = "pyproject.toml [tool.lock] platforms") -> Platform:
        m = _PLATFORM_RE.match(name) if isinstance(name, str) else None
        if not m:
            raise InputError(
                f"{where}: unsupported platform {shorten(str(name))} (uv takes x86_64- or aarch64- followed by "
                "manylinux_2_17, manylinux_2_28, manylinux_2_31 to manylinux_2_40, manylinux2014, "
                "unknown-linux-gnu or unknown-linux-musl)"
            )
        if m["musl"]:
            return cls(name, m["machine"], "musl", None)
        if m["major"]:
            glibc = (2, int(m["minor"]))
        elif m["m2014"]:
            glibc = (2, 17)
        else:  # uv's x86_64-unknown-linux-gnu means manylinux_2_28
            glibc = (2, 28)
        return cls(name, m["machine"], "glibc", glibc)

    @property
    def marker(self) -> str:
        return f'platform_machine == "{self.machine}"'

    def marker_environment(self, python: str) -> dict[str, str]:
        """The PEP 508 environment of this target, to evaluate requirement markers offline."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{python}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{python}.0",
            "python_version": python,
            "sys_platform": "linux",
        }


@dataclass(frozen=True)
class PythonTarget:
    version: str  # "3.13"
    where: str  # "Dockerfile:1"
    image: str  # "python:3.13-slim-trixie"


@dataclass(frozen=True)
class Config:
    root: Path
    requirements: Path
    output: Path
    dockerfile: Path
    platforms: tuple[Platform, ...]
    settle_hours: int = DEFAULTS["settle-hours"]
    # lock.layers: the lock this one is resolved on top of (None: the project's own base lock),
    # the layer's name (None: not a named layer), and the layers declared in pyproject.toml.
    base: Path | None = None
    layer: str | None = None
    layers: tuple[tuple[str, Path, Path], ...] = ()  # (name, requirements, output)

    @property
    def requirements_key(self) -> str:
        """The pyproject.toml setting that names this lock's requirements file."""
        return f"[tool.lock.layers.{self.layer}] requirements" if self.layer else "[tool.lock] requirements"

    def rel(self, path: Path) -> str:
        """A path for messages, headers and annotations: relative to the project, never absolute."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            import os

            return Path(os.path.relpath(path.resolve(), self.root.resolve())).as_posix()


def find_root(start: Path) -> Path:
    """The nearest directory at or above start that holds a pyproject.toml."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / "pyproject.toml").is_file():
            return d
    raise InputError(f"no pyproject.toml in {start} or its parents (run lock in the project, or pass --project DIR)")


def load_config(root: Path) -> Config:
    pyproject = root / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{pyproject.name}: not found in {root}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"pyproject.toml: not valid TOML: {e}") from None
    table = data.get("tool", {}).get("lock", {})
    if not isinstance(table, dict):
        raise InputError("pyproject.toml: [tool.lock] must be a table")
    unknown = sorted(set(table) - set(DEFAULTS))
    if unknown:
        raise InputError(f"pyproject.toml [tool.lock]: unknown key {unknown[0]!r} (known: {', '.join(DEFAULTS)})")
    settings = {**DEFAULTS, **table}
    for key in ("requirements", "output", "dockerfile"):
        if not isinstance(settings[key], str) or not settings[key]:
            raise InputError(f"pyproject.toml [tool.lock] {key}: must be a non-empty path string")
    platforms = settings["platforms"]
    if not isinstance(platforms, list) or not platforms:
        raise InputError("pyproject.toml [tool.lock] platforms: must be a non-empty list of platform names")
    parsed = tuple(Platform.parse(p) for p in platforms)
    if len({p.name for p in parsed}) != len(parsed):
        raise InputError("pyproject.toml [tool.lock] platforms: lists a platform twice")
    settle = settings["settle-hours"]
    if not isinstance(settle, int) or isinstance(settle, bool) or not 0 <= settle <= 24 * 366:
        raise InputError("pyproject.toml [tool.lock] settle-hours: must be a whole number of hours from 0 to 8784")
    layers, base = declared(root, settings["layers"], settings["base-lock"])
    return Config(
        root=root,
        settle_hours=settle,
        requirements=root / settings["requirements"],
        output=root / settings["output"],
        dockerfile=root / settings["dockerfile"],
        platforms=parsed,
        base=base,
        layers=layers,
    )


# Layers on top of the project's lock, [tool.lock.layers.NAME] (lock.layers makes them).
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEYS = ("requirements", "output")


def declared(root: Path, table, base_lock) -> tuple[tuple[tuple[str, Path, Path], ...], Path | None]:
    """pyproject.toml's `layers` table and `base-lock`, validated: ((name, input, output), ...), base."""
    where = "pyproject.toml [tool.lock]"
    if not isinstance(table, dict):
        raise InputError(f"{where} layers: must be a table of layers, e.g. [tool.lock.layers.hub]")
    layers = []
    for name, spec in table.items():
        if not isinstance(name, str) or not _NAME_RE.match(name) or len(name) > 64:
            raise InputError(f"{where} layers: {name!r} is not a layer name (up to 64 lower-case letters, digits and -)")
        if not isinstance(spec, dict) or set(spec) - set(_KEYS):
            raise InputError(f"{where}.layers.{name}: only {' and '.join(_KEYS)} may be set")
        paths = {"requirements": f"requirements-{name}.in", "output": f"requirements-{name}.lock", **spec}
        for key in _KEYS:
            if not isinstance(paths[key], str) or not paths[key]:
                raise InputError(f"{where}.layers.{name} {key}: must be a non-empty path string")
        layers.append((name, root / paths["requirements"], root / paths["output"]))
    if not isinstance(base_lock, str):
        raise InputError(f"{where} base-lock: must be a path string")
    return tuple(layers), (root / base_lock if base_lock else None)


def read_python(dockerfile: Path, display: str = "Dockerfile") -> PythonTarget:
    """The Python minor of the base image: the `ARG BASE_IMAGE=` line, else the first FROM line."""
    try:
        lines = dockerfile.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(
            f"{display}: not found (the lock's Python version is read from its base image; "
            "set [tool.lock] dockerfile in pyproject.toml)"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{display}: cannot read: {e}") from None
    candidates = [(n, m[1]) for n, line in enumerate(lines, 1) if (m := _BASE_ARG_RE.match(line))]
    if not candidates:
        candidates = [(n, m[1]) for n, line in enumerate(lines, 1) if (m := _FROM_RE.match(line))][:1]
    if not candidates:
        raise InputError(f"{display}: no `ARG BASE_IMAGE=python:3.X...` or FROM line to read the Python version from")
    lineno, image = candidates[0]
    m = _PYTHON_IMAGE_RE.search(image)
    if not m:
        raise InputError(
            f"{display}:{lineno}: cannot read a Python version from base image {image!r} "
            "(expected an image like python:3.13-slim-trixie)"
        )
    return PythonTarget(m[1], f"{display}:{lineno}", image)
