"""The shape of a KPI collection template, shared by export and import.

Export writes this layout and records it on the hidden metadata sheet as a
``TemplateRecord``; import reads the recorded layout back and checks the
visible sheets against it, so a template stays importable even after the
layout below evolves (the ``TEMPLATE_VERSION`` says which rules a file was
written under).

The workbook, as written:

* sheet ``Instructions``: what the template is for and how to fill it;
* sheet ``Data``: title rows 1-2, period labels in ``LABEL_ROW``, then the
  header row ``HEADER_ROW`` (``Code``, ``Line item / KPI``, ``Unit`` in
  columns A-C and one period-end date per column from
  ``FIRST_PERIOD_COLUMN``); from ``FIRST_ITEM_ROW`` down, section title rows
  and item rows (the item's code in ``CODE_COLUMN``, yellow input cells
  under each period);
* the very hidden metadata sheet (``_workbook.METADATA_SHEET``): the
  ``TemplateRecord`` below, one key per row, and its signature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portfolio_kit.excel import _styles as st
from portfolio_kit.models import PeriodType, Scenario
from portfolio_kit.vocabulary import KPIS, LINE_ITEMS, Statement

TEMPLATE_KIND = "kpi_template"
TEMPLATE_VERSION = 1
DATA_SHEET = "Data"
INSTRUCTIONS_SHEET = "Instructions"

CODE_COLUMN = 1
LABEL_COLUMN = 2
UNIT_COLUMN = 3
FIRST_PERIOD_COLUMN = 4
LABEL_ROW = 4
HEADER_ROW = 5
FIRST_ITEM_ROW = 6

MAX_PERIODS = 24

SECTION_TITLES = {
    Statement.INCOME: "Income statement",
    Statement.BALANCE: "Balance sheet",
    Statement.CASH_FLOW: "Cash flow statement",
}
KPI_SECTION_TITLE = "Operating KPIs"

METRIC = "metric"
KPI = "kpi"

LARGEST_PLAUSIBLE = 1e13
"""No company figure reaches ten trillion in any currency we hold; such a
number is a typo (or a value typed in the wrong units)."""

NON_NEGATIVE_ITEMS = frozenset(
    {
        "revenue",
        "cost_of_revenue",
        "operating_expenses",
        "sga",
        "research_and_development",
        "depreciation_and_amortization",
        "cash_and_equivalents",
        "accounts_receivable",
        "inventory",
        "total_current_assets",
        "ppe_net",
        "goodwill",
        "total_assets",
        "accounts_payable",
        "short_term_debt",
        "total_current_liabilities",
        "long_term_debt",
        "total_liabilities",
        "total_liabilities_and_equity",
    }
)
"""Items printed as positive amounts (expenses included, as printed on the
income statement); a negative entry is almost always a sign typed by mistake."""

NON_POSITIVE_ITEMS = frozenset({"capital_expenditure", "dividends_paid"})
"""Cash outflows printed negative on the cash-flow statement."""

PERCENT_RANGE = (-1.0, 5.0)
"""Percent KPIs are fractions (12% is 0.12); outside -100%..500% the value was
most likely typed as a whole-number percentage."""


@dataclass(frozen=True, slots=True)
class TemplateItem:
    """One input row: a canonical line item or a KPI, with its unit."""

    code: str
    kind: str
    label: str
    unit: str
    """For KPIs the vocabulary unit ("currency", "count", "percent", ...);
    for line items "currency" or "per_share"."""


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    """What the hidden metadata sheet says about a template: whose it is and where each cell is.

    ``periods`` pairs a column number with the period end it holds;
    ``rows`` pairs a row number with the item typed there.
    """

    company_id: int
    company_name: str | None
    currency: str
    period_type: str
    scenario: str
    sheets: tuple[str, ...]
    data_sheet: str
    header_row: int
    periods: tuple[tuple[int, date], ...]
    rows: tuple[tuple[int, TemplateItem], ...]

    def as_metadata(self) -> dict[str, Any]:
        """The key/value pairs export writes (``write_metadata`` stores them as JSON)."""
        return {
            "kind": TEMPLATE_KIND,
            "template_version": TEMPLATE_VERSION,
            "company_id": self.company_id,
            "company_name": self.company_name,
            "currency": self.currency,
            "period_type": self.period_type,
            "scenario": self.scenario,
            "sheets": list(self.sheets),
            "data_sheet": self.data_sheet,
            "header_row": self.header_row,
            "periods": [[column, period_end] for column, period_end in self.periods],
            "rows": [[row, item.code, item.kind, item.unit] for row, item in self.rows],
        }

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any]) -> TemplateRecord:
        """The record read back; item labels are their codes (import does not need them).

        Raises
        ------
        KeyError, TypeError, ValueError
            When a key is missing or a value is not of the type export wrote.
        """
        periods = tuple(
            (int(column), date.fromisoformat(iso)) for column, iso in meta["periods"]
        )
        rows = tuple(
            (int(row), TemplateItem(str(code), str(kind), str(code), str(unit)))
            for row, code, kind, unit in meta["rows"]
        )
        data_sheet, header_row, company_id = (
            meta["data_sheet"],
            meta["header_row"],
            meta["company_id"],
        )
        if not (
            isinstance(data_sheet, str)
            and isinstance(header_row, int)
            and isinstance(company_id, int)
            and periods
            and rows
        ):
            raise ValueError("incomplete template record")
        return cls(
            company_id=company_id,
            company_name=(
                str(meta["company_name"]) if meta.get("company_name") is not None else None
            ),
            currency=str(meta.get("currency")),
            period_type=PeriodType(meta["period_type"]).value,
            scenario=Scenario(meta["scenario"]).value,
            sheets=tuple(str(name) for name in meta.get("sheets", [])),
            data_sheet=data_sheet,
            header_row=header_row,
            periods=periods,
            rows=rows,
        )


def line_item_rows() -> list[tuple[Statement, list[TemplateItem]]]:
    sections: dict[Statement, list[TemplateItem]] = {statement: [] for statement in SECTION_TITLES}
    for item in LINE_ITEMS.values():
        unit = "per_share" if item.per_share else "currency"
        sections[item.statement].append(TemplateItem(item.name, METRIC, item.label, unit))
    return list(sections.items())


def kpi_item(code: str, unit: str | None = None) -> TemplateItem:
    known = KPIS.get(code)
    if known is not None:
        return TemplateItem(code, KPI, known.label, known.unit)
    label = code.replace("_", " ").capitalize()
    return TemplateItem(code, KPI, label, unit or "ratio")


def unit_caption(item: TemplateItem, currency: str) -> str:
    if item.unit == "currency":
        return currency
    if item.unit == "per_share":
        return f"{currency} per share"
    return {"percent": "% (fraction)", "count": "count", "months": "months", "ratio": "ratio"}.get(
        item.unit, item.unit
    )


def number_format(item: TemplateItem) -> str:
    return {
        "currency": st.AMOUNT,
        "per_share": st.AMOUNT_2DP,
        "percent": st.PERCENT,
        "count": st.INTEGER,
        "months": "0.0",
        "ratio": "0.00",
    }.get(item.unit, st.GENERAL)


def period_label(period_end: date, period_type: str) -> str:
    if period_type == "quarter":
        return f"Q{(period_end.month - 1) // 3 + 1} {period_end.year}"
    if period_type == "year":
        return f"FY {period_end.year}"
    if period_type == "month":
        return period_end.strftime("%b %Y")
    return f"LTM {period_end:%b %Y}"


def implausibility(item: TemplateItem, value: float) -> str | None:
    """Why ``value`` is implausible for ``item``, or None when it looks fine.

    The rules are deliberately coarse: they catch signs typed the wrong way,
    percentages typed as whole numbers, fractional head counts and numbers in
    the wrong units, not unusual but real results.
    """
    if abs(value) >= LARGEST_PLAUSIBLE:
        return f"{value:,.0f} is larger than any company figure; check the units"
    if item.kind == METRIC:
        if item.code in NON_NEGATIVE_ITEMS and value < 0:
            return f"{item.label} is reported as a positive amount (as printed), got {value:,.2f}"
        if item.code in NON_POSITIVE_ITEMS and value > 0:
            return (
                f"{item.label} is a cash outflow, entered negative as printed "
                f"(-120 means 120 spent), got {value:,.2f}"
            )
        return None
    if item.unit == "percent":
        low, high = PERCENT_RANGE
        if not low <= value <= high:
            return (
                f"{item.label} is a fraction (12% is 0.12); {value:g} would be {value:.0%}, "
                f"outside {low:.0%}..{high:.0%}"
            )
    elif item.unit == "count":
        if value < 0:
            return f"{item.label} is a count and cannot be negative, got {value:g}"
        if not math.isclose(value, round(value), abs_tol=1e-9):
            return f"{item.label} is a count, got the fraction {value:g}"
    elif item.unit in ("currency", "months") and value < 0:
        return f"{item.label} is reported as a positive amount, got {value:,.2f}"
    return None
