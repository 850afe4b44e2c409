"""The image's OCI labels, one `key=value` a line, for `docker buildx build --label`.

    python -m lock.labels --project DIR --lock FILE --revision SHA --created EPOCH --base-id ID [--base REF@DIGEST]

Pure functions of the commit: pyproject.toml's [project] (title, description, version, licence,
`urls.Source`), the commit and its time, the lock's sha256 and the base image: its ID (the digest
of its config: the same content gives the same ID wherever it was pulled from) and, when the
Dockerfile pins it and that is the base used, OCI's base.name and base.digest (the pinned, usually
multi-arch, digest). Nothing of the clock or the machine, so a rebuild of the commit keeps its ID.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from lock.errors import LockError
from lock.lockfile import read_text
from lock.sbom import IMAGE_PATH, project_metadata

OCI = "org.opencontainers.image"
OWN = "org.jupyterlab-minimalist"  # this project's own keys (as the stand-in base's label)


def labels(project: dict, lock_bytes: bytes, revision: str, created: int, base_id: str, pinned: str | None) -> dict:
    urls = {k.lower(): v for k, v in (project.get("urls") or {}).items()}
    out = {
        f"{OCI}.title": project["name"],
        f"{OCI}.description": project.get("description", ""),
        f"{OCI}.version": project.get("version", ""),
        f"{OCI}.licenses": project.get("license", ""),
        f"{OCI}.revision": revision,
        f"{OCI}.created": datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{OCI}.source": urls.get("source") or urls.get("repository") or "",
        f"{OCI}.base.name": pinned.split("@")[0] if pinned else "",
        f"{OCI}.base.digest": pinned.split("@")[1] if pinned else "",
        f"{OWN}.base.id": base_id,
        f"{OWN}.lock.sha256": "sha256:" + hashlib.sha256(lock_bytes).hexdigest(),
        f"{OWN}.sbom": IMAGE_PATH,
    }
    return {k: v for k, v in out.items() if v}


def add_arguments(parser) -> None:
    """`lock labels`' options (lock.cli)."""
    parser.add_argument("--project", metavar="DIR", default=".")
    parser.add_argument("--lock", metavar="FILE", required=True)
    parser.add_argument("--revision", required=True, help="the commit")
    parser.add_argument("--created", type=int, required=True, help="the commit's time (SOURCE_DATE_EPOCH)")
    parser.add_argument("--base-id", required=True, help="the base image's ID")
    parser.add_argument("--base", metavar="REF@DIGEST", help="the Dockerfile's pinned base, when it is the one used")


def run(args) -> int:
    """`lock labels`: errors are raised for lock.cli's one funnel."""
    lock_bytes = read_text(Path(args.lock), args.lock).encode("utf-8")
    found = labels(project_metadata(Path(args.project)), lock_bytes, args.revision, args.created,
                   args.base_id, args.base if args.base and "@" in args.base else None)
    for key, value in found.items():
        print(f"{key}={' '.join(value.split())}")
    return 0


if __name__ == "__main__":  # `python -m lock.labels` (scripts run it): `lock labels`, behind its one error funnel
    from lock.cli import main

    sys.exit(main(["labels", *sys.argv[1:]]))
