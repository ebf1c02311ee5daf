"""Portfolio companies, with soft delete.

A deleted company keeps its history (metrics, valuations, audit trail) and
vanishes from every ORM query of the package's sessions; pass
``execution_options(include_deleted=True)`` to see it, and ``restore()`` to
bring it back. See ``portfolio_kit.db`` for the query filter.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    Base,
    TimestampMixin,
    VersionedMixin,
    check_currency,
    check_text,
    enum_column,
    utcnow,
)


class CompanyStatus(enum.StrEnum):
    PIPELINE = "pipeline"
    DILIGENCE = "diligence"
    INVESTED = "invested"
    REALIZED = "realized"
    WRITTEN_OFF = "written_off"


class PortfolioCompany(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "portfolio_companies"
    __table_args__ = (
        CheckConstraint("fiscal_year_end_month BETWEEN 1 AND 12", name="fiscal_year_end_month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(100), index=True)
    geography: Mapped[str] = mapped_column(String(100), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[CompanyStatus] = mapped_column(enum_column(CompanyStatus, "company_status"), index=True)
    fiscal_year_end_month: Mapped[int] = mapped_column(default=12)
    description: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)

    @validates("name")
    def _name(self, _key: str, value: str) -> str:
        return check_text("name", value, max_length=200)

    @validates("sector", "geography")
    def _labels(self, key: str, value: str) -> str:
        return check_text(key, value, max_length=100)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    @validates("fiscal_year_end_month")
    def _fiscal(self, _key: str, value: int) -> int:
        if not isinstance(value, int) or not 1 <= value <= 12:
            raise ValidationError("fiscal_year_end_month", f"must be a month number 1-12 (got {value!r})")
        return value

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None
