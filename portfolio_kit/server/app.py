"""The Voila application behind ``portfolio-kit serve``.

Voila itself, with the routes that make it a partner-facing site: our
sign-in and sign-out pages, a home page in place of Voila's file tree, a
static health check, the verified request-info websocket for preheated
kernels, and Voila's template and static files for signed-in people only
(``static_files.py``). Tornado picks the first route that matches, so ours, listed first,
take precedence over Voila's.
"""

from __future__ import annotations

import functools
from typing import Any

from jupyter_server.utils import url_path_join
from traitlets import Float
from voila.app import Voila, _kernel_id_regex

from portfolio_kit.server.capacity import LOG_KEY, admitted_page_routes
from portfolio_kit.server.identity import (
    HealthHandler,
    HomeHandler,
    PortfolioKitIdentityProvider,
    RedirectHomeHandler,
    SignInHandler,
    SignOutHandler,
)
from portfolio_kit.server.kernel_query import VerifiedRequestInfoHandler
from portfolio_kit.server.static_files import signed_in_file_routes
from portfolio_kit.settings import DEFAULT_CLIENT_TIMEOUT_SECONDS


class DashboardServer(Voila):
    name = "portfolio-kit-serve"
    description = "Serve the portfolio_kit partner dashboards behind a sign-in page."
    client_timeout_seconds = Float(
        DEFAULT_CLIENT_TIMEOUT_SECONDS,
        config=True,
        help="Seconds a connection may sit idle or spend sending its headers or body.",
    )

    def init_handlers(self) -> list[Any]:
        base = self.server_url or self.base_url
        provider = self.identity_provider
        if not isinstance(provider, PortfolioKitIdentityProvider):
            raise TypeError("DashboardServer needs the PortfolioKitIdentityProvider")
        ours: list[Any] = [
            (url_path_join(base, "/health"), HealthHandler),
            (url_path_join(base, "/login"), SignInHandler),
            (url_path_join(base, "/logout"), SignOutHandler),
            (base, HomeHandler),
            (url_path_join(base, r"/voila/tree(.*)"), RedirectHomeHandler),
            (
                url_path_join(base, rf"/voila/query/{_kernel_id_regex}"),
                VerifiedRequestInfoHandler,
                {"secret": provider.secret, "log": self.log},
            ),
        ]
        self.app.settings[LOG_KEY] = self.log
        return ours + admitted_page_routes(signed_in_file_routes(list(super().init_handlers())))

    def listen(self) -> None:
        """Voila's ``listen`` (which also runs the event loop), with time limits on slow clients.

        A client that sends its headers a byte at a time, or never finishes a
        body, is dropped after ``client_timeout_seconds`` instead of holding
        its connection for Tornado's default hour; headers and bodies are
        capped (the server takes sign-in forms, not uploads). Voila calls
        ``self.app.listen(port, ip)`` inside its port loop, so the limits are
        bound to that call here rather than copying the loop.
        """
        self.app.listen = functools.partial(  # type: ignore[method-assign]
            self.app.listen,
            idle_connection_timeout=self.client_timeout_seconds,
            body_timeout=self.client_timeout_seconds,
            max_header_size=64 * 1024,
            max_body_size=1024 * 1024,
        )
        super().listen()
