"""Build times of the project's Dockerfile and the naive one, from the same lock and context.

Rounds alternate the two (A B, then B A, ...). Both use scripts/build as users do (base image, CA
secret, SOURCE_DATE_EPOCH). --no-cache starts BuildKit's cache mounts empty as well (uv's download
cache; seen here, and moby/buildkit#1213), so a build without cache includes the downloads for
both; the rebuilds keep them. The SBOM's wheel metadata (scripts/build, .cache/wheel-info) is fetched
before the first timed build (conftest.py sbom_cache_warm): in a fresh clone the first build would
otherwise pay ~30 s the others do not (the project's first build took 60-65 s against ~44 s).
"""

from __future__ import annotations

import re
import shutil
import time
import uuid

import pytest

from tests.benchmarks import measure
from tests.benchmarks.registry import Gate, Metric, alternating, record_timing, register

pytestmark = pytest.mark.image

register(__name__,
         Metric("build_no_cache", "Build without cache"),
         Metric("build_warm", "Rebuild after adding one package to the lock"),
         Gate.ratio_cap("build_no_cache", "build.max_no_cache_ratio"),
         Gate.ratio_cap("build_warm", "build.max_rebuild_ratio"))

NO_CACHE_TAG = "jupyterlab-minimalist:bench-no-cache"
REBUILD_TAGS = {"project": "jupyterlab-minimalist:bench-rebuild", "naive": "jupyterlab-minimalist:bench-rebuild-naive"}
ADDED = (measure.PROJECT_ROOT / "tests" / "benchmarks" / "added-package.txt").read_text()
ADDED_NAME = re.search(r"^([A-Za-z0-9_.-]+)==", ADDED, re.M).group(1)


def record(benchmark, bench_results, key: str, samples: dict) -> None:
    result = record_timing(bench_results, key, samples)
    benchmark.extra_info.update(
        what="each round is one build of one image, alternating; samples and medians per image here",
        **{name: result[name] for name in ("project", "naive")}, ratio=result.get("ratio"))


def test_build_from_scratch(benchmark, bench_results, bench_environment, sbom_cache_warm, build_rounds, docker_client):
    tags = {"project": NO_CACHE_TAG, "naive": measure.NAIVE_TAG}
    dockerfile = {"project": (), "naive": ("-f", str(measure.NAIVE_DOCKERFILE))}
    order = iter(alternating(build_rounds))
    samples = {"project": [], "naive": []}

    def one_build(which):
        start = time.perf_counter()
        measure.build_or_fail(tags[which], "--no-cache", *dockerfile[which])
        samples[which].append(time.perf_counter() - start)

    try:
        benchmark.pedantic(one_build, setup=lambda: ((next(order),), {}), rounds=2 * build_rounds)
        record(benchmark, bench_results, "build_no_cache", samples)
        for which, tag in tags.items():
            assert docker_client.images.get(tag).attrs["Size"] > 0, f"{which}: {tag} was not built"
        assert len(samples["project"]) == len(samples["naive"]) == build_rounds
    finally:
        # The no-cache project build only measures; the image under test comes from the `image` fixture.
        try:
            docker_client.images.remove(NO_CACHE_TAG, noprune=True)
        except Exception:  # noqa: BLE001 -- already gone
            pass


def test_rebuild_after_adding_a_package(benchmark, bench_results, bench_environment, sbom_cache_warm, build_rounds,
                                        docker_client, tmp_path):
    lock = (measure.PROJECT_ROOT / "requirements.lock").read_text()
    assert not re.search(rf"^{re.escape(ADDED_NAME)}==", lock, re.M | re.I), (
        f"{ADDED_NAME} is in requirements.lock already: pick another small package for "
        "tests/benchmarks/added-package.txt")
    # A context of the same layout as the project's (what .dockerignore lets in, and both Dockerfiles).
    context = tmp_path / "context"
    context.mkdir()
    shutil.copy(measure.PROJECT_ROOT / "requirements.lock", context / "requirements.lock")
    shutil.copytree(measure.PROJECT_ROOT / "image", context / "image")
    shutil.copy(measure.PROJECT_ROOT / "Dockerfile", context / "Dockerfile")
    shutil.copy(measure.NAIVE_DOCKERFILE, context / "naive.Dockerfile")
    dockerfile = {"project": (), "naive": ("-f", str(context / "naive.Dockerfile"))}
    samples = {"project": [], "naive": []}
    order = iter(alternating(build_rounds))

    try:
        # Warm the cache with the unmodified context (untimed; a cache hit after test_build).
        for which in ("project", "naive"):
            measure.build_or_fail(REBUILD_TAGS[which], *dockerfile[which], context=context)

        def add_package():
            # A unique comment, so that no earlier run's cache holds this exact lock.
            (context / "requirements.lock").write_text(f"{lock}# benchmark run {uuid.uuid4().hex}\n{ADDED}")
            return (next(order),), {}

        def rebuild(which):
            start = time.perf_counter()
            measure.build_or_fail(REBUILD_TAGS[which], *dockerfile[which], context=context)
            samples[which].append(time.perf_counter() - start)

        benchmark.pedantic(rebuild, setup=add_package, rounds=2 * build_rounds)
        record(benchmark, bench_results, "build_warm", samples)
        for which, tag in REBUILD_TAGS.items():
            out = measure.runs_python(docker_client, tag, f"import {ADDED_NAME}; print('added', {ADDED_NAME}.__name__)")
            assert f"added {ADDED_NAME}" in out, f"{which}: the rebuilt image lacks {ADDED_NAME}: {out}"
    finally:
        for tag in REBUILD_TAGS.values():
            try:
                docker_client.images.remove(tag, noprune=True)
            except Exception:  # noqa: BLE001 -- not built
                pass
