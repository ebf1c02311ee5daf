"""The last line: no write reaches an audited session's connection unless an
audited path let it through.

The flush and the statement listener (``portfolio_kit.audit.statements``)
audit what they write; everything else a session's connection executes is
checked here, in ``before_cursor_execute``, just before it reaches the driver:
``session.connection().execute(update(...))``, ``exec_driver_sql``, text SQL,
legacy bulk methods that emit on the connection. A write is let through only

- while the session flushes or the statement listener runs (``write_permit``),
  both of which audit and check the role themselves;
- inside a ``caller_audited`` block that declared the table and the operation
  and that writes its own audit row when it ends (the bulk imports);
- for an actor who may write, on a table the audit trail does not cover
  (operational state such as revoked sessions).

Anything else is refused with ``UnauditedWriteError`` before the database sees
it; a partner's write is refused on every table. This sees what passes through
SQLAlchemy: the driver's own connection (``.driver_connection``) is beyond any
listener, which is why the partner dashboards also use a connection the
database itself keeps read-only.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from portfolio_kit.audit.actor import actor_of, require_writer
from portfolio_kit.audit.changes import AUDIT_TABLE, audit_row, is_audited_table, write_audit_rows
from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.models import AuditAction, Role

_PERMIT = "_portfolio_kit_write_permit"
_BATCHES = "_portfolio_kit_caller_audited"
_TAINT = "_portfolio_kit_unaudited_write"


class UnauditedWriteError(PermissionDeniedError):
    """A write that would leave no audit row; nothing was written."""


def taint(session: Session, reason: str) -> None:
    """Something was written that cannot be audited: the transaction must not
    commit, even if the caller catches the error."""
    session.info[_TAINT] = reason


@contextmanager
def write_permit(session: Session) -> Iterator[None]:
    """Let the session's own audited paths write (nested uses are counted)."""
    session.info[_PERMIT] = session.info.get(_PERMIT, 0) + 1
    try:
        yield
    finally:
        session.info[_PERMIT] -= 1


class AuditedSession(Session):
    """The package's session class: flushes run under a write permit, and the
    legacy bulk methods go through the audited 2.0 statements instead of
    emitting on the connection behind the listeners' backs."""

    def flush(self, objects: Any = None) -> None:
        with write_permit(self):
            super().flush(objects)

    def bulk_insert_mappings(self, mapper: Any, mappings: Any, *args: Any, **kwargs: Any) -> None:
        """``session.execute(insert(Model), mappings)``: audited row by row."""
        from sqlalchemy import insert

        rows = [dict(row) for row in mappings]
        if rows:
            self.execute(insert(mapper), rows)

    def bulk_update_mappings(self, mapper: Any, mappings: Any) -> None:
        """``session.execute(update(Model), mappings)`` (update by primary key): audited row by row."""
        from sqlalchemy import update

        rows = [dict(row) for row in mappings]
        if rows:
            self.execute(update(mapper), rows)

    def bulk_save_objects(self, objects: Any, *args: Any, **kwargs: Any) -> None:
        require_writer(self, "save objects in bulk")
        raise UnauditedWriteError(
            "bulk_save_objects writes objects without the session's audit trail: "
            "use session.add_all(objects), or session.execute(insert(Model), rows) for speed"
        )


@dataclass
class CallerAudited:
    """A declared bulk write: which tables, which operations, and the audit row
    that must be recorded before the transaction commits."""

    tables: frozenset[str]
    operations: frozenset[str]
    recorded: bool = False

    def record(
        self,
        session: Session,
        *,
        action: AuditAction,
        entity_type: str,
        summary: str,
        changes: Mapping[str, Any],
        entity_id: str | None = None,
    ) -> None:
        """Write the batch's audit row now, in the same transaction as its rows, and close the batch."""
        actor = actor_of(session)
        self.record_rows(session, [audit_row(actor, action, entity_type, entity_id, summary, changes)])

    def record_rows(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """``record`` for callers that build the ``AuditLog`` row themselves."""
        if not rows:
            raise ValueError("a bulk write needs at least one audit row")
        with write_permit(session):
            write_audit_rows(session, rows)
        self.recorded = True
        batches = session.info.get(_BATCHES, [])
        if self in batches:
            batches.remove(self)

    def allows(self, table: str, operation: str) -> bool:
        return operation in self.operations and table in self.tables


def begin_caller_audited(session: Session, tables: Any, operations: tuple[str, ...] = ("insert",)) -> CallerAudited:
    """Open a declared bulk write of ``tables``; see ``caller_audited``.

    Until ``record``/``record_rows`` closes it, the session may execute
    ``operations`` on ``tables`` by any means; a session that tries to commit
    with a batch still open raises ``UnauditedWriteError`` and rolls back.
    """
    names = frozenset(getattr(table, "name", table) for table in tables)
    actor = require_writer(session, f"write {', '.join(sorted(names))} in bulk")
    if AUDIT_TABLE in names and set(operations) - {"insert"} and actor.role is not Role.ADMIN:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value}: only an administrator may remove audit rows"
        )
    batch = CallerAudited(tables=names, operations=frozenset(operations))
    session.info.setdefault(_BATCHES, []).append(batch)
    return batch


@contextmanager
def caller_audited(session: Session, tables: Any, operations: tuple[str, ...] = ("insert",)) -> Iterator[CallerAudited]:
    """Write ``tables`` in bulk and audit the batch with one row.

    The block may execute ``operations`` on ``tables`` by any means (``COPY``,
    ``exec_driver_sql``, Core statements on the connection) and must call
    ``batch.record(...)`` before it ends; a block that ends without its audit
    row raises ``UnauditedWriteError``, so the caller's transaction rolls back
    and the rows are not kept. The actor's role is checked on entry.
    """
    batch = begin_caller_audited(session, tables, operations)
    try:
        yield batch
    finally:
        batches = session.info.get(_BATCHES, [])
        if batch in batches:
            batches.remove(batch)
    if not batch.recorded:
        taint(session, f"a bulk write of {', '.join(sorted(batch.tables))} was never given its audit row")
        raise UnauditedWriteError(
            f"a bulk write of {', '.join(sorted(batch.tables))} ended without its audit row; it must not be kept"
        )


def _before_commit(session: Session) -> None:
    reason = session.info.get(_TAINT)
    if reason is not None:
        raise UnauditedWriteError(f"{reason}; roll back: nothing may be committed")
    open_batches = session.info.get(_BATCHES, [])
    if open_batches:
        names = sorted({name for batch in open_batches for name in batch.tables})
        open_batches.clear()
        raise UnauditedWriteError(
            f"a bulk write of {', '.join(names)} was never given its audit row; nothing was kept"
        )


def _after_rollback(session: Session) -> None:
    session.info.pop(_BATCHES, None)
    session.info.pop(_TAINT, None)


def batch_allowing(session: Session, table: str, operation: str) -> CallerAudited | None:
    for batch in session.info.get(_BATCHES, ()):
        if batch.allows(table, operation):
            return batch
    return None


_WRITE_SQL = re.compile(
    r"""^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*
    (?:
        (?P<insert>INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\s+(?P<insert_table>[\w."]+)
      | (?P<update>UPDATE)\s+(?:OR\s+\w+\s+)?(?:ONLY\s+)?(?P<update_table>[\w."]+)
      | (?P<delete>DELETE)\s+FROM\s+(?:ONLY\s+)?(?P<delete_table>[\w."]+)
      | (?P<other>MERGE|TRUNCATE|COPY|DROP|ALTER|CREATE|UPSERT|WITH|GRANT|REVOKE|VACUUM|REINDEX|ATTACH|DETACH)\b
    )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)

_READING_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _written(statement: str, context: ExecutionContext | None) -> tuple[str, str] | None:
    """(operation, table) a statement writes, ("unknown", "?") when it writes
    something we cannot name, or None for a read."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        operation = "insert" if context.isinsert else "update" if context.isupdate else "delete"
        compiled = context.compiled
        target = getattr(getattr(compiled, "statement", None), "table", None)
        name = getattr(target, "name", None)
        return operation, name if isinstance(name, str) else "?"
    if context is not None and getattr(context, "isddl", False):
        return "schema change", "?"
    compiled = getattr(context, "compiled", None)
    if compiled is not None and not isinstance(getattr(compiled, "statement", None), TextClause):
        return None
    match = _WRITE_SQL.match(statement)
    if match is None:
        return None
    for operation in ("insert", "update", "delete"):
        if match.group(operation):
            return operation, match.group(f"{operation}_table").strip('"').split(".")[-1].strip('"').lower()
    if match.group("other").upper() == "WITH" and not _READING_WITH.search(statement):
        return None
    return match.group("other").lower(), "?"


_OWNERS: weakref.WeakKeyDictionary[Connection, weakref.ref[Session]] = weakref.WeakKeyDictionary()


def _check_cursor_write(
    connection: Connection, _cursor: Any, statement: str, _parameters: Any, context: ExecutionContext | None, _many: bool
) -> None:
    owner = _OWNERS.get(connection)
    session = owner() if owner is not None else None
    if session is None:
        return
    written = _written(statement, context)
    if written is None:
        return
    operation, table = written
    actor = actor_of(session)
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot change data (tried to {operation} {table})"
        )
    if session.info.get(_PERMIT, 0) > 0 or batch_allowing(session, table, operation) is not None:
        return
    if table != "?" and table != AUDIT_TABLE and not is_audited_table(table):
        return
    raise UnauditedWriteError(
        f"{operation} on {table} through the session's connection would leave no audit row and was refused; "
        "use session.execute(...) with an insert(), update() or delete() statement, which is audited"
    )


def _after_begin(session: Session, _transaction: Any, connection: Connection) -> None:
    _OWNERS[connection] = weakref.ref(session)
    if not event.contains(connection, "before_cursor_execute", _check_cursor_write):
        event.listen(connection, "before_cursor_execute", _check_cursor_write)


def install_guard(session_factory: Any) -> None:
    event.listen(session_factory, "after_begin", _after_begin)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_rollback", _after_rollback)
