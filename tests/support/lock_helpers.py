"""Throw-away projects for the lock tool and runs of it, for its unit and integration tests
(tests/unit, tests/lock); the fixtures that hand them out are in their conftest.py files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.paths import PROJECT_ROOT

from lock import index
from lock.index import File

OLD = "2024-06-01T00:00:00Z"  # six 1.16.0, attrs 23.2.0
PLATFORMS = ("x86_64-manylinux_2_28", "aarch64-manylinux_2_28")


def write_project(root: Path, requirements: str = "six\n", python: str = "3.13",
                  platforms: tuple[str, ...] = PLATFORMS, files: dict[str, str] | None = None) -> Path:
    """A project lock accepts: pyproject.toml's [tool.lock] platforms, a Dockerfile naming the
    Python, requirements.in, and any other `files` (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{p}"' for p in platforms)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "0"\n\n[tool.lock]\nplatforms = [{listed}]\n'
    )
    (root / "Dockerfile").write_text(f"ARG BASE_IMAGE=python:{python}-slim-trixie\nFROM ${{BASE_IMAGE}}\n")
    (root / "requirements.in").write_text(textwrap.dedent(requirements))
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def lock_environment(env: dict | None = None) -> dict[str, str]:
    """The environment `python -m lock` runs in: this checkout's lock package, and `env` on top."""
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}


def run_lock(root: Path, *args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """`python -m lock ARGS` in root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "lock", *args],
        cwd=root,
        env=lock_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to prove a failed run changed nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def error_line(proc: subprocess.CompletedProcess) -> str:
    """The one `lock: error:` line of a failed run (after the progress line), with no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("lock: error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def index_files(name: str) -> list[File]:
    """The files of a project on PyPI (its PEP 691 page, through lock's own index client)."""
    return index.Index(index.DEFAULT_INDEX).page(name) or []


def pip_platforms(machine: str) -> list[str]:
    """pip's --platform takes tags literally: list every manylinux tag a manylinux_2_28 system accepts."""
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(28, 16, -1)] + [f"manylinux2014_{machine}"]
    if machine == "x86_64":
        tags += [f"manylinux_2_{minor}_{machine}" for minor in range(16, 4, -1)]
        tags += [f"manylinux2010_{machine}", f"manylinux1_{machine}"]
    return [arg for tag in tags for arg in ("--platform", tag)]


def pip_dry_run(lockfile: Path, machine: str, tmp_path: Path) -> dict:
    """`pip install --dry-run --require-hashes --no-deps --only-binary :all:` of a lock for Python
    3.13 on manylinux_2_28 MACHINE; returns pip's installation report."""
    report = tmp_path / f"report-{machine}.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL")}
    env["PIP_CONFIG_FILE"] = os.devnull  # resolve against the index, not this machine's pip config
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--quiet",
        "--ignore-installed",
        "--require-hashes",
        "--no-deps",
        "--only-binary",
        ":all:",
        "--python-version",
        "3.13",
        *pip_platforms(machine),
        "--target",
        str(tmp_path / f"target-{machine}"),
        "--report",
        str(report),
        "-r",
        str(lockfile),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(report.read_text())


def without_layers(pyproject: Path) -> None:
    """Drop the [tool.lock.layers.NAME] tables from a copy's pyproject.toml, so that `lock` makes the
    base lock alone (a layer is locked from its own inputs and cut-off, on top of the base lock)."""
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(re.sub(r"^\[tool\.lock\.layers\.[^\]]+\]\n(?:[^\[\n].*\n)*", "", text, flags=re.M),
                         encoding="utf-8")
