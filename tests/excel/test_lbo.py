"""LBO workbooks: recalculated by LibreOffice, they must say what ``analytics.lbo_returns`` says.

Closed-form lines at 1e-9 relative; the IRR, which the workbook computes
with Excel's iterative ``IRR()``, at 1e-6. Cases: three tranches with a
partial sweep, no debt at all, an equity wipe-out with a cash shortfall, and
negative working-capital intensity with a half sweep.
"""

from __future__ import annotations

import math

import openpyxl
import pytest

from portfolio_kit.analytics import lbo_returns
from portfolio_kit.excel.lbo import OUTPUT_NAMES
from portfolio_kit.excel.readback import read_model
from tests.excel.cases import LBO_CASES
from tests.excel.conftest import named_value, named_values

pytestmark = pytest.mark.libreoffice

CASES = [case.name for case in LBO_CASES]


def close(actual: object, expected: float, rel: float = 1e-9) -> bool:
    return isinstance(actual, int | float) and math.isclose(
        actual, expected, rel_tol=rel, abs_tol=1e-9
    )


@pytest.mark.parametrize("name", CASES)
def test_returns_equal_analytics(recalculated, name):
    built = recalculated[f"lbo:{name}"]
    expected = lbo_returns(built.inputs.assumptions)
    path = built.recalculated
    funding = expected.sources_and_uses
    assert close(named_value(path, "PurchaseEnterpriseValue"), funding.purchase_enterprise_value)
    assert close(named_value(path, "TotalUses"), funding.total_uses)
    assert close(named_value(path, "TotalDebtAtClosing"), funding.total_debt)
    assert close(named_value(path, "SponsorEquity"), funding.sponsor_equity)
    assert close(named_value(path, "ExitEnterpriseValue"), expected.exit_enterprise_value)
    assert close(named_value(path, "ExitNetDebt"), expected.exit_net_debt)
    assert close(named_value(path, "ExitEquityValue"), expected.exit_equity_value)
    assert close(named_value(path, "SponsorProceeds"), expected.sponsor_proceeds)
    assert close(named_value(path, "EquityMOIC"), expected.moic)
    assert close(named_value(path, "EquityIRR"), expected.irr, rel=1e-6)


@pytest.mark.parametrize("name", CASES)
def test_every_year_of_the_debt_schedule_equals_analytics(recalculated, name):
    built = recalculated[f"lbo:{name}"]
    expected = lbo_returns(built.inputs.assumptions)
    path = built.recalculated
    for label, line in (
        ("Ebitda", expected.ebitda),
        ("ClosingCash", expected.closing_cash),
        ("TotalDebt", expected.total_debt),
        ("NetDebtByYear", expected.net_debt),
        ("FreeCashFlowAfterDebtService", expected.free_cash_flow),
    ):
        assert all(close(a, e) for a, e in zip(named_values(path, label), line, strict=True)), label
    for index, tranche in enumerate(expected.tranches, start=1):
        for suffix, line in (
            ("Interest", tranche.interest),
            ("Mandatory", tranche.mandatory_repayment),
            ("Sweep", tranche.sweep),
            ("Closing", tranche.closing_balance),
        ):
            values = named_values(path, f"Tranche{index}{suffix}ByYear")
            assert all(close(a, e) for a, e in zip(values, line, strict=True)), (
                tranche.name,
                suffix,
            )


def test_the_wiped_out_case_shows_a_total_loss_and_the_shortfall(recalculated):
    built = recalculated["lbo:equity_wiped_out_cash_shortfall"]
    expected = lbo_returns(built.inputs.assumptions)
    assert expected.moic == 0.0 and expected.cash_shortfall
    assert named_value(built.recalculated, "EquityIRR") == -1
    ws = computed_sheet(built.recalculated)
    flagged = [
        row[2].value
        for row in ws.iter_rows()
        if row[0].value == "Cash below the minimum in some year?"
    ]
    assert flagged == ["yes: no revolver is modelled"]


def computed_sheet(path):
    from tests.excel.conftest import computed

    return computed(path)["LBO"]


@pytest.mark.parametrize("name", CASES)
def test_every_computed_cell_is_a_formula_and_inputs_are_named(recalculated, name):
    built = recalculated[f"lbo:{name}"]
    wb = openpyxl.load_workbook(built.source)
    ws = wb["LBO"]
    for row in ws.iter_rows(min_col=3):
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert ws.cell(row=cell.row, column=1).value == "Year index", cell.coordinate
    for output in OUTPUT_NAMES:
        assert output in wb.defined_names
    for index in range(1, len(built.inputs.assumptions.tranches) + 1):
        assert f"Tranche{index}Amount" in wb.defined_names
    assert wb.sheetnames[:2] == ["Cover", "Inputs"]
    assert ws.print_area and ws.freeze_panes


@pytest.mark.parametrize("name", CASES)
def test_an_untouched_model_reads_back_to_the_same_assumptions(recalculated, name):
    built = recalculated[f"lbo:{name}"]
    reading = read_model(built.recalculated)
    assert reading.assumptions == built.inputs.assumptions
    assert reading.existing_net_debt == built.inputs.existing_net_debt


@pytest.mark.parametrize("name", CASES)
def test_the_sheet_follows_its_one_layout(recalculated, name):
    # LboLayout is the one description of the grid; the workbook's cells and
    # names must sit where it says, with the labels a reader sees there.
    from portfolio_kit.excel.lbo import LboLayout

    built = recalculated[f"lbo:{name}"]
    assumptions = built.inputs.assumptions
    layout = LboLayout(assumptions.years, len(assumptions.tranches))
    workbook = openpyxl.load_workbook(built.source)
    sheet = workbook["LBO"]
    x, r = layout.exit, layout.projection
    assert sheet.cell(layout.SECTION_ROW, 1).value == "Sources and uses at closing"
    assert sheet.cell(layout.header, 1).value == "Projection"
    assert sheet.cell(r["ebitda"], 1).value == "EBITDA"
    assert sheet.cell(r["flows"], 1).value == "Sponsor cash flows"
    assert sheet.cell(layout.exit_section, 1).value == "Exit and returns"
    assert sheet.cell(x["irr"], 1).value.startswith("Equity IRR")
    for index in range(1, layout.tranches + 1):
        title = sheet.cell(layout.tranche(index)["title"], 1).value
        assert title == f'="Debt schedule: "&Tranche{index}Name'
    (destination,) = workbook.defined_names["EquityIRR"].destinations
    assert destination == ("LBO", f"$C${x['irr']}")
    assert sheet.freeze_panes == f"C{layout.header + 1}"
    assert sheet.max_row == layout.last_row
