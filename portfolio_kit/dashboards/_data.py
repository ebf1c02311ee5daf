"""Loading what the dashboards show, always restricted to the viewer's funds.

Every loader here takes the ``DashboardContext`` and passes its
``fund_ids`` to ``portfolio_kit.frames``, so no query on a page can reach a
fund the viewer may not see. The figures themselves come from
``portfolio_kit.analytics``; this module only gathers and aligns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from portfolio_kit import frames
from portfolio_kit.dashboards.access import DashboardContext, NotAvailable

NO_FUNDS = (
    "No fund has been shared with you yet. Ask an administrator to grant you access to a fund."
)


def as_date(value: object) -> date | None:
    """A ``datetime.date`` from a pandas/numpy timestamp, or None for NaT/None."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    return stamp.date()


def visible_funds(context: DashboardContext) -> pd.DataFrame:
    """The viewer's funds (``fund_id``, ``name``, ``currency``, ...), oldest vintage first."""
    return frames.funds(context.database, list(context.fund_ids))


def reporting_date(context: DashboardContext, fund_ids: list[int] | None = None) -> date | None:
    """The latest quarter end any of the viewer's funds (or ``fund_ids``) reported a NAV for."""
    ids = (
        list(context.fund_ids)
        if fund_ids is None
        else [i for i in fund_ids if context.allows_fund(i)]
    )
    navs = frames.fund_navs(context.database, ids)
    return as_date(navs["as_of"].max()) if len(navs) else None


def chosen_fund(context: DashboardContext, funds: pd.DataFrame) -> int:
    """The fund the page opens with: ``?fund=<id>`` if the viewer may see it,
    else the first of their funds.

    Raises
    ------
    NotAvailable
        The link names a fund that does not exist or is not the viewer's (the
        sentence does not say which of the two, so a link cannot be used to
        probe for funds).
    """
    requested = context.requested_id("fund")
    if requested is not None:
        if not context.allows_fund(requested) or requested not in set(funds["fund_id"]):
            raise NotAvailable("The fund this link points to is not available to you.")
        return requested
    return int(funds["fund_id"].iloc[0])


def requested_choice(
    context: DashboardContext, name: str, options: Sequence[tuple[str, str]], default: str
) -> str:
    """``?<name>=<value>`` if it is one of the control's ``options``, else ``default``.

    Raises
    ------
    NotAvailable
        The link asks for a value the control does not offer.
    """
    raw = context.query.get(name)
    if raw is None or raw == "":
        return default
    if raw not in {value for _label, value in options}:
        raise NotAvailable(f"The link asks for {name} {raw!r}, which is not available.")
    return raw


def benchmark_levels(context: DashboardContext, as_of: date | None = None) -> pd.Series | None:
    """The benchmark index (the first stored, as ``frames.fund_pme`` uses), or
    None when the database holds no index. The Series is named after it."""
    from portfolio_kit.errors import ValidationError

    try:
        return frames.index_levels(context.database, as_of=as_of)
    except ValidationError:
        return None


def finite_or_nan(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return number if np.isfinite(number) else float("nan")
