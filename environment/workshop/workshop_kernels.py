"""Caps the kernels one participant's notebook server runs at once (the workshop hub's servers
load it through --NotebookApp.kernel_manager_class)."""

from notebook.services.kernels.kernelmanager import MappingKernelManager
from tornado import web
from traitlets import Integer


class CappedKernelManager(MappingKernelManager):
    """Refuses a new kernel (403, with what to do) while max_kernels are running."""

    max_kernels = Integer(2, config=True, help="Most kernels running at once.")

    async def start_kernel(self, kernel_id=None, path=None, **kwargs):
        if kernel_id is None and len(self.list_kernel_ids()) >= self.max_kernels:
            raise web.HTTPError(
                403, "At most {} running kernel{} each in this workshop: shut one down (Running tab, "
                "or File > Close and Halt in its notebook) and try again.".format(
                    self.max_kernels, "" if self.max_kernels == 1 else "s"))
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
