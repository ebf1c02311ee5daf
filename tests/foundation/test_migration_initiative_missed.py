"""Revision 0004: an initiative may be 'missed'; the CHECK still refuses an
unknown status; downgrading refuses while a missed initiative exists and
works once none does. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portfolio_kit.migrations import current_revision, downgrade, upgrade

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
STAMPS = {"version": 1, "created_at": NOW, "updated_at": NOW}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        engine = sa.create_engine(request.getfixturevalue("postgres_server").create_database())
    upgrade(engine, "0004")
    yield engine
    engine.dispose()


def _tables(engine: sa.Engine) -> tuple[sa.Table, sa.Table]:
    meta = sa.MetaData()
    meta.reflect(engine, only=["portfolio_companies", "value_creation_initiatives"])
    return meta.tables["portfolio_companies"], meta.tables["value_creation_initiatives"]


def _add(engine: sa.Engine, status: str) -> None:
    companies, initiatives = _tables(engine)
    with engine.begin() as connection:
        company_id = connection.execute(sa.select(companies.c.id)).scalar()
        if company_id is None:
            company_id = connection.execute(
                companies.insert().returning(companies.c.id),
                {
                    "name": "Acme", "sector": "Software", "geography": "Nordics", "currency": "USD",
                    "status": "invested", "fiscal_year_end_month": 12, **STAMPS,
                },
            ).scalar_one()
        connection.execute(
            initiatives.insert(),
            {
                "company_id": company_id,
                "lever": "margin",
                "title": "Procurement",
                "currency": "USD",
                "status": status,
                "progress": 0.6,
                "start_date": date(2021, 1, 1),
                "target_date": date(2023, 1, 1),
                **STAMPS,
            },
        )


def test_missed_is_a_status_after_0004_and_unknown_ones_are_still_refused(engine) -> None:
    _add(engine, "missed")
    with pytest.raises(IntegrityError):
        _add(engine, "late")


def test_downgrade_refuses_while_an_initiative_is_missed(engine) -> None:
    _add(engine, "missed")
    with pytest.raises(RuntimeError, match="1 initiative\\(s\\) with status 'missed'"):
        downgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE value_creation_initiatives SET status = 'cancelled'"))
    downgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    # Under 0003 the status is unknown again.
    with pytest.raises(IntegrityError):
        _add(engine, "missed")
