"""A layer image (image/layer.Dockerfile, scripts/build-layer): the packages of a layer lock as one
more image layer over the unchanged base image, importable together with the base's, hash-checked,
carrying its locks, and rebuilt bit for bit. The layer lock (seaborn, whose dependencies numpy,
pandas and matplotlib are all the base's) is resolved by the real uv against the package index,
at the committed base lock's cut-off."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess

import pytest

from tests.support.paths import PROJECT_ROOT
from lock import header

pytestmark = [pytest.mark.image, pytest.mark.network]

LAYER_TAG = os.environ.get("TEST_IMAGE", "jupyterlab-minimalist:test") + "-layer"
LAYERED = ["Dockerfile", ".dockerignore", "pyproject.toml", "requirements.in", "requirements.lock"]


def build_layer(context, base: str, *args: str, tag: str = LAYER_TAG) -> subprocess.CompletedProcess:
    return subprocess.run([str(PROJECT_ROOT / "scripts" / "build-layer"), "--base", base, "--tag", tag,
                           "requirements-extra.lock", *args], env={**os.environ, "BUILD_CONTEXT": str(context)},
                          capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """The project's build context plus a layer `extra` (seaborn), locked with `lock --layer extra`."""
    root = tmp_path_factory.mktemp("layer-context")
    for name in LAYERED:
        shutil.copy(PROJECT_ROOT / name, root / name)
    shutil.copytree(PROJECT_ROOT / "image", root / "image")
    with (root / "pyproject.toml").open("a") as f:
        f.write("\n[tool.lock.layers.extra]\n")
    (root / "requirements-extra.in").write_text("seaborn\n")
    cutoff = header.parse((root / "requirements.lock").read_text()).settings.cutoffs.exclude_newer
    proc = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "lock"), "--layer", "extra", "--exclude-newer", cutoff],
                          cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (root / "requirements.lock").read_bytes() == (PROJECT_ROOT / "requirements.lock").read_bytes()
    return root


@pytest.fixture(scope="module")
def layered(context, image, docker_client):
    """(base image, layered image), the layered one built on the image under test."""
    before = docker_client.images.get(image).attrs
    result = build_layer(context, image)
    assert result.returncode == 0, result.stderr[-4000:]
    assert docker_client.images.get(image).attrs == before, "building a layer changed the base image"
    yield before, docker_client.images.get(LAYER_TAG).attrs
    docker_client.images.remove(LAYER_TAG, noprune=True)


def test_a_layer_is_one_image_layer_over_the_base_layers_unchanged(layered):
    base, layer = layered
    assert layer["RootFS"]["Layers"][:-1] == base["RootFS"]["Layers"]
    assert len(layer["RootFS"]["Layers"]) == len(base["RootFS"]["Layers"]) + 1
    added = layer["Size"] - base["Size"]
    print(f"\nthe layer adds {added} bytes ({added / 1e6:.2f} MB)")
    assert 0 < added < 5_000_000, added  # seaborn and its bytecode; nothing of the base again
    assert layer["Config"]["User"] == base["Config"]["User"] and layer["Config"]["Cmd"] == base["Config"]["Cmd"]


def test_base_and_layer_packages_import_together_from_one_environment(layered, docker_client):
    code = (
        "import importlib.metadata as m, importlib.util as u, seaborn, pandas, sys\n"
        "names = {d.metadata['Name'].lower() for d in m.distributions()}\n"
        "pyc = open(u.cache_from_source(seaborn.__file__), 'rb').read()[4]\n"
        "print(sys.executable, seaborn.__file__, 'seaborn' in names, 'pandas' in names, pyc,"
        " seaborn.load_dataset.__module__, pandas.DataFrame({'x': [1]}).pipe(len))\n"
    )
    out = docker_client.containers.run(LAYER_TAG, ["python", "-c", code], remove=True).decode().split()
    assert out[0] == "/opt/venv/bin/python" and out[1].startswith("/opt/venv/lib/python3.13/site-packages/seaborn/")
    assert out[2:] == ["True", "True", "1", "seaborn.utils", "1"], out  # 1: unchecked-hash bytecode


def test_the_image_carries_its_locks_and_names_them_in_a_label(layered, context, docker_client):
    _, layer = layered
    shipped = docker_client.containers.run(
        LAYER_TAG, ["sh", "-c", "ls /opt/locks; sha256sum /opt/locks/*"], remove=True).decode()
    digests = {name: hashlib.sha256((context / name).read_bytes()).hexdigest()
               for name in ("requirements.lock", "requirements-extra.lock")}
    assert shipped.split()[:2] == ["requirements-extra.lock", "requirements.lock"], shipped
    for name, digest in digests.items():
        assert f"{digest}  /opt/locks/{name}" in shipped
    label = layer["Config"]["Labels"]["org.jupyterlab-minimalist.locks"]
    assert label == " ".join(f"{name} sha256:{digest}" for name, digest in digests.items())


def test_the_layer_ships_its_own_sbom_beside_the_base_one(layered, context, docker_client):
    """One SBOM per layer: the layer's names exactly the packages of its lock; the base's is untouched."""
    import json

    from lock.lockfile import parse_body

    script = "ls /opt/sbom; cat /opt/sbom/requirements-extra.cdx.json"
    out = docker_client.containers.run(LAYER_TAG, ["sh", "-c", script], remove=True).decode()
    listing, _, document = out.partition("{")
    assert listing.split() == ["jupyterlab-minimalist.cdx.json", "requirements-extra.cdx.json"], listing
    sbom = json.loads("{" + document)
    assert sbom["specVersion"] == "1.6"
    layer_pins = {e.name: e.version for e in parse_body((context / "requirements-extra.lock").read_text()).entries}
    assert {c["name"].lower(): c["version"] for c in sbom["components"]} == layer_pins
    base = docker_client.containers.run(
        LAYER_TAG, ["sha256sum", "/opt/sbom/jupyterlab-minimalist.cdx.json"], remove=True).decode().split()[0]
    base_in_base = docker_client.containers.run(
        layered[0]["Id"], ["sha256sum", "/opt/sbom/jupyterlab-minimalist.cdx.json"], remove=True).decode().split()[0]
    assert base == base_in_base


def test_a_layer_rebuilds_bit_for_bit(layered, context, image, docker_client):
    """Two --no-cache builds, as scripts/verify-rebuild does for the base (a cached COPY may keep
    the file times of an earlier build: BuildKit's cache key for it ignores them)."""
    first = LAYER_TAG + "-first"
    try:
        ids = []
        for tag in (first, LAYER_TAG):
            result = build_layer(context, image, "--no-cache", tag=tag)
            assert result.returncode == 0, result.stderr[-4000:]
            ids.append(docker_client.images.get(tag).id)
        if ids[0] != ids[1]:
            differ = subprocess.run(["python3", str(PROJECT_ROOT / "scripts/lib/compare_images.py"), first, LAYER_TAG],
                                    capture_output=True, text=True, timeout=600)
            pytest.fail(f"the rebuilt layer image differs:\n{differ.stdout[-3000:]}{differ.stderr[-1000:]}")
    finally:
        docker_client.images.remove(first, noprune=True)


def test_a_layer_that_would_replace_a_file_of_its_base_fails_the_build(layered, context, image, tmp_path):
    """A hand-made layer lock with another version of a base package (lock never writes one)."""
    poisoned = tmp_path / "context"
    shutil.copytree(context, poisoned)
    six = re.search(r"^six==(\S+) \\", (context / "requirements.lock").read_text(), re.M)[1]
    other = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "uv"), "pip", "compile", "--no-config", "--quiet",
                            "--no-header", "--generate-hashes", "--python-version", "3.13", "-"],
                           input="six!=" + six + ",<1.17\n", capture_output=True, text=True, timeout=300)
    assert other.returncode == 0, other.stderr
    base_line = re.search(r"^# base: .*\n", (context / "requirements-extra.lock").read_text(), re.M)[0]
    (poisoned / "requirements-extra.lock").write_text(base_line + other.stdout)  # locked on this base, it says
    # By hand, as a user may build it: scripts/build-layer would refuse the lock earlier (no lock header,
    # no SBOM); the Dockerfile's own guard is what is tested here.
    ca = next(p for p in (os.environ.get("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt") if p and os.path.isfile(p))
    result = subprocess.run(["docker", "buildx", "build", "--load", "--progress", "plain",
                             "-f", str(poisoned / "image" / "layer.Dockerfile"), "--build-arg", f"BASE={image}",
                             "--build-arg", "LOCK=requirements-extra.lock", "--secret", f"id=ca,src={ca}",
                             "-t", LAYER_TAG + "-poisoned", str(poisoned)], capture_output=True, text=True, timeout=1800)
    assert result.returncode != 0
    assert "the layer changed the files above of its base" in result.stderr, result.stderr[-3000:]
    assert re.search(r"/opt/venv/lib/python3\.13/site-packages/six\.py", result.stderr)


def test_a_layer_locked_against_another_base_fails_the_build(layered, context, image, tmp_path):
    other = tmp_path / "context"
    shutil.copytree(context, other)
    lock = other / "requirements-extra.lock"
    lock.write_text(re.sub(r"^(# base: \S+ sha256:)[0-9a-f]{64}$", r"\g<1>" + "0" * 64, lock.read_text(), flags=re.M))
    result = build_layer(other, image, "--progress", "plain")
    assert result.returncode != 0
    assert ("requirements-extra.lock was not locked against this image's lock (/opt/locks): relock it "
            "(lock --layer NAME, or lock --base-image IMAGE)") in result.stderr, result.stderr[-3000:]
