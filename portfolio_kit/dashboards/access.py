"""Who is looking at a dashboard, and which funds they may see (kernel side).

A dashboard kernel learns about its request only what Voila passes on: the
query string and the headers listed in ``http_header_envs``. We pass one:
``X-Portfolio-Kit-Session``, which the server fills with exactly the session
cookie it authenticated for the request (``server.sessions.SESSION_HEADER``).
The kernel checks that value with the server's secret (a forged header
would not verify), and re-reads the user and their grants
from the database, which it opens read-only.

Outside Voila (an analyst's JupyterLab, nbval) there is no request: the
identity is then ``PORTFOLIO_KIT_USER``. A kernel that Voila started never
falls back to that setting: without a valid signed session it refuses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from portfolio_kit.db import Database, connect
from portfolio_kit.errors import PortfolioKitError, ValidationError
from portfolio_kit.models import Role, User
from portfolio_kit.models.user import normalise_email
from portfolio_kit.security import visible_fund_ids
from portfolio_kit.settings import ENV_PREFIX, get_settings

SERVED_ENV = f"{ENV_PREFIX}DASHBOARD_SERVER"
"""Set by ``portfolio-kit serve`` for its kernels (mirrors ``server.launch.SERVED_ENV``)."""

_VOILA_MARKERS = (
    "VOILA_PREHEAT",
    "VOILA_BASE_URL",
    "VOILA_SERVER_URL",
    "VOILA_KERNEL_ID",
    "VOILA_REQUEST_URL",
)


class AccessDenied(PortfolioKitError):
    """This person may not see this page; the message is a sentence for them."""


class NotAvailable(PortfolioKitError):
    """The page asked for (a fund, a company) is not available to this person."""


SIGN_IN_AGAIN = "Your sign-in has expired or is not valid. Please sign in again."
SERVE_ONLY = "This dashboard can only be opened through the portfolio_kit dashboard server."


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person a page is drawn for."""

    user_id: int
    email: str
    name: str
    role: Role

    @property
    def sees_all_funds(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


@dataclass(slots=True)
class DashboardContext:
    """Everything a dashboard needs to draw one page for one person.

    ``fund_ids`` is the only list of funds any query on the page may use;
    ``query`` holds the request's query string (first value per name).
    """

    database: Database
    viewer: Viewer
    fund_ids: tuple[int, ...]
    query: Mapping[str, str] = field(default_factory=dict)
    served: bool = False
    base_url: str = "/"

    def requested_id(self, name: str) -> int | None:
        """The integer the query string gives for ``name`` (``?fund=3``), or None.

        Raises
        ------
        NotAvailable
            The value is not a whole number: such a link cannot be honoured.
        """
        raw = self.query.get(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise NotAvailable(
                f"The link asks for {name} {raw!r}, which is not available."
            ) from None

    def allows_fund(self, fund_id: int) -> bool:
        return fund_id in self.fund_ids


_databases: dict[str | None, Database] = {}


def kernel_database(url: str | None) -> Database:
    """This kernel's read-only database for ``url`` (None: the configured
    default), opened once: ``prepare()`` opens it before the request, the page
    reuses it."""
    if url not in _databases:
        _databases[url] = connect(url, read_only=True)
    return _databases[url]


def is_served(environ: Mapping[str, str] | None = None) -> bool:
    """True in a kernel started by a dashboard server (ours or any Voila).

    Any Voila marker counts, so a notebook served by a plain ``voila`` command
    (which has no signing secret) refuses instead of trusting configuration.
    """
    env = os.environ if environ is None else environ
    return env.get(SERVED_ENV) == "1" or any(marker in env for marker in _VOILA_MARKERS)


def wait_for_request(environ: Mapping[str, str] | None = None, *, secret: bytes) -> None:
    """Block a preheated kernel until its page is requested, then load the
    request's details (query string, cookie) into ``os.environ``.

    Does nothing in a kernel started for a request (not preheated). The
    server's request-info websocket answers only a kernel that proves it
    knows the secret (``server.kernel_query``).
    """
    global _request_received
    env = os.environ if environ is None else environ
    if env.get("VOILA_PREHEAT") != "True" or _request_received:
        return
    from websockets.sync.client import connect as connect_websocket

    from portfolio_kit.server.kernel_query import PROOF_HEADER, kernel_proof

    kernel_id = env.get("VOILA_KERNEL_ID")
    if not kernel_id:
        raise AccessDenied(SERVE_ONLY)
    host = env.get("VOILA_APP_IP", "127.0.0.1")
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    url = f"ws://{host}:{port}{base}voila/query/{kernel_id}"
    try:
        with connect_websocket(
            url, additional_headers={PROOF_HEADER: kernel_proof(secret, kernel_id)}, open_timeout=10
        ) as channel:
            message = channel.recv()
    except (OSError, TimeoutError) as exc:
        raise AccessDenied(
            "The dashboard server could not be reached; please reload the page."
        ) from exc
    except Exception as exc:
        raise AccessDenied(
            "The dashboard server did not hand over this page's request; please reload."
        ) from exc
    details = json.loads(message)
    os.environ.update({str(key): str(value) for key, value in details.items()})
    _request_received = True


_request_received = False
"""A preheated kernel serves one request: once it has arrived, waiting again
(the light notebook module waits before importing the page, the page's
context after) returns at once."""


def await_request() -> None:
    """Wait for this preheated kernel's request, if served and not yet arrived.

    Called by the light dashboard modules before they import the page (pandas,
    Altair), so a kernel in the pool holds only what its warm-up loaded.
    Problems are left to ``open_context``, which meets them again and turns
    them into a sentence on the page.
    """
    if not is_served():
        return
    from portfolio_kit.server.keys import kernel_secret

    secret = kernel_secret()
    if secret is None:
        return
    try:
        wait_for_request(secret=secret)
    except AccessDenied:
        return


def _query(environ: Mapping[str, str]) -> dict[str, str]:
    # Read as the server reads it for a shared page's key (server/page_cache.py).
    from portfolio_kit.server.page_cache import first_values

    return first_values(environ.get("QUERY_STRING", ""))


def _viewer(
    database: Database, *, user_id: int | None = None, email: str | None = None
) -> tuple[Viewer, tuple[int, ...], User]:
    from sqlalchemy import select

    with database.session() as session:
        if user_id is not None:
            user = session.get(User, user_id)
        else:
            try:
                normalised = normalise_email(email or "")
            except ValidationError:
                raise AccessDenied(
                    f"{ENV_PREFIX}USER={email!r} is not an e-mail address."
                ) from None
            user = session.scalar(select(User).where(User.email == normalised))
        if user is None or not user.active:
            raise AccessDenied(
                SIGN_IN_AGAIN
                if user_id is not None
                else f"{email} is not an active user of this database."
            )
        viewer = Viewer(user_id=user.id, email=user.email, name=user.name, role=user.role)
        fund_ids = tuple(visible_fund_ids(session, user))
        session.expunge(user)
    return viewer, fund_ids, user


def open_context(
    environ: Mapping[str, str] | None = None, *, database: Database | None = None
) -> DashboardContext:
    """The context of the page being drawn.

    Served by Voila: waits for the request if preheated, verifies the signed
    session cookie and resolves the user from the database. In a notebook:
    the user named by ``PORTFOLIO_KIT_USER``. The database is opened
    read-only (``PORTFOLIO_KIT_DATABASE_URL``, else the embedded file)
    unless ``database`` is given.

    Raises
    ------
    AccessDenied
        No valid session (served), no configured user (notebook), an unknown
        or deactivated account, or a kernel started by a server that cannot
        sign sessions.
    """
    from portfolio_kit.server.keys import kernel_secret
    from portfolio_kit.server.sessions import SESSION_ENV, decode_session, password_fingerprint

    served = is_served(environ)
    if served:
        secret = kernel_secret()
        if secret is None:
            raise AccessDenied(SERVE_ONLY)
        wait_for_request(environ, secret=secret)
        env = os.environ if environ is None else environ
        get_settings.cache_clear()
        settings = get_settings()
        # Only the session the server authenticated for this request (it
        # writes it into SESSION_HEADER); never the Cookie header, where a
        # browser may hold several sessions and the server chose among them.
        claims = decode_session(
            secret, env.get(SESSION_ENV), max_age_hours=settings.session_max_age_hours
        )
        if claims is None:
            raise AccessDenied(SIGN_IN_AGAIN)
        database = database or kernel_database(settings.database_url)
        from portfolio_kit.server.revocations import is_revoked

        if is_revoked(database.engine, claims.session_id):
            raise AccessDenied(SIGN_IN_AGAIN)
        viewer, fund_ids, user = _viewer(database, user_id=claims.user_id)
        if (
            viewer.email != claims.email
            or password_fingerprint(user.password_hash) != claims.password_fingerprint
        ):
            raise AccessDenied(SIGN_IN_AGAIN)
        return DashboardContext(
            database=database,
            viewer=viewer,
            fund_ids=fund_ids,
            query=_query(env),
            served=True,
            base_url=env.get("VOILA_BASE_URL", "/"),
        )
    settings = get_settings()
    if not settings.user:
        raise AccessDenied(
            f"Set {ENV_PREFIX}USER to your e-mail to open the dashboards in a notebook, "
            "or open them through portfolio-kit serve."
        )
    database = database or kernel_database(settings.database_url)
    viewer, fund_ids, _user = _viewer(database, email=settings.user)
    env = os.environ if environ is None else environ
    return DashboardContext(
        database=database, viewer=viewer, fund_ids=fund_ids, query=_query(env), served=False
    )
