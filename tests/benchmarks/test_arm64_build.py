"""The arm64 build without cache, against the amd64 build without cache in the same run, and the
size of the arm64 image (gated on its own: its wheels are not the amd64 ones).

The builder runs on the build machine's platform and cross-installs the lock's aarch64 wheels;
only the runtime stage's few commands run under qemu, so the arm64 build should cost about what
the amd64 one does (the earlier, fully emulated builder took about 15x). Rounds alternate amd64
and arm64 as the other build benchmarks alternate project and naive; in the tables the second
column of this row is the amd64 build, not the naive one.
"""

from __future__ import annotations

import time

import pytest

from tests.benchmarks import measure
from tests.benchmarks.registry import MB, Gate, Metric, alternating, record_timing, register

pytestmark = [pytest.mark.image, pytest.mark.arm64]

register(__name__,
         Metric("arm64_build_no_cache", "arm64 build without cache (second column: amd64's, same run)"),
         Gate("arm64 build without cache, arm64 / amd64", "ratio.arm64_build_no_cache",
              "build.max_arm64_no_cache_ratio"),
         Gate("arm64 image size, uncompressed", "arm64.size_bytes", "image.max_arm64_size_mb", MB, "MB"))

TAGS = {"project": "jupyterlab-minimalist:bench-no-cache-arm64", "naive": "jupyterlab-minimalist:bench-no-cache-amd64"}
PLATFORMS = {"project": "linux/arm64", "naive": "linux/amd64"}


def test_arm64_build_from_scratch(bench_results, bench_environment, sbom_cache_warm, docker_client):
    # One build of each by default: each arm64 round is a no-cache build of both stages.
    samples = {"project": [], "naive": []}
    try:
        for which in alternating(1):
            start = time.perf_counter()
            measure.build_or_fail(TAGS[which], "--no-cache", "--platform", PLATFORMS[which])
            samples[which].append(time.perf_counter() - start)
        result = record_timing(bench_results, "arm64_build_no_cache", samples)
        image = docker_client.images.get(TAGS["project"])
        assert image.attrs["Architecture"] == "arm64"
        bench_results["arm64"] = {"tag": TAGS["project"], "id": image.id, "size_bytes": image.attrs["Size"],
                                  "ratio": result["ratio"]}
    finally:
        for tag in TAGS.values():
            try:
                docker_client.images.remove(tag, noprune=True)
            except Exception:  # noqa: BLE001 -- not built
                pass
