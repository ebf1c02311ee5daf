"""Company valuations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import Valuation, ValuationMethod
from portfolio_kit.widgets.session import ActingUser
from portfolio_kit.widgets.valuations import ValuationForm
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail


def test_a_mark_takes_the_company_currency(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = ValuationForm(db, user=analyst, scope_id=portfolio.company_id)
    form.fields["valuation_date"].value = date(2024, 12, 31)
    form.fields["method"].value = "trading_comparables"
    form.fields["equity_value"].value = "180,000,000"
    form.fields["enterprise_value"].value = "240,000,000"
    form.fields["implied_multiple"].value = "12.5"
    form.save_button.click()

    assert form.status.kind == "ok", form.status.text
    with db.session() as session:
        valuation = session.scalars(select(Valuation)).one()
        assert (
            valuation.method,
            valuation.equity_value,
            valuation.currency,
            valuation.is_mark,
        ) == (
            ValuationMethod.TRADING_COMPARABLES,
            Decimal("180000000.00"),
            "USD",
            True,
        )
        assert valuation.implied_multiple == Decimal("12.5")
    assert form.picker.options[1] == (
        "2024-12-31 trading comparables: 180,000,000 USD (mark)",
        valuation.id,
    )
    assert [(r["actor"], r["action"], r["entity_type"]) for r in audit_trail.rows()] == [
        (ANALYST_EMAIL, "insert", "Valuation")
    ]


def test_negative_equity_is_refused_with_the_reason(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = ValuationForm(db, user=analyst, scope_id=portfolio.company_id)
    form.fields["valuation_date"].value = date(2024, 12, 31)
    form.fields["equity_value"].value = "-1"
    assert (
        form.fields["equity_value"].error_text
        == "must not be negative: equity is worth zero at worst (got -1.00)"
    )
    assert not form.save()
    assert table_snapshot(db) == before


def test_unmarking_a_valuation_is_an_audited_edit(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = ValuationForm(db, user=analyst, scope_id=portfolio.company_id)
    form.fields["valuation_date"].value = date(2024, 12, 31)
    form.fields["method"].value = "dcf"
    form.fields["equity_value"].value = "150,000,000"
    form.save()
    form.fields["is_mark"].value = False
    form.save()
    assert audit_trail.rows()[-1]["changes"] == {"is_mark": [True, False]}
