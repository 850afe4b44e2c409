"""Resolve with `uv pip compile --generate-hashes` for one target (Python minor + platform).

Wheels only (`--only-binary :all:`): the image builder has no compiler, and `--require-hashes`
cannot hash the build dependencies of an sdist. Resolving per platform with `--python-platform`
therefore proves every pin has a wheel that installs there. uv writes the hashes of every file of a
pinned version.

The run is isolated from things that would make the lock depend on the machine: uv's config files
(`--no-config`), managed-Python downloads, and environment variables that change resolution
(below). Index settings in the environment (UV_INDEX_URL, UV_DEFAULT_INDEX, ...) are honoured, so a
mirror works; the lock records hashes, not URLs.
"""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from lock.backends import base as backend
from lock.cutoff import Cutoffs
from lock.errors import InputError, LockError, ResolutionError, ResolverError
from lock.config import Platform

NAME = "uv"
OPTIONS = (
    "--generate-hashes",
    "--only-binary",
    ":all:",
    "--resolution",
    "highest",
    "--prerelease",
    "if-necessary-or-explicit",
)
RESOLVER_OPTIONS = " ".join(OPTIONS)

# Variables that would change what uv resolves without showing in the recorded options.
_DROP_ENV = (
    "UV_CONSTRAINT",
    "UV_OVERRIDE",
    "UV_BUILD_CONSTRAINT",
    "UV_EXCLUDE_NEWER",
    "UV_FIND_LINKS",
    "UV_NO_BINARY",
    "UV_NO_BINARY_PACKAGE",
    "UV_ONLY_BINARY",
    "UV_NO_BUILD",
    "UV_TORCH_BACKEND",
    "UV_NO_INDEX",
    "UV_RESOLUTION",
    "UV_PRERELEASE",
    "UV_PYTHON",
    "UV_CUSTOM_COMPILE_COMMAND",
    "UV_CONFIG_FILE",
    "UV_PYTHON_PLATFORM",
)

_NETWORK_MARKERS = (
    "Failed to fetch",
    "error sending request",
    "client error (Connect)",
    "dns error",
    "tcp connect error",
    "Connection refused",
    "timed out",
    "tunnel error",
    "Network is unreachable",
    "certificate",
    "Request failed after",
)
_INPUT_ERRORS = ("Couldn't parse requirement", "invalid value", "Failed to parse", "unexpected argument")
# "NAME[extras]SPEC has no usable wheels": the name only (never a version, never an extra).
_NO_WHEEL_RE = re.compile(
    r"(?<![\w.\-\[\],=<>!~])([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]\s]*\])?"
    r"(?:(?:[<>=!~]=?|===?)[^\s,]*(?:,[<>=!~]=?[^\s,]*)*)?\s+"
    r"(?:has|have) no (?:usable wheels|wheels with a matching (?:platform|Python ABI|Python implementation) tag)"
)
# The conclusion names the requirements that cannot hold together.
_YOU_REQUIRE_RE = re.compile(r"you require (.+?), we can conclude that your requirements are unsatisfiable")
_UNKNOWN_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the package registry")


@functools.cache
def uv_bin() -> str:
    """The uv binary of the `uv` package installed with this tool (the version pyproject pins).
    Cached, and looked up before the per-platform threads start: find_uv_bin reads sysconfig,
    whose lazy initialisation is not thread-safe."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
        raise ResolverError("uv not found: install the project's tooling (uv sync) or put uv on PATH") from None


def prepare(*, python: str, platforms: tuple[Platform, ...], cutoffs: Cutoffs) -> None:
    """Fail early, before any thread starts: find uv."""
    uv_bin()


def command(requirements: str, python: str, platform: Platform, cutoffs: Cutoffs, output: str | None = None) -> list[str]:
    cmd = [
        uv_bin(),
        "pip",
        "compile",
        "--no-config",
        "--no-python-downloads",
        "--quiet",
        "--color",
        "never",
        "--no-header",
        "--annotation-style",
        "split",
        # Revalidate cached index pages (a conditional request each): a page uv cached minutes ago
        # must not hide files the index view, read fresh by lock, lists under the cut-off.
        "--refresh",
        *OPTIONS,
        "--python-version",
        python,
        "--python-platform",
        platform.name,
        "--exclude-newer",
        cutoffs.exclude_newer,
    ]
    for name, stamp in cutoffs.packages:
        cmd += ["--exclude-newer-package", f"{name}={stamp}"]
    if output:
        cmd += ["--output-file", output]
    return [*cmd, requirements]


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return backend.environment(_DROP_ENV, extra)


def resolve(*, root: Path, requirements: str, python: str, platform: Platform, cutoffs: Cutoffs,
            env: Mapping[str, str] | None = None, preferences: Mapping[str, str] | None = None) -> str:
    """uv's compiled requirements for one target; `requirements` is relative to root."""
    return backend.compile_to_file("uv", lambda output: command(requirements, python, platform, cutoffs, output),
                                   root, environment(env), preferences, lambda stderr: explain(stderr, python, platform))


def _blocks(stderr: str) -> tuple[str, list[str], list[str]]:
    """uv's error report: (error line, causes, hints), each flattened to one line."""
    error, causes, hints = "", [], []
    current: list[str] | None = None
    for line in stderr.splitlines():
        stripped = line.strip()
        if line.startswith("error:"):
            error = stripped[len("error:") :].strip()
            current = None
        elif stripped.startswith("cause:") or stripped.startswith("Caused by:"):
            causes.append(stripped.split(":", 1)[1].strip())
            current = causes
        elif line.startswith("hint:"):
            hints.append(stripped[len("hint:") :].strip())
            current = hints
        elif stripped and current is not None and current:
            current[-1] += " " + stripped
        elif stripped and current is None and error and not line.startswith("warning:"):
            error += " " + stripped
    flat = lambda s: " ".join(s.split())  # noqa: E731
    return flat(error), [flat(c) for c in causes], [flat(h) for h in hints]


def explain(stderr: str, python: str, platform: Platform) -> LockError:
    """Turn uv's multi-line report into one line that says what to do."""
    error, causes, hints = _blocks(stderr)
    target = f"Python {python} on {platform.name}"
    if not error and not causes:
        tail = " ".join(stderr.split())[-400:] or "no output"
        return ResolverError(f"uv pip compile failed for {target}: {tail}")
    reason = " ".join(causes) if causes else error
    # Input uv refused that lock's own checks let through: still bad input (2), not a network fault.
    if error.startswith(_INPUT_ERRORS):
        return InputError(f"uv refused the input for {target}: {_trim(' '.join([error, *causes]), 300)}")
    if "No solution found" in error:
        if m := _UNKNOWN_RE.search(reason):
            return ResolutionError(f"unknown package {m[1]!r}: the index has no such project (uv: {_trim(reason)})")
        required = _required(reason)
        if len(required) > 1:  # a conflict, even where some versions also lack wheels
            return ResolutionError(
                f"your requirements conflict: {' and '.join(required)} cannot all hold on {target} (uv: {_trim(reason)})"
            )
        names = list(dict.fromkeys(m[1] for m in _NO_WHEEL_RE.finditer(reason)))
        direct = {_name(r) for r in required}
        # A dependency without wheels is the cause; the direct requirement's old wheel-less versions are not.
        causes_ = [n for n in names if _name(n) not in direct] or names
        if causes_:
            hint = next((h for h in hints if h.startswith("Wheels are available")), "")
            listed = ", ".join(repr(n) for n in causes_)
            needed = f" (needed by {required[0]})" if required and causes_ != names else ""
            return ResolutionError(
                f"no wheel of {listed} installs on {platform.name} with Python {python}{needed} "
                f"(uv: {_trim(reason)}{' ' + hint if hint else ''})"
            )
        return ResolutionError(f"cannot resolve for {target}: {_trim(reason)}")
    everything = " ".join([error, *causes])
    if any(marker in everything for marker in _NETWORK_MARKERS):
        last = causes[-1] if causes else error
        return ResolverError(f"cannot reach the package index ({error}: {last}); check the network and proxy settings")
    return ResolverError(f"uv pip compile failed for {target}: {_trim(' '.join([error, *causes]))}")


def _required(reason: str) -> list[str]:
    """The requirements uv's conclusion names: "you require a, b and c" -> [a, b, c]."""
    m = None
    for m in _YOU_REQUIRE_RE.finditer(reason):
        pass
    if m is None:
        return []
    return [part.strip() for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", m[1]) if part.strip()]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def _trim(text: str, limit: int = 700) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
