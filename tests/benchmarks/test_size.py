"""Sizes of the image under test and of the naive build: uncompressed, compressed as pushed, added
on top of the base, layers, Dockerfile instructions, and the installed size of each distribution."""

from __future__ import annotations

import pytest

from tests.benchmarks import measure
from tests.benchmarks.registry import MB, Gate, Metric, register

pytestmark = pytest.mark.image

register(__name__,
         Metric("size_bytes", "Image size, uncompressed", "image", "MB", published=("663 MB", "2.67 GB")),
         Metric("compressed_bytes", "Image size, compressed (gzip layers, as pushed)", "image", "MB"),
         Metric("added_bytes", "Added on top of the base image", "image", "MB"),
         Metric("layers", "Layers", "image", "", published=("10", "–")),
         Metric("dockerfile_instructions", "Dockerfile instructions", "image", "", published=("21 lines", "–")),
         Gate("image size, uncompressed", "images.project.size_bytes", "image.max_size_mb", MB, "MB"),
         Gate("added on top of the base", "images.project.added_bytes", "image.max_added_mb", MB, "MB"),
         Gate("layers", "images.project.layers", "image.max_layers"))

DOCKERFILES = {"project": measure.PROJECT_ROOT / "Dockerfile", "naive": measure.NAIVE_DOCKERFILE}
# What the image is for: these must be among its distributions (a sanity check of the measurement).
EXPECTED = {"jupyterlab", "numpy", "pandas", "matplotlib", "scikit-learn"}


def test_image_sizes(docker_client, images, base_image, bench_results, gzip_cache):
    base = measure.image_facts(docker_client, base_image)
    for which, tag in images.items():
        facts = measure.image_facts(docker_client, tag)
        assert facts["layers"][: len(base["layers"])] == base["layers"], (
            f"{which} ({tag}) is not built on {base_image}: its first layers differ from the base's")
        compressed = measure.compressed_size(tag, facts["layers"], gzip_cache)
        assert 0 < compressed < facts["size_bytes"], f"{which}: compressed {compressed} vs {facts['size_bytes']}"
        bench_results["images"][which] = {
            "tag": tag, "id": facts["id"],
            "size_bytes": facts["size_bytes"],
            "compressed_bytes": compressed,
            "added_bytes": facts["size_bytes"] - base["size_bytes"],
            "layers": len(facts["layers"]),
            "dockerfile_instructions": measure.dockerfile_instructions(DOCKERFILES[which].read_text()),
        }
    bench_results["images"]["base"] = {"tag": base_image, "id": base["id"], "size_bytes": base["size_bytes"],
                                       "layers": len(base["layers"])}


def test_installed_distributions(docker_client, images, bench_results):
    for which, tag in images.items():
        packages = measure.installed_packages(docker_client, tag)
        missing = EXPECTED - packages.keys()
        assert not missing, f"{which}: {sorted(missing)} not found among {sorted(packages)}"
        assert all(size > 0 for name, size in packages.items() if name in EXPECTED), packages
        bench_results["packages"][which] = packages
        added = bench_results["images"].get(which, {}).get("added_bytes")
        if added is not None:  # the distributions' files are part of what the image adds
            assert sum(packages.values()) <= added, (which, sum(packages.values()), added)
