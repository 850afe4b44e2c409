"""The arm64 image, built on this machine's own platform (the builder cross-installs the lock's
aarch64 wheels) and run under qemu: the checks the amd64 image gets, and its reproducibility.

One server for the module (slow under emulation); the two --no-cache arm64 builds are the
session's (tests/conftest.py `arm64_builds`: the first is the image under test, the second checks the
image ID, and both are the arm64 benchmark's samples); two two-platform builds (cached) for the
index digest, and scripts/publish to a throw-away registry.
"""

import json
import os
import re
import subprocess

import pytest
import requests
from packaging.utils import canonicalize_name

from tests.support.builds import build
from tests.support.containers import Server, free_port
from tests.support.kernel import KernelChannel, start_kernel
from tests.support.lock_pins import lock_pins
from tests.support.paths import PROJECT_ROOT
from tests.support.repro_helpers import compare

pytestmark = [pytest.mark.image, pytest.mark.arm64]

PLATFORM = "linux/arm64"
# Under qemu a cold server takes tens of seconds to answer, a first plot cell about a minute.
START_TIMEOUT = 300
PLOT_CELL = (
    "import io, numpy as np, matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(); ax.plot(np.arange(10) ** 2)\n"
    "png = io.BytesIO(); fig.savefig(png, format='png')\n"
    "print(png.getvalue()[:4] == b'\\x89PNG', len(png.getvalue()) > 1000)"
)


def image_id(tag: str) -> str:
    return subprocess.run(["docker", "image", "inspect", "-f", "{{.Id}}", tag],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def build_env(arm64_builds) -> dict:
    """The SOURCE_DATE_EPOCH and SOURCE_COMMIT of the session's arm64 builds: every build of the module uses them."""
    return arm64_builds.build_env


@pytest.fixture(scope="module")
def arm64_image(arm64_builds) -> str:
    """The arm64 image, --no-cache: the first of the two builds that must give one ID."""
    result = arm64_builds.ok(arm64_builds.tag)
    assert result.returncode == 0
    return arm64_builds.tag


@pytest.fixture(scope="module")
def arm64_server(arm64_image, docker_client):
    port = free_port()
    container = docker_client.containers.run(
        arm64_image, detach=True, platform=PLATFORM, environment={"JUPYTER_TOKEN": "arm64-token"},
        ports={"8888/tcp": ("127.0.0.1", port)})
    try:
        server = Server(container, f"http://127.0.0.1:{port}", "arm64-token")
        server.wait_ready(timeout=START_TIMEOUT)
        yield server
    finally:
        container.remove(force=True, v=True)


def test_runs_on_aarch64_as_a_user(arm64_server):
    assert arm64_server.exec("uname", "-m")[1].strip() == "aarch64"
    code, uid = arm64_server.exec("id", "-u")
    assert code == 0 and uid.strip() not in ("", "0"), uid


def test_token_enforced(arm64_server):
    status = arm64_server.get("/api/status")
    assert status.status_code == 200 and "started" in status.json()
    refused = requests.get(arm64_server.url + "/api/contents", timeout=30)
    assert refused.status_code == 403, refused.status_code


def test_has_exactly_the_locked_aarch64_packages(arm64_server):
    code, out = arm64_server.exec("python", "-c", "import importlib.metadata as m, json, platform; "
                                  "print(platform.machine(), json.dumps({d.name: d.version for d in m.distributions()}))")
    assert code == 0, out
    machine, listing = out.strip().split(" ", 1)
    assert machine == "aarch64"
    assert {canonicalize_name(k): v for k, v in json.loads(listing).items()} == lock_pins()


def test_plot_cell_over_the_websocket(arm64_server):
    channel = KernelChannel(arm64_server, start_kernel(arm64_server), connect_timeout=START_TIMEOUT)
    try:
        channel.ready(timeout=START_TIMEOUT)
        result = channel.execute(PLOT_CELL, timeout=START_TIMEOUT)
    finally:
        channel.close()
    assert result["status"] == "ok", result
    assert result["stdout"].split() == ["True", "True"], result


def base_of(result: subprocess.CompletedProcess) -> str:
    """The base a scripts/build run built on, by digest (its "building TAG on BASE" line; the local
    registry's port differs from run to run, the digest of the stand-ins' index does not)."""
    bases = re.findall(r"^==> building \S+ on (\S+)$", result.stderr, re.M)
    assert len(bases) == 1, result.stderr[-2000:]
    return bases[0].rsplit("@", 1)[-1]


def test_two_no_cache_builds_give_one_id(arm64_image, arm64_builds):
    assert arm64_builds.again, "the session made no second arm64 build"
    first, second = arm64_builds.ok(arm64_image), arm64_builds.ok(arm64_builds.again)
    # Another base between the two (a stand-in rebuilt meanwhile, e.g. by another checkout's run on
    # the same engine with another stand-in recipe) is not a build that failed to reproduce.
    assert base_of(first) == base_of(second), "the base changed between the two arm64 builds"
    assert image_id(arm64_builds.again) == image_id(arm64_image), (
        f"two --no-cache arm64 builds on one base differ:\n{compare(arm64_image, arm64_builds.again)[-6000:]}")


def test_two_platform_index_digest_is_the_same_on_rebuild(image, arm64_image, build_env):
    digests = []
    for _ in range(2):
        result = build(f"{image}-multi", "--platform", f"linux/amd64,{PLATFORM}", env=build_env)
        assert result.returncode == 0, result.stderr[-4000:]
        digest = result.stdout.strip().splitlines()[-1]
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest), result.stdout
        digests.append(digest)
    print(f"two-platform index: {digests[0]}")
    assert digests[0] == digests[1]
    try:
        # The arm64 half is the image the single-platform build gave.
        assert image_id(f"{image}-multi-arm64") == image_id(arm64_image)
    finally:
        subprocess.run(["docker", "rmi", f"{image}-multi-amd64", f"{image}-multi-arm64"], capture_output=True, check=False)


def test_publish_pushes_one_index_with_each_platforms_labels(arm64_image, build_env, registry):
    target = f"{registry}/lab:1.0"
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "publish"), target], env={**os.environ, **build_env},
                            capture_output=True, text=True, timeout=1800)
    try:
        assert result.returncode == 0, result.stderr[-4000:]
        digest = result.stdout.strip().splitlines()[-1]
        inspect = subprocess.run(["docker", "buildx", "imagetools", "inspect", "--format", "{{json .Image}}",
                                  f"{registry}/lab@{digest}"], capture_output=True, text=True, check=True)
        configs = json.loads(inspect.stdout)
        assert sorted(configs) == ["linux/amd64", PLATFORM]
        for platform, config in configs.items():
            labels = config["config"]["Labels"]
            assert labels["org.opencontainers.image.revision"], (platform, labels)
            assert "requirements.lock sha256:" in labels["org.jupyterlab-minimalist.locks"], (platform, labels)
        # The arm64 half is the image built here.
        assert configs[PLATFORM]["rootfs"]["diff_ids"] == json.loads(subprocess.run(
            ["docker", "image", "inspect", "-f", "{{json .RootFS.Layers}}", arm64_image],
            capture_output=True, text=True, check=True).stdout)
    finally:
        subprocess.run(["docker", "rmi", "jupyterlab-minimalist:publish-amd64", "jupyterlab-minimalist:publish-arm64"],
                       capture_output=True, check=False)
