"""The audit trail as a DataFrame, for the audit browser."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Text, cast

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.frames._fields import select_fields
from portfolio_kit.frames._filters import as_bound
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column, enum_values
from portfolio_kit.models import AuditAction, AuditLog


def audit_log(
    db: Database,
    entity_type: str | None = None,
    entity_id: int | str | None = None,
    actor: str | None = None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    *,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first.

    Columns: ``audit_id``, ``at`` (datetime64[ns, UTC]), ``user_id``
    (Int64, <NA> for system actions), ``actor`` (e-mail or ``system:...``),
    ``action`` (category of ``AuditAction``), ``entity_type`` (category, the
    model's class name such as 'FundCashFlow'), ``entity_id`` (str, empty for
    bulk imports), ``summary``, ``changes`` (dict per row: ``{field: [old,
    new]}``, or ``{"rows": n, ...}`` for an import).

    Parameters
    ----------
    entity_type, entity_id, actor : optional
        Exact matches; ``entity_id`` may be given as an int.
    since, until : date, timezone-aware datetime or ISO string, optional
        Inclusive bounds. A date means the whole day in UTC: ``until=date(2025,
        12, 31)`` keeps everything up to midnight at the end of that day.
    limit : int, optional
        At most this many rows (the newest).

    Raises
    ------
    ValidationError
        For a naive datetime, a bound of another type, or a ``limit`` that
        is not a positive integer.
    """
    start = as_bound("since", since)
    end = as_bound("until", until)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError("limit", f"must be a positive integer (got {limit!r})")
    statement, columns = select_fields(
        [
            (Column("audit_id", "int"), AuditLog.id),
            (Column("at", "timestamp"), AuditLog.at),
            (Column("user_id", "nullint"), AuditLog.user_id),
            (Column("actor", "str"), AuditLog.actor),
            (Column("action", "category", enum_values(AuditAction)), AuditLog.action),
            (Column("entity_type", "category"), AuditLog.entity_type),
            (Column("entity_id", "str"), AuditLog.entity_id),
            (Column("summary", "str"), AuditLog.summary),
            (Column("changes", "json"), cast(AuditLog.changes, Text)),
        ]
    )
    if entity_type is not None:
        statement = statement.where(AuditLog.entity_type == str(entity_type))
    if entity_id is not None:
        statement = statement.where(AuditLog.entity_id == str(entity_id))
    if actor is not None:
        statement = statement.where(AuditLog.actor == str(actor))
    if start is not None:
        statement = statement.where(AuditLog.at >= start[0])
    if end is not None:
        instant, whole_day = end
        statement = statement.where(
            AuditLog.at < instant + timedelta(days=1) if whole_day else AuditLog.at <= instant
        )
    statement = statement.order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if limit is not None:
        statement = statement.limit(limit)
    return load_frame(db, statement, columns)
