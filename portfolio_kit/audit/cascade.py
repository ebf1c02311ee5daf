"""Rows the database changes by itself when a parent row is deleted.

``ON DELETE CASCADE`` removes a fund's cash flows and NAVs, an investment's
cash flows, a document's extracted lines...; ``ON DELETE SET NULL`` clears a
document's fund. The ORM never sees those rows (the relationships use
``passive_deletes``, so unloaded children are left to the database), so the
listeners read them here, in the same transaction, before the parent's
DELETE runs, and the audit trail gets one row per child the database will
change. The walk follows the foreign keys declared on ``Base.metadata`` (the
same ones the migrations create), so SQLite and PostgreSQL behave alike and
a new child table is covered without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, Table, select, tuple_
from sqlalchemy.orm import Mapper, Session

from portfolio_kit.audit.actor import Actor
from portfolio_kit.audit.changes import (
    Row,
    audit_row,
    key_text,
    mapper_for_table,
    primary_key_of,
    row_delete_changes,
    row_label,
    row_of,
)
from portfolio_kit.models import AuditAction, Base

_CHUNK = 500
"""Parent keys per ``IN (...)``: well below SQLite's and psycopg's parameter limits."""


@dataclass(frozen=True, slots=True)
class CascadedRow:
    """A row the database will delete (``set_null`` empty) or update (the
    columns it will set to NULL) because ``parent`` is deleted."""

    mapper: Mapper[Any]
    row: Row
    parent: str
    set_null: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, tuple[Any, ...]]:
        return self.mapper.local_table.name, primary_key_of(self.mapper, self.row)


def _referencing(table: Table) -> list[ForeignKey]:
    found = []
    for child in Base.metadata.tables.values():
        for constraint in child.foreign_key_constraints:
            if constraint.referred_table is table and len(constraint.elements) == 1:
                found.append(constraint.elements[0])
    return found


def _select_children(session: Session, fk: ForeignKey, values: Sequence[Any]) -> list[Any]:
    child = fk.parent.table
    rows: list[Any] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        rows.extend(session.connection().execute(select(child).where(fk.parent.in_(chunk))).all())
    return rows


def cascaded_rows(session: Session, mapper: Mapper[Any], parents: Iterable[Row]) -> list[CascadedRow]:
    """Every row the database will delete or null when ``parents`` (rows of
    ``mapper``'s table, keyed by attribute) are deleted, children of children
    included, each once."""
    result: list[CascadedRow] = []
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    pending: list[tuple[Mapper[Any], list[Row]]] = [(mapper, list(parents))]
    while pending:
        parent_mapper, parent_rows = pending.pop()
        if not parent_rows:
            continue
        table = parent_mapper.local_table
        for fk in _referencing(table):
            action = (fk.ondelete or "").upper()
            if action not in ("CASCADE", "SET NULL"):
                continue
            child_mapper = mapper_for_table(fk.parent.table.name)
            if child_mapper is None:
                continue
            if action == "SET NULL" and not getattr(child_mapper.class_, "audited", False):
                # e.g. audit_log.user_id: nothing to record, and nothing below it.
                continue
            referred_key = parent_mapper.get_property_by_column(fk.column).key
            labels = {row[referred_key]: row_label(parent_mapper, row) for row in parent_rows}
            fk_key = child_mapper.get_property_by_column(fk.parent).key
            children = []
            for record in _select_children(session, fk, sorted(labels, key=str)):
                child = row_of(child_mapper, record)
                cascaded = CascadedRow(
                    child_mapper,
                    child,
                    labels[child[fk_key]],
                    (fk_key,) if action == "SET NULL" else (),
                )
                if cascaded.key in seen:
                    continue
                seen.add(cascaded.key)
                result.append(cascaded)
                if action == "CASCADE":
                    children.append(child)
            pending.append((child_mapper, children))
    return result


def key_filter(mapper: Mapper[Any], keys: Sequence[tuple[Any, ...]]) -> Any:
    """A WHERE clause matching rows of ``mapper``'s table by primary key."""
    columns = list(mapper.primary_key)
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return tuple_(*columns).in_(keys)


def cascade_audit_rows(actor: Actor, rows: list[CascadedRow]) -> list[dict[str, Any]]:
    """One audit row per child the database deletes (or nulls) with its parent."""
    result = []
    for cascaded in rows:
        if not getattr(cascaded.mapper.class_, "audited", False):
            continue
        entity = cascaded.mapper.class_.__name__
        key = key_text(primary_key_of(cascaded.mapper, cascaded.row))
        label = row_label(cascaded.mapper, cascaded.row)
        if cascaded.set_null:
            changes = {
                column: [cascaded.row[column], None] for column in cascaded.set_null if cascaded.row[column] is not None
            }
            summary = f"{label}: {', '.join(cascaded.set_null)} cleared by ON DELETE SET NULL of {cascaded.parent}"
            result.append(audit_row(actor, AuditAction.UPDATE, entity, key, summary, changes))
        else:
            summary = f"{label}: removed by ON DELETE CASCADE of {cascaded.parent}"
            result.append(
                audit_row(actor, AuditAction.DELETE, entity, key, summary, row_delete_changes(cascaded.row))
            )
    return result
