"""/api/status and /api/kernels keep answering while kernels start. jupyter_server lists a kernel
whose start has not finished yet; reading its unset last_activity raises a TraitError, which the
handler turns into a 500 (seen with twenty kernels started at once, by the healthcheck too). Such a
kernel is left out of the list until it has started, as jupyter_server already does for one that is
gone (the same race with remote kernels: jupyter-server/enterprise_gateway#1395)."""

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import TraitError


class StartingKernelsUnlisted(AsyncMappingKernelManager):
    def list_kernels(self):
        models = []
        for kernel_id in self.list_kernel_ids():
            try:
                models.append(self.kernel_model(kernel_id))
            except (web.HTTPError, KeyError, TraitError):
                pass
        return models
