"""The partner dashboards: one module per page, each building its widget tree
from ``frames`` + ``analytics`` + ``charts``, so the notebooks in
``dashboards/`` stay a few short cells.

* ``fund_overview``: headline figures, J-curve, cash flows, NAV bridge, schedule of investments
* ``portfolio_monitor``: every company's latest figures and the flags an investment
  committee asks about
* ``company_tear_sheet``: one company's trends, KPIs, valuations, value-creation bridge, diligence
* ``access``: who is looking (the signed session, checked in the kernel) and which
  funds they may see
* ``catalog``: the list of dashboards (kept in ``portfolio_kit.server.catalog``,
  which the server reads without importing this package)

Submodules are imported on demand, so ``import portfolio_kit.dashboards``
stays cheap for the server.
"""
