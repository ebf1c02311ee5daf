"""Stored source documents and the figures staged from them for review."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    AMOUNT,
    JSON_DOCUMENT,
    Base,
    TimestampMixin,
    VersionedMixin,
    check_text,
    enum_column,
    utcnow,
)


class DocumentKind(enum.StrEnum):
    ANNUAL_REPORT = "annual_report"
    QUARTERLY_REPORT = "quarterly_report"
    BOARD_PACK = "board_pack"
    KPI_TEMPLATE = "kpi_template"
    MODEL = "model"
    OTHER = "other"


class DocumentStatus(enum.StrEnum):
    """uploaded -> extracted -> reviewed -> committed, or failed (with ``error``)."""

    UPLOADED = "uploaded"
    EXTRACTED = "extracted"
    REVIEWED = "reviewed"
    COMMITTED = "committed"
    FAILED = "failed"


class Document(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None]
    storage_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus, "document_status"), default=DocumentStatus.UPLOADED
    )
    error: Mapped[str | None] = mapped_column(Text)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_companies.id", ondelete="SET NULL"), index=True
    )
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="SET NULL"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[ExtractedLine]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ExtractedLine.id",
    )

    @validates("file_name")
    def _file_name(self, _key: str, value: str) -> str:
        return check_text("file_name", value)

    @validates("content_hash")
    def _hash(self, _key: str, value: str) -> str:
        if not isinstance(value, str) or len(value) != 64:
            raise ValidationError("content_hash", "must be a SHA-256 hex digest")
        return value

    def audit_label(self) -> str:
        return f"Document {self.file_name!r}"


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ExtractedLine(VersionedMixin, TimestampMixin, Base):
    """One figure read from a document, waiting for an analyst's decision.

    Extraction never writes ``FinancialMetric`` rows directly: accepted lines
    are committed by the review service, keeping document, page and label.
    """

    __tablename__ = "extracted_lines"
    __table_args__ = (CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_fraction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(String(32))
    line_item: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(500))
    period_end: Mapped[date]
    period_months: Mapped[int | None]
    """Months the printed column covers (3, 6, 9, 12; 0 for a balance-sheet instant),
    from its header; None for lines staged before extraction read it."""
    value: Mapped[Decimal] = mapped_column(AMOUNT)
    corrected_value: Mapped[Decimal | None] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    page: Mapped[int]
    bbox: Mapped[list[float] | None] = mapped_column(JSON_DOCUMENT)
    confidence: Mapped[float] = mapped_column(Float)
    review_status: Mapped[ReviewStatus] = mapped_column(
        enum_column(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    flags: Mapped[list[str] | None] = mapped_column(JSON_DOCUMENT)

    document: Mapped[Document] = relationship(back_populates="lines")

    @property
    def final_value(self) -> Decimal:
        return self.corrected_value if self.corrected_value is not None else self.value

    def audit_label(self) -> str:
        return f"ExtractedLine {self.line_item or self.label!r} {self.period_end} document #{self.document_id}"

