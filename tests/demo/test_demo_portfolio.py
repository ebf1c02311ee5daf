"""The demo portfolio: deterministic, internally consistent, shaped like real funds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select, text

from portfolio_kit.demo import AS_OF, DatabaseNotEmptyError, load_demo
from portfolio_kit.demo.spec import LATE_REPORTER, MISSTATED
from portfolio_kit.models import (
    AuditLog,
    CompanyKPI,
    FinancialMetric,
    Fund,
    FundGrant,
    PortfolioCompany,
    User,
)

CONTRIBUTIONS = ("capital_call", "management_fee", "expense")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    import portfolio_kit

    database = portfolio_kit.connect(f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db")
    load_demo(database)
    yield database
    database.dispose()


def _table_dump(database, table: str, skip=("created_at", "updated_at", "at", "password_hash", "last_login_at")):
    with database.engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        keep = [i for i, name in enumerate(result.keys()) if name not in skip]
        return [tuple(row[i] for i in keep) for row in result]


def test_the_demo_is_the_same_every_time(demo_db, tmp_path):
    import portfolio_kit

    again = portfolio_kit.connect(f"sqlite:///{tmp_path}/again.db")
    load_demo(again)
    for table in ("funds", "fund_cash_flows", "fund_navs", "portfolio_companies", "investments",
                  "investment_cash_flows", "financial_metrics", "company_kpis", "valuations",
                  "due_diligence_items", "value_creation_initiatives", "index_levels"):
        assert _table_dump(demo_db, table) == _table_dump(again, table), table
    again.dispose()


def test_the_demo_has_the_promised_cast(demo_db):
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Fund)) == 3
        assert session.scalar(select(func.count()).select_from(PortfolioCompany)) == 25
        vintages = sorted(session.scalars(select(Fund.vintage_year)))
        assert len(set(vintages)) == 3
        software = session.scalars(select(PortfolioCompany.id).where(PortfolioCompany.sector == "Software")).all()
        with_kpis = set(session.scalars(select(CompanyKPI.company_id).where(CompanyKPI.kpi == "arr")))
        assert set(software) == with_kpis
        roles = dict(session.execute(select(User.email, User.role)).all())
        assert {role.value for role in roles.values()} == {"admin", "analyst", "partner"}
        partner_grants = session.scalars(select(FundGrant.fund_id)).all()
        assert len(partner_grants) == 1
        assert session.scalar(select(func.max(FinancialMetric.period_end))) == AS_OF


def test_each_fund_has_a_realistic_multiple(demo_db):
    """TVPI = (distributions + latest NAV) / paid-in, summed here in SQL so the
    check does not depend on portfolio_kit.analytics."""
    with demo_db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT f.name, "
            " SUM(CASE WHEN c.kind IN ('capital_call','management_fee','expense') THEN c.amount ELSE 0 END),"
            " SUM(CASE WHEN c.kind IN ('distribution','recallable_distribution') THEN c.amount ELSE 0 END),"
            " (SELECT nav FROM fund_navs n WHERE n.fund_id = f.id ORDER BY as_of DESC LIMIT 1),"
            " f.total_commitments "
            "FROM funds f JOIN fund_cash_flows c ON c.fund_id = f.id GROUP BY f.id ORDER BY f.vintage_year"
        )).all()
    dpis = []
    for name, paid_in, distributed, nav, commitments in rows:
        tvpi = (distributed + nav) / paid_in
        assert 1.2 <= tvpi <= 2.5, (name, tvpi)
        assert paid_in <= commitments * 1.0, name
        dpis.append(distributed / paid_in)
    assert dpis[0] > 1.0 > dpis[1] > dpis[2] == 0.0  # mature, mid-life, investing


def test_statements_hold_together_except_the_deliberate_misstatement(demo_db):
    with demo_db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT c.name, m.period_end, m.line_item, m.value FROM financial_metrics m "
            "JOIN portfolio_companies c ON c.id = m.company_id WHERE m.scenario = 'actual'"
        )).all()
    books: dict[tuple[str, date], dict[str, float]] = defaultdict(dict)
    for name, period_end, item, value in rows:
        books[(name, date.fromisoformat(str(period_end)))][item] = float(value)
    unbalanced = set()
    for (name, period_end), v in books.items():
        assert v["gross_profit"] == v["revenue"] - v["cost_of_revenue"]
        assert v["operating_income"] == v["gross_profit"] - v["operating_expenses"]
        assert v["net_change_in_cash"] == v["operating_cash_flow"] + v["investing_cash_flow"] + v["financing_cash_flow"]
        assert v["total_liabilities_and_equity"] == v["total_liabilities"] + v["total_equity"]
        if v["total_assets"] != v["total_liabilities_and_equity"]:
            unbalanced.add((name, period_end))
    assert unbalanced == {(MISSTATED, AS_OF)}
    by_company = defaultdict(list)
    for name, period_end in books:
        by_company[name].append(period_end)
    for name, ends in by_company.items():
        ends.sort()
        for earlier, later in zip(ends, ends[1:], strict=False):
            cash_then = books[(name, earlier)]["cash_and_equivalents"]
            flow = books[(name, later)]["net_change_in_cash"]
            assert books[(name, later)]["cash_and_equivalents"] == cash_then + flow, (name, later)
    latest = {name: max(ends) for name, ends in by_company.items()}
    assert latest[LATE_REPORTER] < AS_OF


def test_bulk_rows_leave_one_audit_row_per_import(demo_db):
    with demo_db.session() as session:
        imports = session.scalars(
            select(AuditLog).where(AuditLog.action == "import", AuditLog.entity_type == "FinancialMetric")
        ).all()
        assert len(imports) == 1
        assert imports[0].changes["rows"] == session.scalar(select(func.count()).select_from(FinancialMetric))


def test_the_demo_refuses_a_database_with_data(demo_db):
    with pytest.raises(DatabaseNotEmptyError, match="--replace"):
        load_demo(demo_db)


def test_replace_reloads_the_same_portfolio(tmp_path):
    import portfolio_kit

    database = portfolio_kit.connect(f"sqlite:///{tmp_path}/replace.db")
    load_demo(database)
    before = _table_dump(database, "fund_navs")
    load_demo(database, replace=True)
    after = _table_dump(database, "fund_navs")
    assert [row[1:] for row in before] == [row[1:] for row in after]
    database.dispose()


def test_initiative_statuses_follow_their_dates_on_the_as_of_date(demo_db):
    # Independently of the loader: read the rows back and judge each by its dates.
    with demo_db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, progress, start_date, target_date FROM value_creation_initiatives")
        ).all()
    assert rows
    seen = set()
    for status, progress, start, target in rows:
        start, target = date.fromisoformat(str(start)), date.fromisoformat(str(target))
        progress = float(progress)
        if target <= AS_OF:
            # Finished by its date, or missed with part of the plan delivered.
            assert (status, progress) == ("completed", 1.0) or (
                status == "missed" and 0.0 < progress < 1.0
            ), (status, progress, target)
        elif start > AS_OF:
            assert (status, progress) == ("planned", 0.0), (status, progress, start)
        else:
            assert status == "in_progress" and 0.0 < progress < 1.0, (status, progress)
        seen.add(status)
    # The demo shows finished, missed and running programmes.
    assert {"completed", "missed", "in_progress"} <= seen


def test_initiative_progress_by_hand():
    from portfolio_kit.demo.load import initiative_progress

    start, target = date(2025, 1, 1), date(2027, 1, 1)  # 730 days
    assert initiative_progress(start, target, date(2024, 12, 31), 1.2) == ("planned", 0.0)
    # At the target date a pace of 1 or more delivered the plan; a pace of 0.6
    # delivered 60 % of it by then: missed, not still "in progress".
    assert initiative_progress(start, target, date(2027, 1, 1), 1.0) == ("completed", 1.0)
    assert initiative_progress(start, target, date(2031, 6, 30), 1.3) == ("completed", 1.0)
    assert initiative_progress(start, target, date(2027, 1, 1), 0.6) == ("missed", 0.6)
    assert initiative_progress(start, target, date(2030, 1, 1), 0.99) == ("missed", 0.95)
    # 2025-12-31 is 364 of 730 days in: 0.4986; at pace 1.2 that is 0.598 -> 0.6.
    assert initiative_progress(start, target, date(2025, 12, 31), 1.2) == ("in_progress", 0.6)
    # Far ahead of plan still reads as running, not finished.
    assert initiative_progress(start, target, date(2026, 12, 1), 1.5) == ("in_progress", 0.95)
