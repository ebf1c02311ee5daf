"""SaaS KPIs: ARR movements, retention, churn, unit economics and efficiency.

Names follow ``portfolio_kit.vocabulary.KPIS`` (``arr``, ``new_arr``,
``expansion_arr``, ``contraction_arr``, ``churned_arr``, ``customers``,
``sales_and_marketing``, ...). Movements are positive magnitudes: a
``contraction_arr`` of 5 means recurring revenue fell by 5. Rates and margins
are fractions (0.9 is 90%); ARR and MRR share a currency; a rate and the
revenue it applies to must cover the same period (annual with ARR, monthly
with MRR).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._validation import as_scalar, plain, require_columns

MONTHS_PER_YEAR = 12


def _positive(name: str, value: Any) -> float:
    number = as_scalar(name, value)
    if number <= 0:
        raise ValueError(f"{name}: must be positive, got {number}")
    return number


def _magnitude(name: str, value: Any) -> float:
    number = as_scalar(name, value)
    if number < 0:
        raise ValueError(f"{name}: must be a positive magnitude, got {number}")
    return number


def mrr_to_arr(mrr: float) -> float:
    """ARR = 12 x MRR."""
    return MONTHS_PER_YEAR * as_scalar("mrr", mrr)


def arr_bridge(
    opening_arr: float,
    new_arr: float,
    expansion_arr: float,
    contraction_arr: float,
    churned_arr: float,
) -> pd.Series:
    """Opening to closing ARR: ``closing = opening + new + expansion - contraction - churned``.

    Returns
    -------
    pandas.Series with the inputs, ``net_new_arr`` and ``closing_arr``.

    Raises
    ------
    ValueError
        Any input negative or not finite.
    """
    opening = _magnitude("opening_arr", opening_arr)
    new = _magnitude("new_arr", new_arr)
    expansion = _magnitude("expansion_arr", expansion_arr)
    contraction = _magnitude("contraction_arr", contraction_arr)
    churned = _magnitude("churned_arr", churned_arr)
    net_new = new + expansion - contraction - churned
    return pd.Series(
        {
            "opening_arr": opening,
            "new_arr": new,
            "expansion_arr": expansion,
            "contraction_arr": contraction,
            "churned_arr": churned,
            "net_new_arr": net_new,
            "closing_arr": opening + net_new,
        },
        name="arr_bridge",
    )


def arr_movements(customer_arr: pd.DataFrame) -> pd.DataFrame:
    """ARR bridge per period from customer-level ARR snapshots.

    Parameters
    ----------
    customer_arr : pandas.DataFrame
        Columns ``customer_id``, ``period_end``, ``arr`` (ARR at the period
        end; a customer absent from a period had no ARR then).

    Returns
    -------
    pandas.DataFrame indexed by ``period_end`` (from the second snapshot on)
    with ``opening_arr``, ``new_arr`` (customers at zero before, including
    returning ones), ``expansion_arr``, ``contraction_arr``, ``churned_arr``
    (customers at zero now), ``closing_arr``, ``opening_customers``,
    ``new_customers``, ``churned_customers``, ``closing_customers``.
    Each row satisfies closing = opening + new + expansion - contraction - churned.

    Raises
    ------
    ValueError
        Missing columns; negative or non-finite ARR; a customer listed twice
        in one period; fewer than two periods.
    """
    require_columns("customer_arr", customer_arr, ("customer_id", "period_end", "arr"))
    values = customer_arr["arr"].to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("customer_arr.arr: must be finite and not negative")
    if customer_arr.duplicated(["customer_id", "period_end"]).any():
        first = customer_arr[customer_arr.duplicated(["customer_id", "period_end"])].iloc[0]
        raise ValueError(
            f"customer_arr: customer {plain(first['customer_id'])!r} listed twice on "
            f"{pd.Timestamp(first['period_end']).date()}"
        )
    grid = customer_arr.pivot(index="customer_id", columns="period_end", values="arr")
    grid = grid.reindex(columns=sorted(grid.columns)).fillna(0.0)
    if grid.shape[1] < 2:
        raise ValueError("customer_arr: needs at least two period ends to show movements")
    matrix = grid.to_numpy(dtype=float)
    before, after = matrix[:, :-1], matrix[:, 1:]
    was, now = before > 0, after > 0
    change = after - before
    frame = pd.DataFrame(
        {
            "opening_arr": before.sum(axis=0),
            "new_arr": np.where(~was & now, after, 0.0).sum(axis=0),
            "expansion_arr": np.where(was & now & (change > 0), change, 0.0).sum(axis=0),
            "contraction_arr": np.where(was & now & (change < 0), -change, 0.0).sum(axis=0),
            "churned_arr": np.where(was & ~now, before, 0.0).sum(axis=0),
            "closing_arr": after.sum(axis=0),
            "opening_customers": was.sum(axis=0),
            "new_customers": (~was & now).sum(axis=0),
            "churned_customers": (was & ~now).sum(axis=0),
            "closing_customers": now.sum(axis=0),
        },
        index=pd.DatetimeIndex(grid.columns[1:], name="period_end"),
    )
    return frame


def cohort_retention(customer_arr: pd.DataFrame, start: Any, end: Any) -> pd.Series:
    """Net and gross revenue retention and logo retention of the customers present at ``start``.

    NRR = ARR at ``end`` of the customers who had ARR at ``start`` / their ARR
    at ``start`` (new customers excluded). GRR caps each customer at its
    starting ARR, so it counts only churn and contraction. Logo retention =
    share of those customers still paying at ``end``. For the usual trailing
    twelve-month figures, pass period ends a year apart.

    Raises
    ------
    ValueError
        Missing columns; no customer with ARR at ``start``.
    """
    require_columns("customer_arr", customer_arr, ("customer_id", "period_end", "arr"))
    dates = pd.to_datetime(customer_arr["period_end"])
    begin = customer_arr[(dates == pd.Timestamp(start)) & (customer_arr["arr"] > 0)]
    if begin.empty:
        raise ValueError(f"start: no customer has ARR on {pd.Timestamp(start).date()}")
    finish = customer_arr[dates == pd.Timestamp(end)].set_index("customer_id")["arr"]
    opening = begin.set_index("customer_id")["arr"].astype(float)
    closing = finish.reindex(opening.index).fillna(0.0).astype(float)
    return pd.Series(
        {
            "net_revenue_retention": closing.sum() / opening.sum(),
            "gross_revenue_retention": np.minimum(closing, opening).sum() / opening.sum(),
            "logo_retention": float((closing > 0).mean()),
        },
        name="retention",
    )


def net_revenue_retention(
    opening_arr: float, expansion_arr: float, contraction_arr: float, churned_arr: float
) -> float:
    """NRR = (opening + expansion - contraction - churned) / opening; new logos excluded.

    Raises
    ------
    ValueError
        Opening ARR not positive; negative movements.
    """
    opening = _positive("opening_arr", opening_arr)
    return (
        opening
        + _magnitude("expansion_arr", expansion_arr)
        - _magnitude("contraction_arr", contraction_arr)
        - _magnitude("churned_arr", churned_arr)
    ) / opening


def gross_revenue_retention(
    opening_arr: float, contraction_arr: float, churned_arr: float
) -> float:
    """GRR = (opening - contraction - churned) / opening; at most 100% by construction.

    Raises
    ------
    ValueError
        Opening ARR not positive; negative movements.
    """
    opening = _positive("opening_arr", opening_arr)
    return (
        opening
        - _magnitude("contraction_arr", contraction_arr)
        - _magnitude("churned_arr", churned_arr)
    ) / opening


def logo_churn(opening_customers: float, churned_customers: float) -> float:
    """Logo churn rate = churned customers / customers at the start of the period."""
    return _magnitude("churned_customers", churned_customers) / _positive(
        "opening_customers", opening_customers
    )


def customer_acquisition_cost(sales_and_marketing: float, new_customers: float) -> float:
    """CAC = sales and marketing spend / new customers won in the same period."""
    return _magnitude("sales_and_marketing", sales_and_marketing) / _positive(
        "new_customers", new_customers
    )


def lifetime_value(revenue_per_customer: float, gross_margin: float, churn_rate: float) -> float:
    """LTV = revenue per customer x gross margin / churn rate.

    Revenue per customer and churn must cover the same period (annual ARR per
    account with annual logo churn, or monthly with monthly); the result is
    the gross profit a customer brings over its expected life, ``1 / churn``
    periods.

    Raises
    ------
    ValueError
        Churn not positive (an infinite lifetime), negative revenue, margin
        outside [0, 1].
    """
    revenue = _magnitude("revenue_per_customer", revenue_per_customer)
    margin = as_scalar("gross_margin", gross_margin)
    if not 0.0 <= margin <= 1.0:
        raise ValueError(f"gross_margin: must be a fraction between 0 and 1, got {margin}")
    return revenue * margin / _positive("churn_rate", churn_rate)


def ltv_to_cac(lifetime_value: float, customer_acquisition_cost: float) -> float:
    """LTV / CAC; 3 or more is the common rule of thumb for healthy unit economics."""
    return _magnitude("lifetime_value", lifetime_value) / _positive(
        "customer_acquisition_cost", customer_acquisition_cost
    )


def cac_payback_months(
    customer_acquisition_cost: float, monthly_revenue_per_customer: float, gross_margin: float
) -> float:
    """Months of gross profit to earn back CAC.

    ``CAC / (monthly revenue per customer x gross margin)``.

    Raises
    ------
    ValueError
        Non-positive monthly revenue or margin; negative CAC.
    """
    margin = as_scalar("gross_margin", gross_margin)
    if not 0.0 < margin <= 1.0:
        raise ValueError(f"gross_margin: must be a fraction above 0 and at most 1, got {margin}")
    return _magnitude("customer_acquisition_cost", customer_acquisition_cost) / (
        _positive("monthly_revenue_per_customer", monthly_revenue_per_customer) * margin
    )


def magic_number(
    revenue: float, previous_revenue: float, previous_sales_and_marketing: float
) -> float:
    """Sales efficiency: ``(revenue - previous quarter revenue) x 4 / previous quarter S&M``.

    The Scale Venture Partners definition: annualised new revenue bought by
    the previous quarter's sales and marketing. Above about 0.75 suggests
    spending more on growth is efficient.

    Raises
    ------
    ValueError
        Previous quarter S&M not positive; non-finite inputs.
    """
    gain = as_scalar("revenue", revenue) - as_scalar("previous_revenue", previous_revenue)
    return gain * 4.0 / _positive("previous_sales_and_marketing", previous_sales_and_marketing)


def burn_multiple(net_burn: float, net_new_arr: float) -> float:
    """Net cash burned per unit of net new ARR in the same period (David Sacks); lower is better.

    Raises
    ------
    ValueError
        Net new ARR not positive (the multiple is then undefined, the business
        shrinks while burning); negative burn (the company generates cash: no
        burn multiple).
    """
    return _magnitude("net_burn", net_burn) / _positive("net_new_arr", net_new_arr)


def rule_of_40(revenue_growth: float, profit_margin: float) -> float:
    """Revenue growth + profit margin (EBITDA or FCF margin), as fractions; 0.40 or more passes."""
    return as_scalar("revenue_growth", revenue_growth) + as_scalar("profit_margin", profit_margin)
