"""Editing a record that somebody else may be editing too.

A form loads a record, remembers its ``version``, and later saves the
analyst's changes with ``update_record``. If the stored version moved on in
between, the save raises ``ConflictError`` and writes nothing, instead of
silently overwriting the other analyst's work. The ORM's version check on
UPDATE guards the remaining window between this check and the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from portfolio_kit.audit import entity_id
from portfolio_kit.errors import ConflictError, NotFoundError, ValidationError
from portfolio_kit.models import AuditLog, Base

M = TypeVar("M", bound=Base)


def get_record(session: Session, model: type[M], record_id: int, *, include_deleted: bool = False) -> M:
    record = session.get(model, record_id, execution_options={"include_deleted": include_deleted})
    if record is None:
        raise NotFoundError(f"{model.__name__} #{record_id} does not exist (it may have been deleted)")
    return record


def editable_fields(model: type[Base]) -> list[str]:
    """Columns a form may set: everything but keys, stamps and the version."""
    skip = {"id", "created_at", "updated_at", "version", "deleted_at"}
    return [attr.key for attr in inspect(model).column_attrs if attr.key not in skip]


def apply_changes(record: Base, changes: Mapping[str, Any]) -> None:
    allowed = set(editable_fields(type(record)))
    for field, value in changes.items():
        if field not in allowed:
            raise ValidationError(field, f"is not an editable field of {type(record).__name__}")
        setattr(record, field, value)


def update_record(
    session: Session,
    model: type[M],
    record_id: int,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
) -> M:
    """Apply ``changes`` if the record is still at ``expected_version``."""
    record = get_record(session, model, record_id, include_deleted=True)
    current = getattr(record, "version", None)
    if current != expected_version:
        last = last_change(session, record)
        who = f" by {last.actor} at {last.at:%Y-%m-%d %H:%M} UTC" if last else ""
        raise ConflictError(
            f"{record.audit_label()} was changed{who} after you loaded it "
            f"(version {expected_version}, now {current}); nothing was saved: reload and apply your change again"
        )
    apply_changes(record, changes)
    session.flush()
    return record


def create_record(session: Session, model: type[M], values: Mapping[str, Any]) -> M:
    record = model()
    apply_changes(record, values)
    session.add(record)
    session.flush()
    return record


def last_change(session: Session, record: Base) -> AuditLog | None:
    """The newest audit row for this record: who changed it last, and when."""
    key = entity_id(record)
    if key is None:
        return None
    return session.scalar(
        select(AuditLog)
        .where(AuditLog.entity_type == type(record).__name__, AuditLog.entity_id == key)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(1)
    )
