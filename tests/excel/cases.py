"""Assumption sets for the model tests, chosen to reach every branch of the formulas.

Each case names what it exercises. Expected values never come from here:
the tests compare the recalculated workbook with ``portfolio_kit.analytics``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from portfolio_kit.analytics import DcfAssumptions, DebtTranche, LboAssumptions, WaccInputs


@dataclass(frozen=True)
class DcfCase:
    name: str
    assumptions: DcfAssumptions
    wacc_inputs: WaccInputs | None = None
    history: pd.DataFrame | None = None
    options: dict = field(default_factory=dict)


def _history() -> pd.DataFrame:
    """Three fiscal years as ``fiscal_year_totals`` returns them (values as printed)."""
    return pd.DataFrame(
        {
            "revenue": [800.0, 900.0, 1000.0],
            "gross_profit": [400.0, 460.0, 520.0],
            "operating_income": [90.0, 120.0, 150.0],
            "depreciation_and_amortization": [30.0, 32.0, 35.0],
            "capital_expenditure": [-40.0, -42.0, -45.0],
            "accounts_receivable": [100.0, 110.0, 120.0],
            "accounts_payable": [60.0, 65.0, 70.0],
            "cash_and_equivalents": [50.0, 60.0, 80.0],
            "long_term_debt": [300.0, 280.0, 260.0],
        },
        index=pd.Index([2022, 2023, 2024], name="fiscal_year"),
    )


CAPM = WaccInputs(
    risk_free_rate=0.04,
    equity_beta=1.2,
    equity_risk_premium=0.055,
    pre_tax_cost_of_debt=0.07,
    tax_rate=0.25,
    equity_value=700.0,
    debt_value=300.0,
    size_premium=0.01,
)

DCF_CASES = [
    DcfCase(
        "gordon_mid_year_with_shares",
        DcfAssumptions(
            base_revenue=1000.0,
            revenue_growth=[0.10, 0.08, 0.06, 0.05, 0.04],
            ebitda_margin=0.25,
            depreciation_pct_revenue=0.03,
            capex_pct_revenue=0.04,
            nwc_pct_revenue=0.10,
            tax_rate=0.25,
            wacc=0.09,
            terminal_growth=0.025,
            mid_year=True,
            net_debt=300.0,
            shares_outstanding=100.0,
        ),
    ),
    DcfCase(
        "exit_multiple_negative_ebitda_years_full_bridge",
        DcfAssumptions(
            base_revenue=250.0,
            revenue_growth=[0.40, 0.35, 0.30, 0.25, 0.20, 0.15],
            ebitda_margin=[-0.20, -0.08, 0.02, 0.10, 0.18, 0.22],
            depreciation_pct_revenue=[0.05, 0.05, 0.04, 0.04, 0.04, 0.04],
            capex_pct_revenue=[0.08, 0.07, 0.06, 0.05, 0.05, 0.05],
            nwc_pct_revenue=[0.15, 0.14, 0.13, 0.12, 0.12, 0.12],
            tax_rate=0.21,
            wacc=0.14,
            terminal_method="exit_multiple",
            exit_multiple=12.0,
            terminal_growth=0.03,
            mid_year=False,
            net_debt=-40.0,
            minority_interest=15.0,
            preferred_equity=25.0,
            non_operating_assets=10.0,
        ),
    ),
    DcfCase(
        "capm_wacc_with_history_exit_mid_year",
        DcfAssumptions(
            base_revenue=1000.0,
            revenue_growth=[0.07] * 7,
            ebitda_margin=0.185,
            depreciation_pct_revenue=0.035,
            capex_pct_revenue=0.045,
            nwc_pct_revenue=0.05,
            tax_rate=0.25,
            wacc=0.0,
            terminal_method="exit_multiple",
            exit_multiple=9.5,
            terminal_growth=0.02,
            mid_year=True,
            net_debt=180.0,
            shares_outstanding=52.5,
        ),
        wacc_inputs=CAPM,
        history=_history(),
    ),
    DcfCase(
        "one_year_no_history_prefilled_exit_multiple",
        DcfAssumptions(
            base_revenue=40.0,
            revenue_growth=[-0.05],
            ebitda_margin=0.12,
            depreciation_pct_revenue=0.02,
            capex_pct_revenue=0.02,
            nwc_pct_revenue=0.0,
            tax_rate=0.3,
            wacc=0.11,
            terminal_growth=-0.01,
        ),
        options={"steps": {"wacc_step": 0.02, "growth_step": 0.01, "multiple_step": 0.5}},
    ),
    DcfCase(
        "negative_final_ebitda_gordon",
        DcfAssumptions(
            base_revenue=100.0,
            revenue_growth=[0.0, -0.1, -0.2],
            ebitda_margin=[0.05, -0.02, -0.15],
            depreciation_pct_revenue=0.06,
            capex_pct_revenue=0.01,
            nwc_pct_revenue=[0.2, 0.15, 0.1],
            tax_rate=0.25,
            wacc=0.12,
            terminal_growth=0.0,
            exit_multiple=3.0,
            net_debt=20.0,
        ),
    ),
]


@dataclass(frozen=True)
class LboCase:
    name: str
    assumptions: LboAssumptions
    existing_net_debt: float = 0.0


LBO_CASES = [
    LboCase(
        "three_tranches_two_swept",
        LboAssumptions(
            entry_ebitda=100.0,
            entry_multiple=10.0,
            exit_multiple=10.0,
            ebitda_growth=[0.08, 0.08, 0.07, 0.06, 0.05],
            tranches=[
                DebtTranche("Senior", 400.0, 0.07, 0.05, True),
                DebtTranche("Mezzanine", 100.0, 0.11, 0.0, False),
                DebtTranche("Term B", 80.0, 0.09, 0.01, True),
            ],
            transaction_fees=20.0,
            minimum_cash=10.0,
            tax_rate=0.25,
            depreciation_pct_ebitda=0.2,
            capex_pct_ebitda=0.15,
            nwc_pct_ebitda=0.1,
            sweep_share=0.8,
        ),
        existing_net_debt=150.0,
    ),
    LboCase(
        "zero_debt",
        LboAssumptions(
            entry_ebitda=50.0,
            entry_multiple=8.0,
            exit_multiple=9.0,
            ebitda_growth=[0.05, 0.05, 0.05],
            tranches=[],
            transaction_fees=4.0,
            minimum_cash=2.0,
            tax_rate=0.3,
            capex_pct_ebitda=0.2,
        ),
    ),
    LboCase(
        "equity_wiped_out_cash_shortfall",
        LboAssumptions(
            entry_ebitda=80.0,
            entry_multiple=12.0,
            exit_multiple=5.0,
            ebitda_growth=[-0.3, -0.4, -0.2, 0.0],
            tranches=[DebtTranche("Unitranche", 700.0, 0.12, 0.10, True)],
            transaction_fees=15.0,
            minimum_cash=5.0,
            tax_rate=0.25,
            depreciation_pct_ebitda=0.3,
            capex_pct_ebitda=0.25,
            nwc_pct_ebitda=0.05,
        ),
    ),
    LboCase(
        "partial_sweep_negative_working_capital",
        LboAssumptions(
            entry_ebitda=200.0,
            entry_multiple=9.0,
            exit_multiple=8.5,
            ebitda_growth=[0.12, -0.05, 0.10, 0.09, 0.02, 0.04],
            tranches=[
                DebtTranche("Senior", 700.0, 0.065, 0.02, True),
                DebtTranche("Notes", 300.0, 0.095, 0.0, False),
            ],
            transaction_fees=30.0,
            minimum_cash=25.0,
            tax_rate=0.28,
            depreciation_pct_ebitda=0.25,
            capex_pct_ebitda=0.18,
            nwc_pct_ebitda=-0.05,
            sweep_share=0.5,
        ),
    ),
]
