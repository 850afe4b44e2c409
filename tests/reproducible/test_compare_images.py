"""scripts/lib/compare_images.py itself: on two tiny images that differ in known ways it names exactly
those files and differences, and on one image it says identical."""

import os
import re
import uuid

import pytest

from tests.support.repro_helpers import SCRIPTS, remove_tags, run

pytestmark = pytest.mark.image

DOCKERFILE = """\
FROM scratch
ARG OWNER=0:0
COPY files/ /data/
COPY --chown=${OWNER} owned.txt /owned.txt
"""
T0 = 1_700_000_000


def make_context(path, variant: str):
    """Two variants of one context. b differs from a in: changed.txt (content and size), mode.sh (mode
    only), mtime.txt (mtime only), only-a.txt (missing), stale.pyc (the source mtime a timestamp-based
    .pyc embeds); owned.txt gets another owner via OWNER."""
    files = path / "files"
    files.mkdir(parents=True)
    (path / "Dockerfile").write_text(DOCKERFILE)
    contents = {
        "same.txt": ("same\n", 0o644, T0),
        "changed.txt": ("one\n" if variant == "a" else "two!\n", 0o644, T0),
        "mode.sh": ("echo\n", 0o644 if variant == "a" else 0o755, T0),
        "mtime.txt": ("time\n", 0o644, T0 if variant == "a" else T0 + 3600),
    }
    if variant == "a":
        contents["only-a.txt"] = ("a\n", 0o644, T0)
    # A timestamp-based .pyc header (PEP 552): magic, flags 0, source mtime, source size; then code.
    embedded = 1000 if variant == "a" else 2000
    contents["stale.pyc"] = (b"\xf3\x0d\x0d\x0a" + bytes(4) + embedded.to_bytes(4, "little") + bytes(4) + b"code",
                             0o644, T0)
    for name, (text, mode, mtime) in contents.items():
        if isinstance(text, bytes):
            (files / name).write_bytes(text)
        else:
            (files / name).write_text(text)
        (files / name).chmod(mode)
        os.utime(files / name, (mtime, mtime))
    (path / "owned.txt").write_text("mine\n")
    os.utime(path / "owned.txt", (T0, T0))
    os.utime(files, (T0, T0))


@pytest.fixture(scope="module")
def tiny_images(tmp_path_factory):
    suffix = uuid.uuid4().hex[:8]
    tags = {}
    for variant, owner in (("a", "0:0"), ("b", "1000:1000")):
        context = tmp_path_factory.mktemp(f"tiny-{variant}")
        make_context(context, variant)
        tag = f"jupyterlab-minimalist/compare-test:{variant}-{suffix}"
        result = run("docker", "buildx", "build", "--load", "--progress", "quiet", "-t", tag,
                     "--build-arg", f"OWNER={owner}", "--build-arg", "SOURCE_DATE_EPOCH=0", context, timeout=300)
        assert result.returncode == 0, result.stderr
        tags[variant] = tag
    yield tags
    remove_tags(*tags.values())


def compare(a, b):
    return run("python3", SCRIPTS / "lib" / "compare_images.py", a, b, timeout=300)


def test_compare_names_each_differing_file_and_how(tiny_images):
    result = compare(tiny_images["a"], tiny_images["b"])
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    differing = {m[1]: m[2] for m in re.finditer(r"^  (/\S+): (.*)$", out, re.M)}
    assert set(differing) == {"/data/changed.txt", "/data/mode.sh", "/data/mtime.txt", "/data/only-a.txt",
                              "/data/stale.pyc", "/owned.txt"}, out
    assert differing["/data/changed.txt"].startswith("content sha256 ") and "size 4 != 5" in differing["/data/changed.txt"]
    assert differing["/data/mode.sh"] == "mode 0644 != 0755"
    assert differing["/data/mtime.txt"].startswith(f"mtime {T0} (") and f"!= {T0 + 3600} (" in differing["/data/mtime.txt"]
    assert differing["/data/only-a.txt"] == "only in A (file)"
    assert differing["/data/stale.pyc"].endswith("; timestamp-based .pyc, embedded source mtime 1000 != 2000")
    assert differing["/owned.txt"].startswith("owner 0:0") and "1000:1000" in differing["/owned.txt"]
    # Grouped by layer: the files layer and the chown layer, two of two.
    assert re.search(r"^layer 1/2 \(.*\): 5 paths differ$", out, re.M), out
    assert re.search(r"^layer 2/2 \(.*\): 1 paths differ$", out, re.M), out
    # The config: the two layers' diff IDs and the COPY --chown history line differ.
    assert "image config:" in out
    assert re.search(r"^  config\.rootfs\.diff_ids\[0\]: ", out, re.M), out
    assert re.search(r"^  config\.history\[\d\]\.created_by: .*0:0.* != .*1000:1000", out, re.M), out


def test_compare_of_one_image_with_itself_is_identical(tiny_images):
    result = compare(tiny_images["a"], tiny_images["a"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(r"identical: sha256:[0-9a-f]{64}\n", result.stdout)


def test_compare_of_a_missing_image_is_an_error(tiny_images):
    result = compare(tiny_images["a"], "jupyterlab-minimalist/compare-test:does-not-exist")
    assert result.returncode == 2
    assert "does-not-exist" in result.stderr
