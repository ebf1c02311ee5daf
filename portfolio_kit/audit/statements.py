"""Insert, update and delete statements executed through a session.

``session.execute(update(Fund).where(...))``, the same on the bare table
(``update(Fund.__table__)``), ORM bulk statements with a list of rows, and the
legacy ``bulk_*_mappings`` the session routes here all pass this
``do_orm_execute`` listener, which

1. refuses the statement unless the actor may write;
2. reads the rows it will touch (by its WHERE clause, or by the primary keys
   of an update-by-primary-key list) and, for a delete, the rows the database
   will cascade, in the same transaction, before it runs;
3. runs it, reads the updated rows back, and writes one audit row per row
   changed, with old and new values as a flush would.

A statement whose rows cannot be known before it runs (``INSERT ... SELECT``,
a multi-row ``VALUES`` clause, an upsert, an update of a primary key, a
target that is not a table) is refused on audited tables. Bulk imports that must not pay for a row each use
``caller_audited`` instead and write one audit row per import.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Mapper, ORMExecuteState, with_loader_criteria
from sqlalchemy.orm.util import identity_key

from portfolio_kit.audit.actor import Actor, require_writer
from portfolio_kit.audit.cascade import cascade_audit_rows, cascaded_rows, key_filter
from portfolio_kit.audit.changes import (
    AUDIT_TABLE,
    attribute_keys,
    audit_row,
    key_text,
    mapper_for_table,
    primary_key_of,
    row_delete_changes,
    row_insert_changes,
    row_label,
    row_of,
    row_update_changes,
    table_of,
    write_audit_rows,
)
from portfolio_kit.audit.guard import UnauditedWriteError, batch_allowing, taint, write_permit
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import AuditAction, PortfolioCompany

_CHUNK = 500


def _operation(state: ORMExecuteState) -> str | None:
    if state.is_insert:
        return "insert"
    if state.is_update:
        return "update"
    if state.is_delete:
        return "delete"
    return None


def do_orm_execute(state: ORMExecuteState) -> Any:
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
    operation = _operation(state)
    if operation is None:
        return None
    session = state.session
    table = table_of(state.statement.table)
    if table is None:
        require_writer(session, f"{operation} rows")
        raise UnauditedWriteError(
            f"cannot tell which table this {operation} statement writes, so it cannot be audited; "
            "write it against a model or its table"
        )
    actor = require_writer(session, f"{operation} {table.name} rows")
    if batch_allowing(session, table.name, operation) is not None:
        return None
    mapper = mapper_for_table(table.name)
    if mapper is None or not getattr(mapper.class_, "audited", False):
        if table.name == AUDIT_TABLE:
            raise UnauditedWriteError("the audit trail is written by the package's listeners only")
        with write_permit(session):
            return state.invoke_statement()
    if operation == "insert":
        return _insert(state, actor, mapper, table)
    return _update_or_delete(state, actor, mapper, table, operation)


def _parameter_sets(state: ORMExecuteState) -> list[dict[str, Any]]:
    parameters = state.parameters
    if isinstance(parameters, list | tuple):
        return [dict(p) for p in parameters]
    return [dict(parameters)] if parameters else []


def _named(mapper: Mapper[Any], row: dict[Any, Any]) -> dict[str, Any]:
    """Parameters keyed by attribute name, whether given by attribute, column name or Column."""
    names = attribute_keys(mapper)
    result = {}
    for key, value in row.items():
        name = getattr(key, "key", key)
        result[names.get(name, name)] = value
    return result


def _insert(state: ORMExecuteState, actor: Actor, mapper: Mapper[Any], table: Table) -> Any:
    statement = state.statement
    if getattr(statement, "select", None) is not None or getattr(statement, "_multi_values", ()):
        raise UnauditedWriteError(
            f"an INSERT ... SELECT or multi-row VALUES into {table.name} cannot be audited row by row; "
            "pass the rows as parameters: session.execute(insert(Model), rows)"
        )
    if getattr(statement, "_post_values_clause", None) is not None:
        raise UnauditedWriteError(
            f"an upsert (ON CONFLICT ...) into {table.name} would overwrite rows without their old values; "
            "read the rows, then insert or update them"
        )
    rows = _parameter_sets(state)
    if getattr(statement, "_values", None):
        literal = {key: value for key, value in statement.compile().params.items() if key in table.c}
        rows = [{**literal, **row} for row in rows] or [literal]
    with write_permit(state.session):
        result = state.invoke_statement()
    entity = mapper.class_.__name__
    generated = _generated_keys(result, len(rows))
    audit = []
    for number, raw in enumerate(rows, start=1):
        row = _named(mapper, raw)
        key = primary_key_of(mapper, row)
        if any(part is None for part in key) and generated is not None:
            key = generated[number - 1]
        summary = f"{row_label(mapper, row)} (row {number} of {len(rows)} of one insert statement)"
        audit.append(audit_row(actor, AuditAction.INSERT, entity, key_text(key), summary, row_insert_changes(row)))
    with write_permit(state.session):
        write_audit_rows(state.session, audit)
    return result


def _generated_keys(result: Any, count: int) -> list[tuple[Any, ...]] | None:
    """Keys the database generated, where the driver reports them (Core
    inserts of one row; not ORM bulk inserts, which return no cursor)."""
    try:
        keys = [tuple(key) for key in result.inserted_primary_key_rows]
    except (AttributeError, InvalidRequestError):
        return None
    return keys if len(keys) == count else None


def _set_columns(state: ORMExecuteState, table: Table) -> set[str]:
    """Columns an UPDATE sets, from ``.values()`` and, for Core statements, from its parameters."""
    statement = state.statement
    keys = set(getattr(statement, "_values", None) or ()) | {key for key, _ in getattr(statement, "_ordered_values", None) or ()}
    names = {getattr(key, "key", getattr(key, "name", key)) for key in keys}
    if not state.is_orm_statement:
        for parameters in _parameter_sets(state):
            names.update(str(getattr(key, "key", key)) for key in parameters if key in table.c)
    return names


def _select_rows(state: ORMExecuteState, mapper: Mapper[Any], table: Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The rows the statement will touch, by primary key, read before it runs."""
    connection = state.session.connection()
    statement = state.statement
    parameter_sets = _parameter_sets(state)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    if statement.whereclause is None and isinstance(state.parameters, list | tuple):
        if not state.is_orm_statement:
            raise UnauditedWriteError(
                f"a many-row statement on {table.name} without a WHERE clause cannot be audited; "
                "use session.execute(update(Model), rows) with each row's primary key"
            )
        keys = [primary_key_of(mapper, _named(mapper, row)) for row in parameter_sets]
        return _rows_by_key(state, mapper, table, keys)
    query = select(table)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    for parameters in parameter_sets or [{}]:
        for record in connection.execute(query, parameters or None):
            row = row_of(mapper, record)
            found[primary_key_of(mapper, row)] = row
    return found


def _rows_by_key(
    state: ORMExecuteState, mapper: Mapper[Any], table: Table, keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    connection = state.session.connection()
    found = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        for record in connection.execute(select(table).where(key_filter(mapper, chunk))):
            row = row_of(mapper, record)
            found[primary_key_of(mapper, row)] = row
    return found


def _update_or_delete(state: ORMExecuteState, actor: Actor, mapper: Mapper[Any], table: Table, operation: str) -> Any:
    session = state.session
    if operation == "update":
        keys_set = _set_columns(state, table) & {column.name for column in table.primary_key}
        if keys_set and not (state.is_orm_statement and state.statement.whereclause is None):
            raise UnauditedWriteError(
                f"an update statement may not change the primary key of {table.name} ({', '.join(sorted(keys_set))}); "
                "delete the row and insert a new one"
            )
    bump_versions = operation == "update" and _needs_version_bump(state, mapper, table)
    before = _select_rows(state, mapper, table)
    cascaded = cascaded_rows(session, mapper, before.values()) if operation == "delete" else []
    with write_permit(session):
        result = state.invoke_statement()
    entity = mapper.class_.__name__
    audit = []
    if operation == "delete":
        for key, row in before.items():
            summary = f"{row_label(mapper, row)} (deleted by a delete statement)"
            audit.append(audit_row(actor, AuditAction.DELETE, entity, key_text(key), summary, row_delete_changes(row)))
        audit.extend(cascade_audit_rows(actor, cascaded))
    else:
        changed: list[tuple[Any, ...]] = []
        after = _rows_by_key(state, mapper, table, list(before))
        for key, old in before.items():
            new = after.get(key)
            if new is None:
                taint(session, f"an update statement removed {row_label(mapper, old)} from view; it cannot be audited")
                raise UnauditedWriteError(f"an update statement changed the key of {row_label(mapper, old)}; nothing is kept")
            changes = row_update_changes(old, new)
            if changes:
                summary = f"{row_label(mapper, new)} (changed by an update statement)"
                audit.append(audit_row(actor, AuditAction.UPDATE, entity, key_text(key), summary, changes))
                changed.append(key)
        if bump_versions:
            _bump_versions(session, mapper, table, changed)
    with write_permit(session):
        write_audit_rows(session, audit)
    return result


def _needs_version_bump(state: ORMExecuteState, mapper: Mapper[Any], table: Table) -> bool:
    """Whether an UPDATE of a versioned table must have its rows' versions raised here.

    A flush raises ``version`` itself; an UPDATE statement does not, so a form
    holding the row's old version would save over the statement's change
    without a conflict. Statements that set ``version`` themselves are left
    alone (they are doing their own optimistic check). An update by primary
    key (a list of rows, no WHERE clause) must carry each row's loaded
    version: SQLAlchemy then checks and raises it, and a stale one is a
    ``ConflictError``; without it SQLAlchemy fails with a bare ``KeyError``.

    Raises
    ------
    ValidationError
        For an update by primary key of a versioned table whose rows lack ``version``.
    """
    version = mapper.version_id_col
    if version is None or version.table.name != table.name:
        return False
    listed_rows = isinstance(state.parameters, list | tuple)
    by_primary_key = state.statement.whereclause is None and listed_rows
    if state.is_orm_statement and by_primary_key:
        key = mapper.get_property_by_column(version).key
        rows = _parameter_sets(state)
        missing = [n for n, row in enumerate(rows) if key not in _named(mapper, row)]
        if missing:
            raise ValidationError(
                key,
                f"an update of {mapper.class_.__name__} rows by primary key must give each row the "
                f"{key} it was loaded with (missing in row {missing[0]}), so that a change made by "
                "somebody else in between is a conflict, not silently overwritten",
            )
        return False
    return version.name not in _set_columns(state, table)


def _bump_versions(
    session: Any, mapper: Mapper[Any], table: Table, keys: list[tuple[Any, ...]]
) -> None:
    """Raise ``version`` by one on the rows an UPDATE statement changed, and make the
    session reload it on objects it holds (their loaded version is now stale)."""
    version = mapper.version_id_col
    connection = session.connection()
    with write_permit(session):
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            bumped = table.c[version.name] + 1
            raised = update(table).where(key_filter(mapper, chunk)).values({version.name: bumped})
            connection.execute(raised)
    key_attribute = mapper.get_property_by_column(version).key
    for key in keys:
        held = session.identity_map.get(identity_key(mapper.class_, key))
        if held is not None:
            session.expire(held, [key_attribute])
