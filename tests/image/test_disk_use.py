"""The suite keeps the disk it needs: a session removes the images it left untagged, and no others
(tests/support/dangling_images.py); scripts/test stops with one line before a run on a disk too full
for it (ensure_disk_room in scripts/lib/engine.sh)."""


from __future__ import annotations

import io
import subprocess
import uuid

import pytest

from tests.support import dangling_images
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image


def label_only_image(client, tag: str, value: str) -> str:
    """A layer-less image (FROM scratch, one label): built in a second, a few bytes on disk."""
    dockerfile = io.BytesIO(f"FROM scratch\nLABEL org.jupyterlab-minimalist.test={value}\n".encode())
    image, _ = client.images.build(fileobj=dockerfile, tag=tag, rm=True)
    return image.id


def test_session_removes_only_what_it_left_untagged(docker_client):
    tag = f"jupyterlab-minimalist:dangling-{uuid.uuid4().hex[:8]}"
    older = label_only_image(docker_client, tag, "older")
    label_only_image(docker_client, tag, "before-the-session")  # `older` loses its tag: someone else's
    before = dangling_images.dangling()
    assert older in before
    ours = label_only_image(docker_client, tag, "during")
    label_only_image(docker_client, tag, "last")  # the session's rebuild leaves `ours` untagged
    try:
        removed = dangling_images.remove_new(before)
        assert ours in removed
        assert older not in removed
        remaining = {image.id for image in docker_client.images.list(filters={"dangling": True})}
        assert ours not in remaining and older in remaining
    finally:
        docker_client.images.remove(tag, force=True)
        for image_id in (older, ours):
            if image_id in {i.id for i in docker_client.images.list(filters={"dangling": True})}:
                docker_client.images.remove(image_id, force=True)


def disk_room(gigabytes: int) -> subprocess.CompletedProcess:
    script = f'. scripts/lib/common.sh; . scripts/lib/engine.sh; ensure_disk_room {gigabytes}; echo room'
    return subprocess.run(["bash", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)


def test_too_full_a_disk_stops_the_run_with_one_line(docker_client):
    root = docker_client.info()["DockerRootDir"]
    enough, too_little = disk_room(0), disk_room(10**6)  # no disk has a petabyte free
    assert (enough.returncode, enough.stdout) == (0, "room\n")
    assert too_little.returncode == 1 and too_little.stdout == ""
    assert too_little.stderr.startswith("error: only ") and too_little.stderr.count("\n") == 1
    assert f"GB free under {root}; the suite needs about 1000000 GB" in too_little.stderr
