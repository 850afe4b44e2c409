"""A new kernel's websocket is ready as soon as the kernel answers: the server asks it once.

jupyter_server holds a new kernel websocket back until the kernel has been seen on IOPub, asking
it again every 0.5 s (the "nudge"). With ZeroMQ's default 100 ms reconnect interval the server's
sockets often subscribed too late for the kernel's first answers, and a second nudge came in about
half of the kernels' starts (2-4 of 6 here, stock); jupyterlab_minimalist/kernels.py reconnects
every 10 ms. The server's debug log names every nudge."""

import re

import pytest

from tests.support.kernel import KernelChannel, start_kernel

pytestmark = pytest.mark.image

KERNELS = 6  # one after another, each a new kernel and websocket as a newly opened notebook makes


def test_new_kernels_connect_on_the_first_nudge(containers):
    server = containers.run_server(command=["jupyter", "lab", "--log-level=DEBUG"])
    kernels = []
    for _ in range(KERNELS):
        kernel_id = start_kernel(server)
        channel = KernelChannel(server, kernel_id)
        try:
            assert channel.execute("print(1 + 1)")["stdout"] == "2\n"
        finally:
            channel.close()
        kernels.append(kernel_id)
    log = server.logs()
    first = [k for k in kernels if f"Nudge: attempt 1 on kernel {k}" in log]
    assert first == kernels, f"the debug log must show each kernel's nudge:\n{log[-3000:]}"
    again = re.findall(r"Nudge: attempt [2-9]\d* on kernel (\S+)", log)
    assert not again, f"{len(set(again))} of {KERNELS} new kernels were nudged again (0.5 s each):\n" + \
        "\n".join(line for line in log.splitlines() if "Nudge" in line)
