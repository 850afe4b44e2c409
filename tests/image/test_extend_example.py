"""examples/extend, as a team would use it from a clean clone: `lock --base-image IMAGE` copies the
image's locks out of it and locks the team's requirements.in on top (nothing to do when the image
is the one the example was locked against), then a plain `docker buildx build` adds one layer."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = [pytest.mark.image, pytest.mark.network]

TAG = os.environ.get("TEST_IMAGE", "jupyterlab-minimalist:test") + "-extend"


def host_ca() -> list[str]:
    for path in (os.environ.get("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"):
        if path and os.path.isfile(path):
            return ["--secret", f"id=ca,src={path}"]
    return []


@pytest.fixture
def clone(tmp_path):
    """The example's tracked files only, as a clone has them."""
    listed = subprocess.run(["git", "ls-files", "-z", "examples/extend"], cwd=PROJECT_ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        target = tmp_path / os.path.relpath(name, "examples/extend")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / name, target)
    assert not (tmp_path / "image-locks").exists()
    return tmp_path


def test_the_example_locks_against_the_image_and_builds_one_layer(clone, image, docker_client):
    lock = str(PROJECT_ROOT / ".venv" / "bin" / "lock")
    proc = subprocess.run([lock, "--base-image", image], cwd=clone, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (clone / "image-locks" / "requirements.lock").read_bytes() == (PROJECT_ROOT / "requirements.lock").read_bytes()
    assert "lock: requirements-extend.lock is up to date" in proc.stdout, "the committed example is stale: relock it"
    assert subprocess.run([lock, "check"], cwd=clone, capture_output=True, timeout=60).returncode == 0
    build = subprocess.run(["docker", "buildx", "build", "--load", "--build-arg", f"BASE={image}", *host_ca(),
                            "-t", TAG, "."], cwd=clone, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-4000:]
    try:
        base, extended = docker_client.images.get(image).attrs, docker_client.images.get(TAG).attrs
        assert extended["RootFS"]["Layers"][:-1] == base["RootFS"]["Layers"]
        out = docker_client.containers.run(TAG, ["python", "-c", "import seaborn, pandas; print(seaborn.__version__)"],
                                           remove=True).decode().strip()
        assert out == "0.13.2"
    finally:
        docker_client.images.remove(TAG, noprune=True)


def test_a_lock_of_another_image_is_refused_by_the_build(clone, image):
    """The example's lock names the base it was locked against; a build on another image stops."""
    lock_path = clone / "requirements-extend.lock"
    lock_path.write_text(lock_path.read_text().replace("# base: image-locks/requirements.lock sha256:",
                                                       "# base: image-locks/requirements.lock sha256:0"))
    build = subprocess.run(["docker", "buildx", "build", "--load", "--build-arg", f"BASE={image}", *host_ca(),
                            "-t", TAG + "-refused", "."], cwd=clone, capture_output=True, text=True, timeout=1800)
    assert build.returncode != 0
    assert ("requirements-extend.lock was not locked against this image's lock (/opt/locks): relock it "
            "(lock --layer NAME, or lock --base-image IMAGE)") in build.stderr, build.stderr[-3000:]
