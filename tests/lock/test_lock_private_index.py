"""A private index that requires basic auth (the usual Artifactory, Nexus, GitLab or CodeArtifact
set-up), served by the test on 127.0.0.1: `lock`, `lock check --resolve`, the wheelhouse and the SBOM
all work with the credentials in the index URL, and the secret appears in no output and no file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.local_index import LocalIndex
from tests.support.lock_helpers import lock_environment

SECRET = "pa55-word-7f3a"
CUTOFF = "2026-06-01T00:00:00Z"


@pytest.fixture
def private(tmp_path):
    local = LocalIndex(tmp_path / "index")
    local.add_wheel("demo-a", "1.0", "2026-01-01T00:00:00Z", requires=["demo-b"])
    local.add_wheel("demo-b", "1.0", "2026-01-01T00:00:00Z")
    with local.serve(credentials=f"user:{SECRET}") as url:
        yield url.replace("http://", f"http://user:{SECRET}@")


def test_a_basic_auth_index_works_end_to_end_and_the_secret_is_never_shown(project, lock, private, tmp_path):
    root = project("demo-a\n")
    env = {"UV_DEFAULT_INDEX": private, "UV_NO_CACHE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [lock(root, "--exclude-newer", CUTOFF, env=env), lock(root, "check", "--resolve", env=env)]
    for module, *args in (("lock.wheelhouse", "--project", str(root), "--lock", str(root / "requirements.lock"),
                           "--dest", str(tmp_path / "wheels")),
                          ("lock.sbom", "--project", str(root), "--output", str(tmp_path / "bom.json"))):
        runs.append(subprocess.run([sys.executable, "-m", module, *args], cwd=root, env=lock_environment(env),
                                   capture_output=True, text=True, timeout=300))
    for run in runs:
        assert run.returncode == 0, run.args[-6:] + [run.stdout, run.stderr]
        assert SECRET not in run.stdout + run.stderr
    assert "demo-b==1.0" in (root / "requirements.lock").read_text()
    assert sorted(p.name for p in (tmp_path / "wheels").glob("*.whl")) == ["demo_a-1.0-py3-none-any.whl",
                                                                            "demo_b-1.0-py3-none-any.whl"]
    assert '"demo-b"' in (tmp_path / "bom.json").read_text()
    written = [p for p in [*root.rglob("*"), tmp_path / "bom.json"] if p.is_file()]
    assert [p for p in written if SECRET.encode() in p.read_bytes()] == []
