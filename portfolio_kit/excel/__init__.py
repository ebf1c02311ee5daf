"""Excel workbooks: DCF and LBO models with live formulas, the quarterly
portfolio report, and KPI collection templates that round-trip."""

from portfolio_kit.excel.recalc import RecalculationError, find_soffice, recalculate
from portfolio_kit.excel.template_import import (
    TemplateImportError,
    TemplateImportResult,
    TemplateProblem,
    check_kpi_template,
    import_kpi_template,
)
from portfolio_kit.excel.templates import build_kpi_template, export_kpi_template
