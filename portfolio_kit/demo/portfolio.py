"""The demo portfolio as plain records, before anything touches a database.

``build_portfolio`` runs the company simulations, prices each deal, and
derives the funds' LP cash flows and quarterly NAVs from the deals, the way a
fund administrator would: capital is called when a deal closes, fees are
called quarterly, proceeds are distributed two weeks after they arrive net
of carried interest, and NAV is the carrying value of what is still held.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from portfolio_kit.demo.simulate import CompanyHistory, index_levels, simulate_company
from portfolio_kit.demo.spec import (
    AS_OF,
    COMPANIES,
    FUNDS,
    LATE_REPORTER,
    MISSTATED,
    PIPELINE,
    SEED,
    WRITTEN_OFF,
    CompanySpec,
    FundSpec,
)
from portfolio_kit.periods import add_months, quarter_ends_between

CARRY = 0.20
INVESTMENT_PERIOD_YEARS = 5
TRANSACTION_COST = 0.02
DISTRIBUTION_LAG = timedelta(days=14)

DIVIDEND_RECAPS = {"Copperline Networks": (date(2021, 9, 15), 0.30), "Vantage Controls": (date(2021, 3, 16), 0.25)}
FOLLOW_ONS = {"Driftwood Pet Care": (date(2021, 5, 18), 0.15), "Evergreen Labs": (date(2022, 10, 11), 0.10)}
RECALLABLE = {"Alder Ridge Capital III": (date(2020, 12, 15), 4_000_000.0)}


@dataclass
class Deal:
    company: CompanySpec
    history: CompanyHistory
    fund_index: int
    equity_invested: float
    flows: list[tuple[date, str, float]]  # (date, deal cash-flow kind, positive amount)
    exit_proceeds: float | None
    status: str

    def fair_value(self, on: date) -> float:
        """The fund's share of the latest mark on or before ``on`` (0 once exited)."""
        if self.company.exit is not None and self.company.exit <= on:
            return 0.0
        value = 0.0
        for mark_date, _ev, equity, _multiple in self.history.marks:
            if mark_date <= on:
                value = equity * self.company.ownership
        return value


@dataclass
class FundBook:
    spec: FundSpec
    cash_flows: list[tuple[date, str, float]] = field(default_factory=list)
    navs: list[tuple[date, float]] = field(default_factory=list)


@dataclass
class DemoPortfolio:
    as_of: date
    funds: list[FundBook]
    deals: list[Deal]
    pipeline: list[CompanyHistory]
    index: list[tuple[date, float]]


def _price_deal(spec: CompanySpec, history: CompanyHistory, fund_index: int) -> Deal:
    entry_equity = history.entry_enterprise_value - history.entry_net_debt
    equity_invested = round(entry_equity * spec.ownership)
    flows = [
        (spec.entry, "investment", float(equity_invested)),
        (spec.entry, "transaction_cost", float(round(equity_invested * TRANSACTION_COST))),
    ]
    if spec.name in FOLLOW_ONS:
        when, share = FOLLOW_ONS[spec.name]
        flows.append((when, "follow_on", float(round(equity_invested * share))))
    if spec.name in DIVIDEND_RECAPS:
        when, share = DIVIDEND_RECAPS[spec.name]
        flows.append((when, "dividend", float(round(equity_invested * share))))
    exit_proceeds = None
    status = "invested"
    if spec.exit is not None:
        final_equity = history.marks[-1][2]
        exit_proceeds = float(round(final_equity * spec.ownership))
        status = "written_off" if spec.name in WRITTEN_OFF else "realized"
        if exit_proceeds > 0:
            flows.append((spec.exit, "exit_proceeds", exit_proceeds))
    flows.sort(key=lambda flow: flow[0])
    return Deal(spec, history, fund_index, float(equity_invested), flows, exit_proceeds, status)


def _fund_book(spec: FundSpec, deals: list[Deal], as_of: date) -> FundBook:
    commitments = spec.commitments_m * 1_000_000
    events: list[tuple[date, str, float]] = []
    for deal in deals:
        for when, kind, amount in deal.flows:
            if kind in ("investment", "follow_on", "transaction_cost"):
                events.append((when, "capital_call", amount))
            elif when + DISTRIBUTION_LAG <= as_of:
                events.append((when + DISTRIBUTION_LAG, "gross_distribution", amount))

    investment_period_end = add_months(spec.first_close, 12 * INVESTMENT_PERIOD_YEARS)
    for q_end in quarter_ends_between(spec.first_close, as_of):
        fee_date = add_months(q_end, -3) + timedelta(days=15)
        fee_date = max(fee_date, spec.first_close)
        if fee_date > as_of:
            continue
        if fee_date < investment_period_end:
            fee = commitments * 0.02 / 4
        else:
            cost_held = sum(
                deal.equity_invested
                for deal in deals
                if deal.company.entry <= fee_date and (deal.company.exit is None or deal.company.exit > fee_date)
            )
            fee = cost_held * 0.015 / 4
        if fee > 0:
            events.append((fee_date, "management_fee", round(fee)))
        if q_end.month == 12:
            events.append((q_end, "expense", round(commitments * 0.001)))
    if spec.name in RECALLABLE:
        when, amount = RECALLABLE[spec.name]
        events.append((when, "recallable_distribution", amount))
    events.sort(key=lambda event: (event[0], event[1]))

    book = FundBook(spec)
    paid_in = 0.0
    distributed = 0.0
    for when, kind, amount in events:
        if kind == "gross_distribution":
            above_cost = max(0.0, distributed + amount - paid_in) - max(0.0, distributed - paid_in)
            net = round(amount - CARRY * above_cost)
            book.cash_flows.append((when, "distribution", float(net)))
            distributed += net
        else:
            book.cash_flows.append((when, kind, float(amount)))
            if kind in ("capital_call", "management_fee", "expense"):
                paid_in += amount
            else:
                distributed += amount

    for q_end in quarter_ends_between(spec.first_close, as_of):
        gross = sum(deal.fair_value(q_end) for deal in deals)
        called = sum(a for d, k, a in book.cash_flows if d <= q_end and k in ("capital_call", "management_fee", "expense"))
        paid_out = sum(a for d, k, a in book.cash_flows if d <= q_end and k in ("distribution", "recallable_distribution"))
        accrued_carry = CARRY * max(0.0, gross + paid_out - called)
        book.navs.append((q_end, float(round(max(gross - accrued_carry, 0.0)))))
    return book


def build_portfolio(scale: int = 1, as_of: date = AS_OF) -> DemoPortfolio:
    """The demo, or ``scale`` copies of it (funds and companies renamed with a
    suffix and re-seeded) for benchmarks on a larger portfolio."""
    rng = np.random.default_rng(SEED)
    funds: list[FundBook] = []
    deals: list[Deal] = []
    pipeline: list[CompanyHistory] = []
    for copy in range(scale):
        suffix = "" if copy == 0 else f" ({copy + 1})"
        by_fund: dict[int, list[Deal]] = defaultdict(list)
        for spec in COMPANIES:
            named = _renamed(spec, suffix)
            history = simulate_company(named, as_of, np.random.default_rng([SEED, copy, COMPANIES.index(spec)]))
            if spec.name in PIPELINE:
                pipeline.append(history)
                continue
            history = _apply_reporting_quirks(spec.name, history)
            deal = _price_deal(named, history, len(funds) + spec.fund)
            by_fund[spec.fund].append(deal)
            deals.append(deal)
        for index, fund_spec in enumerate(FUNDS):
            named_fund = FundSpec(fund_spec.name + suffix, *_fund_fields(fund_spec))
            funds.append(_fund_book(named_fund, by_fund[index], as_of))
    return DemoPortfolio(as_of, funds, deals, pipeline, index_levels(date(2012, 1, 2), as_of, rng))


def _renamed(spec: CompanySpec, suffix: str) -> CompanySpec:
    if not suffix:
        return spec
    fields = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
    fields["name"] = spec.name + suffix
    return CompanySpec(**fields)


def _fund_fields(spec: FundSpec) -> tuple:
    return (spec.vintage_year, spec.first_close, spec.commitments_m, spec.target_m, spec.strategy, spec.status)


def _apply_reporting_quirks(name: str, history: CompanyHistory) -> CompanyHistory:
    if name == LATE_REPORTER:
        history.quarters = history.quarters[:-1]
    if name == MISSTATED:
        latest = history.quarters[-1].values
        latest["total_assets"] = latest["total_assets"] + 10_000_000
    return history
