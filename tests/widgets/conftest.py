"""Fixtures for the form tests: a seeded database and the people acting on it.

Forms are driven as a browser would drive them: set an input's ``.value``,
call a button's ``.click()``, then read what landed in the database and in
the audit trail. No front end is needed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from portfolio_kit import Database, connect
from portfolio_kit.audit import Actor
from portfolio_kit.models import AuditLog, Role
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ADMIN_EMAIL, SmallPortfolio, seed_small_portfolio


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SmallPortfolio]:
    """A migrated SQLite file holding the small portfolio, built once per session.

    Migrating and seeding a new file costs about 0.7 s; copying this one
    costs a few milliseconds, and every test still gets its own database.
    """
    path = tmp_path_factory.mktemp("widgets_template") / "seeded.db"
    template = connect(f"sqlite:///{path}")
    try:
        portfolio = seed_small_portfolio(template)
    finally:
        template.dispose()
    return path, portfolio


@pytest.fixture
def db(tmp_path: Path, _seeded_template: tuple[Path, SmallPortfolio]) -> Iterator[Database]:
    """A private copy of the seeded database."""
    template, _portfolio = _seeded_template
    copy = tmp_path / "widgets.db"
    shutil.copyfile(template, copy)
    database = connect(f"sqlite:///{copy}", migrate=False)
    yield database
    database.dispose()


@pytest.fixture
def portfolio(db: Database, _seeded_template: tuple[Path, SmallPortfolio]) -> SmallPortfolio:
    """Primary keys of the seeded rows in ``db``."""
    return _seeded_template[1]


@pytest.fixture
def portfolio_on_any_db(any_db: Database) -> SmallPortfolio:
    """The seeded portfolio on SQLite and on PostgreSQL (for database refusals)."""
    return seed_small_portfolio(any_db)


@pytest.fixture
def analyst(portfolio: SmallPortfolio) -> ActingUser:
    return ActingUser(portfolio.analyst)


@pytest.fixture
def partner(portfolio: SmallPortfolio) -> ActingUser:
    return ActingUser(portfolio.partner)


@pytest.fixture
def admin(portfolio: SmallPortfolio) -> ActingUser:
    return ActingUser(Actor(email=ADMIN_EMAIL, role=Role.ADMIN, user_id=portfolio.admin_id))


class AuditTrail:
    """The audit rows written after a starting point."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.session() as session:
            self.start = session.scalar(select(func.coalesce(func.max(AuditLog.id), 0)))

    def rows(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(
                select(AuditLog).where(AuditLog.id > self.start).order_by(AuditLog.id)
            )
            return [
                {
                    "actor": row.actor,
                    "user_id": row.user_id,
                    "action": row.action.value,
                    "entity_type": row.entity_type,
                    "entity_id": row.entity_id,
                    "changes": row.changes,
                }
                for row in rows
            ]


@pytest.fixture
def audit_trail(db: Database, portfolio: SmallPortfolio) -> Iterator[AuditTrail]:
    """Audit rows written by the test itself (after seeding)."""
    yield AuditTrail(db)
