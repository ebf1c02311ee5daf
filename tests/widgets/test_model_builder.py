"""The model builder: defaults from history, adjusted assumptions, headline outputs, workbook.

Expected outputs are worked out by hand beside each test.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import date

import openpyxl
import pytest

from portfolio_kit import Database
from portfolio_kit.services.bulk_import import import_metrics
from portfolio_kit.widgets.model_builder import DCF, LBO, ModelBuilder, build_assumptions
from tests.support.portfolio import SmallPortfolio

FY = {2022: date(2022, 12, 31), 2023: date(2023, 12, 31)}

HISTORY = {
    2022: {
        "revenue": 400e6,
        "operating_income": 60e6,
        "depreciation_and_amortization": 20e6,
        "capital_expenditure": -24e6,
        "accounts_receivable": 50e6,
        "inventory": 30e6,
        "accounts_payable": 20e6,
        "cash_and_equivalents": 40e6,
        "long_term_debt": 200e6,
    },
    2023: {
        "revenue": 484e6,
        "operating_income": 76.8e6,
        "depreciation_and_amortization": 19.36e6,
        "capital_expenditure": -29.04e6,
        "accounts_receivable": 60e6,
        "inventory": 36.8e6,
        "accounts_payable": 24.4e6,
        "cash_and_equivalents": 50e6,
        "long_term_debt": 190e6,
    },
}


@pytest.fixture
def with_history(db: Database, portfolio: SmallPortfolio) -> SmallPortfolio:
    rows = [
        {
            "company_id": portfolio.company_id,
            "period_end": FY[year],
            "period_type": "year",
            "line_item": item,
            "value": value,
            "currency": "USD",
        }
        for year, items in HISTORY.items()
        for item, value in items.items()
    ]
    with db.session() as session:
        import_metrics(session, rows, summary="test history")
    return portfolio


def test_defaults_come_from_the_last_fiscal_year(
    db: Database, with_history: SmallPortfolio
) -> None:
    builder = ModelBuilder(db, company_id=with_history.company_id)
    values = builder.values()
    # FY2023: revenue 484m; growth 484/400 - 1 = 21%; EBITDA (76.8 + 19.36) / 484 = 19.87%;
    # D&A 19.36 / 484 = 4%; capex 29.04 / 484 = 6%; NWC (60 + 36.8 - 24.4) / 484 = 14.96%;
    # net debt 190 - 50 = 140m.
    assert values["base_revenue"] == "484,000,000"
    assert values["revenue_growth"] == "21"
    assert values["ebitda_margin"] == "19.87"
    assert values["depreciation_pct_revenue"] == "4"
    assert values["capex_pct_revenue"] == "6"
    assert values["nwc_pct_revenue"] == "14.96"
    assert values["net_debt"] == "140,000,000"
    assert "CAGR" in builder.notes.value
    assert set(builder.headline()) >= {"Enterprise value", "Equity value"}


def type_dcf(builder: ModelBuilder) -> None:
    entries = {
        "years": "1",
        "base_revenue": "1,000,000,000",
        "revenue_growth": "10",
        "ebitda_margin": "20",
        "depreciation_pct_revenue": "5",
        "capex_pct_revenue": "5",
        "nwc_pct_revenue": "0",
        "tax_rate": "25",
        "wacc": "10",
        "terminal_method": "gordon",
        "terminal_growth": "2",
        "exit_multiple": "",
        "mid_year": False,
        "net_debt": "100,000,000",
        "shares_outstanding": "",
    }
    for name, value in entries.items():
        builder.current[name].value = value


def test_adjusted_assumptions_give_the_hand_computed_dcf(
    db: Database, with_history: SmallPortfolio
) -> None:
    builder = ModelBuilder(db, company_id=with_history.company_id)
    type_dcf(builder)
    # Year 1: revenue 1,100m; EBITDA 220m; D&A 55m; EBIT 165m; tax 41.25m;
    # FCF = 123.75 + 55 - 55 = 123.75m; PV = 123.75 / 1.1 = 112.5m.
    # Gordon TV = 123.75 * 1.02 / (0.10 - 0.02) = 1,577.8125m; PV 1,434.375m.
    # EV = 1,546.875m; equity = EV - net debt 100m = 1,446.875m;
    # TV share 1,434.375 / 1,546.875 = 92.7%;
    # implied exit multiple 1,577.8125 / 220 = 7.17x.
    assert builder.result is not None
    assert builder.result.enterprise_value == pytest.approx(1_546.875e6)
    assert builder.headline() == {
        "Enterprise value": "1,546.9m USD",
        "Equity value": "1,446.9m USD",
        "Terminal value share of EV": "92.7%",
        "Implied exit multiple": "7.2x EBITDA",
    }


def test_field_errors_are_shown_and_block_the_workbook(
    db: Database, with_history: SmallPortfolio
) -> None:
    builder = ModelBuilder(db, company_id=with_history.company_id)
    type_dcf(builder)
    builder.current["years"].value = "5"
    builder.current["revenue_growth"].value = "10, 9"
    assert (
        builder.current["revenue_growth"].error_text
        == "needs 5 values (one per year) or one for every year, got 2"
    )
    assert builder.build_button.disabled
    assert builder.headline() == {}
    builder.current["revenue_growth"].value = "10, 9, 8, 7, 6"
    builder.current["wacc"].value = "2"
    assert builder.current["wacc"].error_text == "must exceed terminal_growth (0.02 <= 0.02)"
    assert builder.build() is None
    assert builder.status.text == "Could not build the workbook: correct the assumptions first."


def test_validation_is_pure() -> None:
    errors = ModelBuilder.validate(
        DCF, {"years": "3", "base_revenue": "-5", "revenue_growth": "abc"}
    )
    assert errors["revenue_growth"] == "value 1 must be a percentage such as 8 or 8.5 (got 'abc')"
    assert errors["ebitda_margin"] == "is required"
    _assumptions, _extras, errors = build_assumptions(
        DCF,
        {
            "years": "1",
            "base_revenue": "-5",
            "revenue_growth": "1",
            "ebitda_margin": "1",
            "depreciation_pct_revenue": "1",
            "capex_pct_revenue": "1",
            "nwc_pct_revenue": "1",
            "tax_rate": "25",
            "wacc": "10",
            "terminal_method": "gordon",
            "terminal_growth": "2",
        },
    )
    assert errors == {"base_revenue": "must be positive, got -5.0"}


def test_the_workbook_download_holds_the_model(db: Database, with_history: SmallPortfolio) -> None:
    builder = ModelBuilder(db, company_id=with_history.company_id)
    type_dcf(builder)
    builder.build_button.click()

    assert builder.status.text.startswith("Built Acme_Software_DCF.xlsx")
    match = re.search(
        r'<a download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', builder.download.value
    )
    assert match is not None
    name, mime, payload = match.groups()
    assert name == "Acme_Software_DCF.xlsx"
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = base64.b64decode(payload)
    assert data == builder.workbook
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = [cell.value for row in workbook["Inputs"].iter_rows() for cell in row]
    assert 1_000_000_000 in values
    assert any(
        isinstance(value, str) and value.startswith("=")
        for row in workbook["DCF"].iter_rows()
        for value in (c.value for c in row)
    )


def test_an_lbo_with_hand_computed_returns(db: Database, with_history: SmallPortfolio) -> None:
    builder = ModelBuilder(db, company_id=with_history.company_id, kind=LBO)
    entries = {
        "years": "1",
        "entry_ebitda": "100,000,000",
        "entry_multiple": "10",
        "exit_multiple": "10",
        "ebitda_growth": "0",
        "transaction_fees": "0",
        "minimum_cash": "0",
        "tax_rate": "0",
        "depreciation_pct_ebitda": "0",
        "capex_pct_ebitda": "0",
        "nwc_pct_ebitda": "0",
        "sweep_share": "100",
        "tranche1_name": "Senior",
        "tranche1_amount": "500,000,000",
        "tranche1_interest_rate": "8",
        "tranche1_amortization_rate": "0",
        "tranche1_cash_sweep": False,
        "tranche2_name": "",
        "tranche2_amount": "",
    }
    for name, value in entries.items():
        builder.current[name].value = value
    # EV 1,000m = debt 500m + equity 500m. Year 1: EBITDA 100m - interest 40m = 60m of cash kept.
    # Exit EV 1,000m less net debt (500 - 60) = 560m of equity:
    # MOIC 560 / 500 = 1.12x, IRR 12% over one year.
    assert builder.headline() == {
        "Purchase enterprise value": "1,000.0m USD",
        "Sponsor equity": "500.0m USD",
        "Exit equity value": "560.0m USD",
        "MOIC": "1.12x",
        "IRR": "12.0%",
    }
    assert builder.build() is not None
    assert "Acme_Software_LBO.xlsx" in builder.download.value


def test_a_tranche_needs_a_name_and_an_amount() -> None:
    base = {
        "years": "1",
        "entry_ebitda": "100",
        "entry_multiple": "10",
        "exit_multiple": "10",
        "ebitda_growth": "0",
    }
    assert build_assumptions(LBO, {**base, "tranche1_amount": "10"})[2] == {
        "tranche1_name": "is required for a tranche with an amount"
    }
    assert build_assumptions(LBO, {**base, "tranche1_name": "Senior", "tranche1_amount": "2,000"})[
        2
    ] == {"tranches": "debt (2000.0) covers all uses (1000.0), leaving no sponsor equity"}


def test_without_history_the_missing_drivers_are_named(
    db: Database, portfolio: SmallPortfolio
) -> None:
    builder = ModelBuilder(db, company_id=portfolio.company_id)
    assert builder.status.kind == "error"
    assert "base_revenue" in builder.status.text
    assert "not derivable from the stored history" in builder.status.text
