"""The one vocabulary shared by the PDF extractor, the database, the forms and the analytics.

A figure read from a PDF must land in the same column that a form or an Excel
template fills, so every layer names line items with these identifiers. Extend
the tables; never rename an entry (stored rows refer to it by name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Statement(StrEnum):
    INCOME = "income_statement"
    BALANCE = "balance_sheet"
    CASH_FLOW = "cash_flow"


@dataclass(frozen=True, slots=True)
class LineItem:
    """A canonical line item.

    ``flow`` items accumulate over a period (revenue) and may be summed into
    LTM figures; stock items (cash) are read at the period end and are never
    summed.
    """

    name: str
    statement: Statement
    label: str
    flow: bool
    per_share: bool = False


def _items(statement: Statement, flow: bool, rows: list[tuple[str, str]]) -> list[LineItem]:
    return [LineItem(name, statement, label, flow) for name, label in rows]


LINE_ITEMS: dict[str, LineItem] = {
    item.name: item
    for item in [
        *_items(
            Statement.INCOME,
            True,
            [
                ("revenue", "Revenue"),
                ("cost_of_revenue", "Cost of revenue"),
                ("gross_profit", "Gross profit"),
                ("operating_expenses", "Total operating expenses"),
                ("sga", "Selling, general and administrative"),
                ("research_and_development", "Research and development"),
                ("depreciation_and_amortization", "Depreciation and amortization"),
                ("operating_income", "Operating income"),
                ("interest_expense", "Interest expense"),
                ("pretax_income", "Income before income taxes"),
                ("income_tax", "Provision for income taxes"),
                ("net_income", "Net income"),
                ("net_income_attributable", "Net income attributable to the company"),
            ],
        ),
        LineItem("eps_basic", Statement.INCOME, "Earnings per share, basic", True, per_share=True),
        LineItem("eps_diluted", Statement.INCOME, "Earnings per share, diluted", True, per_share=True),
        *_items(
            Statement.BALANCE,
            False,
            [
                ("cash_and_equivalents", "Cash and cash equivalents"),
                ("accounts_receivable", "Accounts receivable, net"),
                ("inventory", "Inventories"),
                ("total_current_assets", "Total current assets"),
                ("ppe_net", "Property, plant and equipment, net"),
                ("goodwill", "Goodwill"),
                ("total_assets", "Total assets"),
                ("accounts_payable", "Accounts payable"),
                ("short_term_debt", "Short-term debt and current portion of long-term debt"),
                ("total_current_liabilities", "Total current liabilities"),
                ("long_term_debt", "Long-term debt"),
                ("total_liabilities", "Total liabilities"),
                ("total_equity", "Total equity"),
                ("total_liabilities_and_equity", "Total liabilities and equity"),
            ],
        ),
        *_items(
            Statement.CASH_FLOW,
            True,
            [
                ("operating_cash_flow", "Net cash from operating activities"),
                ("capital_expenditure", "Purchases of property and equipment"),
                ("investing_cash_flow", "Net cash from investing activities"),
                ("dividends_paid", "Dividends paid"),
                ("financing_cash_flow", "Net cash from financing activities"),
                ("net_change_in_cash", "Net change in cash"),
                # The operating-activities add-back: often the only D&A a filer prints
                # (the income statement spreads it over cost lines), and not always
                # the same amount as an income-statement D&A row, so its own item.
                ("cash_flow_depreciation_and_amortization", "Depreciation and amortization (cash flow)"),
            ],
        ),
    ]
}
"""Canonical line items, in statement order.

Sign convention: values are stored with the sign printed in the source
statement, because that is the only rule an extractor, a form and a template
can all follow without guessing. Most statements print income-statement
expenses as positive numbers and cash outflows in parentheses, so
``cost_of_revenue`` is usually positive and ``capital_expenditure`` of -120
means 120 spent. Some filings print an expense in parentheses (eBay's income
tax, Oracle's interest expense): that value is stored negative, and analytics
that need a magnitude (interest cover) take the absolute value.
"""

DERIVED_ITEMS: frozenset[str] = frozenset(
    {"ebitda", "free_cash_flow", "net_debt", "working_capital"}
)
"""Computed by ``portfolio_kit.analytics``; never stored or extracted."""


@dataclass(frozen=True, slots=True)
class KPI:
    """An operational metric a company reports beside its statements."""

    name: str
    label: str
    unit: str  # "currency", "count", "percent" (a fraction: 0.05 is 5%), "months", "ratio"
    flow: bool


KPIS: dict[str, KPI] = {
    kpi.name: kpi
    for kpi in [
        KPI("arr", "Annual recurring revenue", "currency", False),
        KPI("mrr", "Monthly recurring revenue", "currency", False),
        KPI("new_arr", "New-logo ARR", "currency", True),
        KPI("expansion_arr", "Expansion ARR", "currency", True),
        KPI("contraction_arr", "Contraction ARR", "currency", True),
        KPI("churned_arr", "Churned ARR", "currency", True),
        KPI("customers", "Customers", "count", False),
        KPI("new_customers", "New customers", "count", True),
        KPI("churned_customers", "Churned customers", "count", True),
        KPI("logo_churn", "Logo churn rate", "percent", False),
        KPI("net_revenue_retention", "Net revenue retention", "percent", False),
        KPI("gross_revenue_retention", "Gross revenue retention", "percent", False),
        KPI("cac", "Customer acquisition cost", "currency", False),
        KPI("sales_and_marketing", "Sales and marketing spend", "currency", True),
        KPI("headcount", "Headcount", "count", False),
        KPI("stores", "Store count", "count", False),
        KPI("units_sold", "Units sold", "count", True),
    ]
}

KPI_UNITS: frozenset[str] = frozenset({"currency", "count", "percent", "months", "ratio"})


def statement_of(item: str) -> Statement:
    """The statement a canonical line item belongs to; ``KeyError`` names unknown items."""
    try:
        return LINE_ITEMS[item].statement
    except KeyError:
        raise KeyError(f"unknown line item {item!r}") from None
