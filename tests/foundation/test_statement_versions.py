"""UPDATE statements take part in optimistic locking, as a flush does.

A flush raises a versioned row's ``version``; an ``update()`` statement run
through a session did not, so an analyst holding the row's old version (an
open form) saved over the statement's change without a conflict: two people
editing one record, one change silently lost. Each case runs on SQLite and on
PostgreSQL. Expected versions are counted by hand: a new row is version 1 and
every change raises it by one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from portfolio_kit import Database
from portfolio_kit.errors import ConflictError, ValidationError
from portfolio_kit.models import Fund
from portfolio_kit.services.records import update_record
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio


@pytest.fixture
def portfolio(any_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(any_db)


def _fund(database: Database, fund_id: int) -> tuple[int, Decimal, str]:
    with database.engine.connect() as connection:
        row = connection.execute(
            select(Fund.version, Fund.total_commitments, Fund.status).where(Fund.id == fund_id)
        ).one()
    return int(row.version), Decimal(row.total_commitments), str(row.status)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(lambda fid: update(Fund).where(Fund.id == fid), id="orm-entity"),
        pytest.param(
            lambda fid: update(Fund.__table__).where(Fund.__table__.c.id == fid), id="core-table"
        ),
    ],
)
def test_an_update_statement_raises_the_version_of_the_rows_it_changes(
    any_db: Database, portfolio: SmallPortfolio, statement
) -> None:
    with any_db.session(portfolio.analyst) as session:
        session.execute(statement(portfolio.fund_id).values(status="harvesting"))
    # Seeded at version 1; one change: 2. The other fund was not touched: still 1.
    assert _fund(any_db, portfolio.fund_id)[0] == 2
    assert _fund(any_db, portfolio.second_fund_id)[0] == 1
    with any_db.session(portfolio.analyst) as session:
        # Setting a column to the value it holds changes nothing: no new version.
        session.execute(statement(portfolio.fund_id).values(status="harvesting"))
    assert _fund(any_db, portfolio.fund_id)[0] == 2


def test_a_form_holding_the_old_version_gets_a_conflict_after_an_update_statement(
    any_db: Database, portfolio: SmallPortfolio
) -> None:
    loaded_version = _fund(any_db, portfolio.fund_id)[0]  # the analyst opens the form
    with any_db.session(portfolio.analyst) as session:  # a colleague's script
        session.execute(
            update(Fund).where(Fund.id == portfolio.fund_id).values(status="harvesting")
        )
    with pytest.raises(ConflictError, match="after you loaded it"):
        with any_db.session(portfolio.analyst) as session:
            update_record(
                session,
                Fund,
                portfolio.fund_id,
                expected_version=loaded_version,
                changes={"total_commitments": Decimal("600000000.00")},
            )
    assert _fund(any_db, portfolio.fund_id) == (2, Decimal("500000000.00"), "harvesting")


def test_an_object_loaded_before_an_update_statement_is_a_conflict_on_flush(
    any_db: Database, portfolio: SmallPortfolio
) -> None:
    with pytest.raises(ConflictError, match="somebody else changed this record"):
        with any_db.session(portfolio.analyst) as first:
            held = first.get(Fund, portfolio.fund_id)
            assert held is not None and held.version == 1
            with any_db.session(portfolio.analyst) as second:
                second.execute(
                    update(Fund).where(Fund.id == portfolio.fund_id).values(status="harvesting")
                )
            held.total_commitments = Decimal("600000000.00")
    assert _fund(any_db, portfolio.fund_id) == (2, Decimal("500000000.00"), "harvesting")


def test_the_same_session_keeps_working_after_its_own_update_statement(
    any_db: Database, portfolio: SmallPortfolio
) -> None:
    with any_db.session(portfolio.analyst) as session:
        held = session.get(Fund, portfolio.fund_id)
        assert held is not None
        session.execute(
            update(Fund).where(Fund.id == portfolio.fund_id).values(status="harvesting")
        )
        held.total_commitments = Decimal("600000000.00")
    # Seed 1, the statement 2, the flush of the held object 3.
    assert _fund(any_db, portfolio.fund_id) == (3, Decimal("600000000.00"), "harvesting")


def test_an_update_by_primary_key_must_carry_the_loaded_version(
    any_db: Database, portfolio: SmallPortfolio
) -> None:
    with pytest.raises(ValidationError, match=r"^version: .*missing in row 0"):
        with any_db.session(portfolio.analyst) as session:
            session.bulk_update_mappings(Fund, [{"id": portfolio.fund_id, "status": "harvesting"}])
    assert _fund(any_db, portfolio.fund_id) == (1, Decimal("500000000.00"), "investing")
    with pytest.raises(ConflictError):
        with any_db.session(portfolio.analyst) as session:
            session.execute(
                update(Fund), [{"id": portfolio.fund_id, "version": 7, "status": "harvesting"}]
            )
    assert _fund(any_db, portfolio.fund_id) == (1, Decimal("500000000.00"), "investing")


def test_a_statement_that_sets_the_version_itself_is_not_raised_twice(
    any_db: Database, portfolio: SmallPortfolio
) -> None:
    with any_db.session(portfolio.analyst) as session:
        session.execute(
            update(Fund)
            .where(Fund.id == portfolio.fund_id, Fund.version == 1)
            .values(status="harvesting", version=Fund.version + 1)
        )
    assert _fund(any_db, portfolio.fund_id)[0] == 2
