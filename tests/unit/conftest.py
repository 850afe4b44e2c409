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
    """Replace uv with a stand-in that pins every name in the requirements tree at 1.0 (or at the
    version given in `versions`), records the calls, and fails for names in `unknown`."""
    from lock import index
    from lock.backends import uv as uv_backend
    from lock.errors import ResolutionError
    from lock.requirements_in import parse_tree

    class Fake:
        calls: list[dict] = []
        versions: dict[str, str] = {}
        unknown: set[str] = set()
        interrupt = False

        def resolve(self, root, requirements, python, platform, cutoffs, env=None, preferences=None):
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
    fake.calls = []
    fake.versions = {}
    fake.unknown = set()
    fake.interrupt = False
    monkeypatch.setattr(uv_backend, "resolve", fake.resolve)
    monkeypatch.setattr(uv_backend, "prepare", lambda *a, **k: None)
    # The index view lock records beside the lock: an index that lists nothing, offline.
    monkeypatch.setattr(index, "many", lambda names, env=None: {name: [] for name in names})
    return fake
