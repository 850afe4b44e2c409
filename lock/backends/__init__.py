"""The resolver backends as one family: the Backend protocol and what both share (base), uv (uv)
and pip-tools (piptools), and the registry lock looks a backend up in by the name `--backend` and
the lock header use. A backend is a module (or any object) with the members of base.Backend; to
add one, write it and register() it here. Tests register a stand-in the same way."""

from __future__ import annotations

from lock.backends.base import Backend
from lock.errors import InputError

REGISTRY: dict[str, Backend] = {}


def register(backend: Backend) -> Backend | None:
    """Make `backend` the one named backend.NAME; returns the one it replaces (None: a new name)."""
    previous = REGISTRY.get(backend.NAME)
    REGISTRY[backend.NAME] = backend
    return previous


def get(name: str) -> Backend:
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown backend {name!r} (use {' or '.join(REGISTRY)})") from None


from lock.backends import piptools, uv  # noqa: E402 -- they import base, above

register(uv)
register(piptools)
