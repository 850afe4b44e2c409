"""Runtime of the image under test against the naive build: cold start, first cell, docker stop.

Each pytest-benchmark round is one measurement of one image; rounds alternate the images (A B, then
B A, ...) so that a slow phase of a shared machine hits both. Per-image samples, medians and the
ratio (project / naive) go to extra_info and to the suite's results; the gate checks the ratios.
Everything is polled against a deadline; nothing waits a fixed time.
"""

from __future__ import annotations

import pytest

from tests.benchmarks import measure
from tests.benchmarks.registry import Gate, Metric, alternating, record_timing, register
from tests.support.kernel import execute, start_kernel

pytestmark = pytest.mark.image

register(__name__,
         Metric("cold_start", "Cold start: `docker run` to `/api/status` answering"),
         Metric("first_cell", "First cell: `docker run` to `import numpy, pandas, matplotlib.pyplot, sklearn` and a plot done"),
         Metric("stop", "`docker stop` with a kernel running"),
         Gate.ratio_cap("cold_start", "runtime.max_cold_start_ratio"),
         Gate.ratio_cap("first_cell", "runtime.max_first_cell_ratio"))

STOP_GRACE = 10  # docker stop's default: SIGTERM, then SIGKILL after this many seconds


@pytest.fixture(scope="module")
def warm(docker_client, images):
    """One untimed start and first cell of each image first: the first run after a build reads its
    files (the server's, then numpy's, pandas' ... libraries) from disk, which would otherwise land
    on whichever image goes first."""
    for tag in images.values():
        run = measure.Run(docker_client, tag)
        try:
            run.start()
            run.wait_ready()
            run.first_cell(measure.FIRST_CELL)
        finally:
            run.remove()
    return images


class Interleaved:
    """Rounds of one measurement, alternating the images; containers always removed."""

    def __init__(self, docker_client, images, rounds):
        self.client, self.images = docker_client, images
        self.order = iter(alternating(rounds))
        self.rounds = rounds
        self.samples: dict[str, list[float]] = {"project": [], "naive": []}
        self.runs: list[measure.Run] = []

    def next_run(self, prepare=None):
        which = next(self.order)
        run = measure.Run(self.client, self.images[which])
        self.runs.append(run)
        if prepare:
            prepare(run)
        return (run, which), {}

    def remove_all(self, *_):
        for run in self.runs:
            run.remove()

    def record(self, benchmark, bench_results, key: str, **extra) -> dict:
        result = record_timing(bench_results, key, self.samples)
        benchmark.extra_info.update(
            what="each round measures one image, alternating; samples and medians per image here",
            **{name: result[name] for name in ("project", "naive") if name in result},
            ratio=result.get("ratio"), **extra)
        assert len(self.samples["project"]) == len(self.samples["naive"]) == self.rounds, self.samples
        return result


def test_cold_start(benchmark, warm, docker_client, rounds, bench_results):
    """From the `docker run` call until /api/status answers 200 to the token."""
    bench = Interleaved(docker_client, warm, rounds)

    def cold_start(run, which):
        run.start()
        bench.samples[which].append(run.wait_ready())

    try:
        benchmark.pedantic(cold_start, setup=bench.next_run, teardown=bench.remove_all, rounds=2 * rounds)
    finally:
        bench.remove_all()
    bench.record(benchmark, bench_results, "cold_start")


def test_first_cell(benchmark, warm, docker_client, rounds, bench_results):
    """From the `docker run` call until a kernel started through the REST API has executed the
    first cell's imports over the kernel websocket and replied."""
    bench = Interleaved(docker_client, warm, rounds)

    def first_cell(run, which):
        run.start()
        run.wait_ready()
        bench.samples[which].append(run.first_cell(measure.FIRST_CELL))

    try:
        benchmark.pedantic(first_cell, setup=bench.next_run, teardown=bench.remove_all, rounds=2 * rounds)
    finally:
        bench.remove_all()
    bench.record(benchmark, bench_results, "first_cell", cell=measure.FIRST_CELL)


def test_stop_with_a_running_kernel(benchmark, warm, docker_client, rounds, bench_results):
    """`docker stop` of a server with a live kernel; the server and kernel are started untimed."""
    bench = Interleaved(docker_client, warm, rounds)
    exit_codes: dict[str, list[int]] = {"project": [], "naive": []}

    def serve_with_kernel(run):
        run.start()
        run.wait_ready()
        kernel_id = start_kernel(run.server)
        reply = execute(run.server, kernel_id, "x = 1")
        assert reply["status"] == "ok", reply

    def stop(run, which):
        elapsed, code = run.stop(grace=STOP_GRACE)
        bench.samples[which].append(elapsed)
        exit_codes[which].append(code)

    try:
        benchmark.pedantic(stop, setup=lambda: bench.next_run(serve_with_kernel), teardown=bench.remove_all,
                           rounds=2 * rounds)
    finally:
        bench.remove_all()
    result = bench.record(benchmark, bench_results, "stop", exit_codes=exit_codes)
    bench_results["timings"]["stop"]["exit_codes"] = exit_codes
    # The image's init must pass SIGTERM on: a clean exit well before docker's SIGKILL.
    assert all(code != 137 for code in exit_codes["project"]), f"project was killed, not stopped: {exit_codes}"
    assert result["project"]["max"] < STOP_GRACE, f"project took the whole grace period: {result['project']}"
