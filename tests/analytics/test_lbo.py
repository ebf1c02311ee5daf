"""LBO schedule, sweep and returns against a hand calculation and pyxirr."""

from __future__ import annotations

import json

import pytest
import pyxirr

from portfolio_kit.analytics import DebtTranche, LboAssumptions, lbo_returns


def simple_deal(**changes: object) -> LboAssumptions:
    base = dict(
        entry_ebitda=100.0,
        entry_multiple=8.0,
        exit_multiple=8.0,
        ebitda_growth=[0.10, 0.10],
        tranches=[DebtTranche("senior", 400.0, 0.10, amortization_rate=0.10, cash_sweep=True)],
        tax_rate=0.25,
    )
    base.update(changes)
    return LboAssumptions(**base)  # type: ignore[arg-type]


def test_two_year_lbo_by_hand() -> None:
    # Uses 800 (8 x 100), debt 400, equity 400.
    # Year 1: EBITDA 110, interest 40 (10% of 400 opening), pre-tax 70, tax 17.5,
    #   FCF 110 - 40 - 17.5 = 52.5; mandatory 40 (10% of 400); sweep 52.5 - 40 = 12.5;
    #   closing debt 400 - 40 - 12.5 = 347.5.
    # Year 2: EBITDA 121, interest 34.75, pre-tax 86.25, tax 21.5625, FCF 64.6875;
    #   mandatory 40, sweep 24.6875, closing debt 282.8125.
    # Exit: 8 x 121 = 968; equity 968 - 282.8125 = 685.1875; MOIC 685.1875 / 400.
    result = lbo_returns(simple_deal())
    assert result.sources_and_uses.sponsor_equity == 400.0
    assert result.interest == pytest.approx((40.0, 34.75), rel=1e-15)
    assert result.free_cash_flow == pytest.approx((52.5, 64.6875), rel=1e-15)
    assert result.sweep == pytest.approx((12.5, 24.6875), rel=1e-15)
    assert result.tranches[0].closing_balance == pytest.approx((347.5, 282.8125), rel=1e-15)
    assert result.exit_equity_value == pytest.approx(685.1875, rel=1e-15)
    assert result.moic == pytest.approx(685.1875 / 400.0, rel=1e-15)
    assert result.irr == pytest.approx(pyxirr.irr([-400.0, 0.0, 685.1875]), abs=1e-10)
    assert not result.cash_shortfall


def test_sweep_goes_to_sweep_tranches_in_order_and_cash_stays_above_minimum() -> None:
    deal = simple_deal(
        tranches=[
            DebtTranche("term_loan_a", 200.0, 0.06, amortization_rate=0.05, cash_sweep=True),
            DebtTranche("notes", 200.0, 0.09),
        ],
        minimum_cash=20.0,
        sweep_share=0.5,
    )
    result = lbo_returns(deal)
    # Year 1: interest 12 + 18 = 30; tax (110 - 30) * 25% = 20; FCF 60; mandatory 10;
    # excess over minimum cash 20 + 60 - 10 - 20 = 50, half swept: 25 into term loan A.
    assert result.free_cash_flow[0] == pytest.approx(60.0, rel=1e-15)
    assert result.tranches[0].sweep[0] == pytest.approx(25.0, rel=1e-15)
    assert result.tranches[1].sweep == (0.0, 0.0)
    assert result.closing_cash[0] == pytest.approx(20.0 + 60.0 - 10.0 - 25.0, rel=1e-15)
    assert result.sources_and_uses.total_uses == 820.0


def test_a_tranche_is_never_repaid_below_zero() -> None:
    result = lbo_returns(simple_deal(ebitda_growth=[0.5] * 5))
    assert min(result.tranches[0].closing_balance) >= 0.0
    assert result.tranches[0].closing_balance[-1] == 0.0
    assert result.closing_cash[-1] > 0.0


def test_shortfall_is_flagged_not_financed() -> None:
    result = lbo_returns(simple_deal(ebitda_growth=[-0.6, 0.0]))
    assert result.cash_shortfall
    assert result.sweep == (0.0, 0.0)


def test_assumptions_round_trip_through_json() -> None:
    deal = simple_deal(transaction_fees=12.0, capex_pct_ebitda=0.1, nwc_pct_ebitda=0.05)
    assert LboAssumptions.from_dict(json.loads(json.dumps(deal.to_dict()))) == deal


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry_multiple": 0.0}, "entry_multiple: must be positive"),
        ({"ebitda_growth": []}, "ebitda_growth: needs one growth rate per holding year"),
        (
            {"tranches": [DebtTranche("a", 900.0, 0.1)]},
            r"tranches: debt \(900.0\) covers all uses \(800.0\)",
        ),
        (
            {"tranches": [{"name": "a", "amount": 10.0, "interest_rate": -2.0}]},
            r"tranches\[0\]\.a.interest_rate: must be greater than -1",
        ),
        ({"sweep_share": 1.5}, "sweep_share: must be between 0.0 and 1.0"),
    ],
)
def test_bad_assumptions_name_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simple_deal(**changes)
