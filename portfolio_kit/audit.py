"""Session listeners: validation, permissions, soft delete and the audit trail.

Installed on the session factory by ``portfolio_kit.db``. Every insert, update
and delete flushed through a package session writes an ``AuditLog`` row with
field-level changes, attributed to the session's actor; ORM bulk statements
(``session.execute(insert(Model), rows)``) write one row per statement, so a
bulk import is still on the record. Raw SQL text bypasses the ORM and is not
audited: the package never writes tracked tables that way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.attributes import NO_VALUE

from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.models import AuditAction, AuditLog, Base, PortfolioCompany, Role
from portfolio_kit.models.base import utcnow

IGNORED_FIELDS = frozenset({"created_at", "updated_at", "version"})
SECRET_FIELDS = frozenset({"password_hash"})
SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting in a session: what the audit trail records and the
    permission check reads. ``user_id`` is None for system jobs (migrations,
    the demo loader)."""

    email: str
    role: Role
    user_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


SYSTEM = Actor(email=SYSTEM_ACTOR, role=Role.ADMIN)


def actor_of(session: Session) -> Actor:
    return session.info.get("actor", SYSTEM)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _column_keys(obj: Base) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in IGNORED_FIELDS]


def _shown(key: str, value: Any) -> Any:
    return "***" if key in SECRET_FIELDS and value is not None else _jsonable(value)


def _insert_changes(obj: Base) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for key in _column_keys(obj):
        value = state.attrs[key].loaded_value
        if value is not NO_VALUE and value is not None:
            changes[key] = [None, _shown(key, value)]
    return changes


def _update_changes(obj: Base) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for key in _column_keys(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            changes[key] = [_shown(key, old), _shown(key, new)]
    return changes


def _delete_changes(obj: Base) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for key in _column_keys(obj):
        value = state.attrs[key].loaded_value
        if value is not NO_VALUE and value is not None:
            changes[key] = [_shown(key, value), None]
    return changes


def entity_id(obj: Base) -> str | None:
    """The primary key as text; available for new rows once they are flushed."""
    key = inspect(type(obj)).primary_key_from_instance(obj)
    if any(part is None for part in key):
        return None
    return ",".join(str(part) for part in key)


def _audit_row(actor: Actor, action: AuditAction, obj: Base, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "actor": actor.email,
        "action": action,
        "entity_type": type(obj).__name__,
        "entity_id": entity_id(obj),
        "summary": obj.audit_label()[:500],
        "changes": changes,
    }


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


def _after_flush(session: Session, _context: Any) -> None:
    actor = actor_of(session)
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Base) and obj.audited:
            rows.append(_audit_row(actor, AuditAction.INSERT, obj, _insert_changes(obj)))
    for obj in session.dirty:
        if isinstance(obj, Base) and obj.audited and session.is_modified(obj, include_collections=False):
            changes = _update_changes(obj)
            if changes:
                rows.append(_audit_row(actor, AuditAction.UPDATE, obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Base) and obj.audited:
            rows.append(_audit_row(actor, AuditAction.DELETE, obj, _delete_changes(obj)))
    if rows:
        session.connection().execute(insert(AuditLog.__table__), rows)


def _bulk_action(state: ORMExecuteState) -> AuditAction | None:
    if state.is_insert:
        return AuditAction.IMPORT
    if state.is_update:
        return AuditAction.UPDATE
    if state.is_delete:
        return AuditAction.DELETE
    return None


def _do_orm_execute(state: ORMExecuteState) -> Any:
    if state.is_select:
        if (
            not state.is_column_load
            and not state.is_relationship_load
            and not state.execution_options.get("include_deleted", False)
        ):
            state.statement = state.statement.options(
                with_loader_criteria(
                    PortfolioCompany, lambda cls: cls.deleted_at.is_(None), include_aliases=True
                )
            )
        return None

    action = _bulk_action(state)
    mapper = state.bind_mapper
    if action is None or mapper is None or not getattr(mapper.class_, "audited", False):
        return None
    actor = actor_of(state.session)
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot change {mapper.class_.__name__} rows"
        )
    result = state.invoke_statement()
    params = state.parameters
    count = len(params) if isinstance(params, list) else result.rowcount
    entity = mapper.class_.__name__
    description = state.execution_options.get("audit_summary") or f"bulk {action.value} of {entity} rows"
    state.session.connection().execute(
        insert(AuditLog.__table__),
        [
            {
                "at": utcnow(),
                "user_id": actor.user_id,
                "actor": actor.email,
                "action": action,
                "entity_type": entity,
                "entity_id": None,
                "summary": str(description)[:500],
                "changes": {"rows": count, **_jsonable(state.execution_options.get("audit_details", {}))},
            }
        ],
    )
    return result


def install(session_factory: Any) -> None:
    """Attach the listeners to a ``sessionmaker`` (idempotent per factory).

    The mark lives on the factory itself: ``event.contains`` keys its registry
    by ``id()``, so a new factory that reuses a collected one's address looked
    "already installed" and got no validation, permission check or audit.
    """
    if getattr(session_factory, _INSTALLED, False):
        return
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _do_orm_execute)
    setattr(session_factory, _INSTALLED, True)


_INSTALLED = "_portfolio_kit_listeners_installed"
