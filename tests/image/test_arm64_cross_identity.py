"""The arm64 venv the cross-installing builder makes is byte for byte the one a builder running
under emulation makes: same files, same symlinks, same modes, owners and times, same bytes (the
.pyc included).

A whole emulated build takes over 30 minutes, so both builds use a small lock cut from
requirements.lock's own pins and hashes: only what the builder's steps need (babel's locale data,
jedi's stubs, rfc3987-syntax's grammars and the jsonschema it checks them with, and their
dependencies). That is enough: markupsafe and rpds-py are compiled extensions that get stripped,
the others pure Python with start-up modules byte-compiled, and the venv has its symlinks and
console scripts. The same Dockerfile's builder stage is built twice for linux/arm64 with
scripts/build: as always (on the build machine's platform, cross-installing), and with BuildKit's
BUILDPLATFORM set to linux/arm64, which puts the builder on arm64 so that every step of it runs
under qemu as a native arm64 build would (uv installs without --python-platform, the grammar check
runs).
"""

import io
import platform
import re
import subprocess
import tarfile

import pytest

from lock.header import body_sha256
from tests.support.builds import build
from tests.support.paths import PROJECT_ROOT
from tests.support.repo_copy import copy_project

# On an arm64 machine both builders would run natively: there is nothing emulated to compare.
pytestmark = [pytest.mark.image, pytest.mark.arm64,
              pytest.mark.skipif(platform.machine() != "x86_64", reason="compares with an emulated builder: needs an x86-64 host")]

PACKAGES = ("babel", "jedi", "parso", "rfc3987-syntax", "lark", "jsonschema", "jsonschema-specifications",
            "referencing", "rpds-py", "attrs", "typing-extensions", "markupsafe")


def mini_lock() -> str:
    """requirements.lock's header (its body-sha256 that of the new body) and its entries (pin,
    every hash) of PACKAGES."""
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    header = text[:text.index("# body-sha256: ")]
    entries = [re.search(rf"^{re.escape(name)}==\S+(?: \\\n +--hash=sha256:[0-9a-f]+)+\n", text, re.M)
               for name in PACKAGES]
    assert all(entries), "a package of the small lock is not in requirements.lock"
    body = "".join(entry.group(0) for entry in entries)
    return f"{header}# body-sha256: {body_sha256(body)}\n{body}"


def copied(container: str, path: str) -> dict[str, tuple]:
    """Every entry under `path` in the container: name -> (kind, mode, owner, time, bytes or link target)."""
    archive = subprocess.run(["docker", "cp", f"{container}:{path}", "-"], capture_output=True, check=True).stdout
    files = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar:
            content = tar.extractfile(member).read() if member.isfile() else member.linkname
            files[member.name] = (member.type, member.mode, (member.uid, member.gid), member.mtime, content)
    return files


def venv_and_builder_cpu(tag: str) -> tuple[dict[str, tuple], str]:
    """The builder's /opt/venv, and the CPU its uv binary is built for (what the builder ran on)."""
    container = subprocess.run(["docker", "create", tag, "true"], capture_output=True, text=True, check=True).stdout.strip()
    try:
        uv = copied(container, "/build-tools/bin/uv")["uv"][-1]
        return copied(container, "/opt/venv"), {b"\xb7\x00": "aarch64", b"\x3e\x00": "x86_64"}[uv[18:20]]
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=True)


@pytest.fixture(scope="module")
def builders(tmp_path_factory):
    """The builder stage's venv, cross-installed and emulated, both for linux/arm64."""
    context = copy_project(tmp_path_factory.mktemp("mini"))
    (context / "requirements.lock").write_text(mini_lock())
    venvs, cpus = {}, {}
    for name, extra in (("cross", ()), ("emulated", ("--build-arg", "BUILDPLATFORM=linux/arm64"))):
        tag = f"jupyterlab-minimalist:arm64-builder-{name}-27"
        result = build(tag, "--platform", "linux/arm64", "--target", "builder", *extra, context=context,
                       env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert result.returncode == 0, f"the {name} builder failed:\n{result.stderr[-4000:]}"
        try:
            venvs[name], cpus[name] = venv_and_builder_cpu(tag)
        finally:
            subprocess.run(["docker", "image", "rm", tag], capture_output=True)
    return venvs, cpus


def test_one_builder_ran_on_the_build_machine_and_one_under_qemu_and_both_made_arm64_venvs(builders):
    venvs, cpus = builders
    assert cpus == {"cross": "x86_64", "emulated": "aarch64"}
    for venv in venvs.values():
        assert any(path.endswith(".pyc") for path in venv), "no bytecode was compiled: nothing to compare"
        assert any(re.search(r"markupsafe/_speedups\.cpython-313-aarch64-linux-gnu\.so$", path) for path in venv)


def test_the_cross_installed_venv_is_the_emulated_one_byte_for_byte(builders):
    cross, emulated = builders[0]["cross"], builders[0]["emulated"]
    assert sorted(cross) == sorted(emulated)
    different = [path for path in cross if cross[path] != emulated[path]]
    assert not different, f"{len(different)} entries differ, e.g. {different[:5]}"
