"""A CycloneDX 1.6 JSON SBOM of the lock: the image's Python packages, with the sha256 of every
locked file, their licences (from each wheel's core metadata) and who needs whom (the lock's `# via`).

    python -m lock.sbom [--project DIR] [--lock FILE] [--output FILE]

A pure function of the lock (and the project's name, version and licence in pyproject.toml): no
clock, no machine. The serial number is derived from the lock's bytes, the timestamp is the lock's
cut-off. scripts/build writes it beside the image and into it (/opt/sbom/). Exit codes as for
`lock`: 2 bad input, 4 the index could not be reached for metadata not yet cached.
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
import uuid
from datetime import datetime
from pathlib import Path

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from lock import atomic, header, lockfile
from lock.errors import InputError, LockError
from lock.wheel_info import WheelInfoCache

SCHEMA = SchemaVersion.V1_6
IMAGE_PATH = "/opt/sbom/jupyterlab-minimalist.cdx.json"  # where the Dockerfile puts it
_MAX_LICENSE_FIELD = 100  # longer `License:` values are the licence's full text, not its name


def licenses_of(metadata) -> list:
    """PEP 639's License-Expression, else a short License field, else the trove classifiers."""
    factory = LicenseFactory()
    if metadata is None:
        return []
    if expression := (metadata.get("License-Expression") or "").strip():
        return [factory.make_from_string(expression)]
    field = (metadata.get("License") or "").strip()
    if field and "\n" not in field and len(field) <= _MAX_LICENSE_FIELD and field.upper() != "UNKNOWN":
        return [factory.make_from_string(field)]
    classifiers = [c.split(" :: ")[-1] for c in metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    return [factory.make_with_name(c) for c in sorted(set(classifiers)) if c != "OSI Approved"]


def _purl(entry: lockfile.Entry) -> PackageURL:
    return PackageURL(type="pypi", name=entry.name, version=entry.shown_version)


def render(lock_text: str, project: dict, metadata: dict) -> str:
    """The SBOM's JSON text. `metadata`: package name -> its wheel's core metadata (or None)."""
    parsed = header.parse(lock_text)
    entries = lockfile.parse_body(lock_text).entries
    root = Component(
        type=ComponentType.CONTAINER,
        name=project["name"],
        version=project.get("version"),
        description=project.get("description"),
        bom_ref=project["name"],
        licenses=[LicenseFactory().make_from_string(project["license"])] if project.get("license") else [],
    )
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(lock_text.encode()).hexdigest()))
    bom.metadata.component = root
    bom.metadata.timestamp = datetime.fromisoformat(parsed.settings.cutoffs.exclude_newer.replace("Z", "+00:00"))
    bom.metadata.properties.add(Property(name="jupyterlab-minimalist:lock:body-sha256", value=parsed.body_sha256))
    components: dict[str, Component] = {}
    for entry in entries:
        info = metadata.get(entry.name)
        component = Component(
            type=ComponentType.LIBRARY,
            name=entry.name,
            version=entry.shown_version,
            purl=_purl(entry),
            bom_ref=str(_purl(entry)) + (f"#{entry.marker}" if entry.marker else ""),
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=h.removeprefix("sha256:")) for h in entry.hashes],
            licenses=licenses_of(info),
        )
        if entry.marker:  # installed only where the marker holds (a platform-specific dependency)
            component.properties.add(Property(name="jupyterlab-minimalist:marker", value=entry.marker))
        components[entry.name] = component
        bom.components.add(component)
    # The lock's `# via`: "-r requirements.in" is the image asking; a package name is a dependent.
    direct = [components[e.name] for e in entries if e.direct_from]
    bom.register_dependency(root, direct)
    for entry in entries:
        dependents = [components[v] for v in entry.via if v in components]
        for dependent in dependents:
            bom.register_dependency(dependent, [components[entry.name]])
    for component in components.values():
        bom.register_dependency(component, [])
    return make_outputter(bom, OutputFormat.JSON, SCHEMA).output_as_string(indent=2) + "\n"


def project_metadata(root: Path) -> dict:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"pyproject.toml: no readable [project] table ({e})") from None


def generate(root: Path, lock_path: Path) -> str:
    read = lockfile.read_lock(lock_path, lock_path.name, made_by_lock=True)
    text, entries = read.text, read.entries
    cache = WheelInfoCache(root / ".cache" / "wheel-info")
    infos = cache.many(entries)
    missing = sorted(name for name, info in infos.items() if info is None)
    if missing:
        print(f"lock sbom: warning: the index lists none of the locked files of {', '.join(missing)}; "
              "no licence for them", file=sys.stderr)
    return render(text, project_metadata(root), {n: i.metadata if i else None for n, i in infos.items()})


def add_arguments(parser) -> None:
    """`lock sbom`'s options (lock.cli)."""
    parser.add_argument("--project", metavar="DIR", default=".", help="the project (pyproject.toml, .cache/)")
    parser.add_argument("--lock", metavar="FILE", help="the lock (default: requirements.lock of the project)")
    parser.add_argument("--output", metavar="FILE", help="write here (default: standard output)")


def run(args) -> int:
    """`lock sbom`: errors are raised for lock.cli's one funnel."""
    root = Path(args.project)
    text = generate(root, Path(args.lock) if args.lock else root / "requirements.lock")
    if args.output:
        atomic.write_text(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # `python -m lock.sbom` (scripts run it): `lock sbom`, behind its one error funnel
    from lock.cli import main

    sys.exit(main(["sbom", *sys.argv[1:]]))
