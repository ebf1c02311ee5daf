"""The flush listeners: validation, the role check and one audit row per
object inserted, updated or deleted, plus one per row the database cascades.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Mapper, Session

from portfolio_kit.audit.actor import actor_of
from portfolio_kit.audit.cascade import cascade_audit_rows, cascaded_rows
from portfolio_kit.audit.changes import (
    delete_changes,
    insert_changes,
    object_audit_row,
    update_changes,
    write_audit_rows,
)
from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.models import AuditAction, Base

_CASCADES = "_portfolio_kit_pending_cascades"


def _object_row(mapper: Mapper[Any], obj: Base) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    actor = actor_of(session)
    touched = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, Base)]
    if touched and not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot change data "
            f"(tried to change {touched[0].audit_label()})"
        )
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Base) and obj not in session.deleted:
            obj.validate_record()
    deleted: dict[Mapper[Any], list[dict[str, Any]]] = defaultdict(list)
    for obj in session.deleted:
        if isinstance(obj, Base) and inspect(obj).has_identity:
            mapper = inspect(type(obj))
            deleted[mapper].append(_object_row(mapper, obj))
    session.info[_CASCADES] = [row for mapper, rows in deleted.items() for row in cascaded_rows(session, mapper, rows)]


def _after_flush(session: Session, _context: Any) -> None:
    actor = actor_of(session)
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Base) and obj.audited:
            rows.append(object_audit_row(actor, AuditAction.INSERT, obj, insert_changes(obj)))
    for obj in session.dirty:
        if isinstance(obj, Base) and obj.audited and session.is_modified(obj, include_collections=False):
            changes = update_changes(obj)
            if changes:
                rows.append(object_audit_row(actor, AuditAction.UPDATE, obj, changes))
    deleted_keys = set()
    for obj in session.deleted:
        if isinstance(obj, Base):
            mapper = inspect(type(obj))
            deleted_keys.add((mapper.local_table.name, tuple(mapper.primary_key_from_instance(obj))))
            if obj.audited:
                rows.append(object_audit_row(actor, AuditAction.DELETE, obj, delete_changes(obj)))
    # Children the ORM deleted itself (loaded ones) were recorded above.
    cascaded = [row for row in session.info.pop(_CASCADES, []) if row.key not in deleted_keys]
    rows.extend(cascade_audit_rows(actor, cascaded))
    write_audit_rows(session, rows)

