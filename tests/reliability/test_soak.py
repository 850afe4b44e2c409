"""One kernel running a small cell every 100 ms for 5 minutes, over one websocket, as a notebook
left running would: every execution completes and the memory the container holds (its processes'
own and its tmpfs, figures.memory_parts' "anonymous") grows less than GROWTH_BOUND. Not `docker
stats`' figure: that counts page cache charged to whichever container read a page first, which was
1.8 MB in one run of this soak and 33.5 MB in the next. Figures:
test-output/reliability/soak.json. Traffic to 127.0.0.1 only; bounded."""

import threading
import time

import pytest

from tests.support.kernel import KernelChannel, start_kernel
from tests.support.figures import MB, memory_bytes, memory_parts, percentiles, write

pytestmark = [pytest.mark.image, pytest.mark.soak]

SECONDS = 300
EVERY = 0.1
WARM_UP = 50  # executions before the first memory reading (imports, caches, history set up)
CELL = "total = sum(i * i for i in range(1000)); print(total)"
EXPECTED = f"{sum(i * i for i in range(1000))}\n"
# Measured 2026-12-05, alone or beside other tests: +7.8 and +7.9 MB, climbing evenly (about 2.6 KB
# per cell; not traced yet). docker stats' figure grew 8.2-8.8 MB in 5 such runs, and once 22.4 MB
# beside the whole suite: that is why it is not the one gated.
GROWTH_BOUND = 20 * MB
SAMPLE_EVERY = 30  # seconds between readings of the memory's parts, kept in soak.json: a leak climbs, a step is once


def sample_memory(container, stop: threading.Event, series: list) -> None:
    start = time.monotonic()
    while not stop.wait(SAMPLE_EVERY):
        series.append({"s": round(time.monotonic() - start), **memory_parts(container)})


def test_one_kernel_every_100_ms_for_5_minutes(compose_project):
    compose_project.up()
    server = compose_project.server()
    channel = KernelChannel(server, start_kernel(server))
    stop = threading.Event()
    try:
        for _ in range(WARM_UP):
            assert channel.execute(CELL)["stdout"] == EXPECTED
        memory_before, parts_before = memory_bytes(server.container), memory_parts(server.container)
        times, failures, series = [], [], []
        sampler = threading.Thread(target=sample_memory, args=(server.container, stop, series), daemon=True)
        sampler.start()
        start = time.monotonic()
        next_run = start
        while next_run < start + SECONDS:
            # A fixed schedule (10 per second), not a pause between cells: a slow cell is not hidden.
            time.sleep(max(0.0, next_run - time.monotonic()))
            sent = time.monotonic()
            result = channel.execute(CELL, timeout=60)
            times.append(time.monotonic() - sent)
            if (result["status"], result["stdout"]) != ("ok", EXPECTED):
                failures.append(result)
            next_run += EVERY
        stop.set()
        sampler.join(timeout=30)
        memory_after, parts_after = memory_bytes(server.container), memory_parts(server.container)
    finally:
        stop.set()
        channel.close()

    growth = (parts_after["anonymous"] - parts_before["anonymous"]) * MB
    write("soak", {"seconds": SECONDS, "executions": len(times), "errors": len(failures),
                   "cell_round_trip": percentiles(times),
                   "memory_mb": {"docker_stats_before": round(memory_before / MB, 1),
                                 "docker_stats_after": round(memory_after / MB, 1),
                                 "held_growth": round(growth / MB, 1), "bound": GROWTH_BOUND / MB,
                                 "parts_before": parts_before, "parts_after": parts_after, "series": series}})
    assert failures == [], failures[:3]
    assert growth < GROWTH_BOUND, \
        f"the memory held grew by {growth / MB:.1f} MB in {SECONDS} s (MB, before -> after: {parts_before} -> {parts_after})"
