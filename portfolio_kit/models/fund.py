"""Funds, their LP cash flows and their reported quarterly NAVs."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    CashFlowFields,
    MONEY,
    RATIO,
    Base,
    TimestampMixin,
    VersionedMixin,
    check_currency,
    check_date,
    check_not_negative,
    check_positive,
    check_text,
    enum_column,
    related_record,
)
from portfolio_kit.periods import is_calendar_quarter_end


class FundStatus(enum.StrEnum):
    FUNDRAISING = "fundraising"
    INVESTING = "investing"
    HARVESTING = "harvesting"
    LIQUIDATED = "liquidated"


class FundStrategy(enum.StrEnum):
    BUYOUT = "buyout"
    GROWTH = "growth"
    VENTURE = "venture"
    CREDIT = "credit"
    INFRASTRUCTURE = "infrastructure"
    REAL_ESTATE = "real_estate"
    SECONDARIES = "secondaries"
    OTHER = "other"


class CashFlowKind(enum.StrEnum):
    """LP cash-flow kinds. Amounts are stored as positive magnitudes; the kind
    decides the direction (``CONTRIBUTION_KINDS`` are paid in by LPs)."""

    CAPITAL_CALL = "capital_call"
    MANAGEMENT_FEE = "management_fee"
    EXPENSE = "expense"
    DISTRIBUTION = "distribution"
    RECALLABLE_DISTRIBUTION = "recallable_distribution"


CONTRIBUTION_KINDS = frozenset(
    {CashFlowKind.CAPITAL_CALL, CashFlowKind.MANAGEMENT_FEE, CashFlowKind.EXPENSE}
)
"""Called from LPs: fees and expenses are funded by capital calls, so they
count towards paid-in capital as ILPA reporting does."""


class Fund(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "funds"
    __table_args__ = (
        CheckConstraint("vintage_year BETWEEN 1950 AND 2100", name="vintage_year_range"),
        CheckConstraint("total_commitments >= 0", name="commitments_not_negative"),
        CheckConstraint("target_size IS NULL OR target_size > 0", name="target_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    vintage_year: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    strategy: Mapped[FundStrategy] = mapped_column(enum_column(FundStrategy, "fund_strategy"))
    status: Mapped[FundStatus] = mapped_column(enum_column(FundStatus, "fund_status"))
    target_size: Mapped[Decimal | None] = mapped_column(MONEY)
    total_commitments: Mapped[Decimal] = mapped_column(MONEY)
    first_close_date: Mapped[date | None]
    final_close_date: Mapped[date | None]
    management_fee_rate: Mapped[Decimal | None] = mapped_column(RATIO)
    carried_interest_rate: Mapped[Decimal | None] = mapped_column(RATIO)
    hurdle_rate: Mapped[Decimal | None] = mapped_column(RATIO)

    cash_flows: Mapped[list[FundCashFlow]] = relationship(
        back_populates="fund", cascade="all, delete-orphan", passive_deletes=True,
        order_by="FundCashFlow.date",
    )
    navs: Mapped[list[FundNav]] = relationship(
        back_populates="fund", cascade="all, delete-orphan", passive_deletes=True,
        order_by="FundNav.as_of",
    )

    @validates("name")
    def _name(self, _key: str, value: str) -> str:
        return check_text("name", value, max_length=200)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    @validates("vintage_year")
    def _vintage(self, _key: str, value: int) -> int:
        if not isinstance(value, int) or not 1950 <= value <= 2100:
            raise ValidationError("vintage_year", f"must be a year between 1950 and 2100 (got {value!r})")
        return value

    @validates("total_commitments")
    def _commitments(self, _key: str, value: Decimal) -> Decimal:
        if value is None:
            raise ValidationError("total_commitments", "is required")
        return check_not_negative("total_commitments", value)

    @validates("target_size")
    def _target(self, _key: str, value: Decimal | None) -> Decimal | None:
        return check_positive("target_size", value)

    @validates("management_fee_rate", "carried_interest_rate", "hurdle_rate")
    def _rate(self, key: str, value: Decimal | None) -> Decimal | None:
        if value is not None and not 0 <= value <= 1:
            raise ValidationError(key, f"must be a fraction between 0 and 1, e.g. 0.02 for 2% (got {value})")
        return value

    def validate_record(self) -> None:
        if self.first_close_date and self.final_close_date and self.final_close_date < self.first_close_date:
            raise ValidationError("final_close_date", "must not be before first_close_date")


class FundCashFlow(CashFlowFields, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "fund_cash_flows"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_fund_cash_flows_fund_date", "fund_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    kind: Mapped[CashFlowKind] = mapped_column(enum_column(CashFlowKind, "cash_flow_kind"))

    fund: Mapped[Fund] = relationship(back_populates="cash_flows")

    @property
    def signed_amount(self) -> Decimal:
        """LP perspective: contributions negative, distributions positive."""
        return -self.amount if self.kind in CONTRIBUTION_KINDS else self.amount

    def validate_record(self) -> None:
        fund = related_record(self, "fund")
        if fund is None:
            return
        if fund.first_close_date and self.date < fund.first_close_date:
            raise ValidationError(
                "date",
                f"{self.kind.value.replace('_', ' ')} dated {self.date} is before the first close "
                f"of {fund.name!r} ({fund.first_close_date})",
            )
        if self.currency != fund.currency:
            raise ValidationError(
                "currency", f"{self.currency} differs from the fund's currency {fund.currency}"
            )

    def audit_label(self) -> str:
        return f"FundCashFlow {self.kind} {self.date} fund #{self.fund_id}"


class FundNav(VersionedMixin, TimestampMixin, Base):
    """The NAV the fund reported for a calendar quarter end."""

    __tablename__ = "fund_navs"
    __table_args__ = (
        UniqueConstraint("fund_id", "as_of"),
        CheckConstraint("nav >= 0", name="nav_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    as_of: Mapped[date]
    nav: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))

    fund: Mapped[Fund] = relationship(back_populates="navs")

    @validates("as_of")
    def _as_of(self, _key: str, value: date) -> date:
        check_date("as_of", value)
        if not is_calendar_quarter_end(value):
            raise ValidationError("as_of", f"{value} is not a quarter end (31 Mar, 30 Jun, 30 Sep, 31 Dec)")
        return value

    @validates("nav")
    def _nav(self, _key: str, value: Decimal) -> Decimal:
        if value is None:
            raise ValidationError("nav", "is required")
        return check_not_negative("nav", value)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    def validate_record(self) -> None:
        fund = related_record(self, "fund")
        if fund is not None and self.currency != fund.currency:
            raise ValidationError("currency", f"{self.currency} differs from the fund's currency {fund.currency}")

    def audit_label(self) -> str:
        return f"FundNav {self.as_of} fund #{self.fund_id}"
