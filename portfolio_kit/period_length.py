"""How many months a stored figure covers, and which lengths fit which period type.

A figure is keyed by the day its period ends *and* by the period's length in
months, because a 10-Q prints a three-month and a six-month revenue that end
on the same day, and a balance-sheet amount at that day is an instant that
covers no time at all. Pure rules (no database) shared by the models'
validation, the bulk import, the forms and the review service.

The combinations, and why:

============ ==================== ==========================================
period_type  period_months (flow) why
============ ==================== ==========================================
month        1                    the type already says the length
quarter      3                    13-week quarters of 52/53-week years too
year         12                   a fiscal year, 52 or 53 weeks included
ltm          12                   trailing twelve months
ytd          2, 4-11              a fiscal year to date that is none of the
                                  above: 6 and 9 months from a 10-Q, any
                                  month of a monthly management pack. 1 is
                                  the month, 3 the first quarter and 12 the
                                  year, so those are stored under that type
                                  and a figure has only one row.
============ ==================== ==========================================

A balance (a balance-sheet line, a stock KPI such as ARR or headcount) is an
instant: ``period_months`` is 0 under every period type, which says only
which reporting cadence the value was delivered with. A KPI outside the
vocabulary may be either (its writer says so by passing 0); it defaults to
the period type's length.
"""

from __future__ import annotations

from collections.abc import Mapping

from portfolio_kit.vocabulary import KPIS, LINE_ITEMS

INSTANT = 0
"""``period_months`` of a balance: a value at the period end, covering no time."""

MONTHS_OF_TYPE: Mapping[str, int] = {"month": 1, "quarter": 3, "year": 12, "ltm": 12}
"""The one length a flow of each period type has (``ytd`` has several)."""

YTD_MONTHS: frozenset[int] = frozenset({2, 4, 5, 6, 7, 8, 9, 10, 11})
"""Lengths a year-to-date flow may have; see the module docstring for 1, 3 and 12."""

PERIOD_TYPES: tuple[str, ...] = ("month", "quarter", "year", "ltm", "ytd")


def item_is_flow(item: str | None) -> bool | None:
    """True for a flow, False for a balance, None for a KPI the vocabulary does not know."""
    if item in LINE_ITEMS:
        return LINE_ITEMS[item].flow
    if item in KPIS:
        return KPIS[item].flow
    return None


def derived_period_months(period_type: str, item: str | None) -> int | None:
    """The length a writer that does not say gets: 0 for a balance, else the type's
    length; None for a year-to-date flow, whose length must be given."""
    if item_is_flow(item) is False:
        return INSTANT
    return MONTHS_OF_TYPE.get(str(period_type))


def period_months_problem(period_type: str, period_months: object, item: str | None) -> str | None:
    """Why ``period_months`` does not fit ``period_type`` and ``item``, or None when it does.

    The message is written to follow the field name ("period_months: ...").
    """
    kind = str(period_type)
    if kind not in PERIOD_TYPES:
        return None  # the period_type check names that field
    if isinstance(period_months, bool) or not isinstance(period_months, int):
        return f"must be a whole number of months (got {period_months!r})"
    flow = item_is_flow(item)
    if flow is False:
        if period_months != INSTANT:
            return f"{item} is a balance, a value at the period end: 0 months (got {period_months})"
        return None
    if period_months == INSTANT:
        if flow is None:
            return None
        return f"{item} accumulates over a period, so it cannot be an instant (0 months)"
    if kind == "ytd":
        if period_months not in YTD_MONTHS:
            return (
                f"a year to date of {period_months} months is not stored as 'ytd': use 2 or 4 to 11 "
                "(1 month is a 'month', 3 a 'quarter', 12 a 'year')"
            )
        return None
    expected = MONTHS_OF_TYPE[kind]
    if period_months != expected:
        return f"a {kind} covers {expected} months, not {period_months}"
    return None


def period_type_for_months(period_months: int) -> str:
    """The period type of a flow of this length: 1 month, 3 quarter, 12 year, else ytd.

    Raises
    ------
    ValueError
        For 0 (an instant has no type of its own) or a length outside 1..12.
    """
    if isinstance(period_months, bool) or not isinstance(period_months, int) or not 1 <= period_months <= 12:
        raise ValueError(f"period_months: a flow covers 1 to 12 months (got {period_months!r})")
    return {1: "month", 3: "quarter", 12: "year"}.get(period_months, "ytd")
