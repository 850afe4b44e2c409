"""One CA-bundle search: the scripts (scripts/lib/common.sh host_ca_bundle) run lock/ca_bundle.py,
which the wheelhouse and `lock` use, so shell and Python name the same file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lock import ca_bundle

from tests.support.paths import PROJECT_ROOT as ROOT


def host_ca_bundle(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", ". scripts/lib/common.sh; host_ca_bundle"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("variables", [
    {"SSL_CERT_FILE": "{bundle}"},
    {"SSL_CERT_FILE": "/nonexistent", "REQUESTS_CA_BUNDLE": "{bundle}"},
    {"SSL_CERT_FILE": "/nonexistent"},  # the system's bundle, or none
    {},
])
def test_shell_and_python_name_the_same_bundle(tmp_path, variables):
    bundle = tmp_path / "proxy-ca.pem"
    bundle.write_text("not read here\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    env.update({k: v.format(bundle=bundle) for k, v in variables.items()})
    expected = ca_bundle.path(env)
    if "{bundle}" in "".join(variables.values()):
        assert expected == str(bundle)
    result = host_ca_bundle(env)
    assert (result.returncode, result.stdout) == ((0, f"{expected}\n") if expected else (1, ""))
