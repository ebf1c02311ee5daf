"""Pure financial analytics for private-equity monitoring: numpy and pandas only.

No database, widget or file code is imported here, so every function can be
tested with literals. Sign convention for cash flows, unless a function says
otherwise: money paid out by the holder is negative, money received is
positive; rates are fractions; XIRR-style rates are annual, ACT/365.

Modules (implementation; import the names from this package):

* ``discounting``: ``xnpv``, ``xirr``, ``irr``, ``mirr`` (Excel-compatible)
* ``xirr_batch``: ``xirr_many``, thousands of XIRRs in one vectorised pass
* ``multiples``: ``tvpi``, ``dpi``, ``rvpi``, ``paid_in_to_committed``, ``moic``
* ``returns``: gross and net IRR, horizon returns, the J-curve
* ``pme``: KS-PME, LN-PME, PME+, direct alpha (periodic and dated), ``fund_pme``
* ``financials``: LTM, fiscal years, growth, margins, leverage, working capital
* ``saas``: ARR movements, retention, churn, LTV/CAC, magic number, burn multiple
* ``valuation``: WACC, DCF, comparables; ``lbo``: LBO returns
* ``bridge``: value-creation bridge; ``rollups``: portfolio roll-ups
"""

from portfolio_kit.analytics.bridge import BridgePoint, ValueBridge, value_creation_bridge
from portfolio_kit.analytics.discounting import irr, mirr, xirr, xnpv, year_fractions
from portfolio_kit.analytics.financials import (
    cagr,
    derived_metrics,
    ebitda,
    fiscal_year,
    fiscal_year_totals,
    free_cash_flow,
    is_flow,
    ltm,
    ltm_by_company,
    ltm_history,
    net_debt,
    to_wide,
    working_capital,
    yoy_growth,
)
from portfolio_kit.analytics.lbo import (
    DebtTranche,
    LboAssumptions,
    LboResult,
    SourcesAndUses,
    TrancheSchedule,
    lbo_returns,
    sources_and_uses,
)
from portfolio_kit.analytics.multiples import dpi, moic, paid_in_to_committed, rvpi, tvpi
from portfolio_kit.analytics.pme import (
    align_index,
    direct_alpha,
    fund_pme,
    fund_pme_table,
    ks_pme,
    ln_pme,
    ln_pme_nav,
    pme_plus,
    pme_plus_lambda,
    x_direct_alpha,
    x_ks_pme,
    x_ln_pme,
    x_pme_plus,
)
from portfolio_kit.analytics.returns import (
    gross_irr,
    horizon_returns,
    irr_with_terminal_value,
    j_curve,
    net_irr,
)
from portfolio_kit.analytics.rollups import concentration, investment_summary, portfolio_rollup
from portfolio_kit.analytics.saas import (
    arr_bridge,
    arr_movements,
    burn_multiple,
    cac_payback_months,
    cohort_retention,
    customer_acquisition_cost,
    gross_revenue_retention,
    lifetime_value,
    logo_churn,
    ltv_to_cac,
    magic_number,
    mrr_to_arr,
    net_revenue_retention,
    rule_of_40,
)
from portfolio_kit.analytics.valuation import (
    DcfAssumptions,
    DcfProjection,
    DcfResult,
    WaccInputs,
    WaccResult,
    after_tax_cost_of_debt,
    apply_peer_multiples,
    cost_of_equity,
    dcf,
    dcf_sensitivity,
    discount_factors,
    discount_periods,
    equity_bridge,
    exit_multiple_terminal_value,
    gordon_terminal_value,
    project_free_cash_flows,
    terminal_discount_period,
    trading_multiples,
    value_free_cash_flows,
    wacc,
)
from portfolio_kit.analytics.xirr_batch import xirr_many

__all__ = [
    "BridgePoint",
    "DcfAssumptions",
    "DcfProjection",
    "DcfResult",
    "DebtTranche",
    "LboAssumptions",
    "LboResult",
    "SourcesAndUses",
    "TrancheSchedule",
    "ValueBridge",
    "WaccInputs",
    "WaccResult",
    "after_tax_cost_of_debt",
    "align_index",
    "apply_peer_multiples",
    "arr_bridge",
    "arr_movements",
    "burn_multiple",
    "cac_payback_months",
    "cagr",
    "cohort_retention",
    "concentration",
    "cost_of_equity",
    "customer_acquisition_cost",
    "dcf",
    "dcf_sensitivity",
    "derived_metrics",
    "direct_alpha",
    "discount_factors",
    "discount_periods",
    "dpi",
    "ebitda",
    "equity_bridge",
    "exit_multiple_terminal_value",
    "fiscal_year",
    "fiscal_year_totals",
    "free_cash_flow",
    "fund_pme",
    "fund_pme_table",
    "gordon_terminal_value",
    "gross_irr",
    "gross_revenue_retention",
    "horizon_returns",
    "investment_summary",
    "irr",
    "irr_with_terminal_value",
    "is_flow",
    "j_curve",
    "ks_pme",
    "lbo_returns",
    "lifetime_value",
    "ln_pme",
    "ln_pme_nav",
    "logo_churn",
    "ltm",
    "ltm_by_company",
    "ltm_history",
    "ltv_to_cac",
    "magic_number",
    "mirr",
    "moic",
    "mrr_to_arr",
    "net_debt",
    "net_irr",
    "net_revenue_retention",
    "paid_in_to_committed",
    "pme_plus",
    "pme_plus_lambda",
    "portfolio_rollup",
    "project_free_cash_flows",
    "rule_of_40",
    "rvpi",
    "sources_and_uses",
    "terminal_discount_period",
    "to_wide",
    "trading_multiples",
    "tvpi",
    "value_creation_bridge",
    "value_free_cash_flows",
    "wacc",
    "working_capital",
    "x_direct_alpha",
    "x_ks_pme",
    "x_ln_pme",
    "x_pme_plus",
    "xirr",
    "xirr_many",
    "xnpv",
    "year_fractions",
    "yoy_growth",
]
