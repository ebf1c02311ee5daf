"""Starting assumptions read off a company's stored history.

When a model is built for a company without a full set of assumptions, the
operating drivers come from its last complete fiscal year (margins, capital
intensity, working capital, net debt) and its revenue or EBITDA growth over
the years on file; the few figures history cannot give (discount rate, tax
rate, terminal growth, financing terms) take the house defaults below. The
cover sheet says so, and every one of them is an input the analyst is
expected to review. Anything given explicitly wins over a default.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from portfolio_kit.analytics.financials import cagr
from portfolio_kit.errors import ValidationError
from portfolio_kit.excel._history import last_year

DEFAULT_YEARS = 5
HOUSE_DCF_DEFAULTS: dict[str, Any] = {
    "tax_rate": 0.25,
    "wacc": 0.10,
    "terminal_method": "gordon",
    "terminal_growth": 0.025,
    "mid_year": False,
}
"""Used only when neither history nor the analyst gives a value."""

HOUSE_LBO_DEFAULTS: dict[str, Any] = {
    "tax_rate": 0.25,
    "transaction_fees_pct_ev": 0.02,
    "senior_interest_rate": 0.08,
    "senior_amortization_rate": 0.05,
    "sweep_share": 1.0,
}


def _growth(history: pd.DataFrame, item: str) -> tuple[float, str] | None:
    """The item's CAGR over the years on file where it is positive, and the span as text."""
    if history is None or history.empty or item not in history.columns:
        return None
    series = history[item].dropna()
    series = series[series > 0]
    if len(series) < 2:
        return None
    first, last = int(series.index[0]), int(series.index[-1])
    if last <= first:
        return None
    return cagr(float(series.iloc[0]), float(series.iloc[-1]), last - first), f"FY{first}-FY{last}"


def _ebitda(history: pd.DataFrame) -> pd.Series | None:
    if history is None or history.empty:
        return None
    if {"operating_income", "depreciation_and_amortization"} <= set(history.columns):
        return history["operating_income"] + history["depreciation_and_amortization"]
    return None


def dcf_defaults(
    history: pd.DataFrame | None, years: int = DEFAULT_YEARS
) -> tuple[dict[str, Any], list[str]]:
    """Values derivable from ``history`` plus the house defaults, and notes on their origin."""
    values: dict[str, Any] = dict(HOUSE_DCF_DEFAULTS)
    notes = [f"House defaults: {', '.join(f'{k}={v}' for k, v in HOUSE_DCF_DEFAULTS.items())}."]
    revenue = last_year(history, "revenue")
    if revenue is not None and revenue > 0:
        values["base_revenue"] = revenue
        found = _growth(history, "revenue")
        if found is not None:
            growth, span = found
            values["revenue_growth"] = [growth] * years
            notes.append(f"Revenue growth: the revenue CAGR over {span} ({growth:.1%}), held flat.")
        ebitda = _ebitda(history)
        if ebitda is not None and pd.notna(ebitda.iloc[-1]):
            values["ebitda_margin"] = float(ebitda.iloc[-1]) / revenue
        da = last_year(history, "depreciation_and_amortization")
        if da is not None:
            values["depreciation_pct_revenue"] = da / revenue
        capex = last_year(history, "capital_expenditure")
        if capex is not None:
            values["capex_pct_revenue"] = -capex / revenue
        receivables = last_year(history, "accounts_receivable")
        payables = last_year(history, "accounts_payable")
        if receivables is not None and payables is not None:
            inventory = last_year(history, "inventory") or 0.0
            values["nwc_pct_revenue"] = (receivables + inventory - payables) / revenue
        notes.append(
            "Margins, D&A, capex and working capital: ratios of the last complete fiscal year."
        )
    cash = last_year(history, "cash_and_equivalents")
    if cash is not None:
        debt = (last_year(history, "short_term_debt") or 0.0) + (
            last_year(history, "long_term_debt") or 0.0
        )
        values["net_debt"] = debt - cash
        notes.append("Net debt: debt less cash at the last fiscal year end.")
    return values, notes


def lbo_defaults(
    history: pd.DataFrame | None,
    entry: dict[str, float | None] | None = None,
    years: int = DEFAULT_YEARS,
) -> tuple[dict[str, Any], list[str]]:
    """LBO assumptions from history and, when the fund holds the company, its entry terms.

    ``entry`` holds the investment's ``entry_enterprise_value``,
    ``entry_ebitda`` and ``entry_net_debt`` (any may be None).
    """
    values: dict[str, Any] = {
        "tax_rate": HOUSE_LBO_DEFAULTS["tax_rate"],
        "sweep_share": HOUSE_LBO_DEFAULTS["sweep_share"],
    }
    notes: list[str] = []
    ebitda = _ebitda(history)
    if ebitda is not None and pd.notna(ebitda.iloc[-1]) and ebitda.iloc[-1] > 0:
        values["entry_ebitda"] = float(ebitda.iloc[-1])
        notes.append("Entry EBITDA: the last complete fiscal year's operating income + D&A.")
        found = _growth(history.assign(ebitda=ebitda), "ebitda")
        if found is not None:
            growth, span = found
            values["ebitda_growth"] = [growth] * years
            notes.append(f"EBITDA growth: the EBITDA CAGR over {span} ({growth:.1%}), held flat.")
        revenue = last_year(history, "revenue")
        capex = last_year(history, "capital_expenditure")
        da = last_year(history, "depreciation_and_amortization")
        if capex is not None:
            values["capex_pct_ebitda"] = -capex / float(ebitda.iloc[-1])
        if da is not None:
            values["depreciation_pct_ebitda"] = da / float(ebitda.iloc[-1])
        if revenue is not None:
            notes.append("Capex and D&A: shares of the last year's EBITDA.")
    entry = entry or {}
    entry_ev, entry_ebitda, entry_debt = (
        entry.get(k) for k in ("entry_enterprise_value", "entry_ebitda", "entry_net_debt")
    )
    if entry_ev and entry_ebitda and entry_ebitda > 0:
        multiple = entry_ev / entry_ebitda
        values["entry_multiple"] = multiple
        values["exit_multiple"] = multiple
        notes.append(f"Entry and exit multiple: the fund's entry EV / EBITDA ({multiple:.1f}x).")
        if "entry_ebitda" in values:
            values["transaction_fees"] = (
                HOUSE_LBO_DEFAULTS["transaction_fees_pct_ev"] * values["entry_ebitda"] * multiple
            )
        if entry_debt and entry_debt > 0 and "entry_ebitda" in values:
            leverage = entry_debt / entry_ebitda
            values["tranches"] = [
                {
                    "name": "Senior",
                    "amount": leverage * values["entry_ebitda"],
                    "interest_rate": HOUSE_LBO_DEFAULTS["senior_interest_rate"],
                    "amortization_rate": HOUSE_LBO_DEFAULTS["senior_amortization_rate"],
                    "cash_sweep": True,
                }
            ]
            notes.append(
                f"Debt: one senior tranche at the entry leverage ({leverage:.1f}x EBITDA)."
            )
    values.setdefault("tranches", [])
    notes.append(f"House defaults: {', '.join(f'{k}={v}' for k, v in HOUSE_LBO_DEFAULTS.items())}.")
    return values, notes


def require(values: dict[str, Any], required: list[str], what: str, source: str) -> None:
    """``ValidationError`` naming the first required field neither given nor derivable."""
    for name in required:
        if values.get(name) is None:
            raise ValidationError(
                name,
                f"required for the {what} and not derivable from the stored history; give it "
                f"in {source}",
            )
