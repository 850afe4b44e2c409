"""pylock.toml installs the image's packages: uv (the image's own pin) installs it, and
requirements.lock, into two fresh venvs on the image's base, and both hold the same distributions
from the same wheels (each one's RECORD lists every installed file with its hash; console scripts,
which name their venv's python, aside)."""

import json
import os
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT

pytestmark = [pytest.mark.image, pytest.mark.network]

SCRIPT = r"""
set -euo pipefail
uv venv -q --python python3 /venv/lock
uv pip install -q --python /venv/lock/bin/python --require-hashes --no-deps --only-binary :all: -r /src/requirements.lock
uv venv -q --python python3 /venv/pylock
uv pip install -q --python /venv/pylock/bin/python -r /src/pylock.toml
python3 - <<'PY'
import hashlib, json, pathlib
# Scripts in bin/ name their venv's python, so their hashes differ by venv: left out.
def record(p):
    kept = sorted(line for line in p.read_text().splitlines() if not line.startswith("../../../bin/"))
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()
print(json.dumps({venv: {p.parent.name: record(p)
                         for p in pathlib.Path(f"/venv/{venv}").glob("lib/python3*/site-packages/*.dist-info/RECORD")}
                  for venv in ("lock", "pylock")}))
PY
"""


def test_pylock_installs_the_same_distributions_as_the_lock(image, docker_client, tmp_path):
    base = docker_client.images.get(image).labels["org.jupyterlab-minimalist.base.id"]
    uv = PROJECT_ROOT / ".cache" / "tools" / "bin" / "uv"
    ca = os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt"
    cache = PROJECT_ROOT / ".cache" / "uv-pylock-test"  # kept: a second run downloads nothing
    cache.mkdir(parents=True, exist_ok=True)
    passed = [f"--env={k}" for k in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "HTTPS_PROXY", "https_proxy") if k in os.environ]
    result = subprocess.run(
        ["docker", "run", "--rm", "--network=host", *passed, "-e", "UV_CACHE_DIR=/cache", "-e", "UV_PYTHON_DOWNLOADS=never",
         "-e", "UV_LINK_MODE=copy", "-e", "SSL_CERT_FILE=/ca.pem", "-v", f"{uv}:/usr/local/bin/uv:ro",
         "-v", f"{ca}:/ca.pem:ro", "-v", f"{PROJECT_ROOT}:/src:ro", "-v", f"{cache}:/cache", "--tmpfs", "/venv:exec",
         "--entrypoint", "bash", base, "-c", SCRIPT],
        capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    installed = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(installed["lock"]) >= 100, installed["lock"]
    assert installed["pylock"] == installed["lock"]
