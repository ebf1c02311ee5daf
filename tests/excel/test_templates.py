"""KPI collection templates: export, a company filling them in, import.

The figures a "company" types below are the expected values: the test reads
them back from the database, never from the code under test. Cells are
found the way a person would find them, by the code in column A and the
period date in the header row, not through the package's layout constants.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.errors import PermissionDeniedError, ValidationError
from portfolio_kit.excel import (
    TemplateImportError,
    check_kpi_template,
    export_kpi_template,
    import_kpi_template,
)
from portfolio_kit.models import (
    AuditAction,
    AuditLog,
    CompanyKPI,
    Document,
    FinancialMetric,
    MetricSource,
)
from portfolio_kit.vocabulary import KPIS, LINE_ITEMS
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot

Q3 = date(2025, 9, 30)
Q4 = date(2025, 12, 31)


@pytest.fixture
def portfolio(sqlite_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(sqlite_db)


def _export(database: Database, portfolio: SmallPortfolio, periods=(Q3, Q4), **options) -> bytes:
    with database.session(portfolio.analyst) as session:
        return export_kpi_template(session, "Acme Software", list(periods), **options)


def _locate(ws, code: str, period: date) -> str:
    header_row = next(
        row for row in range(1, 20) if any(isinstance(c.value, datetime) for c in ws[row])
    )
    column = next(
        c.column_letter
        for c in ws[header_row]
        if isinstance(c.value, datetime) and c.value.date() == period
    )
    row = next(c.row for c in ws["A"] if c.value == code)
    return f"{column}{row}"


def _fill(template: bytes, entries: dict[tuple[str, date], object], edit=None) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Data"]
    for (code, period), value in entries.items():
        ws[_locate(ws, code, period)] = value
    if edit is not None:
        edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FIGURES = {
    ("revenue", Q3): 12_500_000,
    ("revenue", Q4): 13_100_000.5,
    ("operating_income", Q4): -250_000,
    ("capital_expenditure", Q4): -400_000,
    ("eps_diluted", Q4): 1.23,
    ("arr", Q4): 48_000_000,
    ("customers", Q4): 1_250,
    ("net_revenue_retention", Q4): 1.12,
}


def test_export_lays_out_items_down_the_side_and_periods_across(sqlite_db, portfolio):
    wb = openpyxl.load_workbook(io.BytesIO(_export(sqlite_db, portfolio)))
    assert wb.sheetnames[:2] == ["Instructions", "Data"]
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert len(hidden) == 1 and hidden[0].sheet_state == "veryHidden"
    ws = wb["Data"]
    codes = [c.value for c in ws["A"] if c.value in LINE_ITEMS or c.value in KPIS]
    assert codes == [*LINE_ITEMS, *KPIS]
    revenue = ws[_locate(ws, "revenue", Q4)]
    assert revenue.protection.locked is False
    assert ws["B1"].protection.locked is True
    assert ws.protection.sheet is True
    assert wb.security.lockStructure is True
    validated = set()
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            validated.update(cell.coordinate for row in ws[cell_range.coord] for cell in row)
    inputs = {_locate(ws, code, period) for code in [*LINE_ITEMS, *KPIS] for period in (Q3, Q4)}
    assert inputs <= validated
    assert ws.freeze_panes is not None
    assert ws.print_area


def test_export_prefills_figures_on_file(sqlite_db, portfolio):
    with sqlite_db.session() as session:
        session.add(
            FinancialMetric(
                company_id=portfolio.company_id,
                period_end=Q3,
                period_type="quarter",
                scenario="actual",
                line_item="revenue",
                value=Decimal("9876543.21"),
                currency="USD",
            )
        )
    ws = openpyxl.load_workbook(io.BytesIO(_export(sqlite_db, portfolio)))["Data"]
    assert ws[_locate(ws, "revenue", Q3)].value == pytest.approx(9876543.21)
    assert ws[_locate(ws, "revenue", Q4)].value is None
    blank = openpyxl.load_workbook(io.BytesIO(_export(sqlite_db, portfolio, prefill=False)))["Data"]
    assert blank[_locate(blank, "revenue", Q3)].value is None


def test_export_refuses_a_date_that_is_not_a_period_end(sqlite_db, portfolio):
    with (
        sqlite_db.session() as session,
        pytest.raises(ValidationError, match="period_ends: 2025-12-15"),
    ):
        export_kpi_template(session, "Acme Software", [date(2025, 12, 15)])


def test_import_writes_every_figure_as_excel_sourced_and_logs_one_import(
    any_db: Database, tmp_path: Path
):
    portfolio = seed_small_portfolio(any_db)
    filled = _fill(_export(any_db, portfolio), FIGURES)
    path = tmp_path / "acme_q4.xlsx"
    path.write_bytes(filled)

    with any_db.session(portfolio.analyst) as session:
        result = import_kpi_template(session, path)
    assert (result.inserted, result.updated, result.unchanged) == (len(FIGURES), 0, 0)

    with any_db.session() as session:
        metrics = {
            (m.line_item, m.period_end): m
            for m in session.scalars(
                select(FinancialMetric).where(FinancialMetric.company_id == portfolio.company_id)
            )
        }
        kpis = {(k.kpi, k.period_end): k for k in session.scalars(select(CompanyKPI))}
        for (code, period), typed in FIGURES.items():
            row = metrics.get((code, period)) or kpis[(code, period)]
            assert float(row.value) == pytest.approx(typed, rel=1e-12)
            assert row.source is MetricSource.EXCEL
            assert row.period_type.value == "quarter"
        assert kpis[("arr", Q4)].currency == "USD" and kpis[("customers", Q4)].currency is None
        assert kpis[("net_revenue_retention", Q4)].unit == "percent"

        document = session.get(Document, result.document_id)
        assert document.kind.value == "kpi_template"
        assert document.status.value == "committed"
        assert document.content_hash == hashlib.sha256(filled).hexdigest()
        assert document.company_id == portfolio.company_id
        assert {row.document_id for row in [*metrics.values(), *kpis.values()]} == {document.id}

        imports = session.scalars(
            select(AuditLog).where(AuditLog.action == AuditAction.IMPORT)
        ).all()
        assert len(imports) == 1
        assert imports[0].actor == ANALYST_EMAIL
        assert imports[0].user_id == portfolio.analyst_id
        assert imports[0].changes["rows"] == len(FIGURES)


def test_importing_the_same_file_twice_changes_nothing(any_db: Database):
    portfolio = seed_small_portfolio(any_db)
    filled = _fill(_export(any_db, portfolio), FIGURES)
    with any_db.session(portfolio.analyst) as session:
        first = import_kpi_template(session, filled, file_name="acme.xlsx")
    before = table_snapshot(any_db)
    with any_db.session(portfolio.analyst) as session:
        second = import_kpi_template(session, filled, file_name="acme.xlsx")
    assert table_snapshot(any_db) == before
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, len(FIGURES))
    assert second.document_id == first.document_id
    assert not second.changed


def test_a_changed_figure_updates_the_stored_one_with_an_audit_row(sqlite_db, portfolio):
    with sqlite_db.session() as session:
        session.add(
            FinancialMetric(
                company_id=portfolio.company_id,
                period_end=Q4,
                period_type="quarter",
                scenario="actual",
                line_item="revenue",
                value=Decimal("13000000"),
                currency="USD",
                source="manual",
            )
        )
    filled = _fill(
        _export(sqlite_db, portfolio), {("revenue", Q4): 13_100_000, ("revenue", Q3): 12_500_000}
    )
    with sqlite_db.session(portfolio.analyst) as session:
        result = import_kpi_template(session, filled)
    assert (result.inserted, result.updated) == (1, 1)
    with sqlite_db.session() as session:
        metric = session.scalar(
            select(FinancialMetric).where(
                FinancialMetric.line_item == "revenue", FinancialMetric.period_end == Q4
            )
        )
        assert metric.value == Decimal("13100000")
        assert metric.source is MetricSource.EXCEL
        assert metric.version == 2
        update = session.scalar(
            select(AuditLog).where(
                AuditLog.action == AuditAction.UPDATE, AuditLog.entity_type == "FinancialMetric"
            )
        )
        assert update.actor == ANALYST_EMAIL
        assert update.changes["value"] == ["13000000.000000", "13100000.000000"]


def test_an_empty_cell_never_erases_a_stored_figure(sqlite_db, portfolio):
    with sqlite_db.session() as session:
        session.add(
            FinancialMetric(
                company_id=portfolio.company_id,
                period_end=Q3,
                period_type="quarter",
                scenario="actual",
                line_item="net_income",
                value=Decimal("555"),
                currency="USD",
            )
        )
    template = _export(sqlite_db, portfolio, prefill=False)
    filled = _fill(template, {("revenue", Q4): 1_000_000})
    with sqlite_db.session(portfolio.analyst) as session:
        import_kpi_template(session, filled)
    with sqlite_db.session() as session:
        kept = session.scalar(
            select(FinancialMetric.value).where(FinancialMetric.line_item == "net_income")
        )
    assert kept == Decimal("555")


def test_every_problem_is_reported_at_once_and_nothing_is_written(sqlite_db, portfolio):
    template = _export(sqlite_db, portfolio)
    clean = openpyxl.load_workbook(io.BytesIO(template))["Data"]
    at = {
        name: _locate(clean, code, period)
        for name, code, period in [
            ("text", "revenue", Q3),
            ("error", "gross_profit", Q3),
            ("uncalculated", "gross_profit", Q4),
            ("headcount", "headcount", Q4),
            ("churn", "logo_churn", Q4),
        ]
    }
    q3_header = next(
        c.coordinate for c in clean[5] if isinstance(c.value, datetime) and c.value.date() == Q3
    )
    q4_header = next(
        c.coordinate for c in clean[5] if isinstance(c.value, datetime) and c.value.date() == Q4
    )

    def vandalise(wb):
        ws = wb["Data"]
        wb.create_sheet("My notes")
        ws[at["text"]] = "n/a"
        ws[at["error"]] = "#DIV/0!"
        ws[at["uncalculated"]] = "=B2*3"
        ws[at["headcount"]] = -4
        ws[at["churn"]] = 35
        ws[q3_header] = datetime(2025, 12, 31)

    filled = _fill(template, {("revenue", Q4): 5_000_000}, edit=vandalise)
    before = table_snapshot(sqlite_db)
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError) as caught,
    ):
        import_kpi_template(session, filled, file_name="vandalised.xlsx")
    assert table_snapshot(sqlite_db) == before

    problems = {(p.sheet, p.cell): p for p in caught.value.problems}
    assert "unknown sheet" in problems[("My notes", None)].message
    assert "text 'n/a'" in problems[("Data", at["text"])].message
    assert "#DIV/0!" in problems[("Data", at["error"])].message
    assert "no calculated value" in problems[("Data", at["uncalculated"])].message
    assert "period header is 2025-12-31" in problems[("Data", q3_header)].message
    assert "duplicate period 2025-12-31" in problems[("Data", q4_header)].message
    headcount = problems[("Data", at["headcount"])]
    assert headcount.kind == "implausible" and "cannot be negative" in headcount.message
    churn = problems[("Data", at["churn"])]
    assert churn.kind == "implausible" and "fraction" in churn.message
    assert all(
        p.kind == "error"
        for key, p in problems.items()
        if key[1] not in (at["headcount"], at["churn"])
    )
    assert "vandalised.xlsx" in str(caught.value) and "nothing was imported" in str(caught.value)


def test_moved_rows_are_refused(sqlite_db, portfolio):
    filled = _fill(
        _export(sqlite_db, portfolio),
        {("revenue", Q4): 5_000_000},
        edit=lambda wb: wb["Data"].insert_rows(10),
    )
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError) as caught,
    ):
        import_kpi_template(session, filled)
    moved = [p for p in caught.value.problems if "rows were moved" in p.message]
    assert len(moved) == 1 and moved[0].sheet == "Data" and moved[0].cell == "A10"


def test_a_duplicated_row_is_refused(sqlite_db, portfolio):
    def duplicate(wb):
        ws = wb["Data"]
        last = ws.max_row + 1
        ws[f"A{last}"] = "revenue"
        ws[f"D{last}"] = 1

    filled = _fill(_export(sqlite_db, portfolio), {("revenue", Q4): 5_000_000}, edit=duplicate)
    with sqlite_db.session(portfolio.analyst) as session:
        contents = check_kpi_template(session, filled)
    assert any("duplicate row: 'revenue'" in p.message for p in contents.errors)


def test_implausible_values_are_stored_only_when_accepted(sqlite_db, portfolio):
    filled = _fill(_export(sqlite_db, portfolio), {("revenue", Q4): -5_000_000})
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError, match="positive"),
    ):
        import_kpi_template(session, filled)
    with sqlite_db.session(portfolio.analyst) as session:
        result = import_kpi_template(session, filled, accept_implausible=True)
    assert result.inserted == 1 and len(result.accepted_flags) == 1
    with sqlite_db.session() as session:
        assert session.scalar(select(FinancialMetric.value)) == Decimal("-5000000")


def test_a_workbook_that_is_not_a_template_is_refused(sqlite_db, portfolio):
    wb = openpyxl.Workbook()
    wb.active["A1"] = 42
    buffer = io.BytesIO()
    wb.save(buffer)
    with sqlite_db.session(portfolio.analyst) as session:
        with pytest.raises(TemplateImportError, match="not a portfolio_kit KPI template"):
            import_kpi_template(session, buffer.getvalue())
        with pytest.raises(TemplateImportError, match=r"not an Excel workbook \(\.xlsx\)"):
            import_kpi_template(session, b"%PDF-1.7 not a spreadsheet")


def test_a_partner_cannot_import(sqlite_db, portfolio):
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    before = table_snapshot(sqlite_db)
    with sqlite_db.session(portfolio.partner) as session, pytest.raises(PermissionDeniedError):
        import_kpi_template(session, filled)
    assert table_snapshot(sqlite_db) == before


@pytest.mark.libreoffice
def test_formulas_saved_by_a_spreadsheet_program_import_by_their_values(
    sqlite_db, portfolio, recalc, tmp_path
):
    """A company that types =A+B into a cell and saves: the saved result is imported,
    and a formula that saved an error value is refused naming the cell."""

    def formulas(wb):
        ws = wb["Data"]
        ws[_locate(ws, "revenue", Q4)] = "=1200000+300000"
        ws[_locate(ws, "cost_of_revenue", Q4)] = "=1/0"

    source = tmp_path / "in" / "formulas.xlsx"
    source.parent.mkdir()
    source.write_bytes(_fill(_export(sqlite_db, portfolio), {}, edit=formulas))
    (saved,) = recalc([source], tmp_path / "out")

    with sqlite_db.session(portfolio.analyst) as session:
        contents = check_kpi_template(session, saved)
    ws = openpyxl.load_workbook(saved)["Data"]
    errors = {p.cell: p.message for p in contents.errors}
    assert "#DIV/0!" in errors[_locate(ws, "cost_of_revenue", Q4)]
    revenue = [v for v in contents.values if v.code == "revenue"]
    assert [v.value for v in revenue] == [1_500_000]


def test_a_template_with_thousands_of_kpi_rows_round_trips(sqlite_db, portfolio):
    """1,500 KPI rows: the hidden row layout is longer than a cell holds (32,767
    characters), so it is split across cells; every typed figure comes back."""
    names = [f"store_{index:04d}_footfall" for index in range(1_500)]
    with sqlite_db.session() as session:
        for index, name in enumerate(names):
            session.add(
                CompanyKPI(
                    company_id=portfolio.company_id,
                    period_end=Q3,
                    period_type="quarter",
                    scenario="actual",
                    kpi=name,
                    unit="count",
                    value=Decimal(index),
                )
            )
    template = _export(sqlite_db, portfolio, periods=(Q4,))
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Data"]
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
    for index, name in enumerate(names):
        ws[f"D{rows[name]}"] = 10 * index + 7
    buffer = io.BytesIO()
    wb.save(buffer)
    with sqlite_db.session(portfolio.analyst) as session:
        result = import_kpi_template(session, buffer.getvalue())
    assert result.inserted == len(names)
    with sqlite_db.session() as session:
        stored = dict(
            session.execute(
                select(CompanyKPI.kpi, CompanyKPI.value).where(CompanyKPI.period_end == Q4)
            ).all()
        )
    assert stored == {name: Decimal(10 * index + 7) for index, name in enumerate(names)}
