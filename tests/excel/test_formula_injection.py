"""No user string becomes a formula in any workbook the toolkit writes.

The demo portfolio is copied and its free-text fields (fund, company and
index names, sectors) replaced by hostile values, each one
starting with a character a spreadsheet reads as the start of a formula.
Every workbook is then built, saved and re-opened with openpyxl: a payload
must come back as a text cell (``data_type == "s"``) and no formula cell may
contain one.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from portfolio_kit import Database, connect
from portfolio_kit.analytics.lbo import DebtTranche
from portfolio_kit.excel import (
    build_lbo,
    build_portfolio_report,
    company_dcf,
    company_lbo,
    export_kpi_template,
)
from portfolio_kit.excel._text import text_cell
from tests.excel.cases import LBO_CASES

AS_OF = date(2025, 12, 31)

# One payload per formula trigger; "PKX" marks them so a formula that merely
# refers to a name's cell is not mistaken for one that carries the name.
PAYLOADS = [
    '=HYPERLINK("http://evil.example/PKX1","open")',
    "+PKX2+cmd|' /C calc'!A0",
    "-PKX3-1+1",
    "@SUM(PKX4)",
    "\t=PKX5()",
    "\r=PKX6()",
]


@pytest.fixture
def hostile_db(demo_db: Database, tmp_path: Path) -> Iterator[tuple[Database, int, list[int]]]:
    """A copy of the demo with hostile names; the first fund and its companies' ids."""
    path = tmp_path / "hostile.db"
    with closing(sqlite3.connect(demo_db.url.database)) as source, closing(
        sqlite3.connect(path)
    ) as target:
        source.backup(target)
    with closing(sqlite3.connect(path)) as raw, raw:
        fund_id = raw.execute("SELECT min(id) FROM funds").fetchone()[0]
        raw.execute("UPDATE funds SET name = ? WHERE id = ?", (PAYLOADS[0], fund_id))
        companies = [
            row[0]
            for row in raw.execute(
                "SELECT DISTINCT company_id FROM investments WHERE fund_id = ? ORDER BY 1",
                (fund_id,),
            )
        ]
        for index, company in enumerate(companies):
            payload = PAYLOADS[index % len(PAYLOADS)]
            raw.execute(
                "UPDATE portfolio_companies SET name = ?, sector = ? WHERE id = ?",
                (f"{payload} #{index}", PAYLOADS[(index + 1) % len(PAYLOADS)], company),
            )
        indices = raw.execute("SELECT id FROM market_indices").fetchall()
        for index, (index_id,) in enumerate(indices):
            raw.execute(
                "UPDATE market_indices SET name = ? WHERE id = ?",
                (f"{PAYLOADS[(index + 2) % len(PAYLOADS)]} #{index}", index_id),
            )
    database = connect(f"sqlite:///{path}")
    yield database, fund_id, companies
    database.dispose()


def _reopened(workbook: Workbook | bytes) -> openpyxl.Workbook:
    if isinstance(workbook, bytes):
        return openpyxl.load_workbook(io.BytesIO(workbook))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def _check(workbook: openpyxl.Workbook, expected_payloads: int) -> None:
    as_text = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or "PKX" not in value:
                    continue
                assert cell.data_type == "s", (ws.title, cell.coordinate, value)
                as_text.update(p for p in PAYLOADS if p in value)
    # Each payload really reached the workbook (else the check proved nothing).
    assert len(as_text) >= expected_payloads, sorted(as_text)


def test_the_quarterly_report_writes_names_and_sectors_as_text(hostile_db) -> None:
    database, fund_id, companies = hostile_db
    assert len(companies) >= 5
    _check(_reopened(build_portfolio_report(database, fund_id, AS_OF)), len(PAYLOADS))


def test_the_kpi_template_writes_the_company_name_as_text(hostile_db) -> None:
    database, _fund_id, companies = hostile_db
    for company in companies[:3]:
        with database.session() as session:
            template = export_kpi_template(session, company, [AS_OF])
        _check(_reopened(template), 1)


@pytest.mark.parametrize("build", [company_dcf, company_lbo], ids=["dcf", "lbo"])
def test_company_models_write_the_company_name_as_text(hostile_db, build) -> None:
    database, _fund_id, companies = hostile_db
    built = 0
    for company in companies:
        try:
            workbook = build(database, company, as_of=AS_OF)
        except Exception as exc:  # a company without enough history for a model
            if "history" in str(exc).lower() or "no " in str(exc).lower():
                continue
            raise
        _check(_reopened(workbook), 1)
        built += 1
    assert built >= 1


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_helper_keeps_every_trigger_as_quoted_text(payload: str) -> None:
    workbook = Workbook()
    text_cell(workbook.active, 1, 1, payload)
    text_cell(workbook.active, 2, 1, "Plain name")
    cell, plain = _reopened(workbook).active["A1"], _reopened(workbook).active["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)
    assert (plain.data_type, plain.quotePrefix) == ("s", False)


def test_the_lbo_writes_tranche_names_as_text() -> None:
    # Tranche names come from the user's assumptions file (``--assumptions``),
    # not from the database: one per trigger, each must arrive as text.
    tranches = [
        DebtTranche(payload, 100.0 + index, 0.07, 0.05, index % 2 == 0)
        for index, payload in enumerate(PAYLOADS)
    ]
    case = LBO_CASES[0].assumptions
    _check(_reopened(build_lbo(case.replace(tranches=tranches))), len(PAYLOADS))
