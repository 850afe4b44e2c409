"""One kernel running a small cell every 100 ms for 5 minutes, over one websocket, as a notebook
left running would: every execution completes and the container's memory grows less than
GROWTH_BOUND. Figures: test-output/reliability/soak.json. Traffic to 127.0.0.1 only; bounded."""

import time

import pytest

from tests.support.kernel import KernelChannel, start_kernel
from tests.support.figures import MB, memory_bytes, percentiles, write

pytestmark = [pytest.mark.image, pytest.mark.soak]

SECONDS = 300
EVERY = 0.1
WARM_UP = 50  # executions before the first memory reading (imports, caches, history set up)
CELL = "total = sum(i * i for i in range(1000)); print(total)"
EXPECTED = f"{sum(i * i for i in range(1000))}\n"
GROWTH_BOUND = 20 * MB


def test_one_kernel_every_100_ms_for_5_minutes(compose_project):
    compose_project.up()
    server = compose_project.server()
    channel = KernelChannel(server, start_kernel(server))
    try:
        for _ in range(WARM_UP):
            assert channel.execute(CELL)["stdout"] == EXPECTED
        memory_before = memory_bytes(server.container)
        times, failures = [], []
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
        memory_after = memory_bytes(server.container)
    finally:
        channel.close()

    growth = memory_after - memory_before
    write("soak", {"seconds": SECONDS, "executions": len(times), "errors": len(failures),
                   "cell_round_trip": percentiles(times),
                   "memory_mb": {"before": round(memory_before / MB, 1), "after": round(memory_after / MB, 1),
                                 "growth": round(growth / MB, 1), "bound": GROWTH_BOUND / MB}})
    assert failures == [], failures[:3]
    assert growth < GROWTH_BOUND, f"memory grew by {growth / MB:.1f} MB in {SECONDS} s"
