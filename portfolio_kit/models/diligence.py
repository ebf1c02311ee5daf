"""Due-diligence checklists and value-creation plans for portfolio companies."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    MONEY,
    RATIO,
    Base,
    TimestampMixin,
    VersionedMixin,
    check_currency,
    check_text,
    enum_column,
)
from portfolio_kit.models.company import PortfolioCompany


class DiligenceCategory(enum.StrEnum):
    COMMERCIAL = "commercial"
    FINANCIAL = "financial"
    LEGAL = "legal"
    TAX = "tax"
    OPERATIONAL = "operational"
    TECHNOLOGY = "technology"
    HR = "hr"
    ESG = "esg"


class DiligenceStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WAIVED = "waived"


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DueDiligenceItem(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "due_diligence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_companies.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[DiligenceCategory] = mapped_column(enum_column(DiligenceCategory, "diligence_category"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[DiligenceStatus] = mapped_column(
        enum_column(DiligenceStatus, "diligence_status"), default=DiligenceStatus.OPEN
    )
    risk_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel, "risk_level"), default=RiskLevel.MEDIUM)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)

    company: Mapped[PortfolioCompany] = relationship()

    @validates("title")
    def _title(self, _key: str, value: str) -> str:
        return check_text("title", value, max_length=300)


class Lever(enum.StrEnum):
    REVENUE_GROWTH = "revenue_growth"
    MARGIN = "margin"
    MULTIPLE = "multiple"
    CASH_DELEVERAGING = "cash_deleveraging"


class InitiativeStatus(enum.StrEnum):
    """Where an initiative stands; ``missed``: its target date passed with the plan undelivered."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"


class ValueCreationInitiative(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "value_creation_initiatives"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_fraction"),
        CheckConstraint("target_date IS NULL OR start_date IS NULL OR target_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_companies.id", ondelete="CASCADE"), index=True
    )
    lever: Mapped[Lever] = mapped_column(enum_column(Lever, "value_lever"))
    title: Mapped[str] = mapped_column(String(300))
    target_impact: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[InitiativeStatus] = mapped_column(
        enum_column(InitiativeStatus, "initiative_status"), default=InitiativeStatus.PLANNED
    )
    progress: Mapped[Decimal] = mapped_column(RATIO, default=Decimal(0))
    owner: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None]
    target_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)

    company: Mapped[PortfolioCompany] = relationship()

    @validates("title")
    def _title(self, _key: str, value: str) -> str:
        return check_text("title", value, max_length=300)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    @validates("progress")
    def _progress(self, _key: str, value: Decimal) -> Decimal:
        if value is None or not 0 <= value <= 1:
            raise ValidationError("progress", f"must be a fraction from 0 to 1, e.g. 0.4 for 40% (got {value})")
        return value

    def validate_record(self) -> None:
        if self.start_date and self.target_date and self.target_date < self.start_date:
            raise ValidationError("target_date", f"{self.target_date} is before the start date {self.start_date}")
