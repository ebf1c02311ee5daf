"""Leveraged buyout returns: sources and uses, debt schedule with amortisation and cash sweep, exit.

Like the DCF, every line is kept so an Excel builder can mirror the model
cell by cell. Conventions, chosen so the spreadsheet has no circular
references:

* Interest for a year is charged on each tranche's **opening** balance
  (no average balances, hence no circularity).
* Years are whole years after closing; year 0 is the entry year, whose
  EBITDA is ``entry_ebitda``.
* Mandatory repayment is a fixed share of each tranche's original principal,
  never more than what is outstanding.
* Cash above ``minimum_cash`` after interest, taxes, capex, working capital
  and mandatory repayments is swept (``sweep_share`` of it) into the
  tranches marked ``cash_sweep``, in the order given; the rest stays on the
  balance sheet.
* There is no revolver: a shortfall shows as cash below ``minimum_cash``
  (possibly negative) rather than being financed; ``LboResult.cash_shortfall``
  flags it.
* The sponsor puts in equity once at closing and takes it out once at exit,
  so ``IRR = MOIC ^ (1 / years) - 1`` (the IRR of ``[-equity, 0, ..., proceeds]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from portfolio_kit.analytics import _assumptions as check


@dataclass(frozen=True)
class DebtTranche(check.Assumptions):
    """One layer of acquisition debt.

    Attributes
    ----------
    name : label, unique within a deal.
    amount : principal drawn at closing.
    interest_rate : annual cash interest on the opening balance.
    amortization_rate : mandatory repayment per year as a fraction of ``amount``.
    cash_sweep : whether excess cash repays this tranche.
    """

    name: str
    amount: float
    interest_rate: float
    amortization_rate: float = 0.0
    cash_sweep: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name: a tranche needs a non-empty name, got {self.name!r}")
        object.__setattr__(self, "amount", check.non_negative(f"{self.name}.amount", self.amount))
        object.__setattr__(
            self, "interest_rate", check.rate(f"{self.name}.interest_rate", self.interest_rate)
        )
        object.__setattr__(
            self,
            "amortization_rate",
            check.fraction(f"{self.name}.amortization_rate", self.amortization_rate),
        )
        if not isinstance(self.cash_sweep, bool):
            raise ValueError(
                f"{self.name}.cash_sweep: must be True or False, got {self.cash_sweep!r}"
            )


@dataclass(frozen=True)
class LboAssumptions(check.Assumptions):
    """Deal terms and operating drivers of an LBO.

    Attributes
    ----------
    entry_ebitda : EBITDA at closing (year 0), positive.
    entry_multiple : purchase enterprise value / entry EBITDA.
    exit_multiple : exit enterprise value / final-year EBITDA.
    ebitda_growth : growth of each year's EBITDA; its length is the holding period.
    tranches : the debt, in repayment (sweep) order.
    transaction_fees : paid at closing, funded like the purchase price.
    minimum_cash : cash funded at closing and kept on the balance sheet.
    tax_rate : on positive pre-tax income (EBITDA - D&A - interest).
    depreciation_pct_ebitda : D&A as a fraction of EBITDA (tax shield only).
    capex_pct_ebitda : capital expenditure as a fraction of EBITDA.
    nwc_pct_ebitda : working capital invested per unit of EBITDA growth:
        ``change_in_nwc_t = nwc_pct_ebitda * (EBITDA_t - EBITDA_{t-1})``.
    sweep_share : fraction of excess cash used to repay sweep tranches.
    """

    entry_ebitda: float
    entry_multiple: float
    exit_multiple: float
    ebitda_growth: Sequence[float]
    tranches: Sequence[DebtTranche]
    transaction_fees: float = 0.0
    minimum_cash: float = 0.0
    tax_rate: float = 0.25
    depreciation_pct_ebitda: float = 0.0
    capex_pct_ebitda: float = 0.0
    nwc_pct_ebitda: float = 0.0
    sweep_share: float = 1.0

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("entry_ebitda", check.positive("entry_ebitda", self.entry_ebitda))
        set_("entry_multiple", check.positive("entry_multiple", self.entry_multiple))
        set_("exit_multiple", check.positive("exit_multiple", self.exit_multiple))
        growth = self.ebitda_growth
        if isinstance(growth, str) or not isinstance(growth, Sequence) or len(growth) == 0:
            raise ValueError("ebitda_growth: needs one growth rate per holding year (at least one)")
        set_("ebitda_growth", check.per_year("ebitda_growth", growth, len(growth), check.rate))
        tranches = []
        for i, tranche in enumerate(self.tranches):
            if isinstance(tranche, dict):
                try:
                    tranche = DebtTranche.from_dict(tranche)
                except ValueError as error:
                    raise ValueError(f"tranches[{i}].{error}") from None
            if not isinstance(tranche, DebtTranche):
                raise ValueError(
                    f"tranches[{i}]: must be a DebtTranche, got {type(tranche).__name__}"
                )
            tranches.append(tranche)
        names = [tranche.name for tranche in tranches]
        if len(set(names)) != len(names):
            raise ValueError(f"tranches: names must be unique, got {names}")
        set_("tranches", tuple(tranches))
        for name in (
            "transaction_fees",
            "minimum_cash",
            "depreciation_pct_ebitda",
            "capex_pct_ebitda",
        ):
            set_(name, check.non_negative(name, getattr(self, name)))
        set_("nwc_pct_ebitda", check.number("nwc_pct_ebitda", self.nwc_pct_ebitda))
        set_("tax_rate", check.fraction("tax_rate", self.tax_rate))
        set_("sweep_share", check.fraction("sweep_share", self.sweep_share))
        uses = self.entry_ebitda * self.entry_multiple + self.transaction_fees + self.minimum_cash
        debt = sum(tranche.amount for tranche in tranches)
        if debt >= uses:
            raise ValueError(
                f"tranches: debt ({debt}) covers all uses ({uses}), leaving no sponsor equity"
            )

    @property
    def years(self) -> int:
        return len(self.ebitda_growth)


@dataclass(frozen=True)
class SourcesAndUses:
    """Closing funds: uses = purchase EV + fees + cash to balance sheet = debt + sponsor equity."""

    purchase_enterprise_value: float
    transaction_fees: float
    cash_to_balance_sheet: float
    total_uses: float
    debt: dict[str, float]
    total_debt: float
    sponsor_equity: float

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


@dataclass(frozen=True)
class TrancheSchedule:
    """Per-year lines of one tranche (year 1 first)."""

    name: str
    opening_balance: tuple[float, ...]
    interest: tuple[float, ...]
    mandatory_repayment: tuple[float, ...]
    sweep: tuple[float, ...]
    closing_balance: tuple[float, ...]


YEARLY_LINES = (
    "ebitda",
    "depreciation",
    "interest",
    "pretax_income",
    "taxes",
    "capex",
    "change_in_nwc",
    "free_cash_flow",
    "mandatory_repayment",
    "cash_available_for_sweep",
    "sweep",
    "opening_cash",
    "closing_cash",
    "total_debt",
    "net_debt",
)
"""The per-year lines of ``LboResult``, in the order the model computes and shows them."""


@dataclass(frozen=True)
class LboResult:
    """Every line of the LBO (see the module docstring and :func:`lbo_returns`)."""

    sources_and_uses: SourcesAndUses
    years: tuple[int, ...]
    ebitda: tuple[float, ...]
    depreciation: tuple[float, ...]
    interest: tuple[float, ...]
    pretax_income: tuple[float, ...]
    taxes: tuple[float, ...]
    capex: tuple[float, ...]
    change_in_nwc: tuple[float, ...]
    free_cash_flow: tuple[float, ...]
    mandatory_repayment: tuple[float, ...]
    cash_available_for_sweep: tuple[float, ...]
    sweep: tuple[float, ...]
    opening_cash: tuple[float, ...]
    closing_cash: tuple[float, ...]
    total_debt: tuple[float, ...]
    net_debt: tuple[float, ...]
    tranches: tuple[TrancheSchedule, ...]
    exit_enterprise_value: float
    exit_net_debt: float
    exit_equity_value: float
    sponsor_proceeds: float
    moic: float
    irr: float

    @property
    def cash_shortfall(self) -> bool:
        """Whether cash fell below the minimum in some year (no revolver is modelled)."""
        minimum = self.sources_and_uses.cash_to_balance_sheet
        return any(cash < minimum - 1e-9 for cash in self.closing_cash)

    def to_frame(self) -> pd.DataFrame:
        """Per-year lines, tranche lines prefixed with the tranche name."""
        data: dict[str, Any] = {name: getattr(self, name) for name in YEARLY_LINES}
        for tranche in self.tranches:
            for line in (
                "opening_balance",
                "interest",
                "mandatory_repayment",
                "sweep",
                "closing_balance",
            ):
                data[f"{tranche.name}_{line}"] = getattr(tranche, line)
        return pd.DataFrame(data, index=pd.Index(self.years, name="year"))

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


def sources_and_uses(assumptions: LboAssumptions) -> SourcesAndUses:
    """Uses = entry_ebitda * entry_multiple + transaction_fees + minimum_cash; equity = uses - debt.

    The sponsor's equity is the plug that makes sources equal uses.
    """
    a = assumptions
    purchase = a.entry_ebitda * a.entry_multiple
    uses = purchase + a.transaction_fees + a.minimum_cash
    debt = {tranche.name: tranche.amount for tranche in a.tranches}
    total_debt = sum(debt.values())
    return SourcesAndUses(
        purchase_enterprise_value=purchase,
        transaction_fees=a.transaction_fees,
        cash_to_balance_sheet=a.minimum_cash,
        total_uses=uses,
        debt=debt,
        total_debt=total_debt,
        sponsor_equity=uses - total_debt,
    )


def lbo_returns(assumptions: LboAssumptions) -> LboResult:
    """Run the LBO year by year and compute the sponsor's exit, MOIC and IRR.

    For year t (1..N)::

        ebitda_t       = ebitda_{t-1} * (1 + ebitda_growth_t)
        depreciation_t = ebitda_t * depreciation_pct_ebitda
        interest_t     = sum over tranches of opening_balance * interest_rate
        pretax_income_t = ebitda_t - depreciation_t - interest_t
        taxes_t        = MAX(pretax_income_t, 0) * tax_rate
        capex_t        = ebitda_t * capex_pct_ebitda
        change_in_nwc_t = nwc_pct_ebitda * (ebitda_t - ebitda_{t-1})
        free_cash_flow_t = ebitda_t - interest_t - taxes_t - capex_t - change_in_nwc_t
        mandatory_i,t  = MIN(opening_i,t, amortization_rate_i * amount_i)
        cash_available_for_sweep_t = MAX(0, opening_cash_t + free_cash_flow_t
                                         - sum(mandatory_t) - minimum_cash) * sweep_share
        sweep_i,t      = MIN(pool left, opening_i,t - mandatory_i,t)   (sweep tranches, in order)
        closing_i,t    = opening_i,t - mandatory_i,t - sweep_i,t
        closing_cash_t = opening_cash_t + free_cash_flow_t - sum(mandatory_t) - sum(sweep_t)

    with opening_cash_1 = minimum_cash and opening balances the closing ones of
    the year before (the amounts drawn, in year 1). At exit (end of year N)::

        exit_enterprise_value = exit_multiple * ebitda_N
        exit_net_debt         = sum(closing_i,N) - closing_cash_N
        exit_equity_value     = exit_enterprise_value - exit_net_debt
        sponsor_proceeds      = MAX(exit_equity_value, 0)     (limited liability)
        moic = sponsor_proceeds / sponsor_equity;  irr = moic ^ (1 / N) - 1
    """
    a = assumptions
    funding = sources_and_uses(a)
    balances = [tranche.amount for tranche in a.tranches]
    schedules: list[dict[str, list[float]]] = [
        {"opening": [], "interest": [], "mandatory": [], "sweep": [], "closing": []}
        for _ in a.tranches
    ]
    lines: dict[str, list[float]] = {name: [] for name in YEARLY_LINES}
    previous_ebitda = a.entry_ebitda
    cash = a.minimum_cash
    for year in range(a.years):
        ebitda = previous_ebitda * (1.0 + a.ebitda_growth[year])
        depreciation = ebitda * a.depreciation_pct_ebitda
        interests = [
            balance * tranche.interest_rate
            for balance, tranche in zip(balances, a.tranches, strict=True)
        ]
        interest = sum(interests)
        pretax = ebitda - depreciation - interest
        taxes = max(pretax, 0.0) * a.tax_rate
        capex = ebitda * a.capex_pct_ebitda
        change_nwc = a.nwc_pct_ebitda * (ebitda - previous_ebitda)
        free_cash = ebitda - interest - taxes - capex - change_nwc
        mandatory = [
            min(balance, tranche.amortization_rate * tranche.amount)
            for balance, tranche in zip(balances, a.tranches, strict=True)
        ]
        pool = max(0.0, cash + free_cash - sum(mandatory) - a.minimum_cash) * a.sweep_share
        available = pool
        sweeps = []
        for balance, due, tranche in zip(balances, mandatory, a.tranches, strict=True):
            paid = min(pool, balance - due) if tranche.cash_sweep else 0.0
            pool -= paid
            sweeps.append(paid)
        closing = [
            balance - due - paid
            for balance, due, paid in zip(balances, mandatory, sweeps, strict=True)
        ]
        closing_cash = cash + free_cash - sum(mandatory) - sum(sweeps)
        for schedule, opening, owed, due, paid, end in zip(
            schedules, balances, interests, mandatory, sweeps, closing, strict=True
        ):
            schedule["opening"].append(opening)
            schedule["interest"].append(owed)
            schedule["mandatory"].append(due)
            schedule["sweep"].append(paid)
            schedule["closing"].append(end)
        for name, value in (
            ("ebitda", ebitda),
            ("depreciation", depreciation),
            ("interest", interest),
            ("pretax_income", pretax),
            ("taxes", taxes),
            ("capex", capex),
            ("change_in_nwc", change_nwc),
            ("free_cash_flow", free_cash),
            ("mandatory_repayment", sum(mandatory)),
            ("cash_available_for_sweep", available),
            ("sweep", sum(sweeps)),
            ("opening_cash", cash),
            ("closing_cash", closing_cash),
            ("total_debt", sum(closing)),
            ("net_debt", sum(closing) - closing_cash),
        ):
            lines[name].append(value)
        balances, cash, previous_ebitda = closing, closing_cash, ebitda

    exit_ev = a.exit_multiple * lines["ebitda"][-1]
    exit_net_debt = lines["net_debt"][-1]
    exit_equity = exit_ev - exit_net_debt
    proceeds = max(exit_equity, 0.0)
    multiple = proceeds / funding.sponsor_equity
    return LboResult(
        sources_and_uses=funding,
        years=tuple(range(1, a.years + 1)),
        **{name: tuple(values) for name, values in lines.items()},
        tranches=tuple(
            TrancheSchedule(
                name=tranche.name,
                opening_balance=tuple(schedule["opening"]),
                interest=tuple(schedule["interest"]),
                mandatory_repayment=tuple(schedule["mandatory"]),
                sweep=tuple(schedule["sweep"]),
                closing_balance=tuple(schedule["closing"]),
            )
            for tranche, schedule in zip(a.tranches, schedules, strict=True)
        ),
        exit_enterprise_value=exit_ev,
        exit_net_debt=exit_net_debt,
        exit_equity_value=exit_equity,
        sponsor_proceeds=proceeds,
        moic=multiple,
        irr=multiple ** (1.0 / a.years) - 1.0,
    )
