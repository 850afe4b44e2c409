"""The arm64 build without cache, against the amd64 build without cache in the same run, and the
size of the arm64 image (gated on its own: its wheels are not the amd64 ones).

The builder runs on the build machine's platform and cross-installs the lock's aarch64 wheels;
only the runtime stage's few commands run under qemu, so the arm64 build should cost about what
the amd64 one does (the earlier, fully emulated builder took about 15x). The builds are the
session's (tests/conftest.py `arm64_builds`): the arm64 group's two --no-cache arm64 builds with a
--no-cache amd64 build between them (arm64, amd64, arm64); in the tables the second column of this
row is the amd64 build, not the naive one.
"""

from __future__ import annotations

import pytest

from tests.benchmarks.registry import MB, Gate, Metric, record_timing, register

pytestmark = [pytest.mark.image, pytest.mark.arm64]

register(__name__,
         Metric("arm64_build_no_cache", "arm64 build without cache (second column: amd64's, same run)"),
         Gate("arm64 build without cache, arm64 / amd64", "ratio.arm64_build_no_cache",
              "build.max_arm64_no_cache_ratio"),
         Gate("arm64 image size, uncompressed", "arm64.size_bytes", "image.max_arm64_size_mb", MB, "MB"))

def test_arm64_build_from_scratch(bench_results, bench_environment, arm64_builds, docker_client):
    for tag in arm64_builds.results:
        arm64_builds.ok(tag)
    assert arm64_builds.timed.order == ["project", "naive", "project"], arm64_builds.timed.order
    result = record_timing(bench_results, "arm64_build_no_cache", arm64_builds.timed.samples)
    image = docker_client.images.get(arm64_builds.tag)
    assert image.attrs["Architecture"] == "arm64"
    bench_results["arm64"] = {"tag": arm64_builds.tag, "id": image.id, "size_bytes": image.attrs["Size"],
                              "ratio": result["ratio"]}
