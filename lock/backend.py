"""What a resolver backend is: the interface lock.engine calls, which uv_backend and piptools_backend
implement (each as a module: its module-level names are the members below).

A backend resolves the requirements for one target at a time and returns its compiled, hashed
requirements text; lock.lockfile parses that, lock.engine merges the targets. To add a backend:
write a module with these members and add it to lock.engine.BACKENDS.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from lock.cutoff import Cutoffs
from lock.targets import Platform


@runtime_checkable
class Backend(Protocol):
    NAME: str  # what `--backend` and the lock header call it
    RESOLVER_OPTIONS: str  # the resolver flags, recorded in the header (a change makes the lock stale)

    def prepare(self, python: str, platforms: tuple[Platform, ...], cutoffs: Cutoffs) -> None:
        """Refuse what this backend cannot do (InputError) or cannot run (ResolverError), before any
        resolution starts; called once, before the per-platform threads."""

    def resolve(self, root: Path, requirements: str, python: str, platform: Platform, cutoffs: Cutoffs,
                env: Mapping[str, str] | None = None) -> str:
        """The hashed requirements for one target (`requirements` relative to root), or a LockError
        of one line: InputError, ResolutionError (no resolution), ResolverError (cannot run/reach)."""
