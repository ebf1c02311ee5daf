"""Portfolio roll-ups: invested, realised, unrealised, MOIC, pooled gross IRR and concentration.

Inputs are the frames ``portfolio_kit.frames`` produces:

* investments: ``investment_id, fund_id, fund_name, vintage_year, company_id,
  company_name, sector, geography, status, entry_date, exit_date, currency,
  ownership``
* investment_cash_flows: ``investment_id, date, kind, amount`` from the
  fund's side: money invested negative, proceeds, dividends and interest positive
* valuations: ``company_id, valuation_date, method, enterprise_value,
  equity_value`` (100% of the company's equity)

Everything is "as of" a date: flows and valuations dated later are ignored,
investments entered later are left out, and an investment is unrealised at
``ownership * equity_value`` of its company's latest valuation on or before
the date, or 0 once ``exit_date`` is on or before it. A held investment with
no valuation yet is carried at cost (what was invested so far) and flagged
``valued_at_cost``.

The work is grouped with numpy (one sort, offsets), not ``groupby().apply``,
and all IRRs go through the batch engine
(:func:`portfolio_kit.analytics.xirr_many`): a portfolio of a few hundred
companies and tens of thousands of flows rolls up in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._validation import as_amounts, as_day, as_days, plain, require_columns
from portfolio_kit.analytics.xirr_batch import xirr_sorted

INVESTMENT_COLUMNS = (
    "investment_id",
    "fund_id",
    "fund_name",
    "vintage_year",
    "company_id",
    "company_name",
    "sector",
    "geography",
    "status",
    "entry_date",
    "exit_date",
    "currency",
    "ownership",
)
CASH_FLOW_COLUMNS = ("investment_id", "date", "amount")
VALUATION_COLUMNS = ("company_id", "valuation_date", "equity_value")


def concentration(values: Any, top_n: int = 5) -> pd.Series:
    """Share of the ``top_n`` largest values and the Herfindahl-Hirschman index.

    ``hhi = sum(share_i ^ 2)`` with shares as fractions: 1 for a single
    holding, ``1 / n`` for ``n`` equal ones.

    Returns
    -------
    pandas.Series ``top_n_share``, ``hhi`` (NaN when the values sum to zero).

    Raises
    ------
    ValueError
        Negative or non-finite values; ``top_n`` below 1.
    """
    array = as_amounts("values", values, min_length=0)
    if (array < 0).any():
        raise ValueError("values: concentration needs non-negative values")
    if not isinstance(top_n, int | np.integer) or top_n < 1:
        raise ValueError(f"top_n: must be a positive whole number, got {top_n!r}")
    total = array.sum()
    if total == 0:
        return pd.Series({"top_n_share": np.nan, "hhi": np.nan})
    shares = np.sort(array)[::-1] / total
    return pd.Series({"top_n_share": float(shares[:top_n].sum()), "hhi": float((shares**2).sum())})


def investment_summary(
    investments: pd.DataFrame,
    investment_cash_flows: pd.DataFrame,
    valuations: pd.DataFrame,
    as_of: Any,
    guess: float = 0.1,
) -> pd.DataFrame:
    """Per-investment figures as of a date.

    A negative company equity value counts as 0: shareholders' losses stop at
    their stake.

    Returns
    -------
    pandas.DataFrame indexed by ``investment_id`` with the investment's
    attributes and ``invested`` (money put in, positive), ``realized``
    (money back), ``unrealized`` (fair value of the stake held),
    ``total_value`` (realized + unrealized), ``moic``, ``gross_irr``
    (annual, ACT/365; NaN where undefined), ``valued_at_cost``,
    ``status_as_of`` ("unrealized", "partially realized" or "realized") and
    ``position_value``: what the fund's position is worth, the figure a
    partner reads beside the MOIC. Once realized that is the exit proceeds
    (the ``exit_proceeds`` column of ``investments``, NaN when it is not
    given), never a mark that predates or outlives the sale; while held it is
    ``unrealized``.

    Raises
    ------
    ValueError
        Missing columns; duplicate ``investment_id``; flows for unknown
        investments; NaN amounts or dates; ownership outside [0, 1].
    """
    return _prepare(investments, investment_cash_flows, valuations, as_of, guess)[0]


def _prepare(
    investments: pd.DataFrame,
    investment_cash_flows: pd.DataFrame,
    valuations: pd.DataFrame,
    as_of: Any,
    guess: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, int]:
    """The summary plus the in-scope flows (owner position, day, amount) and the as-of day."""
    require_columns("investments", investments, INVESTMENT_COLUMNS)
    require_columns("investment_cash_flows", investment_cash_flows, CASH_FLOW_COLUMNS)
    require_columns("valuations", valuations, VALUATION_COLUMNS)
    cutoff = as_day("as_of", as_of)
    if investments["investment_id"].duplicated().any():
        duplicate = investments.loc[
            investments["investment_id"].duplicated(), "investment_id"
        ].iloc[0]
        raise ValueError(f"investments: investment_id {plain(duplicate)!r} appears twice")
    ownership = investments["ownership"].to_numpy(dtype=float)
    if not np.all((ownership >= 0) & (ownership <= 1)):
        raise ValueError("investments.ownership: must be a fraction between 0 and 1")

    entry_days = as_days("investments.entry_date", investments["entry_date"], min_length=0)
    held = investments.loc[entry_days <= cutoff].copy()
    ids = held["investment_id"].to_numpy()
    count = ids.size

    flow_days = as_days("investment_cash_flows.date", investment_cash_flows["date"], min_length=0)
    amounts = as_amounts(
        "investment_cash_flows.amount", investment_cash_flows["amount"], min_length=0
    )
    all_ids = pd.Index(investments["investment_id"])
    flow_owner_all = all_ids.get_indexer(investment_cash_flows["investment_id"])
    if (flow_owner_all < 0).any():
        unknown = investment_cash_flows["investment_id"].to_numpy()[
            np.flatnonzero(flow_owner_all < 0)[0]
        ]
        raise ValueError(
            f"investment_cash_flows: investment_id {plain(unknown)!r} is not in investments"
        )
    flow_owner = pd.Index(ids).get_indexer(investment_cash_flows["investment_id"])
    in_scope = (flow_days <= cutoff) & (flow_owner >= 0)
    flow_owner, flow_days, amounts = flow_owner[in_scope], flow_days[in_scope], amounts[in_scope]

    invested = np.bincount(flow_owner, -np.minimum(amounts, 0.0), count)
    realized = np.bincount(flow_owner, np.maximum(amounts, 0.0), count)

    exit_days = _optional_days(held["exit_date"])
    exited = exit_days <= cutoff
    equity = _latest_equity_values(valuations, held["company_id"], cutoff)
    valued_at_cost = ~exited & np.isnan(equity)
    stake = held["ownership"].to_numpy(float) * np.maximum(equity, 0.0)
    unrealized = np.where(exited, 0.0, np.where(valued_at_cost, invested, stake))

    irr = _pooled_irr(np.arange(count), flow_owner, flow_days, amounts, unrealized, cutoff, guess)
    total_value = realized + unrealized
    summary = held.set_index("investment_id")
    summary["invested"] = invested
    summary["realized"] = realized
    summary["unrealized"] = unrealized
    summary["total_value"] = total_value
    with np.errstate(divide="ignore", invalid="ignore"):
        summary["moic"] = np.where(invested > 0, total_value / invested, np.nan)
    summary["gross_irr"] = irr
    summary["valued_at_cost"] = valued_at_cost
    summary["status_as_of"] = np.where(
        exited, "realized", np.where(realized > 0, "partially realized", "unrealized")
    )
    proceeds = (
        pd.to_numeric(held["exit_proceeds"], errors="coerce").to_numpy(dtype=float)
        if "exit_proceeds" in held.columns
        else np.full(count, np.nan)
    )
    summary["position_value"] = np.where(exited, proceeds, unrealized)
    return summary, flow_owner, flow_days, amounts, cutoff


def marks_while_held(valuations: pd.DataFrame, investments: pd.DataFrame) -> pd.DataFrame:
    """The valuations of each company dated while the listed investments held it.

    A company whose listed investments have all exited (``exit_date`` given)
    keeps only the valuations dated on or before its last exit: a mark booked
    after the sale values a stake the funds no longer own, and shown as the
    company's latest value it would stand in for the exit proceeds. Companies
    still held, and companies not in ``investments``, keep every row.

    Parameters
    ----------
    valuations : DataFrame with ``company_id`` and ``valuation_date``.
    investments : DataFrame with ``company_id`` and ``exit_date`` (NaT while
        held), as ``frames.investments`` gives them for the scope shown.

    Returns
    -------
    pandas.DataFrame: the kept rows of ``valuations``, in their order.

    Raises
    ------
    ValueError
        Missing columns or unreadable dates.
    """
    require_columns("valuations", valuations, ("company_id", "valuation_date"))
    require_columns("investments", investments, ("company_id", "exit_date"))
    exits = pd.DataFrame(
        {
            "company_id": investments["company_id"].to_numpy(),
            "exit": pd.to_datetime(investments["exit_date"]).to_numpy(),
        }
    )
    still_held = exits.loc[exits["exit"].isna(), "company_id"].unique()
    last_exit = exits.dropna().groupby("company_id")["exit"].max().drop(still_held, errors="ignore")
    limit = pd.to_datetime(last_exit.reindex(valuations["company_id"].to_numpy())).to_numpy()
    dates = pd.to_datetime(valuations["valuation_date"]).to_numpy()
    return valuations[np.isnat(limit) | (dates <= limit)]


def _optional_days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values)
    days = np.full(len(values), np.iinfo(np.int64).max)
    present = stamps.notna().to_numpy()
    if present.any():
        days[present] = stamps[present].to_numpy().astype("datetime64[D]").astype(np.int64)
    return days


def _latest_equity_values(
    valuations: pd.DataFrame, company_ids: pd.Series, cutoff: int
) -> np.ndarray:
    days = as_days("valuations.valuation_date", valuations["valuation_date"], min_length=0)
    equity = valuations["equity_value"].to_numpy(dtype=float)
    known = (days <= cutoff) & ~np.isnan(equity)
    if not known.any():
        return np.full(len(company_ids), np.nan)
    frame = pd.DataFrame(
        {
            "company_id": valuations["company_id"].to_numpy()[known],
            "day": days[known],
            "equity": equity[known],
        }
    )
    latest = frame.sort_values(["company_id", "day"], kind="stable").drop_duplicates(
        "company_id", keep="last"
    )
    lookup = pd.Series(latest["equity"].to_numpy(), index=latest["company_id"].to_numpy())
    return lookup.reindex(company_ids.to_numpy()).to_numpy(dtype=float)


def _pooled_irr(
    group_of_investment: np.ndarray,
    flow_owner: np.ndarray,
    flow_days: np.ndarray,
    amounts: np.ndarray,
    unrealized: np.ndarray,
    cutoff: int,
    guess: float,
) -> np.ndarray:
    """IRR per group of the pooled flows plus each group's unrealised value on ``cutoff``."""
    groups = int(group_of_investment.max()) + 1 if group_of_investment.size else 0
    result = np.full(groups, np.nan)
    if groups == 0:
        return result
    flow_group = group_of_investment[flow_owner]
    held_value = np.bincount(group_of_investment, unrealized, groups)
    series = np.r_[flow_group, np.arange(groups)]
    days = np.r_[flow_days, np.full(groups, cutoff)]
    values = np.r_[amounts, held_value]
    order = np.lexsort((days, series))
    series, days, values = series[order], days[order], values[order]
    starts = np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
    result[series[starts]] = xirr_sorted(starts, days, values, guess)
    return result


def portfolio_rollup(
    investments: pd.DataFrame,
    investment_cash_flows: pd.DataFrame,
    valuations: pd.DataFrame,
    as_of: Any,
    by: str | Sequence[str] = "fund_id",
    top_n: int = 5,
    require_single_currency: bool = True,
    guess: float = 0.1,
) -> pd.DataFrame:
    """Roll investments up by fund, sector, geography, vintage, status or any attribute.

    Parameters
    ----------
    by : column name(s) of ``investments`` (or ``status_as_of``) to group by.
    top_n : size of the "top holdings" for ``top_n_share``.
    require_single_currency : refuse to add up a group holding investments in
        several currencies (convert first, or pass False if the amounts are
        already in one reporting currency).

    Returns
    -------
    pandas.DataFrame indexed by the ``by`` column(s) with ``investments``
    (count), ``invested``, ``realized``, ``unrealized``, ``total_value``,
    ``moic`` (total value / invested), ``gross_irr`` (the IRR of the group's
    pooled flows with its unrealised value as the closing inflow; annual,
    ACT/365), ``share_of_unrealized`` (of the whole portfolio),
    ``top_n_share`` and ``hhi`` (concentration of unrealised value within the
    group across its investments).

    Raises
    ------
    ValueError
        As :func:`investment_summary`; an unknown ``by`` column; mixed
        currencies in a group when ``require_single_currency``.
    """
    summary, flow_owner, flow_days, amounts, cutoff = _prepare(
        investments, investment_cash_flows, valuations, as_of, guess
    )
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in summary.columns:
            raise ValueError(f"by: unknown column {key!r}")
    if summary.empty:
        return pd.DataFrame(
            columns=[
                "investments",
                "invested",
                "realized",
                "unrealized",
                "total_value",
                "moic",
                "gross_irr",
                "share_of_unrealized",
                "top_n_share",
                "hhi",
            ]
        )
    group_codes, group_index = _group_codes(summary, keys)
    groups = len(group_index)

    if require_single_currency:
        currencies = pd.DataFrame(
            {"group": group_codes, "currency": summary["currency"].to_numpy()}
        )
        mixed = currencies.groupby("group")["currency"].nunique()
        if (mixed > 1).any():
            label = plain(group_index[int(mixed.index[np.argmax(mixed.to_numpy() > 1)])])
            raise ValueError(
                f"investments: group {label!r} mixes currencies; convert amounts to one currency "
                "or pass require_single_currency=False"
            )

    def total(column: str) -> np.ndarray:
        return np.bincount(group_codes, summary[column].to_numpy(dtype=float), groups)

    invested, realized, unrealized = total("invested"), total("realized"), total("unrealized")
    table = pd.DataFrame(
        {
            "investments": np.bincount(group_codes, minlength=groups),
            "invested": invested,
            "realized": realized,
            "unrealized": unrealized,
            "total_value": realized + unrealized,
        },
        index=group_index,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        table["moic"] = np.where(invested > 0, (realized + unrealized) / invested, np.nan)
        portfolio_unrealized = unrealized.sum()
        table["share_of_unrealized"] = (
            unrealized / portfolio_unrealized if portfolio_unrealized > 0 else np.nan
        )

    table["gross_irr"] = _pooled_irr(
        group_codes,
        flow_owner,
        flow_days,
        amounts,
        summary["unrealized"].to_numpy(dtype=float),
        cutoff,
        guess,
    )
    top, hhi = _group_concentration(
        group_codes, summary["unrealized"].to_numpy(dtype=float), groups, top_n
    )
    table["top_n_share"] = top
    table["hhi"] = hhi
    return table[
        [
            "investments",
            "invested",
            "realized",
            "unrealized",
            "total_value",
            "moic",
            "gross_irr",
            "share_of_unrealized",
            "top_n_share",
            "hhi",
        ]
    ]


def _group_codes(summary: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.Index]:
    if len(keys) == 1:
        codes, uniques = pd.factorize(summary[keys[0]], sort=True)
        if (codes < 0).any():
            raise ValueError(f"by: column {keys[0]!r} has missing values")
        return codes.astype(np.int64), pd.Index(uniques, name=keys[0])
    index = pd.MultiIndex.from_frame(summary[keys].reset_index(drop=True))
    codes, uniques = pd.factorize(index, sort=True)
    if (codes < 0).any():
        raise ValueError(f"by: columns {keys} have missing values")
    return codes.astype(np.int64), pd.MultiIndex.from_tuples(list(uniques), names=keys)


def _group_concentration(
    group_codes: np.ndarray, values: np.ndarray, groups: int, top_n: int
) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(top_n, int | np.integer) or top_n < 1:
        raise ValueError(f"top_n: must be a positive whole number, got {top_n!r}")
    totals = np.bincount(group_codes, values, groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = values / totals[group_codes]
        hhi = np.where(totals > 0, np.bincount(group_codes, shares**2, groups), np.nan)
    order = np.lexsort((-values, group_codes))
    sorted_groups = group_codes[order]
    starts = np.searchsorted(sorted_groups, np.arange(groups))
    rank = np.arange(order.size) - starts[sorted_groups]
    top_values = np.where(rank < top_n, values[order], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        top = np.where(totals > 0, np.bincount(sorted_groups, top_values, groups) / totals, np.nan)
    return top, hhi
