"""Importing an edited model as a Valuation: inputs read back, outputs recomputed.

The "analyst" edits Inputs cells with openpyxl, as Excel would save them.
The expected valuation is ``analytics.dcf`` / ``lbo_returns`` of the edited
assumptions, built in the test from the values typed.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from portfolio_kit.analytics import DcfAssumptions, DebtTranche, LboAssumptions, dcf, lbo_returns
from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.excel import build_dcf, build_lbo, import_model, read_model
from portfolio_kit.excel.readback import ModelImportError
from portfolio_kit.models import AuditLog, Document, Valuation
from tests.support.portfolio import seed_small_portfolio
from tests.support.snapshot import table_snapshot

BASE = DcfAssumptions(
    base_revenue=500.0,
    revenue_growth=[0.06, 0.05, 0.04],
    ebitda_margin=0.2,
    depreciation_pct_revenue=0.03,
    capex_pct_revenue=0.035,
    nwc_pct_revenue=0.08,
    tax_rate=0.25,
    wacc=0.095,
    terminal_growth=0.02,
    exit_multiple=8.0,
    net_debt=120.0,
    shares_outstanding=10.0,
)
LBO = LboAssumptions(
    entry_ebitda=60.0,
    entry_multiple=9.0,
    exit_multiple=9.0,
    ebitda_growth=[0.05, 0.05, 0.05, 0.05],
    tranches=[DebtTranche("Senior", 240.0, 0.075, 0.05, True)],
    transaction_fees=8.0,
    minimum_cash=5.0,
)


@pytest.fixture
def portfolio(sqlite_db):
    return seed_small_portfolio(sqlite_db)


def _cell(wb, name):
    ((sheet, coordinate),) = wb.defined_names[name].destinations
    return wb[sheet][coordinate.replace("$", "").split(":")[0]]


def _edited(workbook, edits) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    for name, value in edits.items():
        if isinstance(value, list):
            first = _cell(wb, name)
            for offset, item in enumerate(value):
                wb[first.parent.title].cell(row=first.row, column=first.column + offset, value=item)
        else:
            _cell(wb, name).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_edited_dcf_becomes_a_valuation_of_the_edited_assumptions(sqlite_db, portfolio):
    workbook = build_dcf(
        BASE, company="Acme Software", company_id=portfolio.company_id, as_of=date(2025, 12, 31)
    )
    data = _edited(
        workbook,
        {
            "TaxRate": 0.21,
            "RevenueGrowth": [0.08, 0.07, 0.05],
            "TerminalMethod": "exit_multiple",
            "ExitMultiple": 9.5,
            "MidYear": True,
        },
    )
    edited = BASE.replace(
        tax_rate=0.21,
        revenue_growth=[0.08, 0.07, 0.05],
        terminal_method="exit_multiple",
        exit_multiple=9.5,
        mid_year=True,
    )
    expected = dcf(edited)
    with sqlite_db.session(portfolio.analyst) as session:
        valuation = import_model(session, data, file_name="acme_dcf.xlsx")
        valuation_id = valuation.id
    with sqlite_db.session() as session:
        stored = session.get(Valuation, valuation_id)
        assert stored.method.value == "dcf" and stored.company_id == portfolio.company_id
        assert stored.valuation_date == date(2025, 12, 31)
        assert stored.enterprise_value == Decimal(repr(expected.enterprise_value)).quantize(
            Decimal("0.01")
        )
        assert stored.equity_value == Decimal(repr(expected.equity_value)).quantize(Decimal("0.01"))
        assert stored.is_mark is False
        assert stored.assumptions["assumptions"]["tax_rate"] == 0.21
        assert stored.assumptions["assumptions"]["revenue_growth"] == [0.08, 0.07, 0.05]
        assert stored.assumptions["outputs"]["value_per_share"] == pytest.approx(
            expected.value_per_share, rel=1e-12
        )
        assert stored.assumptions["sha256"] == hashlib.sha256(data).hexdigest()
        document = session.get(Document, stored.document_id)
        assert (
            document.kind.value == "model"
            and document.content_hash == hashlib.sha256(data).hexdigest()
        )
        audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "Valuation")).all()
        assert [row.actor for row in audit] == ["ann.analyst@example.com"]


def test_an_edited_lbo_becomes_a_valuation(sqlite_db, portfolio):
    workbook = build_lbo(
        LBO,
        existing_net_debt=100.0,
        company="Acme Software",
        company_id=portfolio.company_id,
        as_of=date(2025, 6, 30),
    )
    data = _edited(
        workbook, {"Tranche1Amount": 300.0, "ExitMultiple": 10.0, "Tranche1Sweep": False}
    )
    edited = LBO.replace(
        exit_multiple=10.0, tranches=[DebtTranche("Senior", 300.0, 0.075, 0.05, False)]
    )
    expected = lbo_returns(edited)
    with sqlite_db.session(portfolio.analyst) as session:
        valuation = import_model(session, data, is_mark=True)
        assert valuation.method.value == "lbo" and valuation.is_mark
        # Purchase EV 60 x 9 = 540; equity purchase price 540 - 100 existing net debt = 440.
        assert valuation.enterprise_value == Decimal("540.00")
        assert valuation.equity_value == Decimal("440.00")
        assert valuation.implied_multiple == Decimal("9.0000")
        assert valuation.assumptions["outputs"]["irr"] == pytest.approx(expected.irr, rel=1e-12)
        assert valuation.assumptions["assumptions"]["tranches"][0]["cash_sweep"] is False


@pytest.mark.parametrize(
    ("edits", "fragment"),
    [
        ({"TaxRate": "twenty"}, "(TaxRate): 'twenty' is not a number"),
        ({"TaxRate": 1.5}, "(TaxRate): tax_rate: must be between 0.0 and 1.0, got 1.5"),
        ({"WACC": "=0.1"}, "(WACC): holds the formula =0.1"),
        (
            {"TerminalMethod": "dividend"},
            "(TerminalMethod): 'dividend' is not one of gordon, exit_multiple",
        ),
        ({"MidYear": "maybe"}, "(MidYear): 'maybe' is not TRUE or FALSE"),
        ({"BaseRevenue": None}, "(BaseRevenue): is empty"),
        ({"RevenueGrowth": [0.05, "#REF!", 0.04]}, "(RevenueGrowth): holds the error value #REF!"),
        (
            {"RevenueGrowth": [0.05, -1.5, 0.04]},
            "(RevenueGrowth): revenue_growth[1]: must be greater than -1",
        ),
    ],
)
def test_broken_inputs_are_refused_naming_sheet_and_cell(sqlite_db, portfolio, edits, fragment):
    workbook = build_dcf(
        BASE, company="Acme Software", company_id=portfolio.company_id, as_of=date(2025, 12, 31)
    )
    data = _edited(workbook, edits)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    name = next(iter(edits))
    cell = _cell(wb, name)
    if name == "RevenueGrowth":
        cell = wb["Inputs"].cell(row=cell.row, column=cell.column + 1)
    before = table_snapshot(sqlite_db)
    with sqlite_db.session(portfolio.analyst) as session, pytest.raises(ModelImportError) as caught:
        import_model(session, data)
    assert table_snapshot(sqlite_db) == before
    assert f"Inputs!{cell.coordinate} {fragment}" in str(caught.value)


def test_a_workbook_that_is_not_a_model_is_refused(sqlite_db, portfolio):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "my own model"
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ModelImportError, match="not a portfolio_kit DCF or LBO model"):
        read_model(buffer.getvalue())
    with pytest.raises(ModelImportError, match=r"not an Excel workbook \(\.xlsx\)"):
        read_model(b"PK\x03\x04 truncated")


def test_a_deleted_input_name_is_refused(sqlite_db, portfolio):
    workbook = build_dcf(BASE, company="Acme Software", as_of=date(2025, 12, 31))
    del workbook.defined_names["TaxRate"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ModelImportError, match=r"\(TaxRate\): the named input is missing"):
        read_model(buffer.getvalue())


def test_a_partner_cannot_import_and_a_model_without_company_needs_one(sqlite_db, portfolio):
    workbook = build_dcf(BASE, company="Somebody", as_of=date(2025, 12, 31))
    data = _edited(workbook, {})
    with sqlite_db.session(portfolio.partner) as session, pytest.raises(PermissionDeniedError):
        import_model(session, data)
    with sqlite_db.session(portfolio.analyst) as session:
        with pytest.raises(Exception, match="company: the workbook names no company"):
            import_model(session, data)
        valuation = import_model(session, data, company="Acme Software")
        assert valuation.company_id == portfolio.company_id
