"""Admission control for dashboard page views: a burst is queued, not thrashed.

Every page view costs a kernel and a render (loading the viewer's data,
drawing charts). Voila starts them all at once: 50 partners opening the fund
overview together started 50 renders on two cores (each slowing the others)
and, beyond the preheated pool, 50 cold kernels that took the machine's
24 GiB. Here a page view first takes a *render slot*:

* at most ``max_renders`` page views render at the same time, when set; the
  others wait in one first-come-first-served queue. Off by default: with it
  at the number of cores (2), 2 of 8 and 3 of 20 concurrent Chromium views
  never drew within 300 s in ``benchmarks/dashboard_load.py``, while without
  it 8 of 8 drew (docs/dashboards.md, "Many viewers at once");
* at most ``queue_length`` wait; the next one gets a small "busy" page with
  HTTP 503 and ``Retry-After`` rather than an unbounded wait;
* at most ``max_kernels`` kernels live at once (default: what the machine's
  memory holds at the measured size of a dashboard kernel, see
  :func:`default_max_kernels`); a view that would start one more gets the
  busy page too, so a burst cannot take the memory the running pages need;
* a viewer who closes the tab while waiting leaves the queue at once, and no
  kernel is started for them.

Before any of this, a view whose page has already been drawn for the same
audience is answered from that drawing, with no kernel and no slot
(``page_cache.py``); only the views that need a live render reach the gate.

The slot is held while Voila renders the page (the handler's ``get``), and
given back when the page has been sent or the request fails, so the next
viewer in line starts then.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from dataclasses import dataclass
from typing import Any

import tornado.web
from voila.tornado.handler import TornadoVoilaHandler

from portfolio_kit.server import page_cache
from portfolio_kit.server.catalog import DASHBOARDS
from portfolio_kit.server.identity import PortfolioKitIdentityProvider
from portfolio_kit.server.page_cache import SharedPages

KERNEL_MIB = 400
"""Resident memory budgeted per dashboard kernel (MiB): an idle preheated
kernel measured 242 MiB on the demo with the ``full`` warm-up (120 MiB with
``light``) and grows while it shows a page."""

MEMORY_SHARE = 0.6
"""Share of the machine's memory that dashboard kernels may take; the rest is
for the server, the database and (on a shared machine) everything else."""

RETRY_AFTER_SECONDS = 5

SETTINGS_KEY = "portfolio_kit_admission"
"""Tornado setting holding the :class:`AdmissionLimits` (Voila's ``tornado_settings``)."""

_GATE_KEY = "portfolio_kit_admission_gate"
_STARTING_KEY = "portfolio_kit_admission_starting"

LOG_KEY = "portfolio_kit_log"
"""Tornado setting holding the server's logger: Voila builds its handlers' ``log``
from an ``Application.instance()`` our server is not, so their INFO lines would
go to Tornado's silent ``tornado.application`` logger."""


class ServerBusy(Exception):
    """No render slot now and no room to wait for one (or no room for another kernel)."""


class ClientGone(Exception):
    """The viewer closed the connection while waiting for a render slot."""


@dataclass(frozen=True, slots=True)
class AdmissionLimits:
    max_renders: int | None
    """None: no render queue (Voila renders every admitted view at once)."""
    queue_length: int
    max_kernels: int

    def __post_init__(self) -> None:
        too_few_renders = self.max_renders is not None and self.max_renders < 1
        if too_few_renders or self.queue_length < 0 or self.max_kernels < 1:
            raise ValueError(
                "AdmissionLimits: need max_renders >= 1, queue_length >= 0, max_kernels >= 1"
            )


def default_max_kernels() -> int:
    """How many dashboard kernels fit in ``MEMORY_SHARE`` of this machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 16
    return max(4, int(total * MEMORY_SHARE / (KERNEL_MIB * 2**20)))


class AdmissionGate:
    """A counting semaphore with a bounded FIFO queue whose waiters may leave.

    ``asyncio.Semaphore`` has no bound on its waiters and no way to tell a
    waiter that left from one that was served; both matter here.
    """

    def __init__(self, max_renders: int, queue_length: int) -> None:
        self.max_renders = max_renders
        self.queue_length = queue_length
        self._free = max_renders
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    @property
    def rendering(self) -> int:
        return self.max_renders - self._free

    async def acquire(self, gone: asyncio.Event) -> None:
        """Take a slot, waiting in line if need be.

        Raises
        ------
        ServerBusy
            When the queue is full.
        ClientGone
            When ``gone`` is set while waiting (the slot, if one arrived at
            the same moment, is passed on to the next in line).
        """
        if self._free > 0 and not self.waiting:
            self._free -= 1
            return
        if self.waiting >= self.queue_length:
            raise ServerBusy
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        left = asyncio.ensure_future(gone.wait())
        try:
            await asyncio.wait({turn, left}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            left.cancel()
        if turn.done() and not turn.cancelled():
            if gone.is_set():
                self.release()
                raise ClientGone
            return
        turn.cancel()
        raise ClientGone

    def release(self) -> None:
        """Give a slot back: to the first viewer still waiting, else to the pool."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


def _gate(
    application: tornado.web.Application, max_renders: int, queue_length: int
) -> AdmissionGate:
    """The server's one gate, made on first use inside the running event loop."""
    gate = application.settings.get(_GATE_KEY)
    if gate is None:
        gate = AdmissionGate(max_renders, queue_length)
        application.settings[_GATE_KEY] = gate
    return gate


BUSY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}">
<title>Busy: please wait</title>
<style>
body{{font:16px/1.5 system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#1f2937}}
</style>
</head><body data-portfolio-kit-state="busy">
<h1>Many people are opening dashboards right now</h1>
<p>Your page could not be started yet. This page tries again in {retry} seconds.</p>
</body></html>
"""


class AdmittedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler behind the admission gate."""

    _gone: asyncio.Event | None = None

    @property
    def _server_log(self) -> Any:
        return self.settings.get(LOG_KEY, self.log)

    def on_connection_close(self) -> None:
        if self._gone is not None:
            self._gone.set()
        super().on_connection_close()

    @tornado.web.authenticated
    async def get(self, path: Any = None) -> None:
        self._gone = asyncio.Event()
        shared: SharedPages | None = self.settings.get(page_cache.SETTINGS_KEY)
        digest = self._page_digest(path) if shared is not None else None
        if shared is None or digest is None:
            await self._capped_get(path)
            return
        async with shared.lookup(digest, self._gone) as snapshot:
            if snapshot is not None:
                self._send_snapshot(snapshot)
                return
            if self._gone.is_set():
                return
            await self._capped_get(path)

    def _page_digest(self, path: Any) -> str | None:
        """The digest of the page this viewer asks for, or None when it cannot be shared."""
        dashboard = page_cache.dashboard_key(path, [page.key for page in DASHBOARDS])
        user = self.current_user
        provider = self.identity_provider
        if dashboard is None or not isinstance(provider, PortfolioKitIdentityProvider):
            return None
        try:
            key = page_cache.viewer_page_key(
                provider.directory.database,
                user.user_id,
                dashboard=dashboard,
                query=page_cache.first_values(self.request.query),
                base_url=self.base_url,
            )
        except Exception:  # the database is unreachable: the live path says so on the page
            self._server_log.exception("could not look up a shared page; drawing it live")
            return None
        return None if key is None else key.digest()

    def _send_snapshot(self, snapshot: str) -> None:
        for name, value in page_cache.SNAPSHOT_HEADERS.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page_cache.fill_viewer(snapshot, self.current_user.name))

    async def _capped_get(self, path: Any) -> None:
        limits: AdmissionLimits | None = self.settings.get(SETTINGS_KEY)
        if limits is None:
            await super().get(path)
            return
        # Views admitted but whose kernel Voila has not listed yet count too:
        # a burst arrives before any of its kernels exists.
        starting = self.application.settings.get(_STARTING_KEY, 0)
        if len(self.kernel_manager.list_kernel_ids()) + starting >= limits.max_kernels:
            self._busy("kernel limit reached")
            return
        self.application.settings[_STARTING_KEY] = starting + 1
        try:
            await self._admitted_get(limits, path)
        finally:
            self.application.settings[_STARTING_KEY] -= 1

    async def _admitted_get(self, limits: AdmissionLimits, path: Any) -> None:
        if limits.max_renders is None:
            await super().get(path)
            return
        gate = _gate(self.application, limits.max_renders, limits.queue_length)
        assert self._gone is not None  # set by get()
        try:
            await gate.acquire(self._gone)
        except ServerBusy:
            self._busy("render queue full")
            return
        except ClientGone:
            self._server_log.info("a viewer left the render queue before their page started")
            return
        try:
            await super().get(path)
        finally:
            gate.release()

    def _busy(self, reason: str) -> None:
        self._server_log.warning("dashboard view refused with 503: %s", reason)
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(BUSY_PAGE.format(retry=RETRY_AFTER_SECONDS))


def admitted_page_routes(routes: list[Any]) -> list[Any]:
    """Voila's routes with its page handler swapped for :class:`AdmittedVoilaHandler`."""
    return [
        (route[0], AdmittedVoilaHandler, *route[2:])
        if isinstance(route, tuple) and len(route) >= 2 and route[1] is TornadoVoilaHandler
        else route
        for route in routes
    ]
