"""The SBOM of the committed lock: valid CycloneDX 1.6, every locked file's sha256, licences from
the wheels' metadata, and the same bytes from a cold metadata cache as from a warm one."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from lock.lockfile import parse_body
from tests.support.paths import PROJECT_ROOT

pytestmark = pytest.mark.network


def sbom(project, out, lock=None) -> bytes:
    cmd = [sys.executable, "-m", "lock.sbom", "--project", str(project), "--output", str(out)]
    result = subprocess.run(cmd + (["--lock", str(lock)] if lock else []), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def committed(tmp_path_factory) -> bytes:
    return sbom(PROJECT_ROOT, tmp_path_factory.mktemp("sbom") / "bom.json")


def test_sbom_is_valid_cyclonedx_1_6_with_every_locked_file(committed):
    text = committed.decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    entries = parse_body((PROJECT_ROOT / "requirements.lock").read_text()).entries
    components = {c["name"]: c for c in bom["components"]}
    assert set(components) == {e.name for e in entries}
    for e in entries:
        c = components[e.name]
        assert c["version"] == e.version and c["purl"] == f"pkg:pypi/{e.name}@{e.version}"
        assert sorted(h["content"] for h in c["hashes"]) == sorted(h[7:] for h in e.hashes)
        assert c.get("licenses"), f"{e.name}: no licence read from its wheel metadata"
    # Who needs whom: the image needs what requirements.in names; numpy is needed by pandas.
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    numpy = components["numpy"]["bom-ref"]
    assert numpy in deps["jupyterlab-minimalist"] and numpy in deps[components["pandas"]["bom-ref"]]
    print(f"SBOM: {len(bom['components'])} components, sha256 {hashlib.sha256(committed).hexdigest()}")


def test_sbom_is_the_same_bytes_from_a_cold_cache(committed, tmp_path):
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    assert not (tmp_path / ".cache").exists()
    assert sbom(tmp_path, tmp_path / "cold.json") == committed
    assert any((tmp_path / ".cache" / "wheel-info").glob("*.metadata")), "the metadata was not cached"


def test_a_lock_without_header_is_one_line_exit_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "requirements.lock").write_text("six==1.17.0\n")
    result = subprocess.run([sys.executable, "-m", "lock.sbom", "--project", str(tmp_path), "--output",
                             str(tmp_path / "out.json")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "requirements.lock: not a lock made by `lock`" in result.stderr
    assert not (tmp_path / "out.json").exists()
