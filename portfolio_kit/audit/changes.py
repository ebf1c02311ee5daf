"""What an audit row says: field-level changes as JSON, for ORM objects and for
plain rows read with Core (statements and database cascades have no objects).

Both shapes produce the same JSON for the same values, so a record's history
reads alike however it was written: Decimals as their text, dates and
timestamps in ISO 8601, enums as their value, ``password_hash`` as ``***``;
``created_at``, ``updated_at`` and ``version`` are not recorded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import NO_VALUE

from portfolio_kit.audit.actor import Actor
from portfolio_kit.models import AuditAction, AuditLog, Base
from portfolio_kit.models.base import utcnow

IGNORED_FIELDS = frozenset({"created_at", "updated_at", "version"})
SECRET_FIELDS = frozenset({"password_hash"})
AUDIT_TABLE = AuditLog.__table__.name

Row = Mapping[str, Any]
"""A database row keyed by attribute name (what ``row_of`` returns)."""


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def shown(key: str, value: Any) -> Any:
    return "***" if key in SECRET_FIELDS and value is not None else jsonable(value)


@cache
def mapper_for_table(table_name: str) -> Mapper[Any] | None:
    """The mapped class stored in a table, for statements written against the
    bare ``Table`` (``update(Fund.__table__)``), which carry no mapper."""
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper
    return None


def is_audited_table(table_name: str) -> bool:
    mapper = mapper_for_table(table_name)
    return mapper is not None and bool(getattr(mapper.class_, "audited", False))


def attribute_keys(mapper: Mapper[Any]) -> dict[str, str]:
    """Column name -> attribute name, for the mapper's own table."""
    return {column.name: mapper.get_property_by_column(column).key for column in mapper.local_table.columns}


def row_of(mapper: Mapper[Any], record: Any) -> dict[str, Any]:
    """A Core result row (``select(table)``) keyed by attribute name."""
    names = attribute_keys(mapper)
    return {names[column]: value for column, value in record._mapping.items() if column in names}


def primary_key_of(mapper: Mapper[Any], row: Row) -> tuple[Any, ...]:
    return tuple(row.get(mapper.get_property_by_column(column).key) for column in mapper.primary_key)


def key_text(key: Sequence[Any]) -> str | None:
    if any(part is None for part in key):
        return None
    return ",".join(str(part) for part in key)


def row_label(mapper: Mapper[Any], row: Row) -> str:
    """What ``Base.audit_label`` says, for a row that is not an object."""
    name = row.get("name") or row.get("title") or row.get("email")
    kind = mapper.class_.__name__
    return f"{kind} {name!r}" if name else f"{kind} #{key_text(primary_key_of(mapper, row))}"


def row_insert_changes(row: Row) -> dict[str, list[Any]]:
    return {key: [None, shown(key, value)] for key, value in row.items() if key not in IGNORED_FIELDS and value is not None}


def row_delete_changes(row: Row) -> dict[str, list[Any]]:
    return {key: [shown(key, value), None] for key, value in row.items() if key not in IGNORED_FIELDS and value is not None}


def row_update_changes(old: Row, new: Row) -> dict[str, list[Any]]:
    changes = {}
    for key, before in old.items():
        after = new.get(key)
        if key not in IGNORED_FIELDS and before != after:
            changes[key] = [shown(key, before), shown(key, after)]
    return changes


def _column_keys(obj: Base) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in IGNORED_FIELDS]


def _loaded_values(obj: Base) -> dict[str, Any]:
    """The row's loaded, non-null column values, shown as the audit trail writes them."""
    state = inspect(obj)
    values = {}
    for key in _column_keys(obj):
        value = state.attrs[key].loaded_value
        if value is not NO_VALUE and value is not None:
            values[key] = shown(key, value)
    return values


def insert_changes(obj: Base) -> dict[str, list[Any]]:
    return {key: [None, value] for key, value in _loaded_values(obj).items()}


def update_changes(obj: Base) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for key in _column_keys(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            changes[key] = [shown(key, old), shown(key, new)]
    return changes


def delete_changes(obj: Base) -> dict[str, list[Any]]:
    return {key: [value, None] for key, value in _loaded_values(obj).items()}


def entity_id(obj: Base) -> str | None:
    """The primary key as text; available for new rows once they are flushed."""
    return key_text(inspect(type(obj)).primary_key_from_instance(obj))


def audit_row(
    actor: Actor,
    action: AuditAction,
    entity_type: str,
    entity: str | None,
    summary: str,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "actor": actor.email,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity,
        "summary": summary[:500],
        "changes": dict(changes),
    }


def object_audit_row(actor: Actor, action: AuditAction, obj: Base, changes: dict[str, Any]) -> dict[str, Any]:
    return audit_row(actor, action, type(obj).__name__, entity_id(obj), obj.audit_label(), changes)


def write_audit_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows in the session's transaction (one ``executemany``)."""
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def table_of(target: Any) -> Table | None:
    """The ``Table`` a DML statement's target stands for, or None when it is
    not a plain table (an alias, a join, a text fragment)."""
    if isinstance(target, Table):
        return target
    element = getattr(target, "_annotations", {}).get("parententity")
    if element is not None:
        return element.local_table
    underlying = getattr(target, "__clause_element__", None)
    if underlying is not None:
        clause = underlying()
        return clause if isinstance(clause, Table) else None
    return None
