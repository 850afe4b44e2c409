"""The build installs nothing the lock does not vouch for: one wrong hash fails it, naming the package,
even when the lock's own header was made to match (the Dockerfile's install checks every file)."""

import re
import shutil

import pytest

from lock import header
from tests.support.builds import build
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.image


def test_wrong_hash_in_lock_fails_build_naming_package(tmp_path, docker_client):
    context = tmp_path / "context"
    shutil.copytree(PROJECT_ROOT / "image", context / "image")
    shutil.copy(PROJECT_ROOT / "Dockerfile", context / "Dockerfile")
    shutil.copy(PROJECT_ROOT / ".dockerignore", context / ".dockerignore")
    lock = (PROJECT_ROOT / "requirements.lock").read_text()
    # Every hash of one small package replaced by a hash of nothing: no file can match.
    block = re.search(r"^(six==\S+)(.*?)(?=^\S|\Z)", lock, re.M | re.S)
    assert block, "six is expected in the lock (a dependency of python-dateutil)"
    poisoned = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block.group(0))
    # The header re-signed over the poisoned body, so the lock tool (SBOM, labels) takes it as a lock:
    # only the install's hash check stands between it and the image.
    parsed = header.parse(lock.replace(block.group(0), poisoned))
    (context / "requirements.lock").write_text(
        parsed.header.replace(parsed.body_sha256, header.body_sha256(parsed.body)) + parsed.body)
    result = build("jupyterlab-minimalist:poisoned", "--target", "builder", "--progress", "plain", context=context)
    assert result.returncode != 0, "a lock with a wrong hash must not build"
    assert re.search(r"[Hh]ash mismatch for `?six", result.stderr), result.stderr[-3000:]
