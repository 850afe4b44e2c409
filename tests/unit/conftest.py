"""Fixtures for the lock tool's unit tests: small throw-away projects, no network."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support.lock_helpers import snapshot as snapshot_files, write_project


@pytest.fixture
def project(tmp_path):
    """A factory: project(requirements="six\\n", python="3.13", platforms=(...), files={...})."""

    def make(*args, **kwargs) -> Path:
        return write_project(tmp_path / "project", *args, **kwargs)

    return make


@pytest.fixture
def snapshot():
    """snapshot(root): every file of a project, to prove a failed command changed nothing."""
    return snapshot_files


@pytest.fixture
def fake_resolver(monkeypatch):
    """Register, as the backend named "uv" (lock.backends), a stand-in that pins every name in the
    requirements tree at 1.0 (or at the version given in `versions`), records the calls, and fails
    for names in `unknown`; the real uv is registered again afterwards."""
    from lock import backends, index
    from lock.errors import ResolutionError
    from lock.requirements_in import parse_tree

    real = backends.get("uv")

    class Fake:
        NAME = real.NAME
        RESOLVER_OPTIONS = real.RESOLVER_OPTIONS

        def __init__(self):
            self.calls: list[dict] = []
            self.versions: dict = {}
            self.unknown: set[str] = set()
            self.interrupt = False

        def prepare(self, *, python, platforms, cutoffs):
            pass

        def resolve(self, *, root, requirements, python, platform, cutoffs, env=None, preferences=None):
            inputs = parse_tree(Path(root), Path(root) / requirements)
            self.calls.append({"requirements": requirements, "python": python, "platform": platform.name,
                               "cutoffs": cutoffs, "preferences": dict(preferences or {})})
            out = []
            if self.interrupt:
                raise KeyboardInterrupt
            for spec in inputs.specs:
                if spec.name in self.unknown:
                    raise ResolutionError(f"unknown package {spec.name!r}")
                version = self.versions.get((spec.name, platform.name), self.versions.get(spec.name, "1.0"))
                digest = hashlib.sha256(f"{spec.name}=={version}".encode()).hexdigest()
                out.append(f"{spec.name}=={version} \\\n    --hash=sha256:{digest}\n    # via -r {spec.file}\n")
            return "".join(out)

    fake = Fake()
    backends.register(fake)
    # The index view lock records beside the lock: an index that lists nothing, offline.
    monkeypatch.setattr(index, "uv_index_pages", lambda names, env=None: {name: [] for name in names})
    yield fake
    backends.register(real)
