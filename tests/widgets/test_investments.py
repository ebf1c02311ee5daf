"""Investments: a fund's position in a company."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import Investment
from portfolio_kit.widgets.investments import InvestmentForm
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail


def test_editing_loads_the_deal_terms(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = InvestmentForm(db, user=analyst)
    assert ("Summit Partners III → Acme Software", portfolio.investment_id) in form.picker.options
    form.picker.value = portfolio.investment_id
    assert form.fields["fund_id"].value == portfolio.fund_id
    assert form.fields["company_id"].value == portfolio.company_id
    assert form.fields["entry_date"].value == date(2021, 1, 15)
    assert form.fields["equity_invested"].value == "60,000,000"
    assert form.fields["ownership"].value == "60"


def test_a_new_investment_with_ownership_as_a_percentage(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = InvestmentForm(db, user=analyst)
    form.fields["fund_id"].value = portfolio.second_fund_id
    form.fields["company_id"].value = portfolio.second_company_id
    form.fields["entry_date"].value = date(2023, 3, 1)
    form.fields["equity_invested"].value = "45,000,000"
    form.fields["ownership"].value = "37.5"
    form.fields["entry_enterprise_value"].value = "120,000,000"
    form.save_button.click()

    assert form.status.kind == "ok", form.status.text
    with db.session() as session:
        investment = session.scalars(
            select(Investment).where(Investment.fund_id == portfolio.second_fund_id)
        ).one()
        assert investment.ownership == Decimal("0.375")
        assert investment.equity_invested == Decimal("45000000.00")
    rows = audit_trail.rows()
    assert [(r["actor"], r["action"], r["entity_type"]) for r in rows] == [
        (ANALYST_EMAIL, "insert", "Investment")
    ]
    assert rows[0]["changes"]["ownership"] == [None, "0.37500000"]


def test_exit_rules_are_checked_before_saving(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = InvestmentForm(db, user=analyst)
    form.picker.value = portfolio.investment_id
    form.fields["exit_proceeds"].value = "90,000,000"
    assert form.fields["exit_date"].error_text == "is required when exit_proceeds is given"
    form.fields["exit_date"].value = date(2020, 12, 31)
    assert form.fields["exit_date"].error_text == "2020-12-31 is before the entry date 2021-01-15"
    assert form.save_button.disabled
    form.fields["ownership"].value = "0"
    assert form.fields["ownership"].error_text.startswith(
        "must be a fraction above 0 and at most 1"
    )


def test_a_second_investment_by_the_same_fund_in_the_same_company_is_refused(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = InvestmentForm(db, user=analyst)
    form.fields["fund_id"].value = portfolio.fund_id
    form.fields["company_id"].value = portfolio.company_id
    form.fields["entry_date"].value = date(2022, 1, 1)
    form.fields["equity_invested"].value = "1"
    form.fields["ownership"].value = "10"
    assert not form.save()
    assert form.status.text.startswith("Could not save: a record with the same key already exists")
    assert table_snapshot(db) == before
