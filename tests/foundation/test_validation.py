"""Bad input is refused with a ``ValidationError`` naming the field, and nothing is written.

Each case first stages a valid company and flushes it, so the database has
really received a write inside the transaction; the refusal must roll that
back too. "Unchanged" is checked against a dump of every table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from portfolio_kit import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import (
    FinancialMetric,
    Fund,
    FundCashFlow,
    FundNav,
    Investment,
    PortfolioCompany,
    User,
)
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import row_counts, table_snapshot

BadWrite = Callable[[Session, SmallPortfolio], None]


def _negative_commitment(session: Session, p: SmallPortfolio) -> None:
    session.add(Fund(name="Negative LP", vintage_year=2024, currency="USD", strategy="buyout",
                     status="fundraising", total_commitments=Decimal("-1.00")))


def _distribution_before_first_close(session: Session, p: SmallPortfolio) -> None:
    # Summit Partners III's first close is 31 Mar 2020; 1 Mar 2020 is a month earlier.
    fund = session.get(Fund, p.fund_id)
    session.add(FundCashFlow(fund=fund, date=date(2020, 3, 1), kind="distribution",
                             amount=Decimal("1000000.00"), currency="USD"))


def _distribution_before_first_close_by_key(session: Session, p: SmallPortfolio) -> None:
    """The same, attached by ``fund_id`` only, as a form posting ids does."""
    session.add(FundCashFlow(fund_id=p.fund_id, date=date(2020, 3, 1), kind="distribution",
                             amount=Decimal("1000000.00"), currency="USD"))


def _unknown_line_item(session: Session, p: SmallPortfolio) -> None:
    session.add(FinancialMetric(company_id=p.company_id, period_end=date(2023, 12, 31),
                                period_type="year", line_item="turnover",
                                value=Decimal("10.000000"), currency="USD"))


def _mid_month_period_end(session: Session, p: SmallPortfolio) -> None:
    # 15 Mar is 16 days before the month end: not a month end, nor in a 52/53-week final week.
    session.add(FinancialMetric(company_id=p.company_id, period_end=date(2024, 3, 15),
                                period_type="month", line_item="revenue",
                                value=Decimal("10.000000"), currency="USD"))


def _email_that_is_not_one(session: Session, p: SmallPortfolio) -> None:
    session.add(User(email="ann.at.example.com", name="Ann", password_hash="x", role="analyst"))


def _unknown_enum_value(session: Session, p: SmallPortfolio) -> None:
    session.add(Fund(name="Hedge I", vintage_year=2024, currency="USD", strategy="hedge_fund",
                     status="fundraising", total_commitments=Decimal("1.00")))


def _ownership_above_one(session: Session, p: SmallPortfolio) -> None:
    session.add(Investment(fund_id=p.fund_id, company_id=p.second_company_id,
                           entry_date=date(2022, 1, 31), equity_invested=Decimal("5.00"),
                           ownership=Decimal("1.20000000"), currency="USD"))


def _exit_before_entry(session: Session, p: SmallPortfolio) -> None:
    session.add(Investment(fund_id=p.fund_id, company_id=p.second_company_id,
                           entry_date=date(2022, 6, 30), exit_date=date(2022, 1, 31),
                           equity_invested=Decimal("5.00"), ownership=Decimal("0.50000000"),
                           currency="USD"))


def _nav_not_at_quarter_end(session: Session, p: SmallPortfolio) -> None:
    # 29 Feb 2024 is a month end (leap year) but not a calendar quarter end.
    session.add(FundNav(fund_id=p.fund_id, as_of=date(2024, 2, 29),
                        nav=Decimal("1.00"), currency="USD"))


CASES: list[tuple[BadWrite, str]] = [
    (_negative_commitment, "total_commitments"),
    (_distribution_before_first_close, "date"),
    (_distribution_before_first_close_by_key, "date"),
    (_unknown_line_item, "line_item"),
    (_mid_month_period_end, "period_end"),
    (_email_that_is_not_one, "email"),
    (_unknown_enum_value, "strategy"),
    (_ownership_above_one, "ownership"),
    (_exit_before_entry, "exit_date"),
    (_nav_not_at_quarter_end, "as_of"),
]


def _stage_valid_write(session: Session) -> None:
    session.add(PortfolioCompany(name="Staged Co", sector="Retail", geography="Europe",
                                 currency="EUR", status="pipeline"))
    session.flush()


@pytest.mark.parametrize(("bad_write", "field"), CASES, ids=[case.__name__.lstrip("_") for case, _ in CASES])
def test_bad_input_names_the_field_and_writes_nothing(
    any_db: Database, bad_write: BadWrite, field: str
) -> None:
    portfolio = seed_small_portfolio(any_db)
    counts, before = row_counts(any_db), table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised:
        with any_db.session(portfolio.analyst) as session:
            _stage_valid_write(session)
            bad_write(session, portfolio)
    assert raised.value.field == field
    assert row_counts(any_db) == counts
    assert table_snapshot(any_db) == before


def test_duplicate_unique_key_surfaces_as_validation_error(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised:
        with any_db.session(portfolio.analyst) as session:
            _stage_valid_write(session)
            session.add(Fund(name="Summit Partners III", vintage_year=2024, currency="USD",
                             strategy="buyout", status="fundraising",
                             total_commitments=Decimal("1.00")))
    assert raised.value.field == "record"
    assert "already exists" in str(raised.value)
    assert table_snapshot(any_db) == before


def test_check_constraint_guards_writes_that_skip_the_orm_validators(any_db: Database) -> None:
    """A bulk insert bypasses ``@validates``; the database's own CHECK
    (total_commitments >= 0) still refuses a negative commitment."""
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised:
        with any_db.session(portfolio.analyst) as session:
            session.execute(insert(Fund), [{
                "name": "Bypass Fund", "vintage_year": 2024, "currency": "USD",
                "strategy": "buyout", "status": "fundraising",
                "total_commitments": Decimal("-5.00"), "version": 1,
            }])
    assert raised.value.field == "record"
    assert table_snapshot(any_db) == before
