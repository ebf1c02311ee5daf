"""The loading machinery: one query per frame, the ADBC path and its fallback, read-only use."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import adbc_driver_manager.dbapi
import pandas as pd
import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.engine import make_url

from portfolio_kit import Database, connect, frames
from portfolio_kit.frames import _loader
from portfolio_kit.models import PortfolioCompany, Valuation
from tests.frames.conftest import Seeded
from tests.frames.hand_portfolio import FUND_I_SIGNED, seed_hand_portfolio

LOADERS: dict[str, Callable[[Seeded], object]] = {
    "funds": lambda s: frames.funds(s.db),
    "fund_cash_flows": lambda s: frames.fund_cash_flows(s.db, [s.ids.fund_i], as_of="2022-12-31"),
    "fund_navs": lambda s: frames.fund_navs(s.db, s.ids.fund_i),
    "investments": lambda s: frames.investments(s.db, as_of="2022-12-31"),
    "investment_cash_flows": lambda s: frames.investment_cash_flows(
        s.db, [s.ids.fund_i, s.ids.fund_ii]
    ),
    "companies": lambda s: frames.companies(s.db, include_deleted=True),
    "valuations": lambda s: frames.valuations(s.db, fund_ids=[s.ids.fund_i], marks_only=True),
    "metrics": lambda s: frames.metrics(
        s.db, line_items=["revenue"], scenarios="actual", as_of="2022-06-30"
    ),
    "metrics_wide": lambda s: frames.metrics_wide(s.db),
    "kpis": lambda s: frames.kpis(s.db, company_ids=[s.ids.acme]),
    "index_levels": lambda s: frames.index_levels(s.db, "Test Equity TR"),
    "audit_log": lambda s: frames.audit_log(s.db, entity_type="Fund"),
    "diligence_items": lambda s: frames.diligence_items(s.db),
    "initiatives": lambda s: frames.initiatives(s.db),
    "empty": lambda s: frames.metrics(s.db, fund_ids=[]),
}


def test_file_databases_take_the_adbc_path(hand_db):
    assert frames.loader_for(hand_db.db) == "adbc"


@pytest.fixture
def adbc_queries(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every statement sent through an ADBC cursor, with its parameters, except
    the ``PRAGMA`` that sets up a new SQLite connection."""
    sent: list[tuple[str, object]] = []
    original = adbc_driver_manager.dbapi.Cursor.execute

    def recording(cursor, operation, parameters=None):
        if not operation.startswith("PRAGMA"):
            sent.append((operation, parameters))
        return original(cursor, operation, parameters)

    monkeypatch.setattr(adbc_driver_manager.dbapi.Cursor, "execute", recording)
    return sent


@pytest.mark.parametrize("name", list(LOADERS))
def test_adbc_path_runs_one_query_per_frame(hand_db, name, adbc_queries):
    LOADERS[name](hand_db)
    assert len(adbc_queries) == 1, adbc_queries


@pytest.mark.parametrize("name", list(LOADERS))
def test_fallback_runs_one_statement_and_gives_the_same_frame(hand_db, name, monkeypatch):
    fast = LOADERS[name](hand_db)
    monkeypatch.setattr(_loader, "_driver_installed", lambda _module: False)
    assert frames.loader_for(hand_db.db) == "sqlalchemy"
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(hand_db.db.engine, "before_cursor_execute", count)
    try:
        slow = LOADERS[name](hand_db)
    finally:
        event.remove(hand_db.db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    if isinstance(fast, pd.Series):
        pd.testing.assert_series_equal(slow, fast)
    else:
        pd.testing.assert_frame_equal(slow, fast)


def test_fund_pme_takes_three_queries(hand_db, adbc_queries):
    frames.fund_pme(hand_db.db, hand_db.ids.fund_ii)
    assert len(adbc_queries) == 3


def test_filter_values_are_bound_not_written_into_the_sql(hand_db, adbc_queries):
    frames.metrics(
        hand_db.db, company_ids=[hand_db.ids.acme], line_items="net_income", as_of="2022-03-31"
    )
    ((sql, parameters),) = adbc_queries
    assert "net_income" not in sql and "2022-03-31" not in sql
    assert "net_income" in [str(p) for p in parameters]


def test_read_only_database_loads_and_cannot_write(hand_db):
    reader = connect(hand_db.url, read_only=True, migrate=False)
    try:
        assert frames.loader_for(reader) == "adbc"
        assert (
            frames.fund_cash_flows(reader, hand_db.ids.fund_i)["amount"].tolist() == FUND_I_SIGNED
        )
        connection = _loader._ConnectionPool(_loader._adbc_target(reader)).open()
        try:
            with (
                connection.cursor() as cursor,
                pytest.raises(adbc_driver_manager.dbapi.Error, match=r"(?i)read.?only"),
            ):
                cursor.execute("UPDATE funds SET name = name")
        finally:
            connection.close()
    finally:
        reader.dispose()


def test_in_memory_sqlite_falls_back_to_sqlalchemy():
    database = connect("sqlite://")
    try:
        ids = seed_hand_portfolio(database)
        assert frames.loader_for(database) == "sqlalchemy"
        assert frames.fund_cash_flows(database, ids.fund_i)["amount"].tolist() == FUND_I_SIGNED
        assert ids.deleted not in set(frames.metrics(database)["company_id"])
    finally:
        database.dispose()


def test_sqlite_column_null_for_its_first_thousands_of_rows(sqlite_db: Database):
    """The ADBC SQLite driver guesses a column's type from its first batch; a
    column empty there must still load when a later row holds a value."""
    with sqlite_db.session() as session:
        company = PortfolioCompany(
            name="Late Value",
            sector="Software",
            geography="Europe",
            currency="USD",
            status="invested",
        )
        session.add(company)
        session.flush()
        rows = [
            {
                "company_id": company.id,
                "valuation_date": date(2020, 1, 1),
                "method": "dcf",
                "enterprise_value": None,
                "equity_value": Decimal(1),
                "currency": "USD",
                "is_mark": False,
                "version": 1,
            }
            for _ in range(3000)
        ]
        rows[-1]["enterprise_value"] = Decimal("1234.5")
        session.execute(insert(Valuation.__table__), rows)
    table = frames.valuations(sqlite_db)
    assert len(table) == 3000
    assert table["enterprise_value"].count() == 1
    assert table["enterprise_value"].iloc[-1] == 1234.5


def test_libpq_uri_keeps_credentials_options_and_read_only():
    url = make_url(
        "postgresql+psycopg://ann:p%40ss%2Fword@db.example.com:6543/port folio?sslmode=require"
    )
    assert (
        _loader.libpq_uri(url)
        == "postgresql://ann:p%40ss%2Fword@db.example.com:6543/port%20folio?sslmode=require"
    )
    read_only = _loader.libpq_uri(url, read_only=True)
    assert read_only == (
        "postgresql://ann:p%40ss%2Fword@db.example.com:6543/port%20folio"
        "?sslmode=require&options=-c%20default_transaction_read_only%3Don"
    )
    socket = make_url("postgresql+psycopg://pkit@/analytics?host=/var/run/postgresql")
    assert (
        _loader.libpq_uri(socket) == "postgresql://pkit@/analytics?host=%2Fvar%2Frun%2Fpostgresql"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("hand_db", ["postgres"], indirect=True)
def test_a_pooled_connection_the_server_dropped_is_replaced(hand_db):
    frames.funds(hand_db.db)
    with hand_db.db.engine.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert dropped >= 1
    assert frames.funds(hand_db.db)["name"].tolist() == ["Test Fund I", "Test Fund II"]


def test_dispose_closes_the_pooled_connections(hand_db):
    database = connect(hand_db.url, migrate=False)
    frames.funds(database)
    pool = _loader._pools[database.engine]
    assert len(pool._idle) == 1
    database.dispose()
    assert database.engine not in _loader._pools
    assert pool._idle == []


def _without_module(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``package`` unimportable for this test, as on a machine without it:
    a ``None`` entry in ``sys.modules`` makes ``import`` raise ImportError."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, package, None)
    # The import check is cached per process; a fresh cache sees the missing module.
    monkeypatch.setattr(
        _loader, "_driver_import_error", functools.cache(_loader._driver_import_error.__wrapped__)
    )


@pytest.mark.postgres
@pytest.mark.parametrize("hand_db", ["postgres"], indirect=True)
def test_postgres_with_the_adbc_driver_takes_the_fast_path_silently(
    hand_db, adbc_queries, caplog: pytest.LogCaptureFixture
):
    database = connect(hand_db.url, migrate=False)
    try:
        with caplog.at_level(logging.INFO, logger="portfolio_kit.frames"):
            assert frames.loader_for(database) == "adbc"
            amounts = frames.fund_cash_flows(database, hand_db.ids.fund_i)["amount"].tolist()
        assert amounts == FUND_I_SIGNED
        assert len(adbc_queries) == 1
        assert not caplog.records
    finally:
        database.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("hand_db", ["postgres"], indirect=True)
def test_postgres_without_the_adbc_driver_falls_back_and_says_why(
    hand_db, adbc_queries, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    fast = frames.fund_cash_flows(hand_db.db, hand_db.ids.fund_i)
    adbc_queries.clear()
    _without_module(monkeypatch, "adbc_driver_postgresql")
    with pytest.raises(ImportError):
        import adbc_driver_postgresql.dbapi  # noqa: F401
    database = connect(hand_db.url, migrate=False)
    try:
        with caplog.at_level(logging.INFO, logger="portfolio_kit.frames"):
            assert frames.loader_for(database) == "sqlalchemy"
            slow = frames.fund_cash_flows(database, hand_db.ids.fund_i)
            frames.funds(database)
        pd.testing.assert_frame_equal(slow, fast)
        assert adbc_queries == []
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        # Said once for the engine, not once per frame, naming the package and the cause.
        assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
        message = warnings[0].getMessage()
        assert "adbc-driver-postgresql cannot be imported" in message
        assert "adbc_driver_postgresql" in message  # the ImportError's own text
        assert "through SQLAlchemy" in message
        assert database.url.database in message
    finally:
        database.dispose()


def test_in_memory_sqlite_fallback_is_logged_as_expected_not_as_a_warning(
    caplog: pytest.LogCaptureFixture,
):
    database = connect("sqlite://")
    try:
        with caplog.at_level(logging.INFO, logger="portfolio_kit.frames"):
            assert frames.loader_for(database) == "sqlalchemy"
        (record,) = caplog.records
        assert record.levelno == logging.INFO
        assert "in-memory SQLite" in record.getMessage()
    finally:
        database.dispose()
