"""Optimistic locking: the second of two concurrent edits is refused, never merged silently."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.errors import ConflictError
from portfolio_kit.models import Fund, Role
from portfolio_kit.services.records import update_record
from tests.support.portfolio import seed_small_portfolio
from tests.support.snapshot import table_snapshot

BEN = Actor(email="ben.analyst@example.com", role=Role.ANALYST)


def _stored(database: Database, fund_id: int) -> tuple[Decimal, int]:
    with database.engine.connect() as connection:
        row = connection.execute(
            select(Fund.total_commitments, Fund.version).where(Fund.id == fund_id)
        ).one()
    return row.total_commitments, row.version


def test_update_record_with_a_stale_version_raises_and_keeps_the_first_save(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    # Both analysts open the form on the seeded fund: version 1, USD 500m.
    loaded_version = 1

    with any_db.session(portfolio.analyst) as session:
        update_record(
            session, Fund, portfolio.fund_id,
            expected_version=loaded_version, changes={"total_commitments": Decimal("520000000.00")},
        )
    assert _stored(any_db, portfolio.fund_id) == (Decimal("520000000.00"), 2)
    before = table_snapshot(any_db)

    with pytest.raises(ConflictError, match=r"ann\.analyst@example\.com") as raised:
        with any_db.session(BEN) as session:
            update_record(
                session, Fund, portfolio.fund_id,
                expected_version=loaded_version, changes={"total_commitments": Decimal("480000000.00")},
            )
    assert "version 1, now 2" in str(raised.value)
    assert table_snapshot(any_db) == before


def test_two_open_sessions_the_second_save_conflicts(any_db: Database) -> None:
    """No service in between: the ORM's ``WHERE version = 1`` on UPDATE finds
    no row once the first session has committed version 2."""
    portfolio = seed_small_portfolio(any_db)
    with pytest.raises(ConflictError):
        with any_db.session(BEN) as second:
            theirs = second.get(Fund, portfolio.fund_id)
            assert theirs.version == 1
            with any_db.session(portfolio.analyst) as first:
                mine = first.get(Fund, portfolio.fund_id)
                mine.total_commitments = Decimal("520000000.00")
            theirs.total_commitments = Decimal("480000000.00")
    assert _stored(any_db, portfolio.fund_id) == (Decimal("520000000.00"), 2)


def test_sequential_edits_with_fresh_versions_both_apply(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    for expected_version, amount in ((1, "510000000.00"), (2, "515000000.00")):
        with any_db.session(portfolio.analyst) as session:
            update_record(
                session, Fund, portfolio.fund_id,
                expected_version=expected_version, changes={"total_commitments": Decimal(amount)},
            )
    assert _stored(any_db, portfolio.fund_id) == (Decimal("515000000.00"), 3)
