"""Resolve with pip-tools: `python -m piptools compile --generate-hashes --allow-unsafe`, run with
the pip-tools installed next to this tool.

pip-compile resolves for the interpreter and platform it runs on, nothing else. So it is only used
when the running Python has the target minor and the host can stand for the (single) target
platform; otherwise lock refuses instead of writing a lock for the wrong Python.

As with uv: wheels only, the global cut-off through pip's `--uploaded-prior-to`, and pip's config
files and find-links are ignored so the lock does not depend on the machine. pip has no per-package
cut-off, so locks that need one (after `lock add` / `lock upgrade PKG`) are refused too.
"""

from __future__ import annotations

import os
import platform as host
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from lock.backends import base as backend
from lock.cutoff import Cutoffs
from lock.errors import InputError, LockError, ResolutionError, ResolverError
from lock.config import Platform

NAME = "pip-tools"
OPTIONS = ("--generate-hashes", "--allow-unsafe", "--strip-extras")
PIP_OPTIONS = ("--only-binary", ":all:")
RESOLVER_OPTIONS = " ".join((*OPTIONS, "--pip-args", *PIP_OPTIONS))

_DROP_ENV = (
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_CONSTRAINT",
    "PIP_NO_BINARY",
    "PIP_ONLY_BINARY",
    "PIP_PRE",
    "PIP_UPLOADED_PRIOR_TO",
    "PIP_REQUIREMENT",
    "PIP_PREFER_BINARY",
    "CUSTOM_COMPILE_COMMAND",
)
_MACHINES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64"}
_NETWORK_MARKERS = (
    "ProxyError",
    "NewConnectionError",
    "Max retries exceeded",
    "Could not fetch URL",
    "Connection refused",
    "Name or service not known",
    "Temporary failure in name resolution",
    "SSLError",
    "ConnectTimeout",
    "ReadTimeout",
)


def host_target() -> tuple[str, str]:
    """(Python minor, machine) of the running interpreter."""
    machine = _MACHINES.get(host.machine().lower(), host.machine().lower())
    return f"{sys.version_info[0]}.{sys.version_info[1]}", machine


def refusal(python: str, platforms: tuple[Platform, ...]) -> str | None:
    """Why pip-tools cannot make this lock here, or None when it can."""
    running, machine = host_target()
    fits = sys.platform == "linux" and running == python and len(platforms) == 1
    if fits:
        p = platforms[0]
        libc, version = host.libc_ver()
        fits = p.machine == machine and p.libc == "glibc" and libc == "glibc"
        if fits and p.glibc:
            try:
                fits = tuple(int(x) for x in version.split(".")[:2]) >= p.glibc
            except ValueError:
                fits = False
    if fits:
        return None
    machines = ", ".join(dict.fromkeys(p.machine for p in platforms))
    names = " ".join(p.name for p in platforms)
    return (
        f"pip-tools resolves for the running Python {running} on {machine} only; the lock targets "
        f"Python {python} on {machines} ({names}): use the uv backend, or run lock inside a Python "
        f"{python} {platforms[0].machine} Linux environment with a single target platform"
    )


def prepare(*, python: str, platforms: tuple[Platform, ...], cutoffs: Cutoffs) -> None:
    check_target(python, platforms, cutoffs)


def check_target(python: str, platforms: tuple[Platform, ...], cutoffs: Cutoffs) -> None:
    reason = refusal(python, platforms)
    if reason:
        raise InputError(reason)
    if cutoffs.packages:
        listed = ", ".join(f"{n}={s}" for n, s in cutoffs.packages)
        raise InputError(
            f"pip-tools cannot apply per-package cut-offs ({listed}): use the uv backend, or "
            "`lock upgrade` to fold them into the global cut-off"
        )


def command(requirements: str, output: str, cutoffs: Cutoffs) -> list[str]:
    pip_args = " ".join((*PIP_OPTIONS, "--uploaded-prior-to", cutoffs.exclude_newer))
    return [
        sys.executable,
        "-m",
        "piptools",
        "compile",
        "--quiet",
        "--no-header",
        "--annotate",
        "--annotation-style",
        "split",
        "--no-emit-index-url",
        "--no-emit-find-links",
        "--no-emit-trusted-host",
        "--no-emit-options",
        "--newline",
        "lf",
        *OPTIONS,
        "--pip-args",
        pip_args,
        "--output-file",
        output,
        requirements,
    ]


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    # PIP_CONFIG_FILE: pip.conf could add find-links or local indexes
    return backend.environment(_DROP_ENV, {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                                           **(extra or {})})


def resolve(*, root: Path, requirements: str, python: str, platform: Platform, cutoffs: Cutoffs,
            env: Mapping[str, str] | None = None, preferences: Mapping[str, str] | None = None) -> str:
    """pip-compile's output for the host, which must match (python, platform)."""
    check_target(python, (platform,), cutoffs)
    return backend.compile_to_file("pip-tools", lambda output: command(requirements, output, cutoffs), root,
                                   environment(env), preferences, lambda stderr: explain(stderr, python, platform))


_NOT_FOUND_RE = re.compile(r"Could not find a version that satisfies the requirement (\S+) \(from versions: ([^)]*)\)")
_CONFLICT_RE = re.compile(r"Cannot install (.+?) because these package versions have conflicting dependencies")
_EXCEPTION_RE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|NotFound|Impossible|Conflicted): (.+)$")


def explain(stderr: str, python: str, platform: Platform) -> LockError:
    """pip-compile's report (often with a Python traceback) as one line like uv's, without traceback text."""
    text = " ".join(stderr.split())
    lines = [line.strip() for line in stderr.splitlines()]
    errors = [line[len("ERROR:") :].strip() for line in lines if line.startswith("ERROR:")]
    target = f"Python {python} on {platform.name}"
    if "No module named piptools" in text:
        return ResolverError("pip-tools is not installed next to lock (uv sync installs it)")
    if any(m in text for m in _NETWORK_MARKERS) and "ResolutionImpossible" not in text:
        last = next((m[1] for line in reversed(lines) if (m := _EXCEPTION_RE.match(line))), "") or (errors or [""])[-1]
        return ResolverError(f"cannot reach the package index (pip: {last[:300]}); check the network and proxy settings")
    if m := _NOT_FOUND_RE.search(text):
        versions = m[2].strip()
        if versions == "none":
            return ResolutionError(
                f"unknown package {m[1]!r}, or none of its versions has a wheel for {target} (pip: {m[0]})"
            )
        return ResolutionError(f"no version of {m[1]!r} that installs on {target} (pip: {m[0][:500]})")
    if m := _CONFLICT_RE.search(text):
        return ResolutionError(f"your requirements conflict: {m[1]} cannot all hold on {target} (pip: {m[0][:500]})")
    reason = "; ".join(errors) or next((m[1] for line in reversed(lines) if (m := _EXCEPTION_RE.match(line))), "")
    reason = reason or next((line for line in reversed(lines) if line and not line.startswith("File ")), "no output")
    return ResolutionError(f"cannot resolve for {target} with pip-tools: {' '.join(reason.split())[:700]}")
