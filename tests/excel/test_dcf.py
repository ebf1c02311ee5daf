"""DCF workbooks: recalculated by LibreOffice, they must say what ``analytics.dcf`` says.

Tolerance 1e-9 relative (closed-form outputs). Expected values come from
``portfolio_kit.analytics.valuation``, which has its own tests against
published examples; this module proves the workbook's formulas are the same
model, line by line, for assumption sets that reach every branch (mid-year,
exit multiple, negative EBITDA years, CAPM WACC, one projection year, no
shares, a negative final EBITDA).
"""

from __future__ import annotations

import math

import openpyxl
import pytest

from portfolio_kit.analytics import dcf, dcf_sensitivity
from portfolio_kit.excel.dcf import OUTPUT_NAMES
from portfolio_kit.excel.readback import read_model
from tests.excel.cases import DCF_CASES
from tests.excel.conftest import named_value, named_values

pytestmark = pytest.mark.libreoffice

CASES = [case.name for case in DCF_CASES]
NA = "#N/A"


def close(actual: object, expected: float | None, rel: float = 1e-9) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual == NA
    return isinstance(actual, int | float) and math.isclose(
        actual, expected, rel_tol=rel, abs_tol=1e-9
    )


def _built(recalculated, name):
    built = recalculated[f"dcf:{name}"]
    assumptions, case = built.inputs
    return built, assumptions, case


@pytest.mark.parametrize("name", CASES)
def test_headline_outputs_equal_analytics(recalculated, name):
    built, assumptions, _case = _built(recalculated, name)
    expected = dcf(assumptions)
    path = built.recalculated
    assert close(named_value(path, "EnterpriseValue"), expected.enterprise_value)
    assert close(named_value(path, "EquityValue"), expected.equity_value)
    assert close(named_value(path, "ImpliedSharePrice"), expected.value_per_share)
    assert close(named_value(path, "SumOfPresentValues"), expected.sum_of_present_values)
    assert close(
        named_value(path, "PresentValueOfTerminalValue"), expected.present_value_of_terminal_value
    )
    assert close(named_value(path, "TerminalValueShare"), expected.terminal_value_share)
    assert close(named_value(path, "ImpliedExitMultiple"), expected.implied_exit_multiple)
    assert close(named_value(path, "ImpliedTerminalGrowth"), expected.implied_terminal_growth)
    fcf = named_values(path, "FreeCashFlow")
    assert all(close(a, e) for a, e in zip(fcf, expected.projection.free_cash_flow, strict=True))


@pytest.mark.parametrize("name", CASES)
def test_both_terminal_values_are_shown(recalculated, name):
    built, assumptions, _case = _built(recalculated, name)
    path = built.recalculated
    gordon = dcf(assumptions.replace(terminal_method="gordon"))
    assert close(named_value(path, "TerminalValueGordon"), gordon.terminal_value)
    assert close(named_value(path, "EnterpriseValueGordon"), gordon.enterprise_value)
    multiple = named_value(built.source, "ExitMultiple")
    exit_ = dcf(assumptions.replace(terminal_method="exit_multiple", exit_multiple=multiple))
    assert close(named_value(path, "TerminalValueExitMultiple"), exit_.terminal_value)
    assert close(named_value(path, "EnterpriseValueExitMultiple"), exit_.enterprise_value)


@pytest.mark.parametrize("name", CASES)
def test_sensitivity_grids_equal_analytics(recalculated, name):
    built, assumptions, case = _built(recalculated, name)
    path = built.recalculated
    steps = case.options.get(
        "steps", {"wacc_step": 0.01, "growth_step": 0.005, "multiple_step": 1.0}
    )
    offsets = [-2, -1, 0, 1, 2]
    waccs = [assumptions.wacc + k * steps["wacc_step"] for k in offsets]
    growths = [assumptions.terminal_growth + k * steps["growth_step"] for k in offsets]
    assert all(
        close(a, e)
        for a, e in zip(named_values(path, "SensitivityEvGrowthRows"), waccs, strict=True)
    )
    assert all(
        close(a, e)
        for a, e in zip(named_values(path, "SensitivityEvGrowthColumns"), growths, strict=True)
    )
    expected = dcf_sensitivity(assumptions.replace(terminal_method="gordon"), waccs, growths)
    grid = named_values(path, "SensitivityEvGrowth")
    assert all(close(a, e) for a, e in zip(grid, expected.to_numpy().ravel(), strict=True))

    multiple = named_value(built.source, "ExitMultiple")
    multiples = [multiple + k * steps["multiple_step"] for k in offsets]
    positive = [m for m in multiples if m > 0]
    expected = dcf_sensitivity(
        assumptions.replace(terminal_method="exit_multiple", exit_multiple=multiple),
        waccs,
        exit_multiples=positive,
    )
    grid = named_values(path, "SensitivityEvMultiple")
    for row, rate in enumerate(waccs):
        for column, value in enumerate(multiples):
            cell = grid[row * 5 + column]
            if value > 0:
                assert close(cell, expected.loc[rate, value]), (rate, value)
            else:
                assert cell == NA

    if assumptions.shares_outstanding is not None:
        per_share = dcf_sensitivity(
            assumptions.replace(terminal_method="gordon"), waccs, growths, output="value_per_share"
        )
        grid = named_values(path, "SensitivitySharePriceGrowth")
    else:
        per_share = dcf_sensitivity(
            assumptions.replace(terminal_method="gordon"), waccs, growths, output="equity_value"
        )
        grid = named_values(path, "SensitivityEquityGrowth")
    assert all(close(a, e) for a, e in zip(grid, per_share.to_numpy().ravel(), strict=True))


def test_the_capm_wacc_is_a_formula_over_its_inputs(recalculated):
    built, assumptions, case = _built(recalculated, "capm_wacc_with_history_exit_mid_year")
    capm = case.wacc_inputs
    # CAPM by hand: 4% + 1.2 x 5.5% + 1% = 11.6%; after-tax debt 7% x 0.75 = 5.25%;
    # weights 70/30: 0.7 x 11.6% + 0.3 x 5.25% = 8.12% + 1.575% = 9.695%.
    assert capm.risk_free_rate == 0.04
    assert close(named_value(built.recalculated, "CostOfEquity"), 0.116)
    assert close(named_value(built.recalculated, "WACC"), 0.09695)
    assert close(assumptions.wacc, 0.09695)


def test_history_sheet_shows_stored_figures_and_derived_formulas(recalculated):
    built, _assumptions, _case = _built(recalculated, "capm_wacc_with_history_exit_mid_year")
    ws = openpyxl.load_workbook(built.recalculated, data_only=True)["History"]
    rows = {
        row[0].value: [cell.value for cell in row[2:5]]
        for row in ws.iter_rows(min_row=5)
        if row[0].value
    }
    assert rows["Revenue"] == [800, 900, 1000]
    # By hand: growth 900/800 - 1 = 12.5%, 1000/900 - 1 = 11.11%; EBITDA 90 + 30 = 120 ...
    assert rows["Revenue growth"][1:] == pytest.approx([0.125, 1000 / 900 - 1], rel=1e-12)
    assert rows["EBITDA (operating income + D&A)"] == [120, 152, 185]
    assert rows["Net debt (debt - cash)"] == [250, 220, 180]
    formulas = openpyxl.load_workbook(built.source)["History"]
    assert all(
        isinstance(c.value, str) and c.value.startswith("=")
        for row in formulas.iter_rows(min_row=5, min_col=4, max_col=5)
        if row[0].row > 17 and row[0].value is not None
        for c in row
    )


@pytest.mark.parametrize("name", CASES)
def test_every_computed_cell_is_a_formula(recalculated, name):
    built, _assumptions, _case = _built(recalculated, name)
    wb = openpyxl.load_workbook(built.source)
    for sheet in ("DCF", "Sensitivity", "Cost of capital"):
        ws = wb[sheet]
        for row in ws.iter_rows(min_col=3):
            for cell in row:
                value = cell.value
                if isinstance(value, int | float) and not isinstance(value, bool):
                    # The only typed numbers are the year indices 0..N of the DCF sheet.
                    assert (
                        sheet == "DCF" and ws.cell(row=cell.row, column=1).value == "Year index t"
                    ), cell.coordinate


@pytest.mark.parametrize("name", CASES)
def test_workbook_furniture(recalculated, name):
    built, assumptions, _case = _built(recalculated, name)
    wb = openpyxl.load_workbook(built.source)
    assert wb.sheetnames[:2] == ["Cover", "Inputs"]
    assert "DCF" in wb["Cover"]["A1"].value.upper() or "cash flow" in wb["Cover"]["A1"].value
    for name_ in OUTPUT_NAMES:
        assert name_ in wb.defined_names, name_
    inputs = wb["Inputs"]
    ((sheet, coordinate),) = wb.defined_names["TaxRate"].destinations
    cell = inputs[coordinate.replace("$", "")]
    assert sheet == "Inputs" and cell.value == assumptions.tax_rate
    assert cell.fill.fgColor.rgb.endswith("FFF2CC") and cell.protection.locked is False
    for sheet_name in ("Inputs", "DCF", "Sensitivity"):
        assert wb[sheet_name].print_area, sheet_name
    assert wb["DCF"].freeze_panes is not None
    assert wb["DCF"].column_dimensions["A"].width > 30


@pytest.mark.parametrize("name", CASES)
def test_an_untouched_model_reads_back_to_the_same_assumptions(recalculated, name):
    built, assumptions, _case = _built(recalculated, name)
    reading = read_model(built.recalculated)
    prefilled = named_value(built.source, "ExitMultiple")
    assert reading.assumptions == assumptions.replace(exit_multiple=prefilled)


@pytest.mark.parametrize("name", CASES)
def test_the_sheet_follows_its_one_layout(recalculated, name):
    # DcfLayout is the one description of the grid: labels, names and the
    # Sensitivity sheet's references must sit where it says.
    from portfolio_kit.excel.dcf import DcfLayout

    built = recalculated[f"dcf:{name}"]
    assumptions = built.inputs[0]
    layout = DcfLayout(assumptions.years)
    workbook = openpyxl.load_workbook(built.source)
    sheet = workbook["DCF"]
    p, t, v = layout.projection, layout.terminal, layout.valuation
    assert sheet.cell(layout.HEADER_ROW, 1).value == "Year"
    assert sheet.cell(p["fcf"], 1).value == "Unlevered free cash flow"
    assert sheet.cell(layout.terminal_section, 1).value == "Terminal value and enterprise value"
    assert sheet.cell(t["tv_period"], 1).value == "Terminal discount period"
    assert sheet.cell(layout.valuation_section, 1).value == "Valuation (selected terminal method)"
    assert sheet.cell(v["equity"], 1).value == "Equity value"
    (destination,) = workbook.defined_names["EquityValue"].destinations
    assert destination == ("DCF", f"$C${v['equity']}")
    (destination,) = workbook.defined_names["FreeCashFlow"].destinations
    assert destination[1] == f"$D${p['fcf']}:${layout.last_column}${p['fcf']}"
    assert sheet.max_row == layout.last_row
