"""Dashboard kernels that die are shut down at once, not restarted.

Jupyter restarts a kernel whose process died (killed, out of memory) up to
five times. For a dashboard that helps nobody: the page it was drawing cannot
be continued by a blank kernel, and the blank one lives on, counted against
the kernel cap (``capacity.py``), until the idle culler removes it
(``PORTFOLIO_KIT_DASHBOARD_CULL_IDLE_SECONDS``, 15 minutes by default, checked
every minute). Here the restarter gives up at the first death
(``KernelRestarter.restart_limit = 0``, set in ``launch.voila_config``) and
the kernel is shut down: removed from the server's kernels, its files
deleted. When it was a preheated kernel waiting in a pool, the pool is
refilled, so the next viewer still finds one ready.

What the viewer of a page being drawn sees is Voila's: the cells not yet
drawn show ``VoilaExecutor.cell_error_instruction``, which
``launch.voila_config`` makes a sentence (:data:`RENDER_STOPPED`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

RENDER_STOPPED = "This page stopped while it was being drawn. Reload the page to try again."


class DeadKernelReaper(AsyncMappingKernelManager):
    """Jupyter's kernel manager that shuts down a kernel whose process died.

    Voila builds its pooling manager on top of this class
    (``VoilaConfiguration.multi_kernel_manager_class``), so ``shutdown_kernel``
    here is Voila's, which also drops the kernel from its pools.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reaping: set[asyncio.Future[None]] = set()

    def _handle_kernel_died(self, kernel_id: str) -> None:
        """Called by the kernel's restarter when it gives up (at once, see the module)."""
        self.log.warning("dashboard kernel %s died; shutting it down", kernel_id)
        task = asyncio.ensure_future(self._reap(kernel_id))
        self._reaping.add(task)
        task.add_done_callback(self._reaping.discard)

    async def _reap(self, kernel_id: str) -> None:
        notebook = self._pool_holding(kernel_id)
        try:
            await self.shutdown_kernel(kernel_id, now=True)
        except Exception:  # already half gone: at least stop counting it
            self.log.warning("dead kernel %s could not be shut down", kernel_id, exc_info=True)
            self.remove_kernel(kernel_id)
        fill = getattr(self, "fill_if_needed", None)
        if notebook is not None and fill is not None:
            fill(notebook_name=notebook)

    def _pool_holding(self, kernel_id: str) -> str | None:
        """The notebook whose preheated pool holds ``kernel_id``, if any (Voila's pools)."""
        for notebook, pool in getattr(self, "_pools", {}).items():
            for item in pool:
                started = item.done() and not item.cancelled() and item.exception() is None
                if started and item.result().get("kernel_id") == kernel_id:
                    return str(notebook)
        return None
