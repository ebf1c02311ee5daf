"""Company financials on canonical line items: LTM, fiscal years, growth, margins, leverage.

Two shapes of input, both keyed by the names in ``portfolio_kit.vocabulary``:

* long: columns ``company_id, period_end (datetime64), period_type
  ('month' | 'quarter' | 'year' | 'ltm'), scenario ('actual' | 'budget' |
  'forecast'), line_item, value (float)``, the shape the database stores;
* wide: one company and scenario, index ``period_end``, one column per line item.

Values follow the vocabulary's sign convention: as printed. Expenses on the
income statement are positive (``interest_expense`` of 12 means 12 paid);
cash outflows on the cash-flow statement are negative (``capital_expenditure``
of -120 means 120 spent). Ratios are fractions (0.25 is 25%); days are
calendar days.

Periods are identified by their month: a period ending on a month end, or in
the last week of a month (52/53-week fiscal calendars, see
``portfolio_kit.periods``), belongs to that month, so "the previous quarter"
is the period three months earlier whatever its exact day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._validation import as_scalar, plain, require_columns
from portfolio_kit.periods import FISCAL_WEEK_SLACK_DAYS
from portfolio_kit.vocabulary import KPIS, LINE_ITEMS

PERIODS_PER_YEAR = {"month": 12, "quarter": 4}
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3}
LONG_COLUMNS = ("company_id", "period_end", "period_type", "scenario", "line_item", "value")


def is_flow(item: str) -> bool:
    """Whether a line item or KPI accumulates over a period (summed into LTM) or is a balance.

    Raises
    ------
    ValueError
        An item that is neither a canonical line item nor a KPI.
    """
    if item in LINE_ITEMS:
        return LINE_ITEMS[item].flow
    if item in KPIS:
        return KPIS[item].flow
    raise ValueError(
        f"line_item: unknown {item!r}; use a name from portfolio_kit.vocabulary LINE_ITEMS or KPIS"
    )


def _frequency(frequency: str) -> int:
    if frequency not in MONTHS_PER_PERIOD:
        raise ValueError(f"frequency: must be 'month' or 'quarter', got {frequency!r}")
    return MONTHS_PER_PERIOD[frequency]


def _month_ordinals(name: str, period_ends: Any) -> np.ndarray:
    stamps = pd.DatetimeIndex(pd.to_datetime(period_ends))
    if stamps.hasnans:
        raise ValueError(f"{name}: missing period end")
    month_ends = stamps + pd.offsets.MonthEnd(0)
    slack = (month_ends - stamps).days
    bad = np.flatnonzero(slack > FISCAL_WEEK_SLACK_DAYS)
    if bad.size:
        raise ValueError(
            f"{name}: {stamps[bad[0]].date()} is not a period end (a month end or a date in "
            "the last week of a month)"
        )
    return (stamps.year * 12 + stamps.month - 1).to_numpy(dtype=np.int64)


def _ordinal_label(ordinal: int) -> str:
    year, month = divmod(int(ordinal), 12)
    return str((pd.Timestamp(year=year, month=month + 1, day=1) + pd.offsets.MonthEnd(0)).date())


def _wide_checked(wide: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    if not isinstance(wide, pd.DataFrame):
        raise ValueError(f"wide: must be a pandas DataFrame, got {type(wide).__name__}")
    if wide.index.has_duplicates:
        raise ValueError(f"wide: period_end {wide.index[wide.index.duplicated()][0]} appears twice")
    for column in wide.columns:
        is_flow(column)
    ordered = wide.sort_index()
    return ordered, _month_ordinals("wide index", ordered.index)


def to_wide(
    metrics: pd.DataFrame,
    company_id: Any = None,
    period_type: str = "quarter",
    scenario: str = "actual",
) -> pd.DataFrame:
    """One company's figures of one period type and scenario, one column per line item.

    ``company_id`` may be omitted when the long frame holds a single company.

    Raises
    ------
    ValueError
        Missing columns; several companies and no ``company_id``; the same
        line item twice for one period; unknown line items.
    """
    require_columns("metrics", metrics, LONG_COLUMNS)
    rows = metrics[(metrics["period_type"] == period_type) & (metrics["scenario"] == scenario)]
    if company_id is None:
        companies = rows["company_id"].unique()
        if len(companies) > 1:
            raise ValueError("company_id: the frame holds several companies; name one")
    else:
        rows = rows[rows["company_id"] == company_id]
    _check_duplicates(rows)
    for item in rows["line_item"].unique():
        is_flow(item)
    wide = rows.pivot(index="period_end", columns="line_item", values="value").astype(float)
    wide.index = pd.DatetimeIndex(wide.index, name="period_end")
    wide.columns.name = None
    return wide.sort_index()


def _check_duplicates(rows: pd.DataFrame) -> None:
    keys = ["company_id", "period_end", "line_item"]
    duplicated = rows.duplicated(keys)
    if duplicated.any():
        first = rows.loc[duplicated, keys].iloc[0]
        raise ValueError(
            f"metrics: {first['line_item']!r} appears twice for company "
            f"{plain(first['company_id'])!r} "
            f"on {pd.Timestamp(first['period_end']).date()}"
        )


def ltm(wide: pd.DataFrame, as_of: Any = None, frequency: str = "quarter") -> pd.Series:
    """Last-twelve-months figures at one period end.

    Flow items (revenue, cash flows, EPS) are the sum of the four quarters
    (or twelve months) ending at ``as_of``; balances (cash, debt) are the
    values at ``as_of``. A line item missing (NaN) in one of the periods gives
    NaN for that item.

    Parameters
    ----------
    wide : pandas.DataFrame
        Index ``period_end``, columns line items, periods of one ``frequency``.
    as_of : date-like, optional
        A period end present in ``wide``; defaults to the latest.
    frequency : {"quarter", "month"}

    Raises
    ------
    ValueError
        A period of the trailing year is absent (the message names it), an
        ``as_of`` that is not in ``wide``, unknown line items, dates that are
        not period ends.
    """
    months = _frequency(frequency)
    ordered, ordinals = _wide_checked(wide)
    if ordered.empty:
        raise ValueError("wide: is empty")
    target = ordinals[-1] if as_of is None else int(_month_ordinals("as_of", [as_of])[0])
    needed = target - months * np.arange(12 // months)[::-1]
    present = np.isin(needed, ordinals)
    if not present[-1]:
        raise ValueError(f"as_of: no {frequency} ending {_ordinal_label(target)} in wide")
    if not present.all():
        missing = ", ".join(_ordinal_label(o) for o in needed[~present])
        raise ValueError(
            f"wide: LTM to {_ordinal_label(target)} needs the {frequency}s ending "
            f"{', '.join(_ordinal_label(o) for o in needed)}; missing {missing}"
        )
    window = ordered.iloc[np.searchsorted(ordinals, needed)]
    result = {}
    for column in ordered.columns:
        values = window[column].to_numpy(dtype=float)
        result[column] = values.sum() if is_flow(column) else values[-1]
    return pd.Series(result, name=ordered.index[np.searchsorted(ordinals, target)], dtype=float)


def ltm_history(wide: pd.DataFrame, frequency: str = "quarter") -> pd.DataFrame:
    """LTM figures at every period end of ``wide`` (NaN where the trailing year is incomplete).

    Raises
    ------
    ValueError
        As :func:`ltm`, except that incomplete windows give NaN instead.
    """
    ordered, ordinals = _wide_checked(wide)
    companies = np.zeros(ordinals.size, dtype=np.int64)
    values = _trailing_sums(companies, ordinals, ordered, frequency)
    return pd.DataFrame(values, index=ordered.index, columns=ordered.columns)


def ltm_by_company(
    metrics: pd.DataFrame, scenario: str = "actual", frequency: str = "quarter"
) -> pd.DataFrame:
    """LTM figures for every company and period end of a long frame, in one vectorised pass.

    Returns
    -------
    pandas.DataFrame indexed by (``company_id``, ``period_end``), one column
    per line item; ``frame.xs(company_id)`` is that company's LTM wide frame.
    NaN where a company's trailing year is incomplete.

    Raises
    ------
    ValueError
        Missing columns, duplicates, unknown line items, dates that are not
        period ends.
    """
    _frequency(frequency)
    require_columns("metrics", metrics, LONG_COLUMNS)
    rows = metrics[(metrics["period_type"] == frequency) & (metrics["scenario"] == scenario)]
    _check_duplicates(rows)
    for item in rows["line_item"].unique():
        is_flow(item)
    wide = rows.pivot(index=["company_id", "period_end"], columns="line_item", values="value")
    wide = wide.astype(float).sort_index()
    wide.columns.name = None
    company_codes = pd.factorize(wide.index.get_level_values("company_id"))[0].astype(np.int64)
    ordinals = _month_ordinals("period_end", wide.index.get_level_values("period_end"))
    values = _trailing_sums(company_codes, ordinals, wide, frequency)
    return pd.DataFrame(values, index=wide.index, columns=wide.columns)


def _trailing_sums(
    companies: np.ndarray, ordinals: np.ndarray, wide: pd.DataFrame, frequency: str
) -> np.ndarray:
    """Trailing-year sums of flow columns and current values of balance columns.

    Rows must be sorted by company, then period. Each company's periods are
    laid on a gap-free grid of period numbers so that a window is complete
    exactly when it holds ``periods_per_year`` present, non-NaN values;
    cumulative sums give every window at once.
    """
    months = MONTHS_PER_PERIOD[frequency]
    window = PERIODS_PER_YEAR[frequency]
    result = wide.to_numpy(dtype=float, copy=True)
    if result.shape[0] == 0:
        return result
    starts = np.flatnonzero(np.r_[True, companies[1:] != companies[:-1]])
    rows_per_company = np.diff(np.r_[starts, ordinals.size])
    first_ordinal = np.repeat(ordinals[starts], rows_per_company)
    offsets = ordinals - first_ordinal
    misaligned = np.flatnonzero(offsets % months != 0)
    if misaligned.size:
        row = misaligned[0]
        raise ValueError(
            f"period_end: {_ordinal_label(ordinals[row])} is not a whole number of {frequency}s "
            f"after {_ordinal_label(first_ordinal[row])} (a changed fiscal calendar?)"
        )
    steps = offsets // months
    spans = np.maximum.reduceat(steps, starts) + 1
    grid_starts = np.r_[0, np.cumsum(spans)[:-1]]
    grid_position = np.repeat(grid_starts, rows_per_company) + steps
    grid_size = int(spans.sum())
    position_in_company = np.arange(grid_size) - np.repeat(grid_starts, spans)
    has_full_window = position_in_company >= window - 1

    flow_columns = [i for i, column in enumerate(wide.columns) if is_flow(column)]
    for column in flow_columns:
        grid = np.full(grid_size, np.nan)
        grid[grid_position] = result[:, column]
        present = ~np.isnan(grid)
        sums = np.cumsum(np.where(present, grid, 0.0))
        counts = np.cumsum(present)
        lagged_sums = np.r_[np.zeros(window), sums[:-window]]
        lagged_counts = np.r_[np.zeros(window, dtype=counts.dtype), counts[:-window]]
        complete = has_full_window & (counts - lagged_counts == window)
        trailing = np.where(complete, sums - lagged_sums, np.nan)
        result[:, column] = trailing[grid_position]
    return result


LENGTH_COLUMNS = ("period_end", "period_months", "line_item", "value")


def ltm_from_periods(figures: pd.DataFrame, as_of: Any = None) -> pd.DataFrame:
    """Last-twelve-months figures at one period end, from figures of any length.

    Filings rarely give four quarters: a 10-Q prints the quarter and the
    year to date beside the prior year's, a 10-K the fiscal year. Each flow
    item takes the first of these that the figures hold (all by length, so
    a 52/53-week year counts as 12 months):

    1. a 12-month figure ending at ``as_of`` (a fiscal year or a stored LTM);
    2. fiscal year + year to date - prior year to date: a 12-month figure
       ending ``m`` months before ``as_of``, the ``m``-month figure ending at
       ``as_of`` and the ``m``-month figure ending twelve months earlier
       (longest ``m`` first, 11 down to 1);
    3. the sum of the four 3-month figures ending at ``as_of``, 3, 6 and 9
       months earlier;
    4. the sum of the twelve 1-month figures ending in the trailing year.

    Balances (period_months 0) are the value at ``as_of``. When none of the
    routes is complete the item is NaN, not an error, so that one missing
    line does not hide the others, and ``basis`` says what was missing.

    Parameters
    ----------
    figures : pandas.DataFrame
        One company and scenario, columns ``period_end``, ``period_months``
        (0 for a balance, else 1 to 12), ``line_item`` (canonical names or
        KPIs), ``value`` (float, as printed; NaN counts as absent), e.g.
        ``frames.metrics(db, company_ids=7, scenarios="actual")``.
    as_of : date-like, optional
        Defaults to the latest period end in ``figures``.

    Returns
    -------
    pandas.DataFrame indexed by ``line_item``: ``value`` (float64) and
    ``basis`` (str: which route gave the value, or why it is NaN).

    Raises
    ------
    ValueError
        Missing columns; several companies or scenarios; lengths outside
        0..12; a balance with a length or a flow without one; one item,
        period end and length with two different values; no figure ending at
        ``as_of``; dates that are not period ends; unknown items.
    """
    require_columns("figures", figures, LENGTH_COLUMNS)
    for column in ("company_id", "scenario"):
        if column in figures.columns and figures[column].nunique() > 1:
            raise ValueError(f"{column}: figures hold several; pass one {column}'s rows")
    rows = figures[figures["value"].notna()]
    ordinals = _month_ordinals("period_end", rows["period_end"])
    months = rows["period_months"].to_numpy()
    if months.size and (not np.issubdtype(months.dtype, np.integer) or months.min() < 0 or months.max() > 12):
        raise ValueError("period_months: must be whole months from 0 to 12")
    known: dict[tuple[str, int, int], float] = {}
    for item, ordinal, length, value in zip(
        rows["line_item"].astype(str), ordinals, months, rows["value"].astype(float), strict=True
    ):
        if is_flow(item) != (length != 0):
            kind = "a flow needs 1 to 12" if length == 0 else "a balance is 0"
            raise ValueError(f"period_months: {item} ending {_ordinal_label(ordinal)} has {length} months; {kind}")
        key = (item, int(ordinal), int(length))
        if key in known and known[key] != value:
            raise ValueError(
                f"figures: {item} for the {length} months ending {_ordinal_label(ordinal)} "
                f"is both {known[key]} and {value}"
            )
        known[key] = value
    if not known:
        raise ValueError("figures: no values")
    target = int(ordinals.max()) if as_of is None else int(_month_ordinals("as_of", [as_of])[0])
    if target not in set(ordinals.tolist()):
        raise ValueError(f"as_of: no figure ends {_ordinal_label(target)}")
    items = list(dict.fromkeys(item for item, _, _ in known))
    result = {item: _ltm_of_item(known, item, target) for item in items}
    table = pd.DataFrame.from_dict(result, orient="index", columns=["value", "basis"])
    table["value"] = table["value"].astype(float)
    table.index.name = "line_item"
    return table


def _ltm_of_item(known: dict[tuple[str, int, int], float], item: str, t: int) -> tuple[float, str]:
    def get(ordinal: int, length: int) -> float | None:
        return known.get((item, ordinal, length))

    end = _ordinal_label(t)
    if not is_flow(item):
        value = get(t, 0)
        return (np.nan, f"no balance at {end}") if value is None else (value, "balance at period end")
    reported = get(t, 12)
    if reported is not None:
        return reported, "12 months reported"
    for m in range(11, 0, -1):
        year, current, prior = get(t - m, 12), get(t, m), get(t - 12, m)
        if year is not None and current is not None and prior is not None:
            return (
                year + current - prior,
                f"12 months to {_ordinal_label(t - m)} + {m} months to {end} "
                f"- {m} months to {_ordinal_label(t - 12)}",
            )
    for length in (3, 1):
        parts = [get(t - length * k, length) for k in range(12 // length)]
        if all(part is not None for part in parts):
            return float(sum(parts)), f"sum of {12 // length} {length}-month periods"
    return np.nan, (
        f"no twelve months to {end}: no 12-month figure ending then, no fiscal year with "
        "current and prior year to date of one length, and not four quarters or twelve months"
    )


def fiscal_year(period_end: Any, fiscal_year_end_month: int = 12) -> Any:
    """Fiscal year label of period ends: the calendar year in which that fiscal year ends.

    A company whose year ends in September labels October 2023 to September
    2024 as fiscal 2024 (Apple's fiscal 2019 ended on 28 September 2019).
    Returns an int for one date, an integer array for several.

    Raises
    ------
    ValueError
        A month outside 1..12; dates that are not period ends.
    """
    if (
        not isinstance(fiscal_year_end_month, int | np.integer)
        or not 1 <= fiscal_year_end_month <= 12
    ):
        raise ValueError(f"fiscal_year_end_month: must be 1 to 12, got {fiscal_year_end_month!r}")
    single = np.ndim(period_end) == 0 and not isinstance(period_end, pd.Index | pd.Series)
    ordinals = _month_ordinals("period_end", [period_end] if single else period_end)
    year, month = ordinals // 12, ordinals % 12 + 1
    labels = np.where(month <= fiscal_year_end_month, year, year + 1)
    return int(labels[0]) if single else labels


def fiscal_year_totals(
    wide: pd.DataFrame, fiscal_year_end_month: int = 12, frequency: str = "quarter"
) -> pd.DataFrame:
    """Annual figures by fiscal year from quarters or months.

    Flow items are summed over the fiscal year's periods, balances taken at
    its last period. A year with a period missing keeps its row (so a gap is
    visible) with NaN for flows; ``periods_reported`` says how many periods
    it has.

    Raises
    ------
    ValueError
        As :func:`ltm`; a bad ``fiscal_year_end_month``.
    """
    months = _frequency(frequency)
    ordered, ordinals = _wide_checked(wide)
    labels = fiscal_year(ordered.index, fiscal_year_end_month)
    expected = 12 // months
    rows = {}
    for label in np.unique(labels):
        mask = labels == label
        block = ordered.iloc[np.flatnonzero(mask)]
        year_end = label * 12 + fiscal_year_end_month - 1
        complete = mask.sum() == expected
        row = {}
        for column in ordered.columns:
            if is_flow(column):
                row[column] = block[column].sum(skipna=False) if complete else np.nan
            else:
                at_end = ordinals[mask] == year_end
                row[column] = float(block[column].to_numpy()[at_end][0]) if at_end.any() else np.nan
        row["periods_reported"] = int(mask.sum())
        rows[int(label)] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "fiscal_year"
    return table


def yoy_growth(values: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Year-on-year growth ``value / value twelve months earlier - 1``, matched by period.

    Works on monthly, quarterly or annual data (index ``period_end``). NaN
    where the period a year earlier is absent or its value is not positive
    (growth from a loss has no meaning as a percentage).

    Raises
    ------
    ValueError
        Dates that are not period ends; duplicate periods.
    """
    if not isinstance(values, pd.Series | pd.DataFrame):
        raise ValueError(
            f"values: must be a pandas Series or DataFrame, got {type(values).__name__}"
        )
    if values.index.has_duplicates:
        raise ValueError("values: duplicate period_end")
    ordinals = _month_ordinals("values index", values.index)
    lookup = pd.Index(ordinals)
    earlier = lookup.get_indexer(ordinals - 12)
    current = values.to_numpy(dtype=float)
    previous = np.where(
        (earlier >= 0).reshape(-1, *([1] * (current.ndim - 1))),
        current[np.maximum(earlier, 0)],
        np.nan,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(previous > 0, current / previous - 1.0, np.nan)
    if isinstance(values, pd.Series):
        return pd.Series(growth, index=values.index, name=values.name)
    return pd.DataFrame(growth, index=values.index, columns=values.columns)


def cagr(begin_value: float, end_value: float, years: float) -> float:
    """Compound annual growth rate ``(end / begin) ** (1 / years) - 1``.

    Raises
    ------
    ValueError
        A beginning value that is not positive, a negative end value, or
        ``years`` not positive.
    """
    begin = as_scalar("begin_value", begin_value)
    end = as_scalar("end_value", end_value)
    span = as_scalar("years", years)
    if begin <= 0:
        raise ValueError(f"begin_value: must be positive, got {begin}")
    if end < 0:
        raise ValueError(f"end_value: must not be negative, got {end}")
    if span <= 0:
        raise ValueError(f"years: must be positive, got {span}")
    return (end / begin) ** (1.0 / span) - 1.0


def ebitda(operating_income: Any, depreciation_and_amortization: Any) -> Any:
    """EBITDA = operating income + depreciation and amortisation (both as printed, D&A positive)."""
    return operating_income + depreciation_and_amortization


def free_cash_flow(operating_cash_flow: Any, capital_expenditure: Any) -> Any:
    """Free cash flow = operating cash flow + capital expenditure (capex is negative as printed)."""
    return operating_cash_flow + capital_expenditure


def net_debt(short_term_debt: Any, long_term_debt: Any, cash_and_equivalents: Any) -> Any:
    """Net debt = short-term debt + long-term debt - cash; negative means net cash."""
    return short_term_debt + long_term_debt - cash_and_equivalents


def working_capital(total_current_assets: Any, total_current_liabilities: Any) -> Any:
    """Working capital = current assets - current liabilities."""
    return total_current_assets - total_current_liabilities


def _ratio(numerator: Any, denominator: Any) -> Any:
    # Ratios over a base that is zero or negative (a loss-making EBITDA, no
    # revenue) have no meaning, so they are NaN rather than a huge or
    # sign-flipped number.
    with np.errstate(divide="ignore", invalid="ignore"):
        numerator = np.asarray(numerator, dtype=float)
        denominator = np.asarray(denominator, dtype=float)
        result = np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan
        )
    return result if result.ndim else float(result)


def derived_metrics(frame: pd.DataFrame, days_in_period: float = 365.0) -> pd.DataFrame:
    """Derived items and ratios for every row of a wide (ideally LTM) frame.

    Columns returned (NaN where an input is missing or a base is not positive):

    * ``ebitda`` = operating_income + depreciation_and_amortization
    * ``free_cash_flow`` = operating_cash_flow + capital_expenditure
    * ``net_debt`` = short_term_debt + long_term_debt - cash_and_equivalents
    * ``working_capital`` = total_current_assets - total_current_liabilities
    * ``trade_working_capital`` = accounts_receivable + inventory - accounts_payable
    * ``gross_margin`` = gross_profit / revenue (gross_profit = revenue -
      cost_of_revenue when not reported); ``ebitda_margin``,
      ``operating_margin`` (operating_income / revenue), ``net_margin``
      (net_income / revenue)
    * ``leverage`` = net_debt / ebitda (turns)
    * ``interest_cover`` = operating_income / interest_expense (EBIT basis);
      ``ebitda_interest_cover`` = ebitda / interest_expense
    * ``cash_conversion`` = free_cash_flow / ebitda
    * ``dso`` = accounts_receivable / revenue * days; ``dio`` = inventory /
      cost_of_revenue * days; ``dpo`` = accounts_payable / cost_of_revenue *
      days; ``cash_conversion_cycle`` = dso + dio - dpo
    * ``fixed_asset_turnover`` = revenue / ppe_net; ``return_on_assets`` =
      net_income / total_assets (period-end assets)

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns are canonical line items; flows should cover the period that
        ``days_in_period`` describes.
    days_in_period : float, default 365
        Calendar days the flows cover: 365 for LTM or annual figures.

    Raises
    ------
    ValueError
        A non-positive ``days_in_period``; a non-DataFrame input.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: must be a pandas DataFrame, got {type(frame).__name__}")
    days = as_scalar("days_in_period", days_in_period)
    if days <= 0:
        raise ValueError(f"days_in_period: must be positive, got {days}")

    def column(name: str) -> np.ndarray:
        if name in frame.columns:
            return frame[name].to_numpy(dtype=float)
        return np.full(len(frame), np.nan)

    revenue = column("revenue")
    cost = column("cost_of_revenue")
    gross = column("gross_profit") if "gross_profit" in frame.columns else revenue - cost
    earnings = ebitda(column("operating_income"), column("depreciation_and_amortization"))
    cash = free_cash_flow(column("operating_cash_flow"), column("capital_expenditure"))
    debt = net_debt(
        column("short_term_debt"), column("long_term_debt"), column("cash_and_equivalents")
    )
    interest = column("interest_expense")
    dso = _ratio(column("accounts_receivable"), revenue) * days
    dio = _ratio(column("inventory"), cost) * days
    dpo = _ratio(column("accounts_payable"), cost) * days
    result = pd.DataFrame(
        {
            "ebitda": earnings,
            "free_cash_flow": cash,
            "net_debt": debt,
            "working_capital": working_capital(
                column("total_current_assets"), column("total_current_liabilities")
            ),
            "trade_working_capital": column("accounts_receivable")
            + column("inventory")
            - column("accounts_payable"),
            "gross_margin": _ratio(gross, revenue),
            "ebitda_margin": _ratio(earnings, revenue),
            "operating_margin": _ratio(column("operating_income"), revenue),
            "net_margin": _ratio(column("net_income"), revenue),
            "leverage": _ratio(debt, earnings),
            "interest_cover": _ratio(column("operating_income"), interest),
            "ebitda_interest_cover": _ratio(earnings, interest),
            "cash_conversion": _ratio(cash, earnings),
            "dso": dso,
            "dio": dio,
            "dpo": dpo,
            "cash_conversion_cycle": dso + dio - dpo,
            "fixed_asset_turnover": _ratio(revenue, column("ppe_net")),
            "return_on_assets": _ratio(column("net_income"), column("total_assets")),
        },
        index=frame.index,
    )
    return result
