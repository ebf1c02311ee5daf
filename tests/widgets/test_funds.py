"""Fund NAVs and the cash-flow grid (the fund form itself: ``test_form.py``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import CashFlowKind, FundCashFlow, FundNav
from portfolio_kit.widgets.funds import CashFlowGrid, FundForm, FundNavForm, validate_cash_flow_rows
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail


def test_amounts_with_more_decimals_than_cents_are_refused() -> None:
    errors = FundForm.validate(
        {
            "name": "F",
            "vintage_year": "2020",
            "currency": "USD",
            "strategy": "buyout",
            "status": "investing",
            "total_commitments": "1.234",
        }
    )
    assert errors == {"total_commitments": "has more than 2 decimal places (got 1.234)"}


def test_nav_is_saved_in_the_fund_currency(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = FundNavForm(db, user=analyst, scope_id=portfolio.fund_id)
    form.fields["as_of"].value = date(2024, 12, 31)
    form.fields["nav"].value = "412,500,000"
    form.save_button.click()

    assert form.status.text == f"Saved FundNav 2024-12-31 fund #{portfolio.fund_id}."
    with db.session() as session:
        nav = session.scalars(select(FundNav)).one()
        assert (nav.fund_id, nav.as_of, nav.nav, nav.currency) == (
            portfolio.fund_id,
            date(2024, 12, 31),
            Decimal("412500000.00"),
            "USD",
        )
    assert [(r["actor"], r["action"], r["entity_type"]) for r in audit_trail.rows()] == [
        (ANALYST_EMAIL, "insert", "FundNav")
    ]
    assert form.picker.options[1] == ("2024-12-31: 412,500,000 USD", nav.id)


def test_nav_must_be_a_quarter_end_and_not_negative(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = FundNavForm(db, user=analyst, scope_id=portfolio.fund_id)
    form.fields["as_of"].value = date(2024, 11, 30)
    form.fields["nav"].value = "-5"
    assert (
        form.fields["as_of"].error_text
        == "2024-11-30 is not a quarter end (31 Mar, 30 Jun, 30 Sep, 31 Dec)"
    )
    assert form.fields["nav"].error_text == "must not be negative (got -5.00)"
    assert form.save_button.disabled


def test_a_second_nav_for_the_same_quarter_is_refused_without_a_trace(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = FundNavForm(db, user=analyst, scope_id=portfolio.fund_id)
    form.fields["as_of"].value = date(2024, 12, 31)
    form.fields["nav"].value = "1"
    assert form.save()
    before = table_snapshot(db)
    form.new()
    form.fields["as_of"].value = date(2024, 12, 31)
    form.fields["nav"].value = "2"
    assert not form.save()
    assert form.status.text.startswith("Could not save: a record with the same key already exists")
    assert table_snapshot(db) == before


def test_changing_the_fund_lists_that_funds_navs(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = FundNavForm(db, user=analyst, scope_id=portfolio.fund_id)
    form.fields["as_of"].value = date(2024, 12, 31)
    form.fields["nav"].value = "1"
    form.save()
    assert len(form.picker.options) == 2
    form.scope_picker.value = portfolio.second_fund_id
    assert form.picker.options == (("— new fund nav —", 0),)
    assert form.record_id is None


def test_rows_are_validated_one_by_one_and_blank_rows_ignored() -> None:
    rows = [
        {"date": date(2024, 1, 15), "kind": "capital_call", "amount": "10,000,000", "notes": ""},
        {"date": None, "kind": "capital_call", "amount": "", "notes": ""},
        {"date": date(2024, 2, 15), "kind": "distribution", "amount": "0", "notes": ""},
        {"date": None, "kind": "management_fee", "amount": "5", "notes": ""},
    ]
    assert validate_cash_flow_rows(rows) == {
        "row 3: amount": "must be greater than zero (got 0.00)",
        "row 4: date": "is required",
    }
    assert validate_cash_flow_rows([rows[1]]) == {"rows": "enter at least one cash flow"}


def test_a_batch_of_calls_and_distributions_is_saved_together(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    grid = CashFlowGrid(db, user=analyst, fund_id=portfolio.fund_id, rows=2)
    assert grid.save_button.disabled
    grid.add_row()
    entries = [
        (date(2024, 1, 15), "capital_call", "10,000,000", "Call 5"),
        (date(2024, 3, 31), "management_fee", "1,250,000", ""),
        (date(2024, 6, 28), "distribution", "4,500,000.50", "Sale of Acme stake"),
    ]
    for row, (when, kind, amount, notes) in zip(grid.rows, entries, strict=True):
        row["date"].value, row["kind"].value, row["amount"].value, row["notes"].value = (
            when,
            kind,
            amount,
            notes,
        )
    assert not grid.save_button.disabled
    grid.save_button.click()

    assert grid.status.text == "Saved 3 cash flows."
    with db.session() as session:
        flows = session.scalars(select(FundCashFlow).order_by(FundCashFlow.date)).all()
        assert [(f.date, f.kind, f.amount, f.currency, f.notes) for f in flows] == [
            (date(2024, 1, 15), CashFlowKind.CAPITAL_CALL, Decimal("10000000.00"), "USD", "Call 5"),
            (date(2024, 3, 31), CashFlowKind.MANAGEMENT_FEE, Decimal("1250000.00"), "USD", None),
            (
                date(2024, 6, 28),
                CashFlowKind.DISTRIBUTION,
                Decimal("4500000.50"),
                "USD",
                "Sale of Acme stake",
            ),
        ]
        # LP sign convention: calls and fees are paid in (negative), distributions positive.
        assert [f.signed_amount for f in flows] == [
            Decimal("-10000000.00"),
            Decimal("-1250000.00"),
            Decimal("4500000.50"),
        ]
    rows = audit_trail.rows()
    assert [(r["actor"], r["action"], r["entity_type"]) for r in rows] == [
        (ANALYST_EMAIL, "insert", "FundCashFlow")
    ] * 3
    assert all(row["date"].value is None and row["amount"].value == "" for row in grid.rows)
    assert "Sale of Acme stake" in grid.recent.value


def test_one_bad_row_saves_none_of_the_batch(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    grid = CashFlowGrid(db, user=analyst, fund_id=portfolio.fund_id)
    grid.rows[0]["date"].value = date(2024, 1, 15)
    grid.rows[0]["amount"].value = "100"
    grid.rows[1]["date"].value = date(2024, 2, 15)
    grid.rows[1]["amount"].value = "-100"
    assert grid.save_button.disabled
    assert "row 2: amount: must be greater than zero (got -100.00)" in grid.errors_box.value
    assert grid.save() == 0
    assert table_snapshot(db) == before


def test_a_partner_cannot_enter_cash_flows(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    grid = CashFlowGrid(db, user=partner, fund_id=portfolio.fund_id)
    grid.rows[0]["date"].value = date(2024, 1, 15)
    grid.rows[0]["amount"].value = "100"
    assert grid.save_button.disabled
    assert all(field.disabled for field in grid.rows[0].values())
    assert grid.save() == 0
    assert grid.status.text.startswith("Not saved: pat.partner@example.com is a partner")
    assert table_snapshot(db) == before
