"""The shipped migrations produce exactly the models' schema, both ways, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from portfolio_kit import Database
from portfolio_kit.migrations import current_revision, downgrade, head_revision, upgrade
from portfolio_kit.models import Base


def _schema_differences(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrated_schema_equals_the_models(any_db: Database) -> None:
    assert _schema_differences(any_db) == []


def test_downgrade_to_base_and_upgrade_again(any_db: Database) -> None:
    downgrade(any_db.engine, "base")
    assert current_revision(any_db.engine) is None
    assert set(inspect(any_db.engine).get_table_names()) <= {"alembic_version"}

    upgrade(any_db.engine)
    assert current_revision(any_db.engine) == head_revision()
    assert _schema_differences(any_db) == []
