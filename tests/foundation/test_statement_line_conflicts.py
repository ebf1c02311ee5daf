"""Two analysts editing one financial statement line: the second save is a named conflict.

A statement line is a ``FinancialMetric`` row (written by the financials form,
a PDF review commit and a KPI template import). The generic locking tests use
a fund; these pin the statement line itself, on SQLite and PostgreSQL, with
two real sessions, so a change to how statement lines are written cannot drop
them out of optimistic locking unnoticed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from portfolio_kit import Database
from portfolio_kit.errors import ConflictError
from portfolio_kit.models import FinancialMetric
from portfolio_kit.services.records import update_record
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio


@pytest.fixture
def revenue_line(any_db: Database) -> tuple[SmallPortfolio, int]:
    portfolio = seed_small_portfolio(any_db)
    with any_db.session(portfolio.analyst) as session:
        line = FinancialMetric(
            company_id=portfolio.company_id, period_end=date(2024, 12, 31), period_type="year",
            period_months=12, line_item="revenue", value=Decimal("100.00"), currency="USD",
        )
        session.add(line)
        session.flush()
        line_id = line.id
    return portfolio, line_id


def _stored(database: Database, line_id: int) -> tuple[int, Decimal]:
    with database.engine.connect() as connection:
        row = connection.execute(
            select(FinancialMetric.version, FinancialMetric.value).where(
                FinancialMetric.id == line_id
            )
        ).one()
    return row.version, row.value


def test_two_open_sessions_the_second_statement_edit_conflicts(
    any_db: Database, revenue_line: tuple[SmallPortfolio, int]
) -> None:
    portfolio, line_id = revenue_line
    with (
        pytest.raises(ConflictError, match="somebody else changed this record"),
        any_db.session(portfolio.analyst) as second,
    ):
        theirs = second.get(FinancialMetric, line_id)
        assert theirs is not None and theirs.version == 1
        with any_db.session(portfolio.analyst) as first:
            update_record(
                first, FinancialMetric, line_id,
                expected_version=1, changes={"value": Decimal("110.00")},
            )
        theirs.value = Decimal("90.00")
    # The first save stands: 100 -> 110, version 1 -> 2; the second wrote nothing.
    assert _stored(any_db, line_id) == (2, Decimal("110.00"))


def test_a_statement_form_on_the_old_version_conflicts_after_an_update_statement(
    any_db: Database, revenue_line: tuple[SmallPortfolio, int]
) -> None:
    portfolio, line_id = revenue_line
    loaded_version = _stored(any_db, line_id)[0]  # the analyst opens the statement form
    with any_db.session(portfolio.analyst) as session:  # a colleague's bulk correction
        session.execute(
            update(FinancialMetric)
            .where(FinancialMetric.id == line_id)
            .values(value=Decimal("120.00"))
        )
    with (
        pytest.raises(ConflictError, match="after you loaded it"),
        any_db.session(portfolio.analyst) as session,
    ):
        update_record(
            session, FinancialMetric, line_id,
            expected_version=loaded_version, changes={"value": Decimal("95.00")},
        )
    assert _stored(any_db, line_id) == (2, Decimal("120.00"))
