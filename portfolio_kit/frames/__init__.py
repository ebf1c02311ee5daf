"""Database to pandas: tidy, typed DataFrames for analysts and the analytics.

The one bridge from the database to pandas, so that query performance lives
in one place. Every loader runs exactly one query (filters bound as
parameters), fetches the result as Arrow through ADBC where it can, and
converts it to pandas once with fixed dtypes: dates as ``datetime64[ns]``,
enumerations as categories, money as float64 in the row's currency. See
``docs/frames.md`` for the loaders, their columns and measured speeds.

Common arguments: ``fund_ids`` / ``company_ids`` take one id, a list, or None
for all (``[]`` gives an empty frame with the right columns, e.g. for a
partner with no fund grants); ``as_of`` leaves out rows dated after it.
Soft-deleted companies never appear (except in ``companies(...,
include_deleted=True)``).
"""

from portfolio_kit.frames._loader import loader_for
from portfolio_kit.frames.audit_trail import audit_log
from portfolio_kit.frames.companies import companies, diligence_items, initiatives, valuations
from portfolio_kit.frames.financials import kpis, metrics, metrics_wide
from portfolio_kit.frames.funds import fund_cash_flows, fund_navs, funds
from portfolio_kit.frames.investments import investment_cash_flows, investments
from portfolio_kit.frames.market import index_levels
from portfolio_kit.frames.pme import fund_pme

__all__ = [
    "audit_log",
    "companies",
    "diligence_items",
    "fund_cash_flows",
    "fund_navs",
    "fund_pme",
    "funds",
    "index_levels",
    "initiatives",
    "investment_cash_flows",
    "investments",
    "kpis",
    "loader_for",
    "metrics",
    "metrics_wide",
    "valuations",
]
