"""Who the forms act as: the sign-in widget and the configured single user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import AuditLog, Fund, Role, User
from portfolio_kit.security import hash_password
from portfolio_kit.settings import get_settings
from portfolio_kit.widgets.funds import FundForm
from portfolio_kit.widgets.session import ActingUser, SignIn
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def password_hash() -> str:
    """argon2 is slow on purpose: hash the shared password once for the module."""
    return hash_password(PASSWORD)


@pytest.fixture
def accounts(db: Database, portfolio: SmallPortfolio, password_hash: str) -> dict[str, int]:
    """Two accounts that can really sign in (the seeded ones cannot)."""
    with db.session() as session:
        analyst = User(
            email="sam.signin@example.com",
            name="Sam",
            password_hash=password_hash,
            role=Role.ANALYST,
        )
        partner = User(
            email="pia.partner@example.com",
            name="Pia",
            password_hash=password_hash,
            role=Role.PARTNER,
        )
        session.add_all([analyst, partner])
        session.flush()
        return {"analyst": analyst.id, "partner": partner.id}


def sign_in(widget: SignIn, email: str, password: str) -> None:
    widget.email.value = email
    widget.password.value = password
    widget.sign_in_button.click()


def test_signing_in_sets_the_acting_user_and_saves_are_attributed(
    db: Database, accounts: dict[str, int]
) -> None:
    user = ActingUser(None)
    widget = SignIn(db, user)
    form = FundForm(db, user=user)
    sign_in(widget, "Sam.Signin@Example.com", PASSWORD)

    assert widget.status.value == "Signed in as sam.signin@example.com (analyst)"
    assert widget.password.value == ""
    assert user.actor is not None and user.actor.user_id == accounts["analyst"]

    form.fields["name"].value = "Signed Fund I"
    form.fields["vintage_year"].value = "2024"
    form.fields["total_commitments"].value = "100"
    form.save_button.click()
    with db.session() as session:
        fund_id = session.scalar(select(Fund.id).where(Fund.name == "Signed Fund I"))
        row = session.scalars(
            select(AuditLog).where(
                AuditLog.entity_type == "Fund", AuditLog.entity_id == str(fund_id)
            )
        ).one()
        assert (row.actor, row.user_id) == ("sam.signin@example.com", accounts["analyst"])


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("sam.signin@example.com", "wrong-password!"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ],
)
def test_a_failed_sign_in_says_the_same_thing_for_every_cause(
    db: Database, accounts: dict[str, int], email: str, password: str
) -> None:
    user = ActingUser(None)
    widget = SignIn(db, user)
    sign_in(widget, email, password)
    assert user.actor is None
    assert "e-mail or password is wrong, or the account is deactivated" in widget.status.value


def test_empty_credentials_are_asked_for(db: Database, accounts: dict[str, int]) -> None:
    widget = SignIn(db, ActingUser(None))
    sign_in(widget, "", "")
    assert "type your e-mail and password" in widget.status.value


def test_a_partner_signs_in_read_only(db: Database, accounts: dict[str, int]) -> None:
    user = ActingUser(None)
    widget = SignIn(db, user)
    form = FundForm(db, user=user)
    sign_in(widget, "pia.partner@example.com", PASSWORD)
    assert widget.status.value == "Signed in as pia.partner@example.com (partner): read-only"
    assert form.save_button.disabled
    assert (
        form.status.text
        == "Read-only: pia.partner@example.com is a partner: read-only, nothing can be saved"
    )


def test_signing_out_leaves_nobody(db: Database, accounts: dict[str, int]) -> None:
    user = ActingUser(None)
    widget = SignIn(db, user)
    sign_in(widget, "sam.signin@example.com", PASSWORD)
    widget.sign_out_button.click()
    assert user.actor is None
    assert user.explanation == "signed out: sign in to save"


def test_configured_user_acts_in_a_single_user_lab(
    db: Database, portfolio: SmallPortfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_KIT_USER", ANALYST_EMAIL.upper())
    get_settings.cache_clear()
    user = ActingUser.from_settings(db)
    assert user.actor is not None
    assert (user.actor.email, user.actor.role, user.actor.user_id) == (
        ANALYST_EMAIL,
        Role.ANALYST,
        portfolio.analyst_id,
    )
    assert user.can_write


def test_an_unknown_configured_user_is_named_in_the_explanation(
    db: Database, portfolio: SmallPortfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_KIT_USER", "ghost@example.com")
    get_settings.cache_clear()
    user = ActingUser.from_settings(db)
    assert user.actor is None
    assert (
        user.explanation
        == "PORTFOLIO_KIT_USER='ghost@example.com' is not a user of this database: sign in instead"
    )


def test_without_configuration_nobody_acts(db: Database, portfolio: SmallPortfolio) -> None:
    user = ActingUser.from_settings(db)
    assert user.actor is None
    assert "set PORTFOLIO_KIT_USER" in user.explanation
    form = FundForm(db)
    assert form.status.text.startswith("Read-only: nobody is signed in")
