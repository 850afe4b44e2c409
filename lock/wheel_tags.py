"""Which wheel files install on a target: CPython of the image's version on one of the lock's
platforms (pyproject.toml `[tool.lock] platforms`). `locked_wheels` is the one answer to "the locked
files of this entry for these platforms": the wheelhouse (what to fetch), pylock.toml (which wheels to
list) and `lock diff --details` (whose size to show) ask it; `platforms_of` is which platforms an
entry's marker installs it on (the wheelhouse, a layer's only-new entries)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from packaging import tags as tagging
from packaging.markers import Marker
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from lock.lockfile import Entry
from lock.config import Platform

_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(\w+)$")
_MUSLLINUX = re.compile(r"^musllinux_(\d+)_(\d+)_(\w+)$")


@functools.lru_cache
def python_pairs(python: str) -> frozenset[tuple[str, str]]:
    """(interpreter, abi) pairs CPython `python` installs: cpXY-cpXY, cpXY-abi3 and older abi3,
    cpXY-none, pyXY-none, py3-none ... (packaging's order of preference, platform aside)."""
    version = tuple(int(part) for part in python.split("."))
    interpreter = f"cp{version[0]}{version[1]}"
    tags = [
        *tagging.cpython_tags(python_version=version, abis=[interpreter], platforms=["any"]),
        *tagging.compatible_tags(python_version=version, interpreter=interpreter, platforms=["any"]),
    ]
    return frozenset((t.interpreter, t.abi) for t in tags)


def _musl_floor(platform: Platform) -> tuple[int, int]:
    m = re.search(r"musllinux_(\d+)_(\d+)", platform.name)
    return (int(m[1]), int(m[2])) if m else (1, 2)  # uv's unknown-linux-musl means musllinux_1_2


def platform_fits(tag_platform: str, target: Platform, newer_libc: bool = False) -> bool:
    """Whether a wheel's platform tag installs on `target`: `any`, or a manylinux (musllinux) tag for
    the target's machine whose libc version is at most the target's -- or any version with
    `newer_libc`, for a host whose libc may be newer than the target's floor."""
    if tag_platform == "any":
        return True
    if target.libc == "glibc":
        legacy, _, arch = tag_platform.partition("_")
        if legacy in _LEGACY_MANYLINUX:
            version = _LEGACY_MANYLINUX[legacy]
        elif m := _MANYLINUX.match(tag_platform):
            version, arch = (int(m[1]), int(m[2])), m[3]
        else:
            return False
        floor = target.glibc
    else:
        m = _MUSLLINUX.match(tag_platform)
        if not m:
            return False
        version, arch, floor = (int(m[1]), int(m[2])), m[3], _musl_floor(target)
    return arch == target.machine and (newer_libc or version <= floor)


def wheel_installs(filename: str, name: str, version: str | None, target: Platform, python: str,
                   newer_libc: bool = False) -> bool:
    """Whether the wheel `filename` is `name`==`version` and installs on `target` with CPython `python`."""
    try:
        wheel_name, wheel_version, _build, wheel_tags = parse_wheel_filename(filename)
    except (InvalidWheelFilename, InvalidVersion):
        return False
    if canonicalize_name(wheel_name) != name:
        return False
    if version is not None and wheel_version != Version(version):
        return False
    return tags_install(wheel_tags, target, python, newer_libc)


def tags_install(tags: Iterable[tagging.Tag], target: Platform, python: str, newer_libc: bool = False) -> bool:
    """Whether one of a wheel's tags installs on `target` with CPython `python`."""
    pairs = python_pairs(python)
    return any((t.interpreter, t.abi) in pairs and platform_fits(t.platform, target, newer_libc) for t in tags)


class Named(Protocol):
    filename: str


F = TypeVar("F", bound=Named)


def platforms_of(entry: Entry, platforms: Iterable[Platform], python: str) -> list[Platform]:
    """The platforms whose environment (CPython `python`) the entry's marker selects."""
    if entry.marker is None:
        return list(platforms)
    marker = Marker(entry.marker)
    return [p for p in platforms if marker.evaluate(p.marker_environment(python))]


def locked_wheels(entry: Entry, files: Iterable[F], platforms: Sequence[Platform], python: str,
                  newer_libc: bool = True) -> list[F]:
    """Of `files` (the entry's locked files, as the index lists them), the wheels that install
    `entry` on one of `platforms`, in their order. `newer_libc`: what an installer on a newer glibc
    may pick (the base image's is newer than the target's floor); False: the lock's promise, a wheel
    for the target's own floor."""
    return [f for f in files
            if any(wheel_installs(f.filename, entry.name, entry.version, p, python, newer_libc) for p in platforms)]
