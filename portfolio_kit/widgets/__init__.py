"""The analyst workspace: ipywidget forms for every record and the review screens.

Each form is a plain class that owns its widgets and shows itself when it is
the last expression of a cell (``.widget`` is the top widget); its
``validate(values)`` is a pure function. Forms act as an ``ActingUser``:
signed in with ``SignIn`` or, in a single-user lab, the account named by
``PORTFOLIO_KIT_USER``; a partner can save nothing.

Record forms: ``FundForm``, ``FundNavForm``, ``CashFlowGrid``,
``CompanyForm``, ``InvestmentForm``, ``MetricsGrid``, ``KpiForm``,
``ValuationForm``, ``DiligenceItemForm``, ``DiligenceChecklist``,
``InitiativeForm``, ``UserForm`` and ``FundGrantForm`` (admins).
Screens: ``PdfIngest``, ``KpiImport``, ``ModelBuilder``, ``AuditBrowser``.
``download_link`` offers bytes as a file in JupyterLab and Voila.

Names are resolved lazily, so opening one form does not import the PDF and
Excel stacks the screens need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portfolio_kit.widgets.admin import FundGrantForm, UserForm
    from portfolio_kit.widgets.audit_browser import AuditBrowser
    from portfolio_kit.widgets.companies import CompanyForm
    from portfolio_kit.widgets.diligence import (
        DiligenceChecklist,
        DiligenceItemForm,
        InitiativeForm,
    )
    from portfolio_kit.widgets.download import download_link
    from portfolio_kit.widgets.financials import KpiForm, MetricsGrid
    from portfolio_kit.widgets.funds import CashFlowGrid, FundForm, FundNavForm
    from portfolio_kit.widgets.investments import InvestmentForm
    from portfolio_kit.widgets.kpi_import import KpiImport
    from portfolio_kit.widgets.model_builder import ModelBuilder
    from portfolio_kit.widgets.pdf_ingest import PdfIngest
    from portfolio_kit.widgets.session import ActingUser, SignIn
    from portfolio_kit.widgets.valuations import ValuationForm

_HOMES = {
    "ActingUser": "session",
    "SignIn": "session",
    "FundForm": "funds",
    "FundNavForm": "funds",
    "CashFlowGrid": "funds",
    "CompanyForm": "companies",
    "InvestmentForm": "investments",
    "MetricsGrid": "financials",
    "KpiForm": "financials",
    "ValuationForm": "valuations",
    "DiligenceItemForm": "diligence",
    "DiligenceChecklist": "diligence",
    "InitiativeForm": "diligence",
    "UserForm": "admin",
    "FundGrantForm": "admin",
    "PdfIngest": "pdf_ingest",
    "KpiImport": "kpi_import",
    "ModelBuilder": "model_builder",
    "AuditBrowser": "audit_browser",
    "download_link": "download",
}

__all__ = [
    "ActingUser",
    "AuditBrowser",
    "CashFlowGrid",
    "CompanyForm",
    "DiligenceChecklist",
    "DiligenceItemForm",
    "FundForm",
    "FundGrantForm",
    "FundNavForm",
    "InitiativeForm",
    "InvestmentForm",
    "KpiForm",
    "KpiImport",
    "MetricsGrid",
    "ModelBuilder",
    "PdfIngest",
    "SignIn",
    "UserForm",
    "ValuationForm",
    "download_link",
]


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'portfolio_kit.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"portfolio_kit.widgets.{module}"), name)


def __dir__() -> list[str]:
    return __all__
