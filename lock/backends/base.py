"""What a resolver backend is: the interface lock.resolve calls, which lock.backends.uv and
lock.backends.piptools implement (each as a module: its module-level names are the members below).

A backend resolves the requirements for one target at a time and returns its compiled, hashed
requirements text; lock.lockfile parses that, lock.resolve merges the targets. To add a backend:
write a module with these members and register it in lock.backends.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from lock import interrupt
from lock.cutoff import Cutoffs
from lock.errors import LockError, ResolverError
from lock.config import Platform


@runtime_checkable
class Backend(Protocol):
    NAME: str  # what `--backend` and the lock header call it
    RESOLVER_OPTIONS: str  # the resolver flags, recorded in the header (a change makes the lock stale)

    # Keyword-only, the same in every backend (tests/unit/test_lock_backends.py): a call reads as
    # what it passes, and a backend cannot take the arguments in another order.
    def prepare(self, *, python: str, platforms: tuple[Platform, ...], cutoffs: Cutoffs) -> None:
        """Refuse what this backend cannot do (InputError) or cannot run (ResolverError), before any
        resolution starts; called once, before the per-platform threads."""

    def resolve(self, *, root: Path, requirements: str, python: str, platform: Platform, cutoffs: Cutoffs,
                env: Mapping[str, str] | None = None, preferences: Mapping[str, str] | None = None) -> str:
        """The hashed requirements for one target (`requirements` relative to root), or a LockError
        of one line: InputError, ResolutionError (no resolution), ResolverError (cannot run/reach).
        `preferences` (name -> version) are kept where the requirements still allow them."""


# --- what both backends share ------------------------------------------------------------------

def environment(drop: Iterable[str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the variables a backend must not inherit, plus `extra`."""
    dropped = set(drop)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra or {})
    return env


def run(tool: str, cmd: list[str], root: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    """Run a resolver (signals forwarded by lock.interrupt); a resolver that cannot start is a
    ResolverError naming it. Its exit status is the caller's to explain."""
    try:
        return interrupt.run(cmd, cwd=root, env=dict(env))
    except OSError as e:
        raise ResolverError(f"cannot run {tool}: {e}") from None


def compile_to_file(tool: str, command: Callable[[str], list[str]], root: Path, env: Mapping[str, str],
                    preferences: Mapping[str, str] | None, explain: Callable[[str], LockError]) -> str:
    """Run a resolver that writes its output to a file (`command(path)`), in a temporary directory
    with the preferences in that file first; its output, or explain(stderr) raised."""
    with tempfile.TemporaryDirectory(prefix=f"lock-{tool}-") as tmp:
        output = Path(tmp, "requirements.txt")
        write_preferences(output, preferences)
        proc = run(tool, command(str(output)), root, env)
        if proc.returncode != 0:
            raise explain(proc.stderr)
        return output.read_text(encoding="utf-8")


def write_preferences(path: Path, preferences: Mapping[str, str] | None) -> None:
    """The pins to keep, as an existing output file: both resolvers (`uv pip compile -o`, pip-compile)
    read the file they are about to write and prefer its pins, unless the requirements need others."""
    path.write_text("".join(f"{name}=={version}\n" for name, version in sorted((preferences or {}).items())),
                    encoding="utf-8")
