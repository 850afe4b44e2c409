"""`scripts/lock check` on a fresh clone with no network: the tooling cannot be installed, which is
"resolver could not run" (4) in one line -- not the stale-lock code 1."""

from __future__ import annotations

import shutil
import subprocess

from tests.support.paths import PROJECT_ROOT

OFFLINE = {
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
    "PIP_RETRIES": "0",
    "PIP_NO_CACHE_DIR": "1",
    "PIP_CONFIG_FILE": "/dev/null",
}


def test_fresh_clone_without_network_exits_4(tmp_path):
    clone = tmp_path / "clone"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), **OFFLINE}
    proc = subprocess.run(
        [str(clone / "scripts" / "lock"), "check"], cwd=clone, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "lock: error: cannot set up the lock tooling (uv and .venv, from the package index); "
        "check the network and proxy settings"
    )
    assert "Traceback" not in proc.stderr
    assert "installing uv failed" in proc.stderr  # it got as far as the download
