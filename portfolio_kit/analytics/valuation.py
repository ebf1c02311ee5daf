"""Valuation: WACC, discounted cash flow and trading comparables.

Every step is a small pure function with explicit inputs, and every
intermediate line is kept in the result, because an Excel builder mirrors
these models cell by cell and a test recalculates the workbook and compares
it with these functions at 1e-9. The formulas are the ones natural to write
in a spreadsheet; each docstring gives it.

Units: money in one currency (any scale), rates and margins as fractions,
years as whole projection years (year 1 is the first projected year, year 0
the last actual one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics import _assumptions as check

TERMINAL_METHODS = ("gordon", "exit_multiple")


def cost_of_equity(
    risk_free_rate: float, equity_beta: float, equity_risk_premium: float, size_premium: float = 0.0
) -> float:
    """CAPM: ``risk_free_rate + equity_beta * equity_risk_premium + size_premium``."""
    return (
        check.number("risk_free_rate", risk_free_rate)
        + check.number("equity_beta", equity_beta)
        * check.number("equity_risk_premium", equity_risk_premium)
        + check.number("size_premium", size_premium)
    )


def after_tax_cost_of_debt(pre_tax_cost_of_debt: float, tax_rate: float) -> float:
    """``pre_tax_cost_of_debt * (1 - tax_rate)``: interest is tax-deductible."""
    return check.number("pre_tax_cost_of_debt", pre_tax_cost_of_debt) * (
        1.0 - check.fraction("tax_rate", tax_rate)
    )


@dataclass(frozen=True)
class WaccInputs(check.Assumptions):
    """Inputs of the weighted average cost of capital, with market-value weights."""

    risk_free_rate: float
    equity_beta: float
    equity_risk_premium: float
    pre_tax_cost_of_debt: float
    tax_rate: float
    equity_value: float
    debt_value: float
    size_premium: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "risk_free_rate",
            "equity_beta",
            "equity_risk_premium",
            "pre_tax_cost_of_debt",
            "size_premium",
        ):
            object.__setattr__(self, name, check.number(name, getattr(self, name)))
        object.__setattr__(self, "tax_rate", check.fraction("tax_rate", self.tax_rate))
        object.__setattr__(
            self, "equity_value", check.non_negative("equity_value", self.equity_value)
        )
        object.__setattr__(self, "debt_value", check.non_negative("debt_value", self.debt_value))
        if self.equity_value + self.debt_value <= 0:
            raise ValueError("equity_value: equity and debt values cannot both be zero")


@dataclass(frozen=True)
class WaccResult:
    cost_of_equity: float
    after_tax_cost_of_debt: float
    equity_weight: float
    debt_weight: float
    wacc: float

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


def wacc(inputs: WaccInputs) -> WaccResult:
    """``E / (D + E) * cost_of_equity + D / (D + E) * pre_tax_cost_of_debt * (1 - tax_rate)``.

    Cost of equity by CAPM (:func:`cost_of_equity`).
    """
    equity_cost = cost_of_equity(
        inputs.risk_free_rate, inputs.equity_beta, inputs.equity_risk_premium, inputs.size_premium
    )
    debt_cost = after_tax_cost_of_debt(inputs.pre_tax_cost_of_debt, inputs.tax_rate)
    total = inputs.equity_value + inputs.debt_value
    equity_weight = inputs.equity_value / total
    debt_weight = inputs.debt_value / total
    return WaccResult(
        cost_of_equity=equity_cost,
        after_tax_cost_of_debt=debt_cost,
        equity_weight=equity_weight,
        debt_weight=debt_weight,
        wacc=equity_weight * equity_cost + debt_weight * debt_cost,
    )


def _margin(field_name: str, value: Any) -> float:
    result = check.number(field_name, value)
    if result > 1.0:
        raise ValueError(f"{field_name}: a margin cannot exceed 1 (100%), got {result}")
    return result


@dataclass(frozen=True)
class DcfAssumptions(check.Assumptions):
    """Drivers of an unlevered DCF. Percentages may be one number or one per projected year.

    Attributes
    ----------
    base_revenue : revenue of the last actual year (year 0), positive.
    revenue_growth : growth of each projected year over the one before.
    ebitda_margin : EBITDA / revenue per year.
    depreciation_pct_revenue : D&A / revenue per year (a positive expense).
    capex_pct_revenue : capital expenditure / revenue per year (a positive spend).
    nwc_pct_revenue : net working capital / revenue per year; the year-0
        balance is ``base_revenue * nwc_pct_revenue[0]``.
    tax_rate : on positive EBIT (no credit for losses: no loss carry-forward is modelled).
    wacc : discount rate, above -1, and above ``terminal_growth`` for the Gordon method.
    terminal_method : ``"gordon"`` (growing perpetuity) or ``"exit_multiple"`` (EV / EBITDA).
    terminal_growth : perpetual growth of free cash flow after the last year.
    exit_multiple : EV / EBITDA applied to the last year's EBITDA (exit method only).
    mid_year : discount each year's cash flow from mid-year (``t - 0.5``).
    net_debt, minority_interest, preferred_equity, non_operating_assets :
        the enterprise-to-equity bridge.
    shares_outstanding : diluted shares, for a value per share (optional).
    """

    base_revenue: float
    revenue_growth: Sequence[float]
    ebitda_margin: Sequence[float] | float
    depreciation_pct_revenue: Sequence[float] | float
    capex_pct_revenue: Sequence[float] | float
    nwc_pct_revenue: Sequence[float] | float
    tax_rate: float
    wacc: float
    terminal_method: str = "gordon"
    terminal_growth: float = 0.02
    exit_multiple: float | None = None
    mid_year: bool = False
    net_debt: float = 0.0
    minority_interest: float = 0.0
    preferred_equity: float = 0.0
    non_operating_assets: float = 0.0
    shares_outstanding: float | None = None

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("base_revenue", check.positive("base_revenue", self.base_revenue))
        growth = self.revenue_growth
        if isinstance(growth, str) or not isinstance(growth, Sequence) or len(growth) == 0:
            raise ValueError(
                "revenue_growth: needs one growth rate per projected year (at least one)"
            )
        years = len(growth)
        set_("revenue_growth", check.per_year("revenue_growth", growth, years, check.rate))
        set_("ebitda_margin", check.per_year("ebitda_margin", self.ebitda_margin, years, _margin))
        for name in ("depreciation_pct_revenue", "capex_pct_revenue"):
            set_(name, check.per_year(name, getattr(self, name), years, check.non_negative))
        set_("nwc_pct_revenue", check.per_year("nwc_pct_revenue", self.nwc_pct_revenue, years))
        set_("tax_rate", check.fraction("tax_rate", self.tax_rate))
        set_("wacc", check.rate("wacc", self.wacc))
        if self.terminal_method not in TERMINAL_METHODS:
            raise ValueError(
                f"terminal_method: must be one of {', '.join(TERMINAL_METHODS)}, "
                f"got {self.terminal_method!r}"
            )
        set_("terminal_growth", check.rate("terminal_growth", self.terminal_growth))
        if self.terminal_method == "gordon" and self.wacc <= self.terminal_growth:
            raise ValueError(
                f"wacc: must exceed terminal_growth ({self.wacc} <= {self.terminal_growth})"
            )
        if self.terminal_method == "exit_multiple":
            if self.exit_multiple is None:
                raise ValueError("exit_multiple: required when terminal_method is 'exit_multiple'")
            set_("exit_multiple", check.positive("exit_multiple", self.exit_multiple))
        elif self.exit_multiple is not None:
            set_("exit_multiple", check.positive("exit_multiple", self.exit_multiple))
        if not isinstance(self.mid_year, bool):
            raise ValueError(f"mid_year: must be True or False, got {self.mid_year!r}")
        for name in ("net_debt", "minority_interest", "preferred_equity", "non_operating_assets"):
            set_(name, check.number(name, getattr(self, name)))
        if self.shares_outstanding is not None:
            set_(
                "shares_outstanding", check.positive("shares_outstanding", self.shares_outstanding)
            )

    @property
    def years(self) -> int:
        return len(self.revenue_growth)


@dataclass(frozen=True)
class DcfProjection:
    """Per-year lines of the unlevered free cash flow build (tuples, year 1 first)."""

    years: tuple[int, ...]
    revenue: tuple[float, ...]
    ebitda: tuple[float, ...]
    depreciation: tuple[float, ...]
    ebit: tuple[float, ...]
    taxes: tuple[float, ...]
    nopat: tuple[float, ...]
    capex: tuple[float, ...]
    net_working_capital: tuple[float, ...]
    change_in_nwc: tuple[float, ...]
    free_cash_flow: tuple[float, ...]

    def to_frame(self) -> pd.DataFrame:
        data = {
            name: values for name, values in dataclasses.asdict(self).items() if name != "years"
        }
        return pd.DataFrame(data, index=pd.Index(self.years, name="year"))


@dataclass(frozen=True)
class DcfResult:
    """Every line of a DCF valuation (see :func:`dcf` for the formulas)."""

    projection: DcfProjection
    discount_period: tuple[float, ...]
    discount_factor: tuple[float, ...]
    present_value: tuple[float, ...]
    sum_of_present_values: float
    terminal_value: float
    terminal_discount_period: float
    terminal_discount_factor: float
    present_value_of_terminal_value: float
    enterprise_value: float
    equity_value: float
    value_per_share: float | None
    terminal_value_share: float
    implied_exit_multiple: float | None
    implied_terminal_growth: float | None

    def to_frame(self) -> pd.DataFrame:
        """Per-year lines with discounting, one row per projected year."""
        frame = self.projection.to_frame()
        frame["discount_period"] = self.discount_period
        frame["discount_factor"] = self.discount_factor
        frame["present_value"] = self.present_value
        return frame

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


def project_free_cash_flows(assumptions: DcfAssumptions) -> DcfProjection:
    """Unlevered free cash flow by year.

    For year t (1..N), with ``R_0 = base_revenue``::

        revenue_t   = revenue_{t-1} * (1 + revenue_growth_t)
        ebitda_t    = revenue_t * ebitda_margin_t
        depreciation_t = revenue_t * depreciation_pct_revenue_t
        ebit_t      = ebitda_t - depreciation_t
        taxes_t     = MAX(ebit_t, 0) * tax_rate
        nopat_t     = ebit_t - taxes_t
        capex_t     = revenue_t * capex_pct_revenue_t
        nwc_t       = revenue_t * nwc_pct_revenue_t      (nwc_0 = R_0 * nwc_pct_revenue_1)
        change_in_nwc_t = nwc_t - nwc_{t-1}
        free_cash_flow_t = nopat_t + depreciation_t - capex_t - change_in_nwc_t
    """
    a = assumptions
    revenue, ebitda_, depreciation, ebit, taxes, nopat, capex, nwc, change, fcf = (
        [] for _ in range(10)
    )
    previous_revenue = a.base_revenue
    previous_nwc = a.base_revenue * a.nwc_pct_revenue[0]
    for year in range(a.years):
        sales = previous_revenue * (1.0 + a.revenue_growth[year])
        earnings = sales * a.ebitda_margin[year]
        da = sales * a.depreciation_pct_revenue[year]
        operating = earnings - da
        tax = max(operating, 0.0) * a.tax_rate
        spend = sales * a.capex_pct_revenue[year]
        working = sales * a.nwc_pct_revenue[year]
        delta = working - previous_nwc
        revenue.append(sales)
        ebitda_.append(earnings)
        depreciation.append(da)
        ebit.append(operating)
        taxes.append(tax)
        nopat.append(operating - tax)
        capex.append(spend)
        nwc.append(working)
        change.append(delta)
        fcf.append(operating - tax + da - spend - delta)
        previous_revenue, previous_nwc = sales, working
    return DcfProjection(
        years=tuple(range(1, a.years + 1)),
        revenue=tuple(revenue),
        ebitda=tuple(ebitda_),
        depreciation=tuple(depreciation),
        ebit=tuple(ebit),
        taxes=tuple(taxes),
        nopat=tuple(nopat),
        capex=tuple(capex),
        net_working_capital=tuple(nwc),
        change_in_nwc=tuple(change),
        free_cash_flow=tuple(fcf),
    )


def discount_periods(years: int, mid_year: bool) -> tuple[float, ...]:
    """Discount period of each year: ``t``, or ``t - 0.5`` under the mid-year convention."""
    shift = 0.5 if mid_year else 0.0
    return tuple(float(t) - shift for t in range(1, years + 1))


def discount_factors(wacc: float, periods: Sequence[float]) -> tuple[float, ...]:
    """``1 / (1 + wacc) ^ period`` for each period.

    Raises
    ------
    ValueError
        ``wacc`` is not a rate above -100%, or a period is not a finite
        number (named ``periods[i]``): NaN would otherwise flow silently into
        every present value built on it.
    """
    rate = check.rate("wacc", wacc)
    years = [check.number(f"periods[{index}]", period) for index, period in enumerate(periods)]
    return tuple(1.0 / (1.0 + rate) ** year for year in years)


def gordon_terminal_value(
    final_free_cash_flow: float, wacc: float, terminal_growth: float
) -> float:
    """Growing perpetuity at the end of the last year: ``FCF_N * (1 + g) / (wacc - g)``.

    Raises
    ------
    ValueError
        ``wacc <= terminal_growth`` (the perpetuity has no finite value).
    """
    rate = check.rate("wacc", wacc)
    growth = check.rate("terminal_growth", terminal_growth)
    if rate <= growth:
        raise ValueError(f"wacc: must exceed terminal_growth ({rate} <= {growth})")
    return (
        check.number("final_free_cash_flow", final_free_cash_flow)
        * (1.0 + growth)
        / (rate - growth)
    )


def exit_multiple_terminal_value(final_ebitda: float, exit_multiple: float) -> float:
    """Terminal value by multiple: ``EBITDA_N * exit_multiple``."""
    return check.number("final_ebitda", final_ebitda) * check.positive(
        "exit_multiple", exit_multiple
    )


def terminal_discount_period(years: int, terminal_method: str, mid_year: bool) -> float:
    """Where the terminal value is discounted from.

    A growing perpetuity of mid-year flows is discounted from ``N - 0.5``; an
    exit multiple is a sale at the end of year ``N`` and is discounted from
    ``N`` (the convention in Rosenbaum & Pearl, *Investment Banking*, ch. 3).
    Without the mid-year convention both use ``N``.
    """
    if terminal_method not in TERMINAL_METHODS:
        raise ValueError(
            f"terminal_method: must be one of {', '.join(TERMINAL_METHODS)}, "
            f"got {terminal_method!r}"
        )
    if mid_year and terminal_method == "gordon":
        return years - 0.5
    return float(years)


def equity_bridge(
    enterprise_value: float,
    net_debt: float = 0.0,
    minority_interest: float = 0.0,
    preferred_equity: float = 0.0,
    non_operating_assets: float = 0.0,
) -> float:
    """Equity value = EV - net debt - minority interest - preferred equity + non-operating assets.

    A negative result is returned as is (the claims exceed the enterprise value).
    """
    return (
        check.number("enterprise_value", enterprise_value)
        - check.number("net_debt", net_debt)
        - check.number("minority_interest", minority_interest)
        - check.number("preferred_equity", preferred_equity)
        + check.number("non_operating_assets", non_operating_assets)
    )


def value_free_cash_flows(
    free_cash_flows: Sequence[float],
    wacc: float,
    *,
    terminal_method: str = "gordon",
    terminal_growth: float = 0.02,
    exit_multiple: float | None = None,
    final_ebitda: float | None = None,
    mid_year: bool = False,
) -> dict[str, Any]:
    """Enterprise value of explicit free cash flows (year 1 first) plus a terminal value.

    ``EV = sum(FCF_t * DF_t) + TV * DF_TV`` with ``DF = 1 / (1 + wacc) ^ period``
    (see :func:`discount_periods`, :func:`terminal_discount_period`).

    Returns
    -------
    dict with ``discount_period``, ``discount_factor``, ``present_value``
    (tuples), ``sum_of_present_values``, ``terminal_value``,
    ``terminal_discount_period``, ``terminal_discount_factor``,
    ``present_value_of_terminal_value``, ``enterprise_value``.

    Raises
    ------
    ValueError
        No cash flow; non-finite values; ``wacc <= terminal_growth`` (Gordon);
        an exit method without ``exit_multiple`` and ``final_ebitda``.
    """
    flows = [check.number(f"free_cash_flows[{i}]", v) for i, v in enumerate(free_cash_flows)]
    if not flows:
        raise ValueError("free_cash_flows: needs at least one year")
    rate = check.rate("wacc", wacc)
    periods = discount_periods(len(flows), mid_year)
    factors = discount_factors(rate, periods)
    values = tuple(flow * factor for flow, factor in zip(flows, factors, strict=True))
    if terminal_method == "gordon":
        terminal = gordon_terminal_value(flows[-1], rate, terminal_growth)
    elif terminal_method == "exit_multiple":
        if exit_multiple is None or final_ebitda is None:
            raise ValueError("exit_multiple: the exit method needs exit_multiple and final_ebitda")
        terminal = exit_multiple_terminal_value(final_ebitda, exit_multiple)
    else:
        raise ValueError(
            f"terminal_method: must be one of {', '.join(TERMINAL_METHODS)}, "
            f"got {terminal_method!r}"
        )
    terminal_period = terminal_discount_period(len(flows), terminal_method, mid_year)
    terminal_factor = 1.0 / (1.0 + rate) ** terminal_period
    total = sum(values)
    return {
        "discount_period": periods,
        "discount_factor": factors,
        "present_value": values,
        "sum_of_present_values": total,
        "terminal_value": terminal,
        "terminal_discount_period": terminal_period,
        "terminal_discount_factor": terminal_factor,
        "present_value_of_terminal_value": terminal * terminal_factor,
        "enterprise_value": total + terminal * terminal_factor,
    }


def dcf(assumptions: DcfAssumptions) -> DcfResult:
    """Unlevered DCF: project and discount free cash flows, add a terminal value, bridge to equity.

    Implied cross-checks: ``implied_exit_multiple = TV / EBITDA_N`` (None when
    EBITDA_N <= 0); for the exit method, ``implied_terminal_growth`` is the
    ``g`` whose Gordon value, discounted from ``N - 0.5`` under the mid-year
    convention (``N`` otherwise), has the same present value:
    ``TV_g = TV * (1 + wacc) ^ -0.5`` (mid-year) or ``TV``, then
    ``g = (TV_g * wacc - FCF_N) / (TV_g + FCF_N)``.
    """
    a = assumptions
    projection = project_free_cash_flows(a)
    valued = value_free_cash_flows(
        projection.free_cash_flow,
        a.wacc,
        terminal_method=a.terminal_method,
        terminal_growth=a.terminal_growth,
        exit_multiple=a.exit_multiple,
        final_ebitda=projection.ebitda[-1],
        mid_year=a.mid_year,
    )
    enterprise = valued["enterprise_value"]
    equity = equity_bridge(
        enterprise, a.net_debt, a.minority_interest, a.preferred_equity, a.non_operating_assets
    )
    terminal = valued["terminal_value"]
    final_ebitda, final_fcf = projection.ebitda[-1], projection.free_cash_flow[-1]
    implied_growth = None
    if a.terminal_method == "exit_multiple":
        gordon_equivalent = terminal / (1.0 + a.wacc) ** 0.5 if a.mid_year else terminal
        if gordon_equivalent + final_fcf != 0:
            implied_growth = (gordon_equivalent * a.wacc - final_fcf) / (
                gordon_equivalent + final_fcf
            )
    return DcfResult(
        projection=projection,
        discount_period=valued["discount_period"],
        discount_factor=valued["discount_factor"],
        present_value=valued["present_value"],
        sum_of_present_values=valued["sum_of_present_values"],
        terminal_value=terminal,
        terminal_discount_period=valued["terminal_discount_period"],
        terminal_discount_factor=valued["terminal_discount_factor"],
        present_value_of_terminal_value=valued["present_value_of_terminal_value"],
        enterprise_value=enterprise,
        equity_value=equity,
        value_per_share=equity / a.shares_outstanding if a.shares_outstanding else None,
        terminal_value_share=valued["present_value_of_terminal_value"] / enterprise
        if enterprise
        else float("nan"),
        implied_exit_multiple=terminal / final_ebitda if final_ebitda > 0 else None,
        implied_terminal_growth=implied_growth,
    )


def dcf_sensitivity(
    assumptions: DcfAssumptions,
    waccs: Sequence[float],
    growths: Sequence[float] | None = None,
    *,
    exit_multiples: Sequence[float] | None = None,
    output: str = "enterprise_value",
) -> pd.DataFrame:
    """A grid of one DCF output over WACC (rows) and terminal growth or exit multiple (columns).

    Gordon method: pass ``growths``; exit method: pass ``exit_multiples``.
    Cells where the WACC does not exceed the growth are NaN (no finite value).

    Parameters
    ----------
    output : {"enterprise_value", "equity_value", "value_per_share"}

    Raises
    ------
    ValueError
        A missing or wrong second axis, an unknown ``output``,
        ``value_per_share`` without ``shares_outstanding``.
    """
    if output not in ("enterprise_value", "equity_value", "value_per_share"):
        raise ValueError(
            f"output: must be enterprise_value, equity_value or value_per_share, got {output!r}"
        )
    if output == "value_per_share" and assumptions.shares_outstanding is None:
        raise ValueError("output: value_per_share needs shares_outstanding in the assumptions")
    if assumptions.terminal_method == "gordon":
        if growths is None or exit_multiples is not None:
            raise ValueError("growths: the Gordon method varies terminal growth; pass growths only")
        axis, name, key = growths, "terminal_growth", "terminal_growth"
    else:
        if exit_multiples is None or growths is not None:
            raise ValueError(
                "exit_multiples: the exit method varies the multiple; pass exit_multiples only"
            )
        axis, name, key = exit_multiples, "exit_multiple", "exit_multiple"
    rates = [check.rate(f"waccs[{i}]", w) for i, w in enumerate(waccs)]
    columns = [check.number(f"{name}s[{i}]", v) for i, v in enumerate(axis)]
    if not rates or not columns:
        raise ValueError("waccs: the grid needs at least one WACC and one column value")
    grid = np.full((len(rates), len(columns)), np.nan)
    for i, rate in enumerate(rates):
        for j, value in enumerate(columns):
            if key == "terminal_growth" and rate <= value:
                continue
            grid[i, j] = getattr(dcf(assumptions.replace(wacc=rate, **{key: value})), output)
    return pd.DataFrame(
        grid, index=pd.Index(rates, name="wacc"), columns=pd.Index(columns, name=name)
    )


def trading_multiples(peers: pd.DataFrame) -> pd.DataFrame:
    """EV / revenue, EV / EBITDA and P / E of peers from their values and metrics.

    ``peers`` has ``enterprise_value`` and any of ``revenue``, ``ebitda``
    (for the EV multiples) and ``market_cap`` with ``net_income`` (for P / E).
    A multiple over a metric that is not positive is NaN (meaningless).
    """
    if not isinstance(peers, pd.DataFrame):
        raise ValueError(f"peers: must be a pandas DataFrame, got {type(peers).__name__}")
    result = pd.DataFrame(index=peers.index)

    def ratio(numerator: str, denominator: str) -> pd.Series:
        base = peers[denominator].astype(float)
        return peers[numerator].astype(float).where(base > 0) / base.where(base > 0)

    if "enterprise_value" in peers:
        if "revenue" in peers:
            result["ev_revenue"] = ratio("enterprise_value", "revenue")
        if "ebitda" in peers:
            result["ev_ebitda"] = ratio("enterprise_value", "ebitda")
    if "market_cap" in peers and "net_income" in peers:
        result["pe"] = ratio("market_cap", "net_income")
    return result


def apply_peer_multiples(
    peer_multiples: pd.DataFrame,
    subject_metrics: Mapping[str, float],
    net_debt: float = 0.0,
    equity_multiples: Sequence[str] = ("pe",),
) -> pd.DataFrame:
    """Value a company at its peers' low quartile, median, mean and high quartile multiples.

    Parameters
    ----------
    peer_multiples : pandas.DataFrame
        One row per peer, one column per multiple (e.g. from
        :func:`trading_multiples`). NaN and non-positive multiples are left
        out of the statistics.
    subject_metrics : mapping
        For each multiple to apply, the subject's metric: ``{"ev_ebitda":
        ebitda, "ev_revenue": revenue, "pe": net_income}``.
    net_debt : float
        Bridges enterprise value to equity (``equity = EV - net_debt``).
    equity_multiples : names of multiples that value equity directly (P / E);
        all others value the enterprise.

    Returns
    -------
    pandas.DataFrame, one row per multiple: ``peers`` (count used),
    ``low_quartile``, ``median``, ``mean``, ``high_quartile`` (the multiples;
    quartiles interpolate linearly, as Excel's QUARTILE.INC does), ``metric``,
    then ``enterprise_value_<stat>`` and ``equity_value_<stat>`` for each statistic.

    Raises
    ------
    ValueError
        A multiple named in ``subject_metrics`` that ``peer_multiples`` lacks,
        or with no usable peer; non-finite metrics.
    """
    if not isinstance(peer_multiples, pd.DataFrame):
        raise ValueError(
            f"peer_multiples: must be a pandas DataFrame, got {type(peer_multiples).__name__}"
        )
    debt = check.number("net_debt", net_debt)
    statistics = ("low_quartile", "median", "mean", "high_quartile")
    rows = {}
    for multiple, metric in subject_metrics.items():
        if multiple not in peer_multiples.columns:
            raise ValueError(f"subject_metrics: peer_multiples has no column {multiple!r}")
        value = check.number(f"subject_metrics[{multiple!r}]", metric)
        usable = peer_multiples[multiple].astype(float)
        usable = usable[np.isfinite(usable) & (usable > 0)].to_numpy()
        if usable.size == 0:
            raise ValueError(f"peer_multiples: no positive {multiple!r} among the peers")
        stats = {
            "low_quartile": float(np.percentile(usable, 25)),
            "median": float(np.median(usable)),
            "mean": float(usable.mean()),
            "high_quartile": float(np.percentile(usable, 75)),
        }
        row: dict[str, float] = {"peers": float(usable.size), **stats, "metric": value}
        for stat in statistics:
            implied = stats[stat] * value
            if multiple in equity_multiples:
                row[f"enterprise_value_{stat}"] = implied + debt
                row[f"equity_value_{stat}"] = implied
            else:
                row[f"enterprise_value_{stat}"] = implied
                row[f"equity_value_{stat}"] = implied - debt
        rows[multiple] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "multiple"
    return table
