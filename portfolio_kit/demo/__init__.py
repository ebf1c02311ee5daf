"""A deterministic, realistic demo portfolio (fixed seed, fixed as-of date).

Three funds of different ages, twenty-five companies with quarterly
statements, SaaS KPIs, valuations, LP cash flows and NAVs, diligence items,
value-creation initiatives, a synthetic public-market index for PME, and
three users. The same call always produces the same figures, so notebook
outputs can be regression-tested.
"""

from portfolio_kit.demo.load import DatabaseNotEmptyError, DemoSummary, load_demo
from portfolio_kit.demo.spec import AS_OF, USERS

__all__ = ["AS_OF", "USERS", "DatabaseNotEmptyError", "DemoSummary", "load_demo"]
