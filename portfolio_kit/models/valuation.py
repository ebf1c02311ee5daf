"""Company valuations: the marks behind unrealized value."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    JSON_DOCUMENT,
    MONEY,
    Base,
    TimestampMixin,
    VersionedMixin,
    check_currency,
    check_date,
    enum_column,
)
from portfolio_kit.models.company import PortfolioCompany


class ValuationMethod(enum.StrEnum):
    DCF = "dcf"
    LBO = "lbo"
    TRADING_COMPARABLES = "trading_comparables"
    PRECEDENT_TRANSACTIONS = "precedent_transactions"
    LAST_ROUND = "last_round"
    NAV = "nav"


class Valuation(VersionedMixin, TimestampMixin, Base):
    """A valuation of 100% of a company's equity on a date.

    ``is_mark`` says the valuation is the fair value the funds carry the
    company at (the quarter's mark); other rows (a DCF cross-check, an LBO
    case) are kept for reference. A fund's unrealized value is its ownership
    times the latest mark's ``equity_value``.
    """

    __tablename__ = "valuations"
    __table_args__ = (Index("ix_valuations_company_date", "company_id", "valuation_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("portfolio_companies.id", ondelete="CASCADE"))
    valuation_date: Mapped[date]
    method: Mapped[ValuationMethod] = mapped_column(enum_column(ValuationMethod, "valuation_method"))
    enterprise_value: Mapped[Decimal | None] = mapped_column(MONEY)
    equity_value: Mapped[Decimal] = mapped_column(MONEY)
    implied_multiple: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    currency: Mapped[str] = mapped_column(String(3))
    is_mark: Mapped[bool] = mapped_column(default=True)
    assumptions: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOCUMENT)
    notes: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))

    company: Mapped[PortfolioCompany] = relationship()

    @validates("valuation_date")
    def _date(self, _key: str, value: date) -> date:
        return check_date("valuation_date", value)

    @validates("equity_value")
    def _equity(self, _key: str, value: Decimal) -> Decimal:
        if value is None:
            raise ValidationError("equity_value", "is required")
        if value < 0:
            raise ValidationError("equity_value", f"must not be negative: equity is worth zero at worst (got {value})")
        return value

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    def audit_label(self) -> str:
        return f"Valuation {self.method} {self.valuation_date} company #{self.company_id}"
