"""The audit trail: one row per insert, update, delete or bulk import."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portfolio_kit.models.base import JSON_DOCUMENT, Base, enum_column, utcnow


class AuditAction(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    IMPORT = "import"
    """A bulk write (demo load, template import): one row for the whole batch."""


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )
    audited = False

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON_DOCUMENT)
    """Inserts: ``{field: [None, new]}``; updates: ``{field: [old, new]}``;
    deletes: ``{field: [old, None]}``; imports: ``{"rows": n, ...}``."""
