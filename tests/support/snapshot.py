"""A full dump of the package's tables, to prove that a refused write left no trace.

Comparing row counts alone would miss an UPDATE that slipped through; the
dump compares every column of every row, ordered by primary key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.models import Base


def table_snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every mapped table, read outside any ORM session (so the
    soft-delete filter and the audit listeners play no part)."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            snapshot[table.name] = [tuple(row) for row in connection.execute(query)]
    return snapshot


def row_counts(database: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in table_snapshot(database).items()}
