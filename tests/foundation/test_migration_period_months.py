"""Revision 0002 on a database that already holds figures: the period length
is backfilled from what each row meant under 0001, on SQLite and PostgreSQL.

Expected lengths, by hand from the rule in portfolio_kit.period_length: a
quarterly revenue covers 3 months, a yearly one 12, an LTM one 12, a monthly
one 1; cash is a balance-sheet instant (0) whatever the period type; ARR is a
stock KPI (0), new-logo ARR a flow (3 in a quarter).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portfolio_kit.migrations import downgrade, head_revision, upgrade

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
STAMPS = {"version": 1, "created_at": NOW, "updated_at": NOW}

METRICS = [
    # (period_end, period_type, line_item, expected period_months)
    (date(2024, 6, 30), "quarter", "revenue", 3),
    (date(2024, 6, 30), "quarter", "cash_and_equivalents", 0),
    (date(2024, 12, 31), "year", "revenue", 12),
    (date(2024, 12, 31), "year", "total_assets", 0),
    (date(2024, 6, 30), "ltm", "net_income", 12),
    (date(2024, 5, 31), "month", "revenue", 1),
]
KPIS = [
    (date(2024, 6, 30), "quarter", "arr", "currency", 0),
    (date(2024, 6, 30), "quarter", "new_arr", "currency", 3),
    (date(2024, 6, 30), "quarter", "nps_score", "ratio", 3),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_at_0001(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield_engine = engine
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
        yield_engine = sa.create_engine(url)
    upgrade(yield_engine, "0001")
    yield yield_engine
    yield_engine.dispose()


def _fill_0001(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    meta.reflect(engine, only=["portfolio_companies", "financial_metrics", "company_kpis"])
    companies, metrics, kpis = (meta.tables[n] for n in ("portfolio_companies", "financial_metrics", "company_kpis"))
    with engine.begin() as connection:
        connection.execute(
            companies.insert(),
            {"id": 1, "name": "Acme", "sector": "Software", "geography": "US", "currency": "USD",
             "status": "invested", "fiscal_year_end_month": 12, **STAMPS},
        )
        connection.execute(
            metrics.insert(),
            [
                {"company_id": 1, "period_end": end, "period_type": kind, "scenario": "actual",
                 "line_item": item, "value": 100, "currency": "USD", "source": "manual", **STAMPS}
                for end, kind, item, _ in METRICS
            ],
        )
        connection.execute(
            kpis.insert(),
            [
                {"company_id": 1, "period_end": end, "period_type": kind, "scenario": "actual",
                 "kpi": kpi, "value": 5, "unit": unit, "currency": "USD" if unit == "currency" else None,
                 "source": "manual", **STAMPS}
                for end, kind, kpi, unit, _ in KPIS
            ],
        )


def test_upgrade_backfills_the_period_length_of_existing_rows(engine_at_0001: sa.Engine) -> None:
    _fill_0001(engine_at_0001)
    upgrade(engine_at_0001)
    with engine_at_0001.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        stored = {
            (end if isinstance(end, date) else date.fromisoformat(end), kind, item): months
            for end, kind, item, months in connection.execute(
                sa.text("SELECT period_end, period_type, line_item, period_months FROM financial_metrics")
            )
        }
        stored_kpis = {
            kpi: months
            for kpi, months in connection.execute(sa.text("SELECT kpi, period_months FROM company_kpis"))
        }
    assert stored == {(end, kind, item): months for end, kind, item, months in METRICS}
    assert stored_kpis == {kpi: months for _, _, kpi, _, months in KPIS}


def test_upgraded_key_holds_a_quarter_and_a_half_year_but_refuses_a_contradiction(
    engine_at_0001: sa.Engine,
) -> None:
    _fill_0001(engine_at_0001)
    upgrade(engine_at_0001)
    row = {"company_id": 1, "period_end": date(2024, 6, 30), "scenario": "actual", "line_item": "revenue",
           "value": 200, "currency": "USD", "source": "manual", **STAMPS}
    metrics = sa.Table("financial_metrics", sa.MetaData(), autoload_with=engine_at_0001)
    with engine_at_0001.begin() as connection:
        connection.execute(metrics.insert(), {**row, "period_type": "ytd", "period_months": 6})
    with pytest.raises(IntegrityError), engine_at_0001.begin() as connection:
        connection.execute(metrics.insert(), {**row, "period_type": "quarter", "period_months": 6})
    with pytest.raises(IntegrityError), engine_at_0001.begin() as connection:
        connection.execute(metrics.insert(), {**row, "period_type": "quarter", "period_months": 3})


def test_downgrade_refuses_rows_the_old_key_cannot_hold(engine_at_0001: sa.Engine) -> None:
    _fill_0001(engine_at_0001)
    upgrade(engine_at_0001)
    downgrade(engine_at_0001, "0001")  # nothing year-to-date yet: the 0001 rows go back intact
    with engine_at_0001.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM financial_metrics")).scalar() == len(METRICS)
    upgrade(engine_at_0001)
    metrics = sa.Table("financial_metrics", sa.MetaData(), autoload_with=engine_at_0001)
    with engine_at_0001.begin() as connection:
        connection.execute(
            metrics.insert(),
            {"company_id": 1, "period_end": date(2024, 6, 30), "period_type": "ytd", "period_months": 6,
             "scenario": "actual", "line_item": "revenue", "value": 200, "currency": "USD",
             "source": "manual", **STAMPS},
        )
    with pytest.raises(RuntimeError, match="year-to-date"):
        downgrade(engine_at_0001, "0001")
    with engine_at_0001.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM financial_metrics")).scalar() == len(METRICS) + 1
