"""Excel workbooks: DCF and LBO models with live formulas, the quarterly
portfolio report, and KPI collection templates that round-trip.

- ``build_dcf`` / ``build_lbo``: models whose every computed cell is a formula
  over a named Inputs sheet, mirroring ``portfolio_kit.analytics``;
  ``company_dcf`` / ``company_lbo`` build them from a company's stored history.
- ``read_model`` / ``import_model``: an edited model back in, as a ``Valuation``.
- ``build_portfolio_report``: a fund's quarterly report (summary, schedule of
  investments, ILPA-style performance, cash flows).
- ``export_kpi_template`` / ``import_kpi_template``: collection templates.
- ``recalculate``: LibreOffice headless recalculation of saved workbooks.

See ``docs/excel.md`` for layouts, conventions and measured speeds.
"""

from portfolio_kit.excel._archive import (
    ArchiveTooLargeError,
    DamagedArchiveError,
    UnsafeArchiveError,
    check_xlsx,
)
from portfolio_kit.excel.company_models import company_dcf, company_lbo, load_assumptions_file
from portfolio_kit.excel.dcf import SensitivitySteps, build_dcf
from portfolio_kit.excel.lbo import build_lbo
from portfolio_kit.excel.readback import ModelImportError, ModelReading, import_model, read_model
from portfolio_kit.excel.recalc import RecalculationError, find_soffice, recalculate
from portfolio_kit.excel.report import build_portfolio_report, export_portfolio_report
from portfolio_kit.excel.template_import import (
    TemplateContents,
    TemplateImportError,
    TemplateSignatureError,
    TemplateImportResult,
    TemplateProblem,
    check_kpi_template,
    import_kpi_template,
)
from portfolio_kit.excel.templates import build_kpi_template, export_kpi_template

__all__ = [
    "ArchiveTooLargeError",
    "DamagedArchiveError",
    "UnsafeArchiveError",
    "check_xlsx",
    "ModelImportError",
    "ModelReading",
    "RecalculationError",
    "SensitivitySteps",
    "TemplateContents",
    "TemplateImportError",
    "TemplateSignatureError",
    "TemplateImportResult",
    "TemplateProblem",
    "build_dcf",
    "build_kpi_template",
    "build_lbo",
    "build_portfolio_report",
    "check_kpi_template",
    "company_dcf",
    "company_lbo",
    "export_kpi_template",
    "export_portfolio_report",
    "find_soffice",
    "import_kpi_template",
    "import_model",
    "load_assumptions_file",
    "read_model",
    "recalculate",
]
