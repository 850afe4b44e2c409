"""Build times of the project's Dockerfile and the naive one, from the same lock and context.

Rounds alternate the two (A B, then B A, ...). Both use scripts/build as users do (base image, CA
secret, SOURCE_DATE_EPOCH). The builds without cache are the session's (tests/conftest.py
`rebuild`): scripts/verify-rebuild's two builds of the commit are the project's samples (its printed
whole seconds), between two naive builds (with uncommitted build inputs, two builds of the tree
instead); the reproducibility tests read the same pair. --no-cache starts BuildKit's cache mounts
empty as well (uv's download cache; seen here, and moby/buildkit#1213), so a build without cache
includes the downloads for both; the rebuilds keep them. The SBOM's wheel metadata (scripts/build, .cache/wheel-info) is fetched
before the first timed build (measure.warm_sbom_cache): in a fresh clone the first build would
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

REBUILD_TAGS = {"project": "jupyterlab-minimalist:bench-rebuild", "naive": "jupyterlab-minimalist:bench-rebuild-naive"}
ADDED = (measure.PROJECT_ROOT / "tests" / "benchmarks" / "added-package.txt").read_text()
ADDED_NAME = re.search(r"^([A-Za-z0-9_.-]+)==", ADDED, re.M).group(1)


def record(benchmark, bench_results, key: str, samples: dict) -> None:
    result = record_timing(bench_results, key, samples)
    benchmark.extra_info.update(
        what="each round is one build of one image, alternating; samples and medians per image here",
        **{name: result[name] for name in ("project", "naive")}, ratio=result.get("ratio"))


def test_build_from_scratch(bench_results, bench_environment, rebuild, docker_client):
    # The builds are the session's (tests/conftest.py `rebuild`): a naive build, scripts/verify-rebuild's
    # two project builds (the tree's own two when its build inputs are not the commit's), a naive
    # build; each timed alone. Not BENCH_BUILD_ROUNDS: always two per image.
    timed = rebuild.timed
    assert timed is not None, "the rebuild fixture did not time the builds of this benchmark"
    assert rebuild.bench_error is None, rebuild.bench_error
    assert rebuild.first_id, f"scripts/verify-rebuild built nothing:\n{rebuild.output}\n{rebuild.errors[-3000:]}"
    # Not pytest-benchmark's fixture: nothing is timed here (the samples are in the results).
    record_timing(bench_results, "build_no_cache", timed.samples)
    for which, tag in {"project": timed.project_tag, "naive": measure.NAIVE_TAG}.items():
        assert docker_client.images.get(tag).attrs["Size"] > 0, f"{which}: {tag} was not built"
    assert timed.order == ["naive", "project", "project", "naive"], timed.order
    assert len(timed.samples["project"]) == len(timed.samples["naive"]) == 2


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
            (context / "requirements.lock").write_text(measure.lock_with(lock, f"# benchmark run {uuid.uuid4().hex}\n{ADDED}"))
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
