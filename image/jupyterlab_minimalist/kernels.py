"""Kernels as the server wants them.

/api/status and /api/kernels keep answering while kernels start. jupyter_server lists a kernel
whose start has not finished yet; reading its unset last_activity raises a TraitError, which the
handler turns into a 500 (seen with twenty kernels started at once, by the healthcheck too). Such a
kernel is left out of the list until it has started, as jupyter_server already does for one that is
gone (the same race with remote kernels: jupyter-server/enterprise_gateway#1395).

Kernels go first when memory runs out. The memory cgroup's OOM killer picks the process with the
highest score, which is mostly its size: the server, swollen by an upload, used to be the one. Every
kernel (of any language) starts with the highest OOM score adjustment, which any process may set
for itself; its own subprocesses inherit it. The biggest kernel then dies, JupyterLab restarts it,
and the server and the other kernels live on.

A new kernel's websocket is ready as soon as the kernel is. The server connects its sockets to a
kernel that has not bound its ports yet, and ZeroMQ retries a refused connection every
RECONNECT_IVL, 100 ms by default: the socket that watches the kernel's status often subscribed after
the kernel had published its first ones. jupyter_server then holds the new websocket back and asks
the kernel again only every 0.5 s (its "nudge", jupyter_server/services/kernels/connection/channels.py):
in about half the starts the first cell waited 0.5 s more. Retrying every 10 ms, the sockets are
connected within 10 ms of the kernel binding, long before it first answers; a refused connection
to 127.0.0.1 costs microseconds (docs/benchmarks/kernel-connect.md)."""

import zmq
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager, ServerKernelManager
from tornado import web
from traitlets import TraitError, default

# A shell that raises its own score, then becomes the kernel (same PID: signals still reach it).
FIRST_TO_GO = ["/bin/sh", "-c", 'echo 1000 >/proc/self/oom_score_adj 2>/dev/null; exec "$@"', "kernel"]


class KernelFirstToGo(ServerKernelManager):
    def format_kernel_cmd(self, extra_arguments=None):
        return FIRST_TO_GO + super().format_kernel_cmd(extra_arguments)


class StartingKernelsUnlisted(AsyncMappingKernelManager):
    @default("kernel_manager_class")
    def _kernels_go_first(self):
        return "jupyterlab_minimalist.kernels.KernelFirstToGo"

    @default("context")
    def _reconnect_quickly(self):
        # The kernels' managers share this context (shared_context); each socket made from it
        # takes its options.
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    def list_kernels(self):
        models = []
        for kernel_id in self.list_kernel_ids():
            try:
                models.append(self.kernel_model(kernel_id))
            except (web.HTTPError, KeyError, TraitError):
                pass
        return models
