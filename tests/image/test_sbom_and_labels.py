"""What is in the image, as scanners and registries read it: the SBOM at its documented path (the
same bytes scripts/build wrote beside the image) and the OCI labels naming the commit and the lock."""

import hashlib
import re
import subprocess
from datetime import datetime, timezone

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image


def git(*args) -> str:
    return subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_image_ships_the_sbom_it_names_in_a_label(image, docker_client):
    labels = docker_client.images.get(image).labels
    path = labels["org.jupyterlab-minimalist.sbom"]
    assert path == "/opt/sbom/jupyterlab-minimalist.cdx.json"
    inside = docker_client.containers.run(image, ["cat", path], entrypoint=[], remove=True)
    beside = PROJECT_ROOT / "sbom" / (image.replace("/", "_").replace(":", "_") + ".cdx.json")
    assert inside == beside.read_bytes()
    assert b'"specVersion": "1.6"' in inside


def test_labels_name_the_commit_the_lock_and_the_base(image, docker_client):
    labels = docker_client.images.get(image).labels
    lock = (PROJECT_ROOT / "requirements.lock").read_bytes()
    assert labels["org.jupyterlab-minimalist.lock.sha256"] == "sha256:" + hashlib.sha256(lock).hexdigest()
    assert labels["org.opencontainers.image.revision"] == git("rev-parse", "HEAD")
    created = datetime.fromtimestamp(int(git("log", "-1", "--format=%ct")), timezone.utc)
    assert labels["org.opencontainers.image.created"] == created.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert labels["org.opencontainers.image.title"] == "jupyterlab-minimalist"
    assert labels["org.opencontainers.image.licenses"] == "BSD-3-Clause"
    # The base as used: the stand-in here (not the Dockerfile's pinned reference, so no OCI base.digest).
    base = docker_client.images.get(labels["org.jupyterlab-minimalist.base.id"])
    assert base.id == labels["org.jupyterlab-minimalist.base.id"]


def test_contributing_commands_read_the_labels_and_the_sbom(image):
    readme = (PROJECT_ROOT / "CONTRIBUTING.md").read_text()
    section = readme.split("## What is in the image", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.split("```sh\n", 1)[1].split("```", 1)[0].splitlines() if line]
    assert len(lines) == 2
    labels, sbom = (subprocess.run(["bash", "-c", line.replace(" jupyterlab-minimalist ", f" {image} ")],
                                   capture_output=True, text=True, timeout=120) for line in lines)
    assert labels.returncode == 0 and '"org.opencontainers.image.revision"' in labels.stdout, labels.stderr
    assert sbom.returncode == 0 and re.search(r"^numpy \S+ BSD-3-Clause", sbom.stdout, re.M), sbom.stdout[:2000]
