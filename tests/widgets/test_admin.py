"""Users and fund grants: admin only."""

from __future__ import annotations

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import FundGrant, Role, User
from portfolio_kit.security import authenticate
from portfolio_kit.widgets.admin import FundGrantForm, UserForm
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ADMIN_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail

NEW_USER = {"email": "Nina.New@Example.com", "name": "Nina New", "role": "analyst", "active": True}


def test_only_an_admin_may_manage_users(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = UserForm(db, user=analyst)
    assert form.save_button.disabled
    assert form.status.text == (
        "Read-only: only an admin can change user records "
        "(signed in as ann.analyst@example.com (analyst))"
    )
    for name, value in {**NEW_USER, "password": "a-long-enough-password"}.items():
        form.fields[name].value = value
    assert form.save() is False
    assert table_snapshot(db) == before


def test_a_new_user_needs_a_strong_enough_password() -> None:
    assert UserForm.validate({**NEW_USER, "password": ""}) == {
        "password": "is required for a new user"
    }
    assert UserForm.validate({**NEW_USER, "password": "short"}) == {
        "password": "must be at least 10 characters long"
    }
    assert UserForm.validate({**NEW_USER, "password": "", "record_id": 5}) == {}


def test_an_admin_creates_a_user_who_can_then_sign_in(
    db: Database, admin: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = UserForm(db, user=admin)
    for name, value in {**NEW_USER, "password": "a-long-enough-password"}.items():
        form.fields[name].value = value
    form.save_button.click()

    assert form.status.text == "Saved User 'nina.new@example.com'."
    assert form.fields["password"].value == ""
    with db.session() as session:
        user = authenticate(session, "nina.new@example.com", "a-long-enough-password")
        assert user is not None and user.role is Role.ANALYST
    row = audit_trail.rows()[0]
    assert (row["actor"], row["action"], row["entity_type"]) == (ADMIN_EMAIL, "insert", "User")
    assert row["changes"]["password_hash"] == [None, "***"]


def test_resetting_a_password_is_logged_without_the_password(
    db: Database, admin: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = UserForm(db, user=admin)
    form.picker.value = portfolio.partner_id
    assert form.fields["email"].value == "pat.partner@example.com"
    assert form.fields["password"].value == ""
    form.fields["password"].value = "a-brand-new-password"
    form.fields["active"].value = False
    form.save_button.click()

    assert form.status.kind == "ok", form.status.text
    (row,) = audit_trail.rows()
    assert row["changes"] == {"password_hash": ["***", "***"], "active": [True, False]}
    with db.session() as session:
        assert session.get(User, portfolio.partner_id).active is False


def test_a_taken_email_is_shown_beside_the_field(
    db: Database, admin: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = UserForm(db, user=admin)
    for name, value in {
        **NEW_USER,
        "email": "ANN.ANALYST@example.com",
        "password": "a-long-enough-password",
    }.items():
        form.fields[name].value = value
    assert form.save() is False
    assert (
        form.fields["email"].error_text
        == "a user with e-mail ann.analyst@example.com already exists"
    )
    assert (
        form.status.text
        == "Could not save: email: a user with e-mail ann.analyst@example.com already exists"
    )
    assert table_snapshot(db) == before


def test_granting_and_revoking_funds_for_a_partner(
    db: Database, admin: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = FundGrantForm(db, user=admin, partner_id=portfolio.partner_id)
    assert form.save_button.disabled
    form.funds[portfolio.fund_id].value = True
    form.funds[portfolio.second_fund_id].value = True
    form.save_button.click()
    assert form.status.text == "Saved: 2 fund(s) granted, 0 revoked."

    form.funds[portfolio.fund_id].value = False
    form.save_button.click()
    assert form.status.text == "Saved: 0 fund(s) granted, 1 revoked."

    with db.session() as session:
        granted = session.scalars(
            select(FundGrant.fund_id).where(FundGrant.user_id == portfolio.partner_id)
        ).all()
    assert granted == [portfolio.second_fund_id]
    assert [(r["actor"], r["action"], r["entity_type"]) for r in audit_trail.rows()] == [
        (ADMIN_EMAIL, "insert", "FundGrant"),
        (ADMIN_EMAIL, "insert", "FundGrant"),
        (ADMIN_EMAIL, "delete", "FundGrant"),
    ]


def test_an_analyst_cannot_grant_funds(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = FundGrantForm(db, user=analyst, partner_id=portfolio.partner_id)
    assert form.save_button.disabled
    assert all(checkbox.disabled for checkbox in form.funds.values())
    form.funds[portfolio.fund_id].value = True
    assert form.save() is False
    assert form.status.text.startswith("Not saved: only an admin can grant funds")
    assert table_snapshot(db) == before
