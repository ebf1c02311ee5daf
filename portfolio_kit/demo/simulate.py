"""Deterministic simulation of the demo companies' quarterly statements.

Each company's quarters are built so that its statements hold together the
way audited ones do: gross profit is revenue less cost of revenue, the
balance sheet balances, and cash moves by exactly the cash-flow statement's
net change. Components are rounded to whole currency units first and totals
summed from the rounded parts, so identities hold to the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from portfolio_kit.demo.spec import SOFTWARE, CompanySpec
from portfolio_kit.periods import add_months, month_end, quarter_end

MILLION = 1_000_000.0
TAX_RATE = 0.25
INTEREST_RATE = 0.075
MANDATORY_AMORTISATION = 0.01  # of the opening term loan, each year

_GROSS_MARGIN = {
    SOFTWARE: 0.76,
    "Healthcare": 0.52,
    "Industrials": 0.31,
    "Consumer": 0.38,
    "Business Services": 0.34,
    "Financial Services": 0.58,
}


@dataclass
class Quarter:
    period_end: date
    values: dict[str, float]
    kpis: dict[str, float] = field(default_factory=dict)


@dataclass
class CompanyHistory:
    spec: CompanySpec
    quarters: list[Quarter]
    entry_ltm_revenue: float
    entry_ltm_ebitda: float
    entry_net_debt: float
    entry_enterprise_value: float
    marks: list[tuple[date, float, float, float]]  # (date, EV, equity value, EV/LTM EBITDA)
    budget: list[Quarter]


def _quarter_ends(start: date, end: date) -> list[date]:
    ends = []
    current = quarter_end(start)
    while current <= end:
        ends.append(current)
        current = month_end(add_months(current, 3))
    return ends


def _ltm(series: list[float], upto: int) -> float:
    return float(sum(series[max(0, upto - 3) : upto + 1]) * (4 / min(4, upto + 1)))


def simulate_company(spec: CompanySpec, as_of: date, rng: np.random.Generator) -> CompanyHistory:
    """Quarterly statements from four quarters before entry to exit (or ``as_of``)."""
    entry_q = quarter_end(spec.entry)
    pipeline = spec.entry > as_of
    # A pipeline company has no entry yet: show its last two years as the
    # figures sent in diligence.
    first = month_end(add_months(as_of if pipeline else entry_q, -21 if pipeline else -12))
    last = min(quarter_end(spec.exit), as_of) if spec.exit else as_of
    ends = _quarter_ends(add_months(first, -2), last)
    n = len(ends)
    entry_index = n if pipeline else ends.index(entry_q)

    software = spec.sector == SOFTWARE
    consumer = spec.sector == "Consumer"
    quarterly_growth = (1 + spec.growth) ** 0.25 - 1
    growth_noise = rng.normal(0, 0.012, n)
    season = np.array([0.97, 1.0, 1.01, 1.04]) if consumer else np.ones(4)

    base = spec.entry_revenue_m * MILLION / 4 / (1 + quarterly_growth) ** 2
    revenue_trend = [base * (1 + quarterly_growth) ** (i - 4 + 1) for i in range(n)]
    for i in range(1, n):
        # Fast growers slow down as they scale: growth decays 15% a year.
        decay = 0.85 ** max((i - entry_index) / 4, 0)
        revenue_trend[i] = revenue_trend[i - 1] * (1 + quarterly_growth * decay + growth_noise[i])
    revenue = [round(r * season[ends[i].month // 3 - 1]) for i, r in enumerate(revenue_trend)]

    gross_margin = _GROSS_MARGIN.get(spec.sector, 0.4) + rng.normal(0, 0.01)
    years_since_entry = np.array([(i - entry_index) / 4 for i in range(n)])
    margin = spec.ebitda_margin + np.minimum(spec.margin_gain * np.clip(years_since_entry, 0, None), 0.06)
    margin = margin + rng.normal(0, 0.006, n)
    if spec.name == "Harbor Consumer Brands":
        margin = margin - np.clip(years_since_entry - 0.75, 0, None) * 0.09

    dso, dio, dpo = rng.uniform(38, 62), (0 if software else rng.uniform(35, 70)), rng.uniform(28, 45)
    goodwill = round(spec.entry_multiple * spec.entry_revenue_m * spec.ebitda_margin * MILLION * 0.45)
    ppe = round(spec.entry_revenue_m * MILLION * (0.06 if software else 0.22))

    entry_ebitda_guess = spec.entry_revenue_m * MILLION * spec.ebitda_margin
    pre_entry_debt = round(entry_ebitda_guess * 2.0)
    entry_debt = round(entry_ebitda_guess * spec.leverage)
    debt = float(pre_entry_debt)
    cash = round(revenue[0] * 0.25)
    previous_nwc: tuple[float, float, float] | None = None

    quarters: list[Quarter] = []
    ebitda_series: list[float] = []
    arr = revenue[0] * 4 * 1.08 if software else 0.0
    customers = max(40, round(arr / 60_000)) if software else 0

    for i, period_end in enumerate(ends):
        if i == entry_index:
            # The buyout refinances the company: new debt replaces the old and
            # the proceeds go to the seller, so the company's cash is untouched
            # and the difference shows in equity, as pushdown accounting does.
            debt = float(entry_debt)
        rev = revenue[i]
        cost_of_revenue = round(rev * (1 - gross_margin))
        gross_profit = rev - cost_of_revenue
        ebitda = round(rev * margin[i])
        d_and_a = round(rev * (0.045 if software else 0.03))
        opex_before_da = gross_profit - ebitda
        r_and_d = round(opex_before_da * 0.38) if software else 0
        sga = opex_before_da - r_and_d
        operating_income = gross_profit - sga - r_and_d - d_and_a
        interest = round(debt * INTEREST_RATE / 4)
        pretax = operating_income - interest
        income_tax = round(max(pretax, 0) * TAX_RATE)
        net_income = pretax - income_tax

        accounts_receivable = round(rev * dso / 91.25)
        inventory = round(cost_of_revenue * dio / 91.25)
        accounts_payable = round(cost_of_revenue * dpo / 91.25)
        if previous_nwc is None:
            change_in_nwc = 0
        else:
            change_in_nwc = (accounts_receivable - previous_nwc[0]) + (inventory - previous_nwc[1]) - (
                accounts_payable - previous_nwc[2]
            )
        previous_nwc = (accounts_receivable, inventory, accounts_payable)

        capex = -round(rev * (0.05 if software else 0.035))
        operating_cash_flow = net_income + d_and_a - change_in_nwc
        investing_cash_flow = capex
        excess_cash = cash + operating_cash_flow + investing_cash_flow - rev * 0.25
        mandatory = round(entry_debt * MANDATORY_AMORTISATION / 4) if i >= entry_index else 0
        sweep = round(max(excess_cash - mandatory, 0) * 0.5) if i >= entry_index else 0
        repayment = min(round(debt), mandatory + sweep)
        financing_cash_flow = -repayment
        net_change = operating_cash_flow + investing_cash_flow + financing_cash_flow
        cash = cash + net_change
        debt = debt - repayment
        ppe = ppe - capex - d_and_a

        short_term_debt = round(min(debt, entry_debt * MANDATORY_AMORTISATION))
        long_term_debt = round(debt) - short_term_debt
        total_current_assets = cash + accounts_receivable + inventory
        total_assets = total_current_assets + ppe + goodwill
        total_current_liabilities = accounts_payable + short_term_debt
        total_liabilities = total_current_liabilities + long_term_debt
        total_equity = total_assets - total_liabilities

        values = {
            "revenue": rev,
            "cost_of_revenue": cost_of_revenue,
            "gross_profit": gross_profit,
            "sga": sga,
            "depreciation_and_amortization": d_and_a,
            "operating_expenses": sga + r_and_d + d_and_a,
            "operating_income": operating_income,
            "interest_expense": interest,
            "pretax_income": pretax,
            "income_tax": income_tax,
            "net_income": net_income,
            "cash_and_equivalents": cash,
            "accounts_receivable": accounts_receivable,
            "total_current_assets": total_current_assets,
            "ppe_net": ppe,
            "goodwill": goodwill,
            "total_assets": total_assets,
            "accounts_payable": accounts_payable,
            "short_term_debt": short_term_debt,
            "total_current_liabilities": total_current_liabilities,
            "long_term_debt": long_term_debt,
            "total_liabilities": total_liabilities,
            "total_equity": total_equity,
            "total_liabilities_and_equity": total_liabilities + total_equity,
            "operating_cash_flow": operating_cash_flow,
            "capital_expenditure": capex,
            "investing_cash_flow": investing_cash_flow,
            "financing_cash_flow": financing_cash_flow,
            "net_change_in_cash": net_change,
        }
        if software:
            values["research_and_development"] = r_and_d
        else:
            values["inventory"] = inventory
        ebitda_series.append(float(operating_income + d_and_a))

        kpis: dict[str, float] = {"headcount": float(round(rev * 4 / (190_000 if software else 140_000)))}
        if software:
            target_arr = rev * 4 * 1.08 * (1 + quarterly_growth)
            churned = round(arr * rng.uniform(0.012, 0.022))
            contraction = round(arr * rng.uniform(0.004, 0.009))
            expansion = round(arr * rng.uniform(0.025, 0.045))
            new_arr = max(round(target_arr - arr - expansion + contraction + churned), 0)
            opening_arr = arr
            arr = arr + new_arr + expansion - contraction - churned
            churned_customers = round(customers * rng.uniform(0.015, 0.03))
            new_customers = max(round(new_arr / 55_000), 1)
            opening_customers = customers
            customers = customers + new_customers - churned_customers
            sales_and_marketing = round(sga * 0.55)
            kpis.update(
                {
                    "arr": float(round(arr)),
                    "mrr": float(round(arr / 12)),
                    "new_arr": float(new_arr),
                    "expansion_arr": float(expansion),
                    "contraction_arr": float(contraction),
                    "churned_arr": float(churned),
                    "customers": float(customers),
                    "new_customers": float(new_customers),
                    "churned_customers": float(churned_customers),
                    "logo_churn": round(churned_customers / opening_customers, 6),
                    "net_revenue_retention": round((opening_arr + expansion - contraction - churned) / opening_arr, 6),
                    "gross_revenue_retention": round((opening_arr - contraction - churned) / opening_arr, 6),
                    "sales_and_marketing": float(sales_and_marketing),
                    "cac": float(round(sales_and_marketing / new_customers)),
                }
            )
        quarters.append(Quarter(period_end, values, kpis))

    entry_ltm_revenue = float(sum(revenue[entry_index - 4 : entry_index]))
    entry_ltm_ebitda = float(sum(ebitda_series[entry_index - 4 : entry_index]))
    entry_cash = quarters[entry_index - 1].values["cash_and_equivalents"]
    entry_net_debt = float(entry_debt - entry_cash)
    entry_ev = round(spec.entry_multiple * entry_ltm_ebitda)

    marks = []
    held = [i for i in range(n) if i >= entry_index]
    span = max(len(held) - 1, 1)
    for step, i in enumerate(held):
        ltm_ebitda = _ltm(ebitda_series, i)
        multiple = spec.entry_multiple + (spec.exit_multiple - spec.entry_multiple) * step / span
        multiple *= 1 + rng.normal(0, 0.03) if 0 < step < span else 1
        v = quarters[i].values
        net_debt = v["short_term_debt"] + v["long_term_debt"] - v["cash_and_equivalents"]
        ev = max(multiple * ltm_ebitda, 0.0)
        if spec.name == "Harbor Consumer Brands" and step == span:
            ev = max(net_debt * 0.8, 0.0)
        equity = max(ev - net_debt, 0.0)
        implied = ev / ltm_ebitda if ltm_ebitda > 0 else float("nan")
        marks.append((quarters[i].period_end, round(ev), round(equity), implied))

    budget = []
    bias = rng.normal(0.03, 0.045)
    for q in quarters[entry_index:][-8:]:
        budget.append(
            Quarter(
                q.period_end,
                {
                    "revenue": round(q.values["revenue"] * (1 + bias)),
                    "operating_income": round(q.values["operating_income"] * (1 + bias * 1.5)),
                },
            )
        )

    return CompanyHistory(
        spec=spec,
        quarters=quarters,
        entry_ltm_revenue=entry_ltm_revenue,
        entry_ltm_ebitda=entry_ltm_ebitda,
        entry_net_debt=entry_net_debt,
        entry_enterprise_value=float(entry_ev),
        marks=marks,
        budget=budget,
    )


def index_levels(start: date, end: date, rng: np.random.Generator) -> list[tuple[date, float]]:
    """Weekday levels of a synthetic total-return index (GBM: 9% drift, 16% vol)."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    weekdays = days[np.is_busday(days)]
    dt = 1 / 260
    shocks = rng.normal((0.09 - 0.5 * 0.16**2) * dt, 0.16 * np.sqrt(dt), len(weekdays))
    shocks[0] = 0.0
    levels = 1000.0 * np.exp(np.cumsum(shocks))
    return [(d.astype(object), round(float(level), 4)) for d, level in zip(weekdays, levels, strict=True)]
