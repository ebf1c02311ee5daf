"""Financial statement values and operational KPIs, by company and period.

One row per (company, period end, period type, period length, scenario,
item): a figure read from a PDF, typed into a form or imported from a
template lands in the same row, named by the shared vocabulary in
``portfolio_kit.vocabulary``.

``period_months`` is in the key because the period end alone does not name a
period: a 10-Q prints a three-month and a six-month revenue ending on the
same day, and the balance sheet beside them is an instant. Which lengths fit
which ``period_type`` is decided once, in ``portfolio_kit.period_length``
(month 1, quarter 3, year and ltm 12, ytd 2 or 4 to 11, a balance 0 under any
type); the database holds the same rule as a CHECK constraint, so a writer
that bypasses the ORM cannot store a contradiction either. A writer that does
not pass the length (a form, a template, the bulk import, the demo) gets the
one the period type and item imply.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import (
    AMOUNT,
    Base,
    TimestampMixin,
    VersionedMixin,
    check_currency,
    check_date,
    enum_column,
)
from portfolio_kit.models.company import PortfolioCompany
from portfolio_kit.period_length import (
    MONTHS_OF_TYPE,
    YTD_MONTHS,
    derived_period_months,
    period_months_problem,
)
from portfolio_kit.periods import is_period_end
from portfolio_kit.vocabulary import KPI_UNITS, KPIS, LINE_ITEMS


class PeriodType(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    LTM = "ltm"
    YTD = "ytd"
    """Fiscal year to date that is neither a month, a quarter nor a year (a 10-Q's six
    and nine months); its ``period_months`` must be given."""


class Scenario(enum.StrEnum):
    ACTUAL = "actual"
    BUDGET = "budget"
    FORECAST = "forecast"


class MetricSource(enum.StrEnum):
    MANUAL = "manual"
    PDF = "pdf"
    EXCEL = "excel"


def check_period_end(field: str, value: date) -> date:
    check_date(field, value)
    if not is_period_end(value):
        raise ValidationError(
            field,
            f"{value} is not a period end: use the last day of the month "
            "(or, for a 52/53-week fiscal calendar, a date in the month's last week)",
        )
    return value


def _sql_list(values: Any) -> str:
    return ", ".join(str(value) for value in sorted(values))


PERIOD_MONTHS_CHECK = (
    "period_months = 0"
    + "".join(
        f" OR (period_type = '{kind}' AND period_months = {months})"
        for kind, months in MONTHS_OF_TYPE.items()
    )
    + f" OR (period_type = 'ytd' AND period_months IN ({_sql_list(YTD_MONTHS)}))"
)
"""The length/type rule of ``portfolio_kit.period_length`` without the item
(flow or balance), which only the vocabulary knows; the ORM checks that part."""


def _months_default(context: Any) -> int | None:
    """Core inserts that leave the length out get the derived one, like the ORM."""
    parameters = context.get_current_parameters()
    item = parameters.get("line_item", parameters.get("kpi"))
    return derived_period_months(parameters.get("period_type"), item)


class _PeriodValue(VersionedMixin, TimestampMixin):
    """Columns shared by statement values and KPIs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    period_end: Mapped[date]
    period_type: Mapped[PeriodType] = mapped_column(enum_column(PeriodType, "period_type"))
    period_months: Mapped[int] = mapped_column(default=_months_default)
    """Months the figure covers: 0 for a balance, else the period's length."""
    scenario: Mapped[Scenario] = mapped_column(enum_column(Scenario, "scenario"), default=Scenario.ACTUAL)
    value: Mapped[Decimal] = mapped_column(AMOUNT)
    source: Mapped[MetricSource] = mapped_column(
        enum_column(MetricSource, "metric_source"), default=MetricSource.MANUAL
    )
    page: Mapped[int | None]
    source_label: Mapped[str | None] = mapped_column(String(500))

    @validates("period_end")
    def _period_end(self, _key: str, value: date) -> date:
        return check_period_end("period_end", value)

    @validates("value")
    def _value(self, _key: str, value: Decimal | float) -> Decimal | float:
        if value is None:
            raise ValidationError("value", "is required")
        try:
            finite = Decimal(str(value)).is_finite()
        except ArithmeticError:
            finite = False
        if not finite:
            raise ValidationError("value", f"must be a finite number (got {value!r})")
        return value

    @validates("period_months")
    def _period_months(self, _key: str, value: int | None) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12):
            raise ValidationError("period_months", f"must be a whole number of months from 0 to 12 (got {value!r})")
        return value

    def _item(self) -> str | None:
        raise NotImplementedError

    def validate_record(self) -> None:
        """Fill the derived length when none was given; refuse one that contradicts
        the period type or the item (a balance over three months)."""
        item = self._item()
        if self.period_type is None:
            return
        if self.period_months is None:
            derived = derived_period_months(self.period_type, item)
            if derived is None:
                raise ValidationError(
                    "period_months",
                    f"is required for a year-to-date {item}: how many months (2, 4 to 11) it covers",
                )
            self.period_months = derived
        problem = period_months_problem(self.period_type, self.period_months, item)
        if problem is not None:
            raise ValidationError("period_months", problem)


class FinancialMetric(_PeriodValue, Base):
    __tablename__ = "financial_metrics"
    __table_args__ = (
        UniqueConstraint(
            "company_id", "period_end", "period_type", "period_months", "scenario", "line_item",
            name="uq_financial_metrics_period_key",
        ),
        CheckConstraint(PERIOD_MONTHS_CHECK, name="period_months_fit_type"),
        Index("ix_financial_metrics_item_period", "line_item", "period_type", "period_end"),
    )

    company_id: Mapped[int] = mapped_column(ForeignKey("portfolio_companies.id", ondelete="CASCADE"))
    line_item: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )

    company: Mapped[PortfolioCompany] = relationship()

    @validates("line_item")
    def _line_item(self, _key: str, value: str) -> str:
        if value not in LINE_ITEMS:
            raise ValidationError(
                "line_item",
                f"unknown line item {value!r}; use a canonical name such as 'revenue' "
                "(see portfolio_kit.vocabulary.LINE_ITEMS)",
            )
        return value

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)

    def _item(self) -> str | None:
        return self.line_item

    def audit_label(self) -> str:
        return f"FinancialMetric {self.line_item} {self.period_type} {self.period_end} company #{self.company_id}"


_KPI_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CompanyKPI(_PeriodValue, Base):
    __tablename__ = "company_kpis"
    __table_args__ = (
        UniqueConstraint(
            "company_id", "period_end", "period_type", "period_months", "scenario", "kpi",
            name="uq_company_kpis_period_key",
        ),
        CheckConstraint(PERIOD_MONTHS_CHECK, name="period_months_fit_type"),
    )

    company_id: Mapped[int] = mapped_column(ForeignKey("portfolio_companies.id", ondelete="CASCADE"))
    kpi: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))

    company: Mapped[PortfolioCompany] = relationship()

    @validates("kpi")
    def _kpi(self, _key: str, value: str) -> str:
        if not isinstance(value, str) or not _KPI_NAME.match(value):
            raise ValidationError("kpi", f"must be a snake_case name such as 'arr' (got {value!r})")
        return value

    @validates("unit")
    def _unit(self, _key: str, value: str) -> str:
        if value not in KPI_UNITS:
            raise ValidationError("unit", f"must be one of {', '.join(sorted(KPI_UNITS))} (got {value!r})")
        return value

    @validates("currency")
    def _currency(self, _key: str, value: str | None) -> str | None:
        return None if value is None else check_currency("currency", value)

    def _item(self) -> str | None:
        return self.kpi

    def validate_record(self) -> None:
        super().validate_record()
        known = KPIS.get(self.kpi)
        if known is not None and known.unit != self.unit:
            raise ValidationError("unit", f"{self.kpi} is measured in {known.unit}, not {self.unit}")
        if self.unit == "currency" and self.currency is None:
            raise ValidationError("currency", f"is required for {self.kpi}, a currency amount")

    def audit_label(self) -> str:
        return f"CompanyKPI {self.kpi} {self.period_end} company #{self.company_id}"
