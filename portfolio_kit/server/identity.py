"""Sign-in for the dashboard server: a jupyter_server identity provider and its pages.

Voila asks the identity provider who is making each request. Ours answers
from the signed session cookie (``sessions.py``), re-checked against the
users table, so that:

- an anonymous request gets the sign-in page (pages) or 403 (websockets and
  API calls), never a dashboard or a kernel;
- a session ends when it is older than ``session_max_age_hours``, when its
  holder signs out, is deactivated or has their password changed;
- a wrong password gets one plain sentence, and an e-mail address or client
  that has used up its attempts is refused, without its password being
  checked, until the lock ends (``throttle.py``: counted in the database,
  before the check, so concurrent guesses and restarts do not get around it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from traitlets import Bool, Float, Unicode

from portfolio_kit.server import pages
from portfolio_kit.server.accounts import Account, AccountDirectory
from portfolio_kit.server.catalog import DASHBOARDS
from portfolio_kit.server.keys import read_secret
from portfolio_kit.server.revocations import is_revoked, revoke_session
from portfolio_kit.server.sessions import (
    COOKIE_NAME,
    SESSION_HEADER,
    SessionClaims,
    decode_session,
    encode_session,
    new_claims,
    session_cookie_values,
)
from portfolio_kit.server.throttle import SignInThrottle, ThrottleLimits

WRONG_CREDENTIALS = (
    "That e-mail and password do not match an active account. Check both and try again."
)
MISSING_CREDENTIALS = "Enter your e-mail and password."
TOO_MANY_ATTEMPTS = (
    "Too many sign-in attempts for this e-mail address or from this network. "
    "Try again in {minutes} minute{plural}."
)


@dataclasses.dataclass
class DashboardUser(User):
    """The jupyter_server user, plus what the dashboards need to know."""

    user_id: int = 0
    email: str = ""
    role: str = ""


class PortfolioKitIdentityProvider(IdentityProvider):
    """Identity from the portfolio_kit users table, kept in a signed cookie.

    Configured by ``portfolio-kit serve`` (see ``portfolio_kit.server.launch``).
    """

    database_url = Unicode(
        help="Database the server signs people in against (read-write: sign-ins are recorded)."
    ).tag(config=True)
    secret_file = Unicode(help="File holding the cookie-signing secret (see keys.py).").tag(
        config=True
    )
    session_max_age_hours = Float(12.0, help="Hours a sign-in stays valid.").tag(config=True)
    trust_proxy_headers = Bool(
        False,
        help="Take the client address from X-Real-IP / X-Forwarded-For "
        "(only behind a reverse proxy "
        "that sets them), so sign-in throttling is per client rather than per proxy.",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._secret: bytes | None = None
        self._directory: AccountDirectory | None = None
        self._throttle: SignInThrottle | None = None

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = read_secret(_path(self.secret_file, "secret_file"))
        return self._secret

    @property
    def directory(self) -> AccountDirectory:
        if self._directory is None:
            from portfolio_kit.db import connect

            self._directory = AccountDirectory(connect(self.database_url or None))
        return self._directory

    @property
    def throttle(self) -> SignInThrottle:
        """Attempt counters in the sign-in database, limits from ``PORTFOLIO_KIT_LOGIN_*``."""
        if self._throttle is None:
            from portfolio_kit.settings import get_settings

            self._throttle = SignInThrottle(
                self.directory.database.engine, ThrottleLimits.from_settings(get_settings())
            )
        return self._throttle

    def get_handlers(self) -> list[tuple[str, object]]:
        # The server registers the sign-in pages itself, under its base URL.
        return []

    def validate_security(self, app: Any, ssl_options: dict[str, Any] | None = None) -> None:
        """Nothing to warn about: every page needs a signed-in account."""

    def get_user(self, handler: web.RequestHandler) -> DashboardUser | None:
        """The signed-in user of this request, or None (anonymous).

        Every session cookie in the request is considered (a browser may hold
        several under our name, for different paths); forged, expired,
        revoked and stale ones are ignored, and of the genuine ones the most
        recently issued wins. The winning value is then written into the
        request as ``SESSION_HEADER`` (replacing anything the browser sent
        under that name), and that header is all the dashboard kernel reads:
        the kernel verifies exactly the session the server accepted.
        """
        cached = getattr(handler, "_jupyter_current_user", None)
        if cached:
            return cached
        headers = handler.request.headers
        values = session_cookie_values("; ".join(headers.get_list("Cookie")))
        if SESSION_HEADER in headers:
            del headers[SESSION_HEADER]
        best: tuple[float, str, Account] | None = None
        for value in values:
            accepted = self._accept(value)
            if accepted is not None and (best is None or accepted[0].issued_at > best[0]):
                best = (accepted[0].issued_at, value, accepted[1])
        if best is None:
            if values:
                self.clear_session_cookie(handler)
            return None
        headers[SESSION_HEADER] = best[1]
        return _dashboard_user(best[2])

    def _accept(self, value: str) -> tuple[SessionClaims, Account] | None:
        """The claims and account of a cookie value the server accepts, or None."""
        claims = decode_session(self.secret, value, max_age_hours=self.session_max_age_hours)
        if claims is None or self._is_revoked(claims.session_id):
            return None
        account = self.directory.lookup(claims.user_id)
        if account is None or not (
            account.active
            and account.email == claims.email
            and account.password_fingerprint == claims.password_fingerprint
        ):
            return None
        return claims, account

    def _is_revoked(self, session_id: str) -> bool:
        return is_revoked(self.directory.database.engine, session_id)

    def revoke(self, handler: web.RequestHandler) -> None:
        """End every session this request carries: recorded in the database
        (refused by the server and every kernel, across restarts) and the cookie cleared."""
        for value in session_cookie_values("; ".join(handler.request.headers.get_list("Cookie"))):
            claims = decode_session(self.secret, value, max_age_hours=self.session_max_age_hours)
            if claims is not None:
                revoke_session(
                    self.directory.database.engine,
                    claims,
                    max_age_hours=self.session_max_age_hours,
                )
        self.clear_session_cookie(handler)

    def _cookie_options(self, handler: web.RequestHandler) -> dict[str, Any]:
        secure = self.secure_cookie
        if secure is None:
            secure = handler.request.protocol == "https"
        return {
            "path": getattr(handler, "base_url", "/"),
            "httponly": True,
            "samesite": "Lax",
            "secure": bool(secure),
        }

    def set_session_cookie(self, handler: web.RequestHandler, account: Account) -> None:
        claims = new_claims(account.user_id, account.email, account.password_hash)
        options = self._cookie_options(handler)
        handler.set_cookie(
            COOKIE_NAME,
            encode_session(self.secret, claims),
            expires=claims.expires_at(self.session_max_age_hours),
            **options,
        )

    def clear_session_cookie(self, handler: web.RequestHandler) -> None:
        handler.clear_cookie(COOKIE_NAME, path=getattr(handler, "base_url", "/"))

    def client_address(self, handler: web.RequestHandler) -> str:
        if self.trust_proxy_headers:
            forwarded = handler.request.headers.get("X-Real-IP") or handler.request.headers.get(
                "X-Forwarded-For", ""
            )
            first = forwarded.split(",")[0].strip()
            if first:
                return first
        return handler.request.remote_ip or "unknown"


def _path(value: str, name: str) -> Any:
    from pathlib import Path

    from portfolio_kit.errors import ConfigurationError

    if not value:
        raise ConfigurationError(
            f"PortfolioKitIdentityProvider.{name} is not set: "
            "start the server with portfolio-kit serve"
        )
    return Path(value)


def _dashboard_user(account: Account) -> DashboardUser:
    initials = "".join(part[0] for part in account.name.split()[:2]).upper() or None
    return DashboardUser(
        username=account.email,
        name=account.name,
        display_name=account.name,
        initials=initials,
        user_id=account.user_id,
        email=account.email,
        role=account.role.value,
    )


class SignInHandler(LoginFormHandler):
    """``/login``: the sign-in form (GET) and the sign-in itself (POST)."""

    @property
    def provider(self) -> PortfolioKitIdentityProvider:
        return self.identity_provider  # type: ignore[return-value]

    def _render_form(
        self, *, error: str = "", info: str = "", email: str = "", status: int = 200
    ) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(
            pages.login_page(
                action=self.request.path,
                next_url=self.get_argument("next", default=self.base_url),
                xsrf_form_html=self.xsrf_form_html(),
                base_url=self.base_url,
                email=email,
                error=error,
                info=info,
                session_hours=self.provider.session_max_age_hours,
            )
        )

    @allow_unauthenticated
    def get(self) -> None:
        if self.current_user:
            self._redirect_safe(self.get_argument("next", default=self.base_url))
            return
        self._render_form()

    @allow_unauthenticated
    async def post(self) -> None:
        email = self.get_argument("email", default="").strip()
        password = self.get_argument("password", default="")
        if not email or not password:
            self._render_form(error=MISSING_CREDENTIALS, email=email, status=400)
            return
        address = self.provider.client_address(self)
        throttle = self.provider.throttle
        loop = asyncio.get_running_loop()
        reservation = await loop.run_in_executor(None, throttle.reserve, email, address)
        if not reservation.allowed:
            self.log.warning("sign-in for %r from %s refused: too many attempts", email, address)
            minutes = max(1, math.ceil(reservation.retry_after / 60))
            self.set_header("Retry-After", str(max(1, math.ceil(reservation.retry_after))))
            message = TOO_MANY_ATTEMPTS.format(minutes=minutes, plural="" if minutes == 1 else "s")
            self._render_form(error=message, email=email, status=429)
            return
        account = await loop.run_in_executor(None, self.provider.directory.sign_in, email, password)
        if account is None:
            self.log.warning("failed sign-in for %r from %s", email, address)
            self._render_form(error=WRONG_CREDENTIALS, email=email, status=401)
            return
        await loop.run_in_executor(None, throttle.succeeded, email, address)
        self.provider.set_session_cookie(self, account)
        self.log.info("%s (%s) signed in from %s", account.email, account.role.value, address)
        self._redirect_safe(self.get_argument("next", default=self.base_url))


class SignOutHandler(JupyterHandler):
    """``/logout``: GET asks for confirmation, POST (with the XSRF token) signs out.

    A GET changes nothing, so a link or an image on another site cannot sign
    anybody out; tornado refuses a POST without a matching ``_xsrf`` token
    with 403 before ``post`` runs.
    """

    @allow_unauthenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(
            pages.sign_out_page(base_url=self.base_url, xsrf_form_html=self.xsrf_form_html())
        )

    @allow_unauthenticated
    def post(self) -> None:
        provider: PortfolioKitIdentityProvider = self.identity_provider  # type: ignore[assignment]
        provider.revoke(self)
        self.set_header("Cache-Control", "no-store")
        self.finish(pages.signed_out_page(base_url=self.base_url))


class HomeHandler(JupyterHandler):
    """``/``: the dashboards and the funds the signed-in person may see."""

    @web.authenticated
    def get(self) -> None:
        user: DashboardUser = self.current_user  # type: ignore[assignment]
        provider: PortfolioKitIdentityProvider = self.identity_provider  # type: ignore[assignment]
        account = provider.directory.lookup(user.user_id)
        sees_all = account is not None and account.sees_all_funds
        names = [] if sees_all else provider.directory.fund_names(user.user_id)
        self.set_header("Cache-Control", "no-store")
        self.finish(
            pages.home_page(
                base_url=self.base_url,
                name=user.name,
                email=user.email,
                fund_names=names,
                dashboards=DASHBOARDS,
                sees_all_funds=sees_all,
            )
        )


class HealthHandler(web.RequestHandler):
    """``/health``: a static answer for load balancers; starts no kernel, needs no sign-in."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok\n")


class RedirectHomeHandler(JupyterHandler):
    """Voila's file tree is replaced by the home page."""

    @web.authenticated
    def get(self, *_args: str) -> None:
        self.redirect(self.base_url)
