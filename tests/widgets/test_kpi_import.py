"""The KPI template import screen: problems with their cells, import only when clean.

The figures a "company" types into the template are the expected values,
read back from the database afterwards.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.excel import export_kpi_template
from portfolio_kit.models import CompanyKPI, FinancialMetric
from portfolio_kit.widgets.kpi_import import KpiImport
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail

Q4 = date(2025, 12, 31)


def _cell(ws: openpyxl.worksheet.worksheet.Worksheet, code: str, period: date) -> str:
    """Find a cell as a person would: the code in column A, the date in the header row."""
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


@pytest.fixture
def template(db: Database, portfolio: SmallPortfolio) -> bytes:
    with db.session() as session:
        return export_kpi_template(session, portfolio.company_id, [Q4], kpis=["arr", "customers"])


def filled(template: bytes, entries: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Data"]
    cells = {}
    for code, value in entries.items():
        cells[code] = _cell(sheet, code, Q4)
        sheet[cells[code]] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), cells


def upload(screen: KpiImport, data: bytes, name: str = "acme_q4.xlsx") -> None:
    """What the browser sends when a file is picked."""
    screen.upload.value = (
        {
            "name": name,
            "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2026, 1, 10, 9, 0),
        },
    )


def test_a_clean_template_is_imported_and_attributed(
    db: Database,
    analyst: ActingUser,
    portfolio: SmallPortfolio,
    template: bytes,
    audit_trail: AuditTrail,
) -> None:
    data, _cells = filled(template, {"revenue": 13_100_000, "arr": 48_000_000, "customers": 212})
    screen = KpiImport(db, user=analyst)
    assert screen.import_button.disabled
    upload(screen, data)

    assert "Acme Software" in screen.summary.value
    assert "3 figure(s)" in screen.summary.value
    assert "0 error(s)" in screen.summary.value
    assert not screen.import_button.disabled
    screen.import_button.click()

    assert screen.status.text == "Imported acme_q4.xlsx: 3 figure(s) added, 0 updated, 0 unchanged."
    with db.session() as session:
        revenue = session.scalars(select(FinancialMetric)).one()
        assert (revenue.line_item, revenue.period_end, revenue.value) == (
            "revenue",
            Q4,
            Decimal("13100000"),
        )
        kpis = {row.kpi: row.value for row in session.scalars(select(CompanyKPI))}
        assert kpis == {"arr": Decimal("48000000"), "customers": Decimal("212")}
    rows = audit_trail.rows()
    assert rows and all(row["actor"] == ANALYST_EMAIL for row in rows)
    assert "import" in [row["action"] for row in rows]


def test_every_problem_is_listed_with_its_cell_and_nothing_is_written(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, template: bytes
) -> None:
    data, cells = filled(template, {"revenue": "about 13m", "customers": "#DIV/0!"})
    before = table_snapshot(db)
    screen = KpiImport(db, user=analyst)
    upload(screen, data)

    assert screen.contents is not None
    located = {problem.cell for problem in screen.contents.errors}
    assert {cells["revenue"], cells["customers"]} <= located
    assert f"Data!{cells['revenue']}" in screen.problems.value
    assert f"Data!{cells['customers']}" in screen.problems.value
    assert screen.import_button.disabled
    assert screen.run_import() is None
    assert screen.status.text == "Not imported: the template still has problems (see the list)."
    assert table_snapshot(db) == before


def test_a_file_that_is_not_a_template_is_explained(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "hello"
    buffer = io.BytesIO()
    workbook.save(buffer)
    screen = KpiImport(db, user=analyst)
    upload(screen, buffer.getvalue(), "notes.xlsx")
    assert "not a portfolio_kit KPI template" in screen.problems.value
    assert screen.import_button.disabled


def test_a_partner_cannot_import(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio, template: bytes
) -> None:
    data, _cells = filled(template, {"revenue": 13_100_000})
    before = table_snapshot(db)
    screen = KpiImport(db, user=partner)
    upload(screen, data)
    assert screen.import_button.disabled
    assert screen.run_import() is None
    assert screen.status.text.startswith("Not imported: pat.partner@example.com is a partner")
    assert table_snapshot(db) == before


def test_flagged_values_need_a_tick_before_importing(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, template: bytes
) -> None:
    # A customer count of 212.5 is a fraction: the template checker flags it
    # for a person to confirm.
    data, cells = filled(template, {"customers": 212.5})
    screen = KpiImport(db, user=analyst)
    upload(screen, data)
    assert screen.contents is not None
    assert [problem.cell for problem in screen.contents.flagged] == [cells["customers"]]
    assert screen.import_button.disabled
    assert screen.confirm_flagged.layout.display == ""

    screen.confirm_flagged.value = True
    assert not screen.import_button.disabled
    screen.import_button.click()
    assert screen.status.text == "Imported acme_q4.xlsx: 1 figure(s) added, 0 updated, 0 unchanged."
    with db.session() as session:
        assert session.scalars(select(CompanyKPI.value)).one() == Decimal("212.5")
