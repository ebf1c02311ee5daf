"""One call from the database to a fund's public-market-equivalent measures."""

from __future__ import annotations

import pandas as pd

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.frames._filters import DateLike, as_date
from portfolio_kit.frames.funds import fund_cash_flows, fund_navs
from portfolio_kit.frames.market import index_levels


def fund_pme(
    db: Database, fund_id: int, as_of: DateLike = None, index_name: str | None = None
) -> pd.Series:
    """KS-PME, LN-PME, PME+, direct alpha and the fund's IRR against a stored index.

    Loads the fund's LP cash flows (contributions negative, distributions
    positive), its NAVs and the index levels (three queries), then calls
    :func:`portfolio_kit.analytics.fund_pme`, which rolls the latest NAV on or
    before ``as_of`` forward with the flows after it and aligns the index to
    each flow date (the last level on or before it).

    Parameters
    ----------
    fund_id : int
        The fund.
    as_of : date, optional
        The comparison date; by default the fund's latest reported NAV date.
    index_name : str, optional
        The benchmark (``MarketIndex.name``); by default the first stored index.

    Returns
    -------
    pandas.Series named after the fund: ``ks_pme`` (ratio), ``ln_pme``,
    ``pme_plus``, ``direct_alpha`` and ``fund_irr`` (annual rates as
    fractions, ACT/365); NaN where a measure is undefined for the fund.

    Raises
    ------
    ValidationError
        When ``fund_id`` is not one integer id, the fund has no cash flow or
        no NAV on or before ``as_of``, or ``index_name`` names no stored index.
    ValueError
        From the analytics, when the index levels do not cover the flows.
    """
    if isinstance(fund_id, bool) or not isinstance(fund_id, int):
        raise ValidationError("fund_id", f"must be one integer id (got {fund_id!r})")
    cutoff = as_date("as_of", as_of)
    flows = fund_cash_flows(db, fund_id, cutoff)
    navs = fund_navs(db, fund_id, cutoff)
    when = cutoff.isoformat() if cutoff else "today"
    if flows.empty:
        raise ValidationError(
            "fund_id", f"fund #{fund_id} has no cash flow on or before {when} (or does not exist)"
        )
    if navs.empty:
        raise ValidationError("fund_id", f"fund #{fund_id} has no NAV reported on or before {when}")
    comparison_date = pd.Timestamp(cutoff) if cutoff else navs["as_of"].max()
    levels = index_levels(db, index_name, as_of=comparison_date)
    from portfolio_kit import analytics

    measures = analytics.fund_pme(flows, navs, levels, comparison_date)
    measures.name = str(flows["fund_name"].iloc[0])
    return measures
