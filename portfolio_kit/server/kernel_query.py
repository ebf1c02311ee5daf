"""Handing a preheated kernel the request it now serves, to that kernel only.

A preheated kernel runs its notebook before anybody asks for it, then waits
on a websocket (``/voila/query/<kernel_id>``) for the request's details: the
query string and, here, the ``Cookie`` header holding the session. Voila's
own handler answers whoever connects with a kernel id, and keeps every
answer in memory for good. Ours answers only a client that proves it knows
the server's secret (an HMAC of the kernel id, which only our kernels can
compute), and forgets each answer once delivered.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from tornado import web
from voila.request_info_handler import RequestInfoSocketHandler

PROOF_HEADER = "X-Portfolio-Kit-Kernel-Proof"


def kernel_proof(secret: bytes, kernel_id: str) -> str:
    """What a kernel sends to show it belongs to this server."""
    return hmac.new(secret, b"voila-query:" + kernel_id.encode("utf-8"), hashlib.sha256).hexdigest()


class VerifiedRequestInfoHandler(RequestInfoSocketHandler):
    """Voila's request-info websocket, restricted to this server's kernels."""

    secret: bytes = b""

    def initialize(self, secret: bytes, log: logging.Logger | None = None) -> None:
        self.secret = secret
        self.server_log = log or logging.getLogger(__name__)

    def prepare(self) -> None:
        kernel_id = self.path_kwargs.get("kernel_id", "")
        offered = self.request.headers.get(PROOF_HEADER, "")
        if not self.secret or not hmac.compare_digest(
            offered, kernel_proof(self.secret, kernel_id)
        ):
            raise web.HTTPError(403)

    def open(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.server_log.info("kernel %s is ready and waiting for its request", kernel_id)
        super().open(kernel_id)
        if kernel_id in RequestInfoSocketHandler._cache:
            del RequestInfoSocketHandler._cache[kernel_id]

    def on_message(self, message: str | bytes) -> None:
        """Kernels only listen; anything they send is ignored."""
