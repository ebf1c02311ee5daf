"""The audit trail: one row per insert, update and delete of every model, and
one row per bulk import (statements through ``session.execute``, one row per
row they write, are in ``test_audit_write_paths.py``).

Each case below states the values written and, beside them, the JSON the
audit row must hold for them, worked out by hand from the rules in
``portfolio_kit.models.audit_log``: Decimals as their text, dates and
timestamps in ISO 8601, enums as their value, booleans and numbers as is,
``password_hash`` as ``***``; ``created_at``, ``updated_at`` and ``version``
are not recorded. Decimals are written at their column's scale, so the value
read back from the database before a delete prints the same.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.models import (
    AuditLog,
    Base,
    CompanyKPI,
    Document,
    DueDiligenceItem,
    ExtractedLine,
    FinancialMetric,
    Fund,
    FundCashFlow,
    FundGrant,
    FundNav,
    IndexLevel,
    Investment,
    InvestmentCashFlow,
    MarketIndex,
    PortfolioCompany,
    Role,
    User,
    Valuation,
    ValueCreationInitiative,
)
from portfolio_kit.services.bulk_import import import_metrics
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio, seed_small_portfolio

FieldSpec = dict[str, tuple[Any, Any]]
"""field -> (value written, value the audit row must show)."""


@dataclass(frozen=True)
class AuditCase:
    model: type[Base]
    fields: Callable[[SmallPortfolio], FieldSpec]
    change: Callable[[SmallPortfolio], tuple[str, Any, Any, Any]]
    """(field, new value, audit JSON of the old value, audit JSON of the new value)."""


CASES = [
    AuditCase(
        Fund,
        lambda p: {
            "name": ("Harbour Credit II", "Harbour Credit II"),
            "vintage_year": (2023, 2023),
            "currency": ("EUR", "EUR"),
            "strategy": ("credit", "credit"),
            "status": ("fundraising", "fundraising"),
            "total_commitments": (Decimal("250000000.00"), "250000000.00"),
            "first_close_date": (date(2023, 9, 29), "2023-09-29"),
            "management_fee_rate": (Decimal("0.01750000"), "0.01750000"),
        },
        lambda p: ("total_commitments", Decimal("275000000.00"), "250000000.00", "275000000.00"),
    ),
    AuditCase(
        FundCashFlow,
        lambda p: {
            "fund_id": (p.fund_id, p.fund_id),
            "date": (date(2021, 2, 1), "2021-02-01"),
            "kind": ("capital_call", "capital_call"),
            "amount": (Decimal("25000000.00"), "25000000.00"),
            "currency": ("USD", "USD"),
            "notes": ("Call 3: Acme follow-on", "Call 3: Acme follow-on"),
        },
        lambda p: ("amount", Decimal("26000000.00"), "25000000.00", "26000000.00"),
    ),
    AuditCase(
        FundNav,
        lambda p: {
            "fund_id": (p.fund_id, p.fund_id),
            "as_of": (date(2023, 12, 31), "2023-12-31"),
            "nav": (Decimal("410000000.00"), "410000000.00"),
            "currency": ("USD", "USD"),
        },
        lambda p: ("nav", Decimal("405500000.00"), "410000000.00", "405500000.00"),
    ),
    AuditCase(
        PortfolioCompany,
        lambda p: {
            "name": ("Cobalt Health", "Cobalt Health"),
            "sector": ("Healthcare", "Healthcare"),
            "geography": ("Europe", "Europe"),
            "currency": ("EUR", "EUR"),
            "status": ("diligence", "diligence"),
            "fiscal_year_end_month": (6, 6),
            "description": ("Clinic software", "Clinic software"),
        },
        lambda p: ("status", "invested", "diligence", "invested"),
    ),
    AuditCase(
        Investment,
        lambda p: {
            "fund_id": (p.fund_id, p.fund_id),
            "company_id": (p.second_company_id, p.second_company_id),
            "entry_date": (date(2022, 3, 1), "2022-03-01"),
            "equity_invested": (Decimal("40000000.00"), "40000000.00"),
            "ownership": (Decimal("0.35000000"), "0.35000000"),
            "currency": ("USD", "USD"),
        },
        lambda p: ("exit_date", date(2024, 6, 28), None, "2024-06-28"),
    ),
    AuditCase(
        InvestmentCashFlow,
        lambda p: {
            "investment_id": (p.investment_id, p.investment_id),
            "date": (date(2023, 7, 3), "2023-07-03"),
            "kind": ("dividend", "dividend"),
            "amount": (Decimal("1500000.00"), "1500000.00"),
            "currency": ("USD", "USD"),
        },
        lambda p: ("kind", "interest", "dividend", "interest"),
    ),
    AuditCase(
        FinancialMetric,
        lambda p: {
            "company_id": (p.company_id, p.company_id),
            "period_end": (date(2023, 12, 31), "2023-12-31"),
            "period_type": ("year", "year"),
            "period_months": (12, 12),
            "scenario": ("actual", "actual"),
            "line_item": ("revenue", "revenue"),
            "value": (Decimal("125000000.500000"), "125000000.500000"),
            "currency": ("USD", "USD"),
            "source": ("pdf", "pdf"),
            "document_id": (p.document_id, p.document_id),
            "page": (41, 41),
            "source_label": ("Total net revenue", "Total net revenue"),
        },
        lambda p: ("value", Decimal("125500000.000000"), "125000000.500000", "125500000.000000"),
    ),
    AuditCase(
        CompanyKPI,
        lambda p: {
            "company_id": (p.company_id, p.company_id),
            "period_end": (date(2023, 12, 31), "2023-12-31"),
            "period_type": ("quarter", "quarter"),
            "period_months": (0, 0),
            "scenario": ("budget", "budget"),
            "kpi": ("arr", "arr"),
            "value": (Decimal("98000000.000000"), "98000000.000000"),
            "unit": ("currency", "currency"),
            "currency": ("USD", "USD"),
            "source": ("excel", "excel"),
        },
        lambda p: ("scenario", "forecast", "budget", "forecast"),
    ),
    AuditCase(
        Valuation,
        lambda p: {
            "company_id": (p.company_id, p.company_id),
            "valuation_date": (date(2023, 12, 31), "2023-12-31"),
            "method": ("trading_comparables", "trading_comparables"),
            "enterprise_value": (Decimal("900000000.00"), "900000000.00"),
            "equity_value": (Decimal("700000000.00"), "700000000.00"),
            "implied_multiple": (Decimal("14.5000"), "14.5000"),
            "currency": ("USD", "USD"),
            "is_mark": (True, True),
            "assumptions": ({"peers": ["ABC", "XYZ"], "discount": 0.1}, {"peers": ["ABC", "XYZ"], "discount": 0.1}),
        },
        lambda p: ("is_mark", False, True, False),
    ),
    AuditCase(
        Document,
        lambda p: {
            "file_name": ("board_pack_q4.pdf", "board_pack_q4.pdf"),
            "content_hash": ("b" * 64, "b" * 64),
            "size_bytes": (2048, 2048),
            "pages": (12, 12),
            "storage_path": ("documents/bb/board_pack_q4.pdf", "documents/bb/board_pack_q4.pdf"),
            "kind": ("board_pack", "board_pack"),
            "status": ("uploaded", "uploaded"),
            "company_id": (p.company_id, p.company_id),
            "uploaded_at": (datetime(2024, 1, 15, 9, 30, tzinfo=UTC), "2024-01-15T09:30:00+00:00"),
        },
        lambda p: ("status", "extracted", "uploaded", "extracted"),
    ),
    AuditCase(
        ExtractedLine,
        lambda p: {
            "document_id": (p.document_id, p.document_id),
            "statement": ("income_statement", "income_statement"),
            "line_item": ("net_income", "net_income"),
            "label": ("Net income", "Net income"),
            "period_end": (date(2023, 12, 31), "2023-12-31"),
            "value": (Decimal("12500000.000000"), "12500000.000000"),
            "currency": ("USD", "USD"),
            "page": (42, 42),
            "bbox": ([72.0, 500.5, 540.0, 512.0], [72.0, 500.5, 540.0, 512.0]),
            "confidence": (0.875, 0.875),
            "review_status": ("pending", "pending"),
        },
        lambda p: ("review_status", "accepted", "pending", "accepted"),
    ),
    AuditCase(
        DueDiligenceItem,
        lambda p: {
            "company_id": (p.second_company_id, p.second_company_id),
            "category": ("legal", "legal"),
            "title": ("Change-of-control clauses", "Change-of-control clauses"),
            "status": ("open", "open"),
            "risk_level": ("high", "high"),
            "due_date": (date(2024, 2, 15), "2024-02-15"),
        },
        lambda p: ("risk_level", "medium", "high", "medium"),
    ),
    AuditCase(
        ValueCreationInitiative,
        lambda p: {
            "company_id": (p.company_id, p.company_id),
            "lever": ("margin", "margin"),
            "title": ("Procurement programme", "Procurement programme"),
            "target_impact": (Decimal("4000000.00"), "4000000.00"),
            "currency": ("USD", "USD"),
            "status": ("in_progress", "in_progress"),
            "progress": (Decimal("0.25000000"), "0.25000000"),
        },
        lambda p: ("progress", Decimal("0.50000000"), "0.25000000", "0.50000000"),
    ),
    AuditCase(
        MarketIndex,
        lambda p: {
            "name": ("S&P 500 TR", "S&P 500 TR"),
            "currency": ("USD", "USD"),
        },
        lambda p: ("description", "Total return, USD", None, "Total return, USD"),
    ),
    AuditCase(
        IndexLevel,
        lambda p: {
            "index_id": (p.market_index_id, p.market_index_id),
            "date": (date(2023, 12, 29), "2023-12-29"),
            "level": (Decimal("9876.543210"), "9876.543210"),
        },
        lambda p: ("level", Decimal("9880.000000"), "9876.543210", "9880.000000"),
    ),
    AuditCase(
        User,
        lambda p: {
            "email": ("nina.new@example.com", "nina.new@example.com"),
            "name": ("Nina New", "Nina New"),
            "password_hash": ("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", "***"),
            "role": ("analyst", "analyst"),
            "active": (True, True),
        },
        lambda p: ("active", False, True, False),
    ),
    AuditCase(
        FundGrant,
        lambda p: {
            "user_id": (p.partner_id, p.partner_id),
            "fund_id": (p.fund_id, p.fund_id),
        },
        lambda p: ("fund_id", p.second_fund_id, p.fund_id, p.second_fund_id),
    ),
]


def _audited_models() -> set[type[Base]]:
    return {mapper.class_ for mapper in Base.registry.mappers if mapper.class_.audited}


def test_every_audited_model_has_a_case() -> None:
    """A new model must join ``CASES``; otherwise its audit rows go untested."""
    assert {case.model for case in CASES} == _audited_models()


def _rows_for(database: Database, entity_type: str, entity_id: str) -> list[AuditLog]:
    with database.session() as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
                .order_by(AuditLog.id)
            )
        )


def _last_audit_id(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))


def _check_attribution(row: AuditLog, action: str, case: AuditCase, record_id: int, actor: Actor) -> None:
    assert row.action == action
    assert row.entity_type == case.model.__name__
    assert row.entity_id == str(record_id)
    assert row.actor == ANALYST_EMAIL
    assert row.user_id == actor.user_id


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.model.__name__)
def test_insert_update_delete_each_write_one_audit_row(any_db: Database, case: AuditCase) -> None:
    portfolio = seed_small_portfolio(any_db)
    actor = portfolio.analyst
    spec = case.fields(portfolio)
    changed_field, new_value, old_json, new_json = case.change(portfolio)

    with any_db.session(actor) as session:
        record = case.model(**{field: value for field, (value, _json) in spec.items()})
        session.add(record)
        session.flush()
        record_id = record.id
    rows = _rows_for(any_db, case.model.__name__, str(record_id))
    assert len(rows) == 1
    _check_attribution(rows[0], "insert", case, record_id, actor)
    expected_fields = {field: [None, shown] for field, (_value, shown) in spec.items()}
    assert rows[0].changes == {"id": [None, record_id], **expected_fields}

    with any_db.session(actor) as session:
        setattr(session.get(case.model, record_id), changed_field, new_value)
    rows = _rows_for(any_db, case.model.__name__, str(record_id))
    assert len(rows) == 2
    _check_attribution(rows[1], "update", case, record_id, actor)
    assert rows[1].changes == {changed_field: [old_json, new_json]}

    with any_db.session(actor) as session:
        session.delete(session.get(case.model, record_id))
    rows = _rows_for(any_db, case.model.__name__, str(record_id))
    assert len(rows) == 3
    _check_attribution(rows[2], "delete", case, record_id, actor)
    after_update = {**{field: shown for field, (_value, shown) in spec.items()}, changed_field: new_json}
    expected_deleted = {field: [shown, None] for field, shown in after_update.items() if shown is not None}
    assert rows[2].changes == {"id": [record_id, None], **expected_deleted}


def test_password_hash_never_reaches_the_audit_trail(sqlite_db: Database) -> None:
    real_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0c2FsdA$c2VjcmV0aGFzaA"
    replacement = "$argon2id$v=19$m=65536,t=3,p=4$bmV3c2FsdHM$bmV3aGFzaGVz"
    with sqlite_db.session() as session:
        user = User(email="sam@example.com", name="Sam", password_hash=real_hash, role="analyst", active=True)
        session.add(user)
    with sqlite_db.session() as session:
        session.get(User, user.id).password_hash = replacement
    rows = _rows_for(sqlite_db, "User", str(user.id))
    assert [row.changes["password_hash"] for row in rows] == [[None, "***"], ["***", "***"]]
    dumped = json.dumps([row.changes for row in rows])
    assert real_hash not in dumped and replacement not in dumped


def test_session_without_actor_is_recorded_as_system(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        index = MarketIndex(name="FTSE All-Share TR", currency="GBP")
        session.add(index)
    (row,) = _rows_for(sqlite_db, "MarketIndex", str(index.id))
    assert (row.actor, row.user_id, row.action) == ("system", None, "insert")


def test_actor_passed_to_session_is_recorded(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    admin = Actor(email="ada.admin@example.com", role=Role.ADMIN, user_id=portfolio.admin_id)
    with any_db.session(admin) as session:
        session.get(Fund, portfolio.fund_id).status = "harvesting"
    rows = _rows_for(any_db, "Fund", str(portfolio.fund_id))
    assert (rows[-1].actor, rows[-1].user_id, rows[-1].action) == (
        "ada.admin@example.com", portfolio.admin_id, "update",
    )
    assert rows[-1].changes == {"status": ["investing", "harvesting"]}


def test_import_metrics_writes_one_import_row_with_the_count(any_db: Database) -> None:
    portfolio = seed_small_portfolio(any_db)
    rows = [
        {
            "company_id": portfolio.company_id,
            "period_end": period_end,
            "period_type": "quarter",
            "line_item": item,
            "value": value,
            "currency": "USD",
        }
        for period_end in (date(2023, 3, 31), date(2023, 6, 30))
        for item, value in (("revenue", 30.0), ("net_income", 3.0), ("total_assets", 250.0))
    ]
    with any_db.session(portfolio.analyst) as session:
        before = _last_audit_id(session)
        count = import_metrics(session, rows, summary="Q1-Q2 2023 pack", details={"file": "pack.xlsx"})
    with any_db.session() as session:
        new_rows = list(session.scalars(select(AuditLog).where(AuditLog.id > before).order_by(AuditLog.id)))
    assert count == 6  # 2 quarters x 3 line items
    assert len(new_rows) == 1
    row = new_rows[0]
    assert (row.action, row.entity_type, row.actor, row.summary) == (
        "import", "FinancialMetric", ANALYST_EMAIL, "Q1-Q2 2023 pack",
    )
    assert row.changes == {"rows": 6, "file": "pack.xlsx"}


def test_every_database_object_installs_its_listeners(sqlite_db: Database) -> None:
    """Regression: installation was once skipped when a new session factory
    reused the address of a garbage-collected one, leaving a Database with no
    validation, permission check or audit trail. Twenty short-lived Database
    objects on one engine must each write their audit row."""
    for attempt in range(20):
        database = Database(sqlite_db.engine)
        with database.session() as session:
            session.add(MarketIndex(name=f"Index {attempt}", currency="USD"))
        del database
        # The young generation holds the factory's class cycle; a full collection costs 20x more.
        gc.collect(0)
    with sqlite_db.session() as session:
        audited = session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "MarketIndex")
        )
    assert audited == 20
