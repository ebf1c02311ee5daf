"""Every way of writing through a package session is audited and role-checked, or refused.

Regression tests for issue 13, item 8: Core statements on bare tables,
``session.connection().execute``, driver and text SQL, ``bulk_*_mappings``
and rows the database removes by ``ON DELETE CASCADE`` used to leave no audit
row, and a partner was not refused. Expected audit JSON is written by hand
beside each case, with the rules of ``portfolio_kit.audit.changes``: Decimals
as their text at the column's scale, dates in ISO 8601, enums as their value;
``created_at``, ``updated_at`` and ``version`` not recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from portfolio_kit import Database
from portfolio_kit.audit import UnauditedWriteError, caller_audited
from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.models import (
    AuditAction,
    AuditLog,
    Document,
    Fund,
    FundCashFlow,
    FundGrant,
    FundNav,
    IndexLevel,
    MarketIndex,
    User,
)
from portfolio_kit.security import grant_fund
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot


def _last_audit_id(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))


def _new_audit(database: Database, after: int) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(action, entity_type, entity_id, changes) of the audit rows written after ``after``, by id."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(AuditLog.action, AuditLog.entity_type, AuditLog.entity_id, AuditLog.changes, AuditLog.actor)
            .where(AuditLog.id > after)
            .order_by(AuditLog.id)
        ).all()
    assert all(row.actor in (ANALYST_EMAIL, "system") for row in rows)
    return [(str(row.action), row.entity_type, row.entity_id, row.changes) for row in rows]


def _seed_fund_history(database: Database, portfolio: SmallPortfolio) -> dict[str, list[int]]:
    """Summit Growth I (second fund, first close 30 Jun 2022, no investments):
    two capital calls, two NAVs, a document filed under it and a partner grant."""
    with database.session() as session:
        flows = [
            FundCashFlow(fund_id=portfolio.second_fund_id, date=date(2022, 7, 15), kind="capital_call",
                         amount=Decimal("15000000.00"), currency="USD"),
            FundCashFlow(fund_id=portfolio.second_fund_id, date=date(2023, 1, 16), kind="management_fee",
                         amount=Decimal("750000.00"), currency="USD", notes="H1 2023 fee"),
        ]
        navs = [
            FundNav(fund_id=portfolio.second_fund_id, as_of=date(2022, 12, 31), nav=Decimal("14200000.00"), currency="USD"),
            FundNav(fund_id=portfolio.second_fund_id, as_of=date(2023, 6, 30), nav=Decimal("15100000.50"), currency="USD"),
        ]
        session.add_all([*flows, *navs])
        session.get(Document, portfolio.document_id).fund_id = portfolio.second_fund_id
        partner = session.get(User, portfolio.partner_id)
        grant = grant_fund(session, partner, session.get(Fund, portfolio.second_fund_id))
        session.flush()
        return {"flows": [f.id for f in flows], "navs": [n.id for n in navs], "grant": [grant.id]}


def _expected_cascade(portfolio: SmallPortfolio, ids: dict[str, list[int]]) -> list[tuple[str, str, str, dict[str, Any]]]:
    fund = portfolio.second_fund_id
    flow_a, flow_b = ids["flows"]
    nav_a, nav_b = ids["navs"]
    (grant,) = ids["grant"]
    return sorted([
        ("delete", "FundCashFlow", str(flow_a), {
            "id": [flow_a, None], "fund_id": [fund, None], "date": ["2022-07-15", None], "kind": ["capital_call", None],
            "amount": ["15000000.00", None], "currency": ["USD", None]}),
        ("delete", "FundCashFlow", str(flow_b), {
            "id": [flow_b, None], "fund_id": [fund, None], "date": ["2023-01-16", None],
            "kind": ["management_fee", None], "amount": ["750000.00", None], "currency": ["USD", None],
            "notes": ["H1 2023 fee", None]}),
        ("delete", "FundNav", str(nav_a), {
            "id": [nav_a, None], "fund_id": [fund, None], "as_of": ["2022-12-31", None],
            "nav": ["14200000.00", None], "currency": ["USD", None]}),
        ("delete", "FundNav", str(nav_b), {
            "id": [nav_b, None], "fund_id": [fund, None], "as_of": ["2023-06-30", None],
            "nav": ["15100000.50", None], "currency": ["USD", None]}),
        ("delete", "FundGrant", str(grant), {
            "id": [grant, None], "user_id": [portfolio.partner_id, None], "fund_id": [fund, None]}),
        # documents.fund_id is ON DELETE SET NULL: the document stays, its fund is cleared.
        ("update", "Document", str(portfolio.document_id), {"fund_id": [fund, None]}),
    ])


def _fund_row_deleted(portfolio: SmallPortfolio) -> tuple[str, str, str]:
    return ("delete", "Fund", str(portfolio.second_fund_id))


def _children_left(database: Database, fund_id: int) -> int:
    with database.engine.connect() as connection:
        return sum(
            connection.scalar(select(func.count()).select_from(model).where(model.fund_id == fund_id))
            for model in (FundCashFlow, FundNav, FundGrant, Document)
        )


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(lambda: update(Fund.__table__).where(Fund.__table__.c.status == "investing"), id="core-table"),
        pytest.param(lambda: update(Fund).where(Fund.status == "investing"), id="orm-entity"),
    ],
)
def test_update_statement_writes_old_and_new_values_per_row(any_db: Database, statement: Any) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        # Both seeded funds are "investing": two rows match.
        session.execute(statement().values(status="harvesting"))
    assert _new_audit(any_db, before) == [
        ("update", "Fund", str(portfolio.fund_id), {"status": ["investing", "harvesting"]}),
        ("update", "Fund", str(portfolio.second_fund_id), {"status": ["investing", "harvesting"]}),
    ]


def test_legacy_query_update_and_delete_are_audited(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    nav_b = _seed_fund_history(any_db, portfolio)["navs"][1]
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        session.query(Fund).filter(Fund.id == portfolio.fund_id).update({"status": "harvesting"})
        session.query(FundNav).filter(FundNav.id == nav_b).delete()
    assert _new_audit(any_db, before) == [
        ("update", "Fund", str(portfolio.fund_id), {"status": ["investing", "harvesting"]}),
        ("delete", "FundNav", str(nav_b), {
            "id": [nav_b, None], "fund_id": [portfolio.second_fund_id, None], "as_of": ["2023-06-30", None],
            "nav": ["15100000.50", None], "currency": ["USD", None]}),
    ]


def test_update_by_expression_records_the_computed_new_value(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = _last_audit_id(any_db)
    table = Fund.__table__
    with any_db.session(portfolio.analyst) as session:
        session.execute(
            update(table).where(table.c.id == portfolio.fund_id).values(total_commitments=table.c.total_commitments + 1)
        )
    # 500,000,000.00 + 1 = 500,000,001.00
    assert _new_audit(any_db, before) == [
        ("update", "Fund", str(portfolio.fund_id), {"total_commitments": ["500000000.00", "500000001.00"]}),
    ]


def test_many_row_core_update_with_bound_keys_is_audited_per_row(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = _last_audit_id(any_db)
    table = Fund.__table__
    with any_db.session(portfolio.analyst) as session:
        session.execute(
            update(table).where(table.c.id == bindparam("fund")).values(hurdle_rate=bindparam("rate")),
            [{"fund": portfolio.fund_id, "rate": Decimal("0.08")}, {"fund": portfolio.second_fund_id, "rate": Decimal("0.07")}],
        )
    assert _new_audit(any_db, before) == [
        ("update", "Fund", str(portfolio.fund_id), {"hurdle_rate": [None, "0.08000000"]}),
        ("update", "Fund", str(portfolio.second_fund_id), {"hurdle_rate": [None, "0.07000000"]}),
    ]


def test_insert_statements_write_one_row_each_with_the_new_values(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = _last_audit_id(any_db)
    levels = [
        {"index_id": portfolio.market_index_id, "date": date(2023, 3, 31), "level": Decimal("8000.000000")},
        {"index_id": portfolio.market_index_id, "date": date(2023, 6, 30), "level": Decimal("8400.500000")},
    ]
    with any_db.session(portfolio.analyst) as session:
        session.execute(insert(IndexLevel), levels)
        session.execute(insert(MarketIndex.__table__), [{"name": "FTSE All-Share TR", "currency": "GBP"}])
        session.execute(insert(MarketIndex.__table__).values(id=9001, name="TOPIX TR", currency="JPY"))
    index = portfolio.market_index_id
    with any_db.engine.connect() as connection:
        ftse = connection.scalar(select(MarketIndex.id).where(MarketIndex.name == "FTSE All-Share TR"))
    # ORM bulk inserts report no generated keys; a one-row Core insert does.
    assert _new_audit(any_db, before) == [
        ("insert", "IndexLevel", None, {"index_id": [None, index], "date": [None, "2023-03-31"], "level": [None, "8000.000000"]}),
        ("insert", "IndexLevel", None, {"index_id": [None, index], "date": [None, "2023-06-30"], "level": [None, "8400.500000"]}),
        ("insert", "MarketIndex", str(ftse), {"name": [None, "FTSE All-Share TR"], "currency": [None, "GBP"]}),
        ("insert", "MarketIndex", "9001", {"id": [None, 9001], "name": [None, "TOPIX TR"], "currency": [None, "JPY"]}),
    ]


def test_delete_statement_writes_the_old_values_and_the_cascade(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    ids = _seed_fund_history(any_db, portfolio)
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        session.execute(delete(Fund.__table__).where(Fund.__table__.c.id == portfolio.second_fund_id))
    rows = _new_audit(any_db, before)
    assert rows[0] == (*_fund_row_deleted(portfolio), {
        "id": [portfolio.second_fund_id, None], "name": ["Summit Growth I", None], "vintage_year": [2022, None],
        "currency": ["USD", None], "strategy": ["growth", None], "status": ["investing", None],
        "total_commitments": ["150000000.00", None], "first_close_date": ["2022-06-30", None]})
    assert sorted(rows[1:]) == _expected_cascade(portfolio, ids)
    assert _children_left(any_db, portfolio.second_fund_id) == 0


def test_deleting_a_fund_object_audits_every_row_the_database_cascades(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    ids = _seed_fund_history(any_db, portfolio)
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        # The cash flows and NAVs are not loaded: the database removes them (passive_deletes).
        session.delete(session.get(Fund, portfolio.second_fund_id))
    rows = _new_audit(any_db, before)
    fund_rows = [row for row in rows if row[1] == "Fund"]
    assert [row[:3] for row in fund_rows] == [_fund_row_deleted(portfolio)]
    assert sorted(row for row in rows if row[1] != "Fund") == _expected_cascade(portfolio, ids)
    assert _children_left(any_db, portfolio.second_fund_id) == 0


def test_children_the_orm_deletes_itself_are_audited_once(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    ids = _seed_fund_history(any_db, portfolio)
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        fund = session.get(Fund, portfolio.second_fund_id)
        assert len(fund.cash_flows) == 2  # loaded: the ORM deletes (and audits) these two itself
        session.delete(fund)
    rows = _new_audit(any_db, before)
    entities = sorted((entity, key) for _action, entity, key, _changes in rows)
    assert entities == sorted([
        ("Fund", str(portfolio.second_fund_id)),
        *(("FundCashFlow", str(i)) for i in ids["flows"]),
        *(("FundNav", str(i)) for i in ids["navs"]),
        ("FundGrant", str(ids["grant"][0])),
        ("Document", str(portfolio.document_id)),
    ])


def test_bulk_update_and_insert_mappings_are_audited(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    ids = _seed_fund_history(any_db, portfolio)
    nav_a, nav_b = ids["navs"]
    before = _last_audit_id(any_db)
    with any_db.session(portfolio.analyst) as session:
        # A versioned model's rows carry the version they were read at (optimistic locking).
        session.bulk_update_mappings(
            FundNav,
            [{"id": nav_a, "version": 1, "nav": Decimal("14250000.00")}, {"id": nav_b, "version": 1, "nav": Decimal("15000000.00")}],
        )
        session.bulk_insert_mappings(
            IndexLevel, [{"index_id": portfolio.market_index_id, "date": date(2024, 3, 28), "level": Decimal("9100.250000")}]
        )
    assert _new_audit(any_db, before) == [
        ("update", "FundNav", str(nav_a), {"nav": ["14200000.00", "14250000.00"]}),
        ("update", "FundNav", str(nav_b), {"nav": ["15100000.50", "15000000.00"]}),
        ("insert", "IndexLevel", None, {
            "index_id": [None, portfolio.market_index_id], "date": [None, "2024-03-28"], "level": [None, "9100.250000"]}),
    ]
    with any_db.engine.connect() as connection:
        assert connection.scalar(select(FundNav.nav).where(FundNav.id == nav_a)) == Decimal("14250000.00")


def _unaudited_writes(portfolio: SmallPortfolio) -> list[tuple[str, Any]]:
    fund = portfolio.fund_id
    table = Fund.__table__
    return [
        ("connection().execute(update)", lambda s: s.connection().execute(
            update(table).where(table.c.id == fund).values(total_commitments=Decimal("1.00")))),
        ("connection().execute(delete)", lambda s: s.connection().execute(delete(FundNav.__table__))),
        ("connection().execute(insert)", lambda s: s.connection().execute(
            insert(MarketIndex.__table__).values(name="Side door", currency="USD"))),
        ("exec_driver_sql", lambda s: s.connection().exec_driver_sql(
            f"UPDATE funds SET total_commitments = 1 WHERE id = {fund}")),
        ("execute(text)", lambda s: s.execute(text("DELETE FROM fund_cash_flows"))),
        ("execute(text) with a comment", lambda s: s.execute(text("/* tidy */ update funds set status = 'liquidated'"))),
        ("bulk_save_objects", lambda s: s.bulk_save_objects([MarketIndex(name="Saved", currency="USD")])),
        ("delete the audit trail", lambda s: s.execute(delete(AuditLog))),
        ("forge an audit row", lambda s: s.execute(insert(AuditLog.__table__).values(
            actor="someone", action="insert", entity_type="Fund", summary="forged", changes={}))),
    ]


@pytest.mark.parametrize("index", range(9))
def test_unaudited_writes_are_refused_for_an_analyst(any_db: Database, index: int) -> None:
    portfolio = seed_small_portfolio(any_db)
    _seed_fund_history(any_db, portfolio)
    name, write = _unaudited_writes(portfolio)[index]
    before = table_snapshot(any_db)
    with pytest.raises(UnauditedWriteError), any_db.session(portfolio.analyst) as session:
        write(session)
    assert table_snapshot(any_db) == before, name


def _partner_writes(portfolio: SmallPortfolio) -> list[tuple[str, Any]]:
    table = Fund.__table__
    statements: list[tuple[str, Any]] = [
        ("execute(update(table))", lambda s: s.execute(update(table).values(status="liquidated"))),
        ("execute(update(Model))", lambda s: s.execute(update(Fund).values(status="liquidated"))),
        ("execute(delete(table))", lambda s: s.execute(delete(FundNav.__table__))),
        ("execute(insert(table))", lambda s: s.execute(insert(MarketIndex.__table__), [{"name": "P", "currency": "USD"}])),
        ("bulk_update_mappings", lambda s: s.bulk_update_mappings(
            Fund, [{"id": portfolio.fund_id, "version": 1, "status": "liquidated"}])),
        ("bulk_insert_mappings", lambda s: s.bulk_insert_mappings(MarketIndex, [{"name": "P", "currency": "USD"}])),
        ("caller_audited", lambda s: caller_audited(s, [FundNav.__table__]).__enter__()),
    ]
    return statements + _unaudited_writes(portfolio)


@pytest.mark.parametrize("index", range(16))
def test_every_write_path_refuses_a_partner(any_db: Database, index: int) -> None:
    portfolio = seed_small_portfolio(any_db)
    _seed_fund_history(any_db, portfolio)
    name, write = _partner_writes(portfolio)[index]
    before = table_snapshot(any_db)
    with pytest.raises(PermissionDeniedError, match=r"pat\.partner@example\.com is a partner"), any_db.session(
        portfolio.partner
    ) as session:
        write(session)
    assert table_snapshot(any_db) == before, name


def test_a_bulk_write_without_its_audit_row_is_not_kept(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(UnauditedWriteError, match="market_indices"), any_db.session(portfolio.analyst) as session:
        with caller_audited(session, [MarketIndex.__table__]):
            session.connection().execute(insert(MarketIndex.__table__).values(name="Forgotten", currency="USD"))
    assert table_snapshot(any_db) == before


def test_a_caught_refusal_still_cannot_commit(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(UnauditedWriteError, match="roll back"), any_db.session(portfolio.analyst) as session:
        try:
            with caller_audited(session, [MarketIndex.__table__]):
                session.connection().execute(insert(MarketIndex.__table__).values(name="Swallowed", currency="USD"))
        except UnauditedWriteError:
            pass
    assert table_snapshot(any_db) == before


def test_an_update_may_not_change_a_primary_key(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    table = MarketIndex.__table__
    with pytest.raises(UnauditedWriteError, match="primary key"), any_db.session(portfolio.analyst) as session:
        session.execute(update(table).where(table.c.id == portfolio.market_index_id).values(id=4242))
    assert table_snapshot(any_db) == before


def test_an_upsert_is_refused(any_db: Database) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    portfolio = seed_small_portfolio(any_db)
    dialect_insert = postgresql.insert if any_db.dialect == "postgresql" else sqlite.insert
    before = table_snapshot(any_db)
    statement = dialect_insert(MarketIndex.__table__).values(
        id=portfolio.market_index_id, name="Overwritten", currency="EUR"
    ).on_conflict_do_update(index_elements=["id"], set_={"name": "Overwritten"})
    with pytest.raises(UnauditedWriteError, match="upsert"), any_db.session(portfolio.analyst) as session:
        session.execute(statement)
    assert table_snapshot(any_db) == before


def test_a_bulk_write_reaches_only_the_tables_it_declared(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    before = table_snapshot(any_db)
    with pytest.raises(UnauditedWriteError, match="funds"), any_db.session(portfolio.analyst) as session:
        with caller_audited(session, [MarketIndex.__table__]) as batch:
            session.connection().execute(update(Fund.__table__).values(status="liquidated"))
            batch.record(session, action=AuditAction.IMPORT, entity_type="MarketIndex", summary="x", changes={})
    assert table_snapshot(any_db) == before


def test_only_an_administrator_may_empty_the_audit_trail(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    with pytest.raises(PermissionDeniedError, match="only an administrator"), any_db.session(portfolio.analyst) as session:
        caller_audited(session, [AuditLog.__table__], operations=("delete",)).__enter__()


def _session_reads(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Fund))


def test_reads_still_work_for_everyone(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    for actor in (portfolio.partner, portfolio.analyst):
        with any_db.session(actor) as session:
            assert _session_reads(session) == 2
            assert session.execute(text("SELECT count(*) FROM funds")).scalar() == 2
            assert session.connection().exec_driver_sql("SELECT count(*) FROM fund_navs").scalar() == 0
