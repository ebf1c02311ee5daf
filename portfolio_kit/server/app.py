"""The Voila application behind ``portfolio-kit serve``.

Voila itself, with the routes that make it a partner-facing site: our
sign-in and sign-out pages, a home page in place of Voila's file tree, a
static health check, the verified request-info websocket for preheated
kernels, and Voila's template and static files for signed-in people only
(``static_files.py``). Tornado picks the first route that matches, so ours, listed first,
take precedence over Voila's.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join
from voila.app import Voila, _kernel_id_regex

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


class DashboardServer(Voila):
    name = "portfolio-kit-serve"
    description = "Serve the portfolio_kit partner dashboards behind a sign-in page."

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
        return ours + signed_in_file_routes(list(super().init_handlers()))
