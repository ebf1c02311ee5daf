"""Passwords, sign-in, the partner's read-only role and fund grants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select

from portfolio_kit import Database
from portfolio_kit.errors import PermissionDeniedError, ValidationError
from portfolio_kit.models import Fund, FundGrant, MarketIndex, Role, User
from portfolio_kit.security import (
    actor_for,
    add_user,
    authenticate,
    grant_fund,
    hash_password,
    require_fund_access,
    revoke_fund,
    verify_password,
    visible_fund_ids,
)
from portfolio_kit.services.bulk_import import import_metrics
from tests.support.portfolio import seed_small_portfolio
from tests.support.snapshot import table_snapshot

PASSWORD = "correct horse battery staple"


def test_hash_password_is_salted_argon2id() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    # PHC string format: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    assert first.startswith("$argon2id$v=19$")
    assert first != second
    # argon2-cffi's own verifier, independent of the package's wrapper.
    assert PasswordHasher().verify(first, PASSWORD)
    assert verify_password(first, PASSWORD)
    assert not verify_password(first, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)


def test_short_password_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        hash_password("nine char")  # 9 characters: one short of the minimum of 10
    assert raised.value.field == "password"


@pytest.fixture(scope="module")
def password_hash() -> str:
    """One argon2 hash for the module: each costs about a second on a busy 2-core machine."""
    return hash_password(PASSWORD)


@pytest.fixture
def accounts(sqlite_db: Database, password_hash: str) -> Database:
    """Ann, active analyst; Old, a deactivated analyst; both with ``PASSWORD``."""
    with sqlite_db.session() as session:
        session.add_all([
            User(email="Ann.Analyst@Example.com", name="Ann", password_hash=password_hash, role="analyst", active=True),
            User(email="old@example.com", name="Old", password_hash=password_hash, role="analyst", active=False),
        ])
    return sqlite_db


def test_add_user_stores_a_verifiable_hash(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        user = add_user(session, email="Nina@Example.com", name="Nina", password=PASSWORD, role="partner")
    assert (user.email, user.role, user.active) == ("nina@example.com", Role.PARTNER, True)
    assert user.password_hash != PASSWORD
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_authenticate_with_the_right_password(accounts: Database) -> None:
    with accounts.session() as session:
        user = authenticate(session, "ann.analyst@example.com", PASSWORD)
        assert user is not None and user.email == "ann.analyst@example.com"
        assert user.last_login_at is not None
        # Case and surrounding spaces in the e-mail do not matter.
        assert authenticate(session, "  ANN.ANALYST@example.COM ", PASSWORD) is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ann.analyst@example.com", "wrong horse battery staple"),
        ("nobody@example.com", PASSWORD),
        ("old@example.com", PASSWORD),
        ("not an email", PASSWORD),
        ("ann.analyst@example.com", ""),
    ],
    ids=["wrong-password", "unknown-email", "inactive-user", "malformed-email", "empty-password"],
)
def test_authenticate_refuses(accounts: Database, email: str, password: str) -> None:
    with accounts.session() as session:
        assert authenticate(session, email, password) is None


def test_add_user_refuses_a_duplicate_email(accounts: Database) -> None:
    with pytest.raises(ValidationError) as raised, accounts.session() as session:
        add_user(session, email="ann.analyst@EXAMPLE.com", name="Ann 2", password=PASSWORD, role="analyst")
    assert raised.value.field == "email"


def test_partner_cannot_write(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(PermissionDeniedError, match=r"pat\.partner@example\.com is a partner"):
        with any_db.session(portfolio.partner) as session:
            session.add(MarketIndex(name="Partner Index", currency="USD"))
    with pytest.raises(PermissionDeniedError), any_db.session(portfolio.partner) as session:
        session.get(Fund, portfolio.fund_id).total_commitments = Decimal("1.00")
    with pytest.raises(PermissionDeniedError), any_db.session(portfolio.partner) as session:
        session.delete(session.get(Fund, portfolio.second_fund_id))
    with pytest.raises(PermissionDeniedError), any_db.session(portfolio.partner) as session:
        session.execute(insert(MarketIndex), [{"name": "Bulk", "currency": "USD"}])
    with pytest.raises(PermissionDeniedError), any_db.session(portfolio.partner) as session:
        import_metrics(session, [], summary="partner import")
    assert table_snapshot(any_db) == before


def test_partner_can_read(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    with any_db.session(portfolio.partner) as session:
        assert session.get(Fund, portfolio.fund_id).name == "Summit Partners III"


def test_visible_funds_by_role_and_grants(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    both_funds = sorted([portfolio.fund_id, portfolio.second_fund_id])
    with any_db.session() as session:
        admin, analyst, partner = (
            session.get(User, user_id) for user_id in (portfolio.admin_id, portfolio.analyst_id, portfolio.partner_id)
        )
        assert visible_fund_ids(session, admin) == both_funds
        assert visible_fund_ids(session, analyst) == both_funds
        assert visible_fund_ids(session, partner) == []

        fund = session.get(Fund, portfolio.second_fund_id)
        first = grant_fund(session, partner, fund)
        again = grant_fund(session, partner, fund)
        assert first.id == again.id
        assert visible_fund_ids(session, partner) == [portfolio.second_fund_id]
        require_fund_access(session, partner, [portfolio.second_fund_id])
        with pytest.raises(PermissionDeniedError, match=str(portfolio.fund_id)):
            require_fund_access(session, partner, [portfolio.fund_id, portfolio.second_fund_id])

        with pytest.raises(ValidationError) as raised:
            grant_fund(session, analyst, fund)
        assert raised.value.field == "role"

        partner.active = False
        assert visible_fund_ids(session, partner) == []
        assert actor_for(partner).role is Role.PARTNER
        partner.active = True

        assert revoke_fund(session, partner, fund) is True
        assert revoke_fund(session, partner, fund) is False
        assert visible_fund_ids(session, partner) == []
    with any_db.session() as session:
        assert session.scalars(select(FundGrant)).all() == []


def test_inactive_analyst_acts_as_partner(any_db: Database) -> None:
    """A deactivated account keeps its row but loses write access at once."""
    portfolio = seed_small_portfolio(any_db)
    with any_db.session() as session:
        analyst = session.get(User, portfolio.analyst_id)
        analyst.active = False
    actor = actor_for(analyst)
    assert (actor.email, actor.role, actor.user_id) == ("ann.analyst@example.com", Role.PARTNER, portfolio.analyst_id)
    with pytest.raises(PermissionDeniedError), any_db.session(actor) as session:
        session.add(MarketIndex(name="Ghost Index", currency="USD"))
