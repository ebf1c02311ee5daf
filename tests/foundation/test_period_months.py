"""The period length of stored figures: derived when left out, refused when it
contradicts the period type or the item, and part of the key, on both databases.

Expected lengths come from the table in portfolio_kit/period_length.py, not
from the code: a quarter is 3 months, a year 12, a balance (cash, ARR) 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from portfolio_kit import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import CompanyKPI, FinancialMetric
from portfolio_kit.services.bulk_import import import_metrics, validate_metric_rows
from tests.support.portfolio import seed_small_portfolio
from tests.support.snapshot import table_snapshot

JUNE = date(2024, 6, 30)


def _metric(company_id: int, **fields) -> FinancialMetric:
    base = {"company_id": company_id, "period_end": JUNE, "period_type": "quarter",
            "line_item": "revenue", "value": Decimal("10"), "currency": "USD"}
    return FinancialMetric(**{**base, **fields})


def test_writers_that_leave_the_length_out_get_the_derived_one(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    with any_db.session(portfolio.analyst) as session:
        session.add_all([
            _metric(portfolio.company_id),
            _metric(portfolio.company_id, period_type="year", period_end=date(2023, 12, 31)),
            _metric(portfolio.company_id, line_item="cash_and_equivalents"),
            CompanyKPI(company_id=portfolio.company_id, period_end=JUNE, period_type="quarter",
                       kpi="arr", value=Decimal("5"), unit="currency", currency="USD"),
            CompanyKPI(company_id=portfolio.company_id, period_end=JUNE, period_type="month",
                       kpi="units_sold", value=Decimal("5"), unit="count"),
        ])
    with any_db.session() as session:
        metrics = {(m.period_type.value, m.line_item): m.period_months for m in session.scalars(select(FinancialMetric))}
        kpis = {k.kpi: k.period_months for k in session.scalars(select(CompanyKPI))}
    assert metrics == {("quarter", "revenue"): 3, ("year", "revenue"): 12, ("quarter", "cash_and_equivalents"): 0}
    assert kpis == {"arr": 0, "units_sold": 1}


def test_a_quarter_and_a_half_year_ending_on_one_day_are_two_rows(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    with any_db.session(portfolio.analyst) as session:
        session.add(_metric(portfolio.company_id, value=Decimal("10")))
        session.add(_metric(portfolio.company_id, period_type="ytd", period_months=6, value=Decimal("19")))
    with any_db.session() as session:
        stored = sorted((m.period_months, m.value) for m in session.scalars(select(FinancialMetric)))
    assert stored == [(3, Decimal("10")), (6, Decimal("19"))]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"period_months": 6}, "a quarter covers 3 months, not 6"),
        ({"period_type": "year", "period_months": 9}, "a year covers 12 months"),
        ({"period_type": "ytd"}, "is required"),
        ({"period_type": "ytd", "period_months": 3}, "3 a 'quarter'"),
        ({"line_item": "cash_and_equivalents", "period_months": 3}, "is a balance"),
        ({"period_months": 0}, "cannot be an instant"),
        ({"period_months": 13}, "from 0 to 12"),
    ],
)
def test_contradictory_lengths_are_refused_naming_the_field(
    sqlite_db: Database, fields: dict, words: str
) -> None:
    portfolio = seed_small_portfolio(sqlite_db)
    before = table_snapshot(sqlite_db)
    with pytest.raises(ValidationError) as raised:
        with sqlite_db.session(portfolio.analyst) as session:
            session.add(_metric(portfolio.company_id, **fields))
    assert raised.value.field == "period_months"
    assert words in str(raised.value)
    assert table_snapshot(sqlite_db) == before


def test_the_database_refuses_a_contradiction_that_skips_the_orm(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised:
        with any_db.session(portfolio.analyst) as session:
            session.execute(insert(FinancialMetric), [{
                "company_id": portfolio.company_id, "period_end": JUNE, "period_type": "quarter",
                "period_months": 6, "scenario": "actual", "line_item": "revenue", "value": 1,
                "currency": "USD", "source": "manual", "version": 1,
            }])
    assert raised.value.field == "record"
    assert table_snapshot(any_db) == before


def test_bulk_rows_get_the_derived_length_and_refuse_a_wrong_one(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    row = {"company_id": portfolio.company_id, "period_end": JUNE, "period_type": "quarter",
           "line_item": "revenue", "value": 10.0, "currency": "USD"}
    with pytest.raises(ValidationError) as raised:
        validate_metric_rows([row, {**row, "period_type": "ytd", "period_months": 12}])
    assert raised.value.field == "row 2: period_months"
    with any_db.session(portfolio.analyst) as session:
        import_metrics(session, [row, {**row, "period_type": "ytd", "period_months": 6, "value": 19.0},
                                 {**row, "line_item": "total_assets", "value": 50.0}], summary="test")
    with any_db.session() as session:
        stored = sorted((m.line_item, m.period_months) for m in session.scalars(select(FinancialMetric)))
    assert stored == [("revenue", 3), ("revenue", 6), ("total_assets", 0)]
