"""A fund's position in a portfolio company, and the deal's own cash flows.

Deal cash flows are the fund's side (gross of fees): the money the fund put
in and took out of one company, used for gross IRR and MOIC. LP cash flows
(net) live on ``FundCashFlow``.
"""

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
    enum_column,
    related_record,
)
from portfolio_kit.models.company import PortfolioCompany
from portfolio_kit.models.fund import Fund


class DealCashFlowKind(enum.StrEnum):
    """Amounts are positive magnitudes; ``INVESTED_KINDS`` leave the fund."""

    INVESTMENT = "investment"
    FOLLOW_ON = "follow_on"
    TRANSACTION_COST = "transaction_cost"
    DIVIDEND = "dividend"
    INTEREST = "interest"
    PARTIAL_EXIT = "partial_exit"
    EXIT_PROCEEDS = "exit_proceeds"


INVESTED_KINDS = frozenset(
    {DealCashFlowKind.INVESTMENT, DealCashFlowKind.FOLLOW_ON, DealCashFlowKind.TRANSACTION_COST}
)


class Investment(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "investments"
    __table_args__ = (
        UniqueConstraint("fund_id", "company_id"),
        CheckConstraint("equity_invested >= 0", name="equity_invested_not_negative"),
        CheckConstraint("ownership > 0 AND ownership <= 1", name="ownership_fraction"),
        CheckConstraint("exit_date IS NULL OR exit_date >= entry_date", name="exit_after_entry"),
        CheckConstraint("exit_proceeds IS NULL OR exit_proceeds >= 0", name="exit_proceeds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"), index=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_companies.id", ondelete="RESTRICT"), index=True
    )
    entry_date: Mapped[date]
    entry_enterprise_value: Mapped[Decimal | None] = mapped_column(MONEY)
    entry_ebitda: Mapped[Decimal | None] = mapped_column(MONEY)
    entry_revenue: Mapped[Decimal | None] = mapped_column(MONEY)
    entry_net_debt: Mapped[Decimal | None] = mapped_column(MONEY)
    equity_invested: Mapped[Decimal] = mapped_column(MONEY)
    ownership: Mapped[Decimal] = mapped_column(RATIO)
    exit_date: Mapped[date | None]
    exit_proceeds: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))

    fund: Mapped[Fund] = relationship()
    company: Mapped[PortfolioCompany] = relationship()
    cash_flows: Mapped[list[InvestmentCashFlow]] = relationship(
        back_populates="investment", cascade="all, delete-orphan", passive_deletes=True,
        order_by="InvestmentCashFlow.date",
    )

    @validates("entry_date")
    def _entry(self, _key: str, value: date) -> date:
        return check_date("entry_date", value)

    @validates("equity_invested")
    def _equity(self, _key: str, value: Decimal) -> Decimal:
        if value is None:
            raise ValidationError("equity_invested", "is required")
        return check_not_negative("equity_invested", value)

    @validates("entry_enterprise_value")
    def _ev(self, _key: str, value: Decimal | None) -> Decimal | None:
        return check_positive("entry_enterprise_value", value)

    @validates("exit_proceeds")
    def _proceeds(self, _key: str, value: Decimal | None) -> Decimal | None:
        return check_not_negative("exit_proceeds", value)

    @validates("ownership")
    def _ownership(self, _key: str, value: Decimal) -> Decimal:
        if value is None or not 0 < value <= 1:
            raise ValidationError("ownership", f"must be a fraction above 0 and at most 1, e.g. 0.6 for 60% (got {value})")
        return value

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    def validate_record(self) -> None:
        if self.exit_date is not None and self.exit_date < self.entry_date:
            raise ValidationError("exit_date", f"{self.exit_date} is before the entry date {self.entry_date}")
        if self.exit_proceeds is not None and self.exit_date is None:
            raise ValidationError("exit_date", "is required when exit_proceeds is given")

    def audit_label(self) -> str:
        return f"Investment fund #{self.fund_id} in company #{self.company_id}"


class InvestmentCashFlow(CashFlowFields, VersionedMixin, TimestampMixin, Base):
    __tablename__ = "investment_cash_flows"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_investment_cash_flows_investment_date", "investment_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    investment_id: Mapped[int] = mapped_column(ForeignKey("investments.id", ondelete="CASCADE"))
    kind: Mapped[DealCashFlowKind] = mapped_column(enum_column(DealCashFlowKind, "deal_cash_flow_kind"))

    investment: Mapped[Investment] = relationship(back_populates="cash_flows")

    @property
    def signed_amount(self) -> Decimal:
        """Fund perspective: money invested negative, proceeds positive."""
        return -self.amount if self.kind in INVESTED_KINDS else self.amount

    def validate_record(self) -> None:
        investment = related_record(self, "investment")
        if investment is not None and self.date < investment.entry_date:
            raise ValidationError("date", f"{self.date} is before the investment's entry date {investment.entry_date}")

    def audit_label(self) -> str:
        return f"InvestmentCashFlow {self.kind} {self.date} investment #{self.investment_id}"
