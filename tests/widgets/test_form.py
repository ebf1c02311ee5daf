"""The behaviour every record form shares, shown on the fund form.

Validation is pure (no database, no widgets); the form shows each field's
error beside it and keeps Save disabled until the form is valid; a database
refusal (a constraint, a stale version) becomes a sentence with a Reload
button and leaves the database as it was; every save is attributed to the
acting user; a partner can save nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from portfolio_kit.models import Fund, FundCashFlow, Role
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets._fields import FieldSpec
from portfolio_kit.widgets._form import RecordForm, check_values
from portfolio_kit.widgets._status import StatusBar
from portfolio_kit.widgets.admin import UserForm
from portfolio_kit.widgets.companies import CompanyForm
from portfolio_kit.widgets.diligence import DiligenceItemForm, InitiativeForm
from portfolio_kit.widgets.financials import KpiForm
from portfolio_kit.widgets.funds import FundForm, FundNavForm
from portfolio_kit.widgets.investments import InvestmentForm
from portfolio_kit.widgets.session import ActingUser
from portfolio_kit.widgets.valuations import ValuationForm
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail

VALID_FUND = {
    "name": "Harbour Credit II",
    "vintage_year": "2023",
    "currency": "eur",
    "strategy": "credit",
    "status": "fundraising",
    "total_commitments": "250,000,000",
    "management_fee_rate": "1.75",
}


def fill(form: FundForm, values: dict[str, object]) -> None:
    for name, value in values.items():
        form.fields[name].value = value


def test_validation_is_pure_and_names_each_field() -> None:
    errors = FundForm.validate(
        {
            **VALID_FUND,
            "vintage_year": "1900",
            "currency": "euro",
            "management_fee_rate": "150",
            "name": "",
        }
    )
    assert errors == {
        "name": "is required",
        "vintage_year": "must be a year between 1950 and 2100 (got 1900)",
        "currency": "must be a three-letter ISO 4217 code such as USD (got 'EURO')",
        "management_fee_rate": "must be a percentage from 0 to 100 (got 150)",
    }
    assert FundForm.validate(VALID_FUND) == {}


def test_cross_field_rules_of_the_model_speak_before_saving() -> None:
    errors = FundForm.validate(
        {**VALID_FUND, "first_close_date": date(2023, 6, 30), "final_close_date": date(2023, 3, 31)}
    )
    assert errors == {"final_close_date": "must not be before first_close_date"}


def test_check_values_parses_and_skips_blank_optional_fields() -> None:
    specs = (FieldSpec("amount", "Amount", "number", required=True), FieldSpec("notes", "Notes"))
    parsed, errors = check_values(specs, {"amount": "1,000.25", "notes": "  "})
    assert parsed == {"amount": Decimal("1000.25"), "notes": None}
    assert errors == {}
    _parsed, errors = check_values(specs, {"amount": "ten"})
    assert errors == {"amount": "must be a number such as 1,250,000.50 (got 'ten')"}


def test_save_stays_disabled_until_the_form_is_valid(db: Database, analyst: ActingUser) -> None:
    form = FundForm(db, user=analyst)
    assert form.save_button.disabled
    assert form.fields["name"].error_text == "is required"
    fill(form, VALID_FUND)
    assert not form.save_button.disabled
    form.fields["vintage_year"].value = "twenty"
    assert form.save_button.disabled
    assert (
        form.fields["vintage_year"].error_text
        == "must be a number such as 1,250,000.50 (got 'twenty')"
    )


def test_creating_a_fund_writes_it_and_attributes_it(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = FundForm(db, user=analyst)
    fill(form, VALID_FUND)
    form.save_button.click()

    assert form.status.text == "Saved Fund 'Harbour Credit II'."
    with db.session() as session:
        fund = session.scalars(select(Fund).where(Fund.name == "Harbour Credit II")).one()
        assert (fund.vintage_year, fund.currency, fund.strategy.value) == (2023, "EUR", "credit")
        assert fund.total_commitments == Decimal("250000000.00")
        assert fund.management_fee_rate == Decimal("0.0175")
    rows = audit_trail.rows()
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor"], row["user_id"], row["action"], row["entity_type"]) == (
        ANALYST_EMAIL,
        portfolio.analyst_id,
        "insert",
        "Fund",
    )
    assert row["changes"]["total_commitments"] == [None, "250000000.00"]
    assert form.record_id == fund.id
    assert form.last_changed.value.startswith(f"Last changed by {ANALYST_EMAIL} on ")
    assert form.last_changed.value.endswith("(insert)")


def test_editing_loads_current_values_and_records_old_and_new(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = FundForm(db, user=analyst)
    form.picker.value = portfolio.fund_id
    assert form.fields["name"].value == "Summit Partners III"
    assert form.fields["total_commitments"].value == "500,000,000"
    assert form.fields["first_close_date"].value == date(2020, 3, 31)
    assert form.version == 1

    form.fields["total_commitments"].value = "525,000,000"
    form.save_button.click()

    assert form.status.kind == "ok"
    assert form.version == 2
    rows = audit_trail.rows()
    assert [(r["action"], r["entity_id"]) for r in rows] == [("update", str(portfolio.fund_id))]
    assert rows[0]["changes"] == {"total_commitments": ["500000000.00", "525000000.00"]}


def test_an_invalid_save_writes_nothing(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = FundForm(db, user=analyst)
    fill(form, {**VALID_FUND, "currency": "E"})
    assert form.save() is False
    assert form.status.text == "Not saved: correct the fields marked in red."
    assert form.fields["currency"].error_text.startswith("must be a three-letter ISO 4217 code")
    assert table_snapshot(db) == before


def test_a_constraint_refusal_is_a_sentence_with_reload(
    any_db: Database, portfolio_on_any_db: SmallPortfolio
) -> None:
    analyst = ActingUser(portfolio_on_any_db.analyst)
    before = table_snapshot(any_db)
    form = FundForm(any_db, user=analyst)
    fill(form, {**VALID_FUND, "name": "Summit Growth I"})
    assert form.errors == {}

    assert form.save() is False

    assert form.status.text.startswith("Could not save: a record with the same key already exists")
    assert "Traceback" not in form.status.text
    assert form.status.reload_offered
    assert table_snapshot(any_db) == before


def test_a_stale_version_is_refused_and_reload_shows_the_other_change(
    any_db: Database, portfolio_on_any_db: SmallPortfolio
) -> None:
    portfolio = portfolio_on_any_db
    analyst = ActingUser(portfolio.analyst)
    form = FundForm(any_db, user=analyst)
    form.picker.value = portfolio.fund_id
    with any_db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        update_record(
            session,
            Fund,
            portfolio.fund_id,
            expected_version=1,
            changes={"hurdle_rate": Decimal("0.08")},
        )
    after_colleague = table_snapshot(any_db)

    form.fields["total_commitments"].value = "600,000,000"
    assert form.save() is False

    assert "was changed by colleague@example.com" in form.status.text
    assert "nothing was saved" in form.status.text
    assert form.status.reload_offered
    assert table_snapshot(any_db) == after_colleague

    form.status.reload_button.click()
    assert form.fields["hurdle_rate"].value == "8"
    assert form.fields["total_commitments"].value == "500,000,000"
    assert form.version == 2
    form.fields["total_commitments"].value = "600,000,000"
    assert form.save() is True


def test_a_partner_sees_a_read_only_form_and_cannot_save(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = FundForm(db, user=partner)
    form.picker.value = portfolio.fund_id
    assert all(field.disabled for field in form.fields.values())
    assert form.save_button.disabled
    assert form.status.text.startswith("Read-only: pat.partner@example.com is a partner")

    form.fields["name"].value = "Renamed"
    assert form.save() is False
    assert form.status.text.startswith("Not saved: pat.partner@example.com is a partner")
    assert table_snapshot(db) == before


def test_nobody_signed_in_cannot_save(db: Database, portfolio: SmallPortfolio) -> None:
    form = FundForm(db, user=ActingUser(None, note="nobody is signed in: sign in"))
    fill(form, VALID_FUND)
    assert form.save_button.disabled
    assert form.save() is False
    assert form.status.text == "Not saved: nobody is signed in: sign in"


def test_signing_in_later_unlocks_the_form(db: Database, portfolio: SmallPortfolio) -> None:
    user = ActingUser(None)
    form = FundForm(db, user=user)
    fill(form, VALID_FUND)
    assert form.save_button.disabled
    user.set(portfolio.analyst)
    assert not form.save_button.disabled
    assert not form.status.text.startswith("Read-only")


@pytest.mark.parametrize(
    ("error", "expected", "reload"),
    [
        (
            ValidationError("amount", "must be greater than zero (got 0)"),
            "Could not save: amount: must be greater than zero (got 0)",
            False,
        ),
        (
            ValidationError(
                "record", "a record with the same key already exists (UNIQUE constraint failed)"
            ),
            "Could not save: a record with the same key already exists (UNIQUE constraint failed)",
            True,
        ),
        (
            ConflictError("Fund 'X' was changed after you loaded it"),
            "Could not save: Fund 'X' was changed after you loaded it",
            True,
        ),
        (NotFoundError("Fund #9 does not exist"), "Could not save: Fund #9 does not exist", True),
        (
            PermissionDeniedError("p@example.com is a partner and cannot change data"),
            "Not allowed: p@example.com is a partner and cannot change data",
            False,
        ),
        (
            ZeroDivisionError("division by zero"),
            "Could not save: unexpected ZeroDivisionError: division by zero "
            "(a bug: please report it)",
            False,
        ),
    ],
)
def test_status_bar_turns_errors_into_sentences(
    error: Exception, expected: str, reload: bool
) -> None:
    status = StatusBar(on_reload=lambda: None)

    def fail() -> None:
        raise error

    assert status.run("save", fail) is None
    assert status.text == expected
    assert status.reload_offered is reload


def test_status_bar_puts_field_refusals_beside_the_field() -> None:
    seen: dict[str, str] = {}
    status = StatusBar()

    def fail() -> None:
        raise ValidationError("date", "is before the first close")

    status.run("save", fail, on_field_error=seen.__setitem__)
    assert seen == {"date": "is before the first close"}


def test_last_change_is_shown_for_a_loaded_record(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = FundForm(db, user=analyst)
    form.picker.value = portfolio.fund_id
    # The seed wrote the fund as the system actor.
    assert form.last_changed.value.startswith("Last changed by system on ")
    assert form.last_changed.value.endswith("(insert)")


def test_the_form_draws_as_its_widget_with_stable_text(db: Database, analyst: ActingUser) -> None:
    form = FundForm(db, user=analyst)
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == "FundForm: Fund"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == form.widget.model_id


def test_cash_flow_rules_that_need_the_fund_are_refused_at_save(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    from portfolio_kit.widgets.funds import CashFlowGrid

    before = table_snapshot(db)
    grid = CashFlowGrid(db, user=analyst, fund_id=portfolio.fund_id)
    grid.rows[0]["date"].value = date(2019, 12, 31)
    grid.rows[0]["kind"].value = "capital_call"
    grid.rows[0]["amount"].value = "1,000,000"
    assert grid.errors == {}
    assert grid.save() == 0
    assert grid.status.text == (
        "Could not save the cash flows: row 1: date: capital call dated 2019-12-31 is before "
        "the first close of 'Summit Partners III' (2020-03-31)"
    )
    assert table_snapshot(db) == before
    with db.session() as session:
        assert session.scalars(select(FundCashFlow)).all() == []


Opener = Callable[[SmallPortfolio], tuple[int, dict[str, Any]]]
"""The record id to pick (no values), or the scope id and the values of a record to create first."""


@dataclass(frozen=True)
class FormCase:
    """How to open one stored record in a form, break one field, and change it as a colleague."""

    form: type[RecordForm]
    admin: bool
    record: Opener
    invalid: tuple[str, Any]
    colleague: dict[str, Any]


def _seeded(attribute: str) -> Opener:
    return lambda portfolio: (getattr(portfolio, attribute), {})


def _created(scope: str, values: dict[str, Any]) -> Opener:
    return lambda portfolio: (getattr(portfolio, scope), values)


FORM_CASES = [
    FormCase(
        FundForm,
        False,
        _seeded("fund_id"),
        ("vintage_year", "abc"),
        {"hurdle_rate": Decimal("0.08")},
    ),
    FormCase(
        CompanyForm,
        False,
        _seeded("company_id"),
        ("fiscal_year_end_month", "13"),
        {"sector": "SaaS"},
    ),
    FormCase(
        InvestmentForm,
        False,
        _seeded("investment_id"),
        ("ownership", "0"),
        {"entry_revenue": Decimal("1")},
    ),
    FormCase(
        UserForm, True, _seeded("partner_id"), ("email", "not-an-email"), {"name": "Patricia"}
    ),
    FormCase(
        FundNavForm,
        False,
        _created("fund_id", {"as_of": date(2024, 12, 31), "nav": "100"}),
        ("nav", "-1"),
        {"nav": Decimal("5")},
    ),
    FormCase(
        KpiForm,
        False,
        _created(
            "company_id",
            {
                "kpi": "customers",
                "period_end": date(2024, 12, 31),
                "value": "10",
                "unit": "count",
            },
        ),
        ("value", "ten"),
        {"value": Decimal("11")},
    ),
    FormCase(
        ValuationForm,
        False,
        _created(
            "company_id",
            {
                "valuation_date": date(2024, 12, 31),
                "method": "dcf",
                "equity_value": "100",
            },
        ),
        ("equity_value", "-1"),
        {"notes": "checked"},
    ),
    FormCase(
        DiligenceItemForm,
        False,
        _created("company_id", {"category": "tax", "title": "Tax review"}),
        ("title", ""),
        {"owner": "Colleague"},
    ),
    FormCase(
        InitiativeForm,
        False,
        _created(
            "company_id",
            {
                "title": "Pricing",
                "lever": "margin",
                "status": "planned",
                "progress": "10",
            },
        ),
        ("progress", "140"),
        {"owner": "Colleague"},
    ),
]


def _open(case: FormCase, db: Database, portfolio: SmallPortfolio, user: ActingUser) -> RecordForm:
    record_or_scope, values = case.record(portfolio)
    if not values:
        form = case.form(db, user=user)
        form.picker.value = record_or_scope
        return form
    form = case.form(db, user=user, scope_id=record_or_scope)
    for name, value in values.items():
        form.fields[name].value = value
    assert form.save(), form.status.text
    return form


@pytest.mark.parametrize("case", FORM_CASES, ids=[case.form.__name__ for case in FORM_CASES])
def test_every_form_refuses_an_invalid_field_and_a_stale_version_without_a_trace(
    db: Database, portfolio: SmallPortfolio, analyst: ActingUser, admin: ActingUser, case: FormCase
) -> None:
    form = _open(case, db, portfolio, admin if case.admin else analyst)
    assert form.record_id is not None and form.version is not None
    loaded = form.values()

    before = table_snapshot(db)
    name, bad = case.invalid
    form.fields[name].value = bad
    assert form.save_button.disabled
    assert form.fields[name].error_text
    assert form.save() is False
    assert table_snapshot(db) == before

    form.fields[name].value = loaded[name]
    with db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        update_record(
            session,
            case.form.model,
            form.record_id,
            expected_version=form.version,
            changes=case.colleague,
        )
    after_colleague = table_snapshot(db)
    assert form.save() is False
    assert "colleague@example.com" in form.status.text
    assert form.status.reload_offered
    assert table_snapshot(db) == after_colleague

    form.status.reload_button.click()
    assert form.save() is True
