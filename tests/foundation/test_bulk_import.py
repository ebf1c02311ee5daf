"""The validated bulk path: COPY on PostgreSQL, executemany on SQLite, all or nothing."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from portfolio_kit import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import FinancialMetric
from portfolio_kit.services.bulk_import import import_kpis, import_metrics
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot

QUARTERS = (date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30))
ITEMS = {"revenue": 40.5, "operating_income": 6.25, "cash_and_equivalents": 12.0}


def _rows(portfolio: SmallPortfolio) -> list[dict[str, Any]]:
    """2 companies x 3 quarters x 3 line items = 18 rows; value = base + quarter number."""
    return [
        {
            "company_id": company_id,
            "period_end": quarter,
            "period_type": "quarter",
            "line_item": item,
            "value": base + number,
            "currency": "USD",
        }
        for company_id in (portfolio.company_id, portfolio.second_company_id)
        for number, quarter in enumerate(QUARTERS, start=1)
        for item, base in ITEMS.items()
    ]


@pytest.fixture
def metric_inserts(any_db: Database) -> Iterator[list[str]]:
    """SQL statements that reached the driver through SQLAlchemy and insert metrics."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "INSERT INTO financial_metrics" in statement:
            seen.append(statement)

    event.listen(any_db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(any_db.engine, "before_cursor_execute", record)


def test_import_writes_every_row_through_the_fast_path(any_db: Database, metric_inserts: list[str]) -> None:
    portfolio = seed_small_portfolio(any_db)
    started = datetime.now(UTC)
    with any_db.session(portfolio.analyst) as session:
        assert import_metrics(session, _rows(portfolio), summary="2023 Q1-Q3") == 18
    finished = datetime.now(UTC)
    with any_db.session() as session:
        stored = session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == portfolio.second_company_id,
                FinancialMetric.line_item == "operating_income",
            ).order_by(FinancialMetric.period_end)
        ).all()
        total = len(session.scalars(select(FinancialMetric.id)).all())
    assert total == 18
    # operating_income base 6.25 plus quarter number 1, 2, 3.
    assert [(m.period_end, m.value) for m in stored] == [
        (date(2023, 3, 31), Decimal("7.250000")),
        (date(2023, 6, 30), Decimal("8.250000")),
        (date(2023, 9, 30), Decimal("9.250000")),
    ]
    assert {(m.scenario.value, m.source.value, m.version) for m in stored} == {("actual", "manual", 1)}
    # Timestamps written by the bulk path read back through the ORM as the same UTC moment.
    assert all(started <= m.created_at == m.updated_at <= finished for m in stored)
    if any_db.dialect == "postgresql":
        assert metric_inserts == [], "PostgreSQL rows must go through COPY, not INSERT"
    else:
        assert len(metric_inserts) == 1, "SQLite rows go in one executemany"


def test_awkward_text_survives_the_bulk_path(any_db: Database) -> None:
    """COPY's text format gives tabs, newlines, backslashes and ``\\N`` meaning; they must come back as typed."""
    portfolio = seed_small_portfolio(any_db)
    label = 'Net sales\t"restated"\n\\N, incl. 5% \\ others'
    row = {**_rows(portfolio)[0], "source_label": label, "source": "pdf", "page": 7}
    with any_db.session(portfolio.analyst) as session:
        import_metrics(session, [row], summary="one awkward row")
    with any_db.session() as session:
        stored = session.scalars(select(FinancialMetric)).one()
    assert (stored.source_label, stored.page, stored.source.value) == (label, 7, "pdf")


@pytest.mark.parametrize(
    ("position", "change", "field"),
    [
        (3, {"line_item": "turnover"}, "row 3: line_item"),
        (2, {"period_end": date(2023, 3, 15)}, "row 2: period_end"),
        (1, {"value": math.nan}, "row 1: value"),
        (5, {"currency": "usd"}, "row 5: currency"),
        (4, {"period_type": "week"}, "row 4: period_type"),
        (6, {"company_id": "1"}, "row 6: company_id"),
    ],
    ids=["line_item", "period_end", "nan", "currency", "period_type", "company_id"],
)
def test_bad_row_is_named_and_nothing_is_written(
    any_db: Database, position: int, change: dict[str, Any], field: str
) -> None:
    portfolio = seed_small_portfolio(any_db)
    rows = _rows(portfolio)
    rows[position - 1] = {**rows[position - 1], **change}
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised, any_db.session(portfolio.analyst) as session:
        import_metrics(session, rows, summary="bad batch")
    assert raised.value.field == field
    assert table_snapshot(any_db) == before


def test_duplicate_within_the_batch_is_named(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    rows = _rows(portfolio)
    rows.append(dict(rows[0]))
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised, any_db.session(portfolio.analyst) as session:
        import_metrics(session, rows, summary="duplicated batch")
    assert raised.value.field == "row 19: line_item"
    assert table_snapshot(any_db) == before


def test_unknown_column_is_refused(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    rows = _rows(portfolio)
    rows[0] = {**rows[0], "colour": "blue"}
    with pytest.raises(ValidationError, match="colour") as raised, any_db.session(portfolio.analyst) as session:
        import_metrics(session, rows, summary="odd batch")
    assert raised.value.field == "rows"


def test_key_already_stored_fails_the_whole_import(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    first_half = _rows(portfolio)[:9]
    with any_db.session(portfolio.analyst) as session:
        import_metrics(session, first_half, summary="first half")
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised, any_db.session(portfolio.analyst) as session:
        import_metrics(session, _rows(portfolio), summary="everything again")
    assert raised.value.field == "record"
    assert table_snapshot(any_db) == before


def test_kpi_import_checks_units(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    good = {
        "company_id": portfolio.company_id, "period_end": date(2023, 12, 31), "period_type": "quarter",
        "kpi": "customers", "value": 1250, "unit": "count", "currency": None,
    }
    before = table_snapshot(any_db)
    with pytest.raises(ValidationError) as raised, any_db.session(portfolio.analyst) as session:
        import_kpis(session, [good, {**good, "kpi": "arr", "unit": "currency"}], summary="kpis")
    assert raised.value.field == "row 2: currency"
    assert table_snapshot(any_db) == before
    with any_db.session(portfolio.analyst) as session:
        assert import_kpis(session, [good], summary="kpis") == 1
