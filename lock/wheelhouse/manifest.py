"""`.wheelhouse.json`: what the last complete run fetched for which inputs, so that a rerun with the
same locks, Python and platforms, every file still there with its hash, asks the index nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from lock import atomic
from lock.config import Platform
from lock.wheelhouse.fetch import sha256_of

MANIFEST = ".wheelhouse.json"
# Bumped whenever the choice of files changes, so that a manifest of an older choice is not trusted.
SELECTION_RULES = 2


def inputs_fingerprint(locks: list[Path], platforms: tuple[Platform, ...], python: str) -> str:
    """What the wheelhouse depends on: the locks' bytes, the target platforms and the Python."""
    data = {
        "rules": SELECTION_RULES,
        "python": python,
        "platforms": [p.name for p in platforms],
        "locks": [hashlib.sha256(lock.read_bytes()).hexdigest() for lock in locks],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def up_to_date(dest: Path, fingerprint: str) -> dict[str, str] | None:
    """The files of the last complete run for the same inputs, if all are still there with their hash."""
    try:
        manifest = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != 1 or manifest.get("inputs") != fingerprint or not isinstance(files, dict):
            return None
        if all((dest / name).is_file() and sha256_of(dest / name) == sha256 for name, sha256 in files.items()):
            return files
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def write(dest: Path, fingerprint: str, files: dict[str, str]) -> None:
    text = json.dumps({"format": 1, "inputs": fingerprint, "files": dict(sorted(files.items()))}, indent=1) + "\n"
    atomic.write_text(dest / MANIFEST, text)
