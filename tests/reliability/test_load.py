"""Twenty kernels at once under compose's defaults (4g memory limit), each running a numpy/pandas
cell over its websocket for a fixed number of rounds, while /api/status is polled: every execution
completes without error and the server answers throughout. Figures: test-output/reliability/load.json.
Traffic goes to 127.0.0.1 only; every loop is bounded."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.kernel import KernelChannel
from tests.support.figures import MB, memory_bytes, percentiles, write

pytestmark = [pytest.mark.image, pytest.mark.load]

KERNELS = 20
ROUNDS = 5
CELL = ("import numpy as np, pandas as pd\n"
        "df = pd.DataFrame(np.random.default_rng({seed}).random((20_000, 10)), columns=list('abcdefghij'))\n"
        "print(len(df.groupby((df.a * 10).astype(int)).b.mean()), df.shape[0])")
EXPECTED = "10 20000\n"
STATUS_EVERY = 0.1


def run_rounds(server, kernel_id: str, seed: int) -> list[float]:
    """ROUNDS executions on one websocket; the round trip of each (send to reply and idle)."""
    channel = KernelChannel(server, kernel_id, connect_timeout=300)
    try:
        times = []
        for _ in range(ROUNDS):
            start = time.monotonic()
            result = channel.execute(CELL.format(seed=seed), timeout=300)
            times.append(time.monotonic() - start)
            assert (result["status"], result["stdout"], result["error"]) == ("ok", EXPECTED, None), result
        return times
    finally:
        channel.close()


def test_twenty_kernels_at_once_stay_responsive(compose_project):
    compose_project.up()
    server = compose_project.server()
    memory_idle = memory_bytes(server.container)

    status_times, status_failures, done = [], [], threading.Event()

    def poll_status():
        # A session of its own, as a second browser tab would have.
        with requests.Session() as session:
            session.headers["Authorization"] = f"token {server.token}"
            while not done.is_set():
                start = time.monotonic()
                try:
                    response = session.get(server.url + "/api/status", timeout=10)
                    if response.status_code == 200:
                        status_times.append(time.monotonic() - start)
                    else:
                        status_failures.append(f"{response.status_code} {response.text[:200]}")
                except OSError as error:
                    status_failures.append(repr(error))
                done.wait(STATUS_EVERY)

    poller = threading.Thread(target=poll_status)
    poller.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(KERNELS) as pool:
            kernels = list(pool.map(lambda _: server.request("POST", "/api/kernels", json={"name": "python3"}).json()["id"],
                                    range(KERNELS)))
            per_kernel = list(pool.map(run_rounds, [server] * KERNELS, kernels, range(KERNELS)))
    finally:
        done.set()
        poller.join(timeout=30)
    wall = time.monotonic() - started
    memory_loaded = memory_bytes(server.container)
    peak = server.container.stats(stream=False)["memory_stats"].get("max_usage")
    for kernel in kernels:
        assert server.request("DELETE", f"/api/kernels/{kernel}").status_code == 204
    memory_after = memory_bytes(server.container)

    # The first round imports numpy and pandas in 20 fresh kernels at once; the others reuse them.
    first_round = [times[0] for times in per_kernel]
    later_rounds = [t for times in per_kernel for t in times[1:]]
    assert len(first_round) + len(later_rounds) == KERNELS * ROUNDS
    log = server.logs()
    first_error = log[log.find("[E "):][:4000] if "[E " in log else ""
    assert status_failures == [], f"/api/status failed during the load: {status_failures[:5]}\n{first_error}"
    write("load", {
        "kernels": KERNELS, "rounds": ROUNDS, "executions": KERNELS * ROUNDS, "errors": 0, "wall_s": round(wall, 1),
        "cell_round_trip_first_round": percentiles(first_round), "cell_round_trip_later_rounds": percentiles(later_rounds),
        "api_status": percentiles(status_times),
        "memory_mb": {"idle": round(memory_idle / MB), "after_rounds_20_kernels": round(memory_loaded / MB),
                      "peak": round(peak / MB) if peak else None, "after_kernels_shut_down": round(memory_after / MB)},
        "memory_limit_mb": round(server.container.attrs["HostConfig"]["Memory"] / MB),
    })
