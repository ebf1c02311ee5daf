"""Who a dashboard kernel thinks is looking, and why it must not be fooled.

Each case sets up the environment a kernel started by ``portfolio-kit serve``
would see (or an analyst's notebook would), then asks ``open_context``.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portfolio_kit import Database
from portfolio_kit.dashboards.access import (
    SIGN_IN_AGAIN,
    AccessDenied,
    NotAvailable,
    is_served,
    open_context,
)
from portfolio_kit.models import Fund, User
from portfolio_kit.security import add_user, grant_fund
from portfolio_kit.server.keys import SECRET_FILE_ENV, load_or_create_secret
from portfolio_kit.server.revocations import revoke_session
from portfolio_kit.server.sessions import COOKIE_NAME, SESSION_ENV, encode_session, new_claims
from portfolio_kit.settings import get_settings

PASSWORD = "correct-horse-battery"


@pytest.fixture
def portfolio(sqlite_db: Database) -> dict[str, int]:
    """Two funds; a partner granted the first; an admin; a partner with no grant."""
    with sqlite_db.session() as session:
        funds = [
            Fund(
                name=name,
                vintage_year=2020,
                currency="USD",
                strategy="buyout",
                status="investing",
                total_commitments=Decimal("100000000.00"),
            )
            for name in ("Granted Fund", "Other Fund")
        ]
        session.add_all(funds)
        session.flush()
        partner = add_user(
            session, email="pat@example.com", name="Pat", password=PASSWORD, role="partner"
        )
        add_user(session, email="ada@example.com", name="Ada", password=PASSWORD, role="admin")
        add_user(session, email="nog@example.com", name="Nog", password=PASSWORD, role="partner")
        grant_fund(session, partner, funds[0])
        return {"granted": funds[0].id, "other": funds[1].id, "partner": partner.id}


@pytest.fixture
def served(sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The environment of a kernel started by the dashboard server."""
    secret_path = tmp_path / "secret"
    secret = load_or_create_secret(secret_path)
    monkeypatch.setenv("PORTFOLIO_KIT_DASHBOARD_SERVER", "1")
    monkeypatch.setenv(SECRET_FILE_ENV, str(secret_path))
    monkeypatch.setenv(
        "PORTFOLIO_KIT_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    get_settings.cache_clear()
    return secret


def _cookie(secret: bytes, sqlite_db: Database, email: str, *, issued: float | None = None) -> str:
    with sqlite_db.session() as session:
        user = session.query(User).filter_by(email=email).one()
        claims = new_claims(user.id, user.email, user.password_hash, now=issued)
    return encode_session(secret, claims)


def test_a_signed_session_gives_the_partner_only_their_funds(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "pat@example.com"))
    monkeypatch.setenv("QUERY_STRING", f"fund={portfolio['other']}&x=1")
    context = open_context()
    assert context.served
    assert context.viewer.email == "pat@example.com"
    assert context.fund_ids == (portfolio["granted"],)
    assert context.requested_id("fund") == portfolio["other"]
    assert not context.allows_fund(portfolio["other"])


def test_admins_see_every_fund(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "ada@example.com"))
    assert set(open_context().fund_ids) == {portfolio["granted"], portfolio["other"]}


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        f"{COOKIE_NAME}=pat@example.com",
        "user=pat@example.com; role=admin",
    ],
    ids=["no-cookie", "plain-user-name", "made-up-cookies"],
)
def test_an_unsigned_request_is_refused(
    portfolio: dict[str, int], served: bytes, cookie: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cookie is not None:
        monkeypatch.setenv(SESSION_ENV, cookie)
    with pytest.raises(AccessDenied, match="sign in again"):
        open_context()


def test_a_cookie_signed_with_another_secret_is_refused(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(b"x" * 32, sqlite_db, "ada@example.com"))
    with pytest.raises(AccessDenied):
        open_context()


def test_an_expired_session_is_refused(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issued two hours ago with a one-hour limit; the same cookie under a
    # three-hour limit is accepted, so the refusal is the age, not the cookie.
    monkeypatch.setenv(
        SESSION_ENV, _cookie(served, sqlite_db, "pat@example.com", issued=time.time() - 2 * 3600)
    )
    monkeypatch.setenv("PORTFOLIO_KIT_SESSION_MAX_AGE_HOURS", "3")
    assert open_context().viewer.email == "pat@example.com"
    monkeypatch.setenv("PORTFOLIO_KIT_SESSION_MAX_AGE_HOURS", "1")
    with pytest.raises(AccessDenied, match="expired"):
        open_context()


def test_a_signed_out_session_is_refused_by_the_kernel_too(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server refuses a revoked session before any kernel starts; the
    # kernel checks the revocations table itself as well, so a kernel that is
    # handed the session another way (a preheated kernel's request, a second
    # server that missed the sign-out) still refuses it.
    with sqlite_db.session() as session:
        user = session.query(User).filter_by(email="pat@example.com").one()
        signed_out = new_claims(user.id, user.email, user.password_hash)
        still_in = new_claims(user.id, user.email, user.password_hash)
    revoke_session(sqlite_db.engine, signed_out, max_age_hours=12)
    monkeypatch.setenv(SESSION_ENV, encode_session(served, still_in))
    assert open_context().viewer.email == "pat@example.com"
    monkeypatch.setenv(SESSION_ENV, encode_session(served, signed_out))
    with pytest.raises(AccessDenied, match=SIGN_IN_AGAIN.split(".")[0]):
        open_context()


def test_a_password_change_ends_earlier_sessions(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "pat@example.com"))
    with sqlite_db.session() as session:
        session.get(
            User, portfolio["partner"]
        ).password_hash = "$argon2id$v=19$m=65536,t=3,p=4$changed"
    with pytest.raises(AccessDenied, match=SIGN_IN_AGAIN.split(".")[0]):
        open_context()


def test_a_deactivated_account_is_refused(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "pat@example.com"))
    with sqlite_db.session() as session:
        session.get(User, portfolio["partner"]).active = False
    with pytest.raises(AccessDenied):
        open_context()


def test_a_served_kernel_never_falls_back_to_the_configured_user(
    portfolio: dict[str, int], sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A notebook served by a plain ``voila`` command: Voila's markers, no secret.
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.setenv("PORTFOLIO_KIT_USER", "ada@example.com")
    monkeypatch.setenv(
        "PORTFOLIO_KIT_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    assert is_served()
    with pytest.raises(AccessDenied, match="portfolio_kit dashboard server"):
        open_context()


def test_in_a_notebook_the_configured_user_is_the_viewer(
    portfolio: dict[str, int], sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_KIT_USER", "Pat@Example.com")
    monkeypatch.setenv(
        "PORTFOLIO_KIT_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    context = open_context()
    assert not context.served
    assert context.viewer.email == "pat@example.com"
    assert context.fund_ids == (portfolio["granted"],)


def test_in_a_notebook_without_a_configured_user_nobody_is_assumed(
    portfolio: dict[str, int], sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PORTFOLIO_KIT_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    with pytest.raises(AccessDenied, match="PORTFOLIO_KIT_USER"):
        open_context()


def test_the_kernel_database_cannot_be_written(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "ada@example.com"))
    context = open_context()
    assert context.database.read_only
    with (
        pytest.raises(OperationalError, match="readonly"),
        context.database.engine.begin() as connection,
    ):
        connection.execute(text("UPDATE funds SET name = 'changed'"))
    with sqlite_db.session() as session:
        assert session.get(Fund, portfolio["granted"]).name == "Granted Fund"


def test_a_malformed_id_in_the_link_is_not_available(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_ENV, _cookie(served, sqlite_db, "pat@example.com"))
    monkeypatch.setenv("QUERY_STRING", "fund=1%20OR%201=1")
    context = open_context()
    with pytest.raises(NotAvailable, match="not available"):
        context.requested_id("fund")


def test_the_kernel_ignores_the_cookie_header_and_reads_only_the_servers_choice(
    portfolio: dict[str, int], served: bytes, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A genuine admin session in the raw Cookie header (as a browser holding
    # a stale admin cookie would send) next to the partner session the
    # server authenticated: the page is the partner's.
    admin = _cookie(served, sqlite_db, "ada@example.com")
    partner = _cookie(served, sqlite_db, "pat@example.com")
    monkeypatch.setenv("HTTP_COOKIE", f"x y=1; {COOKIE_NAME}={admin}; {COOKIE_NAME}={partner}")
    monkeypatch.setenv(SESSION_ENV, partner)
    context = open_context()
    assert context.viewer.email == "pat@example.com"
    assert context.fund_ids == (portfolio["granted"],)
    monkeypatch.delenv(SESSION_ENV)
    with pytest.raises(AccessDenied, match="sign in again"):
        open_context()
