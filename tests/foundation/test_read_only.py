"""A read-only Database reads, and the database itself refuses every write."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portfolio_kit import Database, connect
from portfolio_kit.models import Fund, MarketIndex
from tests.support.portfolio import seed_small_portfolio
from tests.support.snapshot import table_snapshot

# SQLite: "attempt to write a readonly database"; PostgreSQL: "cannot execute
# INSERT in a read-only transaction".
READ_ONLY_MESSAGE = r"readonly database|read-only transaction"


@pytest.fixture
def read_only(any_db: Database) -> Iterator[Database]:
    seed_small_portfolio(any_db)
    database = connect(any_db.url.render_as_string(hide_password=False), read_only=True)
    yield database
    database.dispose()


def test_reads_work(read_only: Database) -> None:
    assert read_only.read_only
    with read_only.session() as session:
        funds = session.scalars(select(Fund.name).order_by(Fund.name)).all()
    assert funds == ["Summit Growth I", "Summit Partners III"]


def test_orm_insert_is_refused_by_the_database(any_db: Database, read_only: Database) -> None:
    before = table_snapshot(any_db)
    with pytest.raises(DBAPIError, match=READ_ONLY_MESSAGE):
        with read_only.session() as session:
            session.add(MarketIndex(name="Blocked Index", currency="USD"))
    assert table_snapshot(any_db) == before


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO market_indices (name, currency, created_at, updated_at) "
        "VALUES ('Raw Index', 'USD', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "DELETE FROM users",
        "UPDATE funds SET total_commitments = 0",
    ],
    ids=["insert", "delete", "update"],
)
def test_raw_sql_writes_are_refused_by_the_database(
    any_db: Database, read_only: Database, statement: str
) -> None:
    before = table_snapshot(any_db)
    with pytest.raises(DBAPIError, match=READ_ONLY_MESSAGE), read_only.engine.begin() as connection:
        connection.execute(text(statement))
    assert table_snapshot(any_db) == before


def test_writer_changes_are_visible_to_an_open_reader(any_db: Database, read_only: Database) -> None:
    with read_only.session() as session:
        assert session.scalar(select(Fund.total_commitments).where(Fund.name == "Summit Growth I")) == Decimal(
            "150000000.00"
        )
    with any_db.session() as session:
        session.scalars(select(Fund).where(Fund.name == "Summit Growth I")).one().total_commitments = Decimal(
            "175000000.00"
        )
    with read_only.session() as session:
        assert session.scalar(select(Fund.total_commitments).where(Fund.name == "Summit Growth I")) == Decimal(
            "175000000.00"
        )
