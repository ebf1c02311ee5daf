"""The quarterly portfolio report, recalculated by LibreOffice, against ``portfolio_kit.analytics``.

Expected values: fund multiples from ``analytics.tvpi/dpi/rvpi``, net IRR
from ``analytics.net_irr``, the schedule from
``analytics.investment_summary`` and ``portfolio_rollup``, PMEs from
``analytics.x_ks_pme`` and friends, cash flows by type from a pandas
group-by. All inputs are loaded through ``portfolio_kit.frames``, the same
loader the report uses, so a difference can only be the workbook's formulas.
Tolerance: 1e-9 relative for sums and ratios, 1e-6 for IRRs (XIRR).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text

from portfolio_kit import analytics, frames
from portfolio_kit.errors import NotFoundError, ValidationError
from portfolio_kit.excel.report import build_portfolio_report
from tests.excel.conftest import REPORTS, computed, named_value, named_values

pytestmark = pytest.mark.libreoffice

IDS = [f"{fund}-{as_of}" for fund, as_of in REPORTS]


def close(actual: object, expected: float, rel: float = 1e-9) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return actual == "#N/A"
    return isinstance(actual, int | float) and math.isclose(
        actual, expected, rel_tol=rel, abs_tol=1e-6
    )


def _inputs(demo_db, fund: str, as_of: date):
    fund_id = int(frames.funds(demo_db).set_index("name").loc[fund, "fund_id"])
    flows = frames.fund_cash_flows(demo_db, fund_id, as_of)
    navs = frames.fund_navs(demo_db, fund_id, as_of)
    nav = float(navs.iloc[-1]["nav"])
    return fund_id, flows, nav


@pytest.fixture(params=REPORTS, ids=IDS)
def report(request, recalculated, demo_db):
    fund, as_of = request.param
    built = recalculated[f"report:{fund}:{as_of}"]
    return built.recalculated, fund, as_of


def test_fund_summary_equals_analytics(report, demo_db):
    path, fund, as_of = report
    _fund_id, flows, nav = _inputs(demo_db, fund, as_of)
    amounts = flows["amount"].to_numpy()
    contributions, distributions = (
        float(-amounts[amounts < 0].sum()),
        float(amounts[amounts > 0].sum()),
    )
    assert close(named_value(path, "PaidIn"), contributions)
    assert close(named_value(path, "Distributions"), distributions)
    assert close(named_value(path, "NAV"), nav)
    assert close(named_value(path, "TVPI"), analytics.tvpi(contributions, distributions, nav))
    assert close(named_value(path, "DPI"), analytics.dpi(contributions, distributions, nav))
    assert close(named_value(path, "RVPI"), analytics.rvpi(contributions, distributions, nav))
    expected_irr = analytics.net_irr(flows["date"], amounts, nav, as_of)
    assert close(named_value(path, "NetIRR"), expected_irr, rel=1e-6)


def test_schedule_of_investments_equals_investment_summary(report, demo_db):
    path, fund, as_of = report
    fund_id, _flows, _nav = _inputs(demo_db, fund, as_of)
    investments = frames.investments(demo_db, fund_id, as_of)
    deal_flows = frames.investment_cash_flows(demo_db, fund_id, as_of)
    marks = frames.valuations(demo_db, fund_ids=fund_id, as_of=as_of, marks_only=True)
    summary = analytics.investment_summary(investments, deal_flows, marks, as_of)
    ws = computed(path)["Schedule of investments"]
    rows = {
        row[0].value: row for row in ws.iter_rows(min_row=5) if row[0].value not in (None, "Total")
    }
    assert len(rows) == len(summary) > 0
    for _, expected in summary.iterrows():
        row = rows[expected["company_name"]]
        invested, realized, unrealized, total, moic, irr = (cell.value for cell in row[8:14])
        assert close(invested, expected["invested"])
        assert close(realized, expected["realized"])
        assert close(unrealized, expected["unrealized"])
        assert close(total, expected["total_value"])
        assert close(moic, expected["moic"])
        assert close(irr, expected["gross_irr"], rel=1e-6), expected["company_name"]

    rollup = analytics.portfolio_rollup(investments, deal_flows, marks, as_of).iloc[0]
    invested, realized, unrealized, total, moic, irr = named_values(path, "ScheduleTotals")
    assert close(invested, rollup["invested"])
    assert close(realized, rollup["realized"])
    assert close(unrealized, rollup["unrealized"])
    assert close(total, rollup["total_value"])
    assert close(moic, rollup["moic"])
    assert close(irr, rollup["gross_irr"], rel=1e-6)
    assert close(named_value(path, "GrossIRR"), rollup["gross_irr"], rel=1e-6)


def test_an_exited_investment_is_shown_at_its_exit_not_its_last_mark(recalculated):
    # By hand, from the demo's deal flows for Atlas Fieldworks in Fund III: invested
    # 29,164,295 plus a transaction cost of 583,286 on 2018-04-17, cost 29,747,581;
    # sold on 2023-05-09 for exit proceeds of 183,584,846, the only cash it returned.
    # MOIC = 183,584,846 / 29,747,581; two dated flows, so the gross IRR is
    # (183,584,846 / 29,747,581) ** (365 / 1848 days) - 1 = 43.25 %. Its latest mark
    # on file (2023-06-30, 296,104,590 at 100 %) outlives the sale and is not shown.
    fund, as_of = REPORTS[0]
    ws = computed(recalculated[f"report:{fund}:{as_of}"].recalculated)["Schedule of investments"]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=5)}
    values = [cell.value for cell in rows["Atlas Fieldworks"]]
    assert pd.Timestamp(values[3]).date() == date(2023, 5, 9)
    assert values[4] == "realized"
    assert values[6] is None and values[7] is None
    invested, realized, unrealized, total, moic, irr = values[8:14]
    assert close(invested, 29_164_295.0 + 583_286.0)
    assert close(realized, 183_584_846.0)
    assert close(unrealized, 0.0)
    assert close(total, 183_584_846.0)
    assert close(moic, 183_584_846.0 / 29_747_581.0)
    assert close(irr, (183_584_846.0 / 29_747_581.0) ** (365 / 1848) - 1, rel=1e-6)
    assert values[14] == "exit of 2023-05-09 (cash received)"


@pytest.mark.parametrize("fund, as_of", REPORTS, ids=IDS)
def test_no_exited_investment_shows_a_mark(recalculated, demo_db, fund, as_of):
    # Every investment sold by the report date (raw SQL, not the report's loader)
    # shows its exit date, no mark date, no equity value and an unrealized value of 0.
    with demo_db.engine.connect() as connection:
        sold = connection.execute(
            text(
                "SELECT c.name, i.exit_date FROM investments i "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "JOIN funds f ON f.id = i.fund_id "
                "WHERE f.name = :fund AND i.exit_date <= :as_of"
            ),
            {"fund": fund, "as_of": as_of.isoformat()},
        ).all()
    assert sold
    ws = computed(recalculated[f"report:{fund}:{as_of}"].recalculated)["Schedule of investments"]
    rows = {row[0].value: [cell.value for cell in row] for row in ws.iter_rows(min_row=5)}
    for name, exit_date in sold:
        row = rows[name]
        assert pd.Timestamp(row[3]).date() == pd.Timestamp(exit_date).date(), name
        assert (row[6], row[7]) == (None, None), name
        assert close(row[10], 0.0), name


@pytest.mark.parametrize("fund, as_of", REPORTS, ids=IDS)
def test_schedule_status_tells_written_off_from_realized(recalculated, demo_db, fund, as_of):
    # Expected from the database directly (raw SQL, not the report's loader): an
    # investment sold by the report date reads "written off" when its company is
    # marked written_off, "realized" otherwise; the rest read "held".
    with demo_db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.name, c.status, i.exit_date FROM investments i "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "JOIN funds f ON f.id = i.fund_id "
                "WHERE f.name = :fund AND i.entry_date <= :as_of"
            ),
            {"fund": fund, "as_of": as_of.isoformat()},
        ).all()
    expected = {
        name: "held"
        if exit_date is None or pd.Timestamp(exit_date).date() > as_of
        else ("written off" if status == "written_off" else "realized")
        for name, status, exit_date in rows
    }
    ws = computed(recalculated[f"report:{fund}:{as_of}"].recalculated)["Schedule of investments"]
    shown = {
        row[0].value: row[4].value for row in ws.iter_rows(min_row=5) if row[0].value in expected
    }
    assert shown == expected


def test_the_demo_write_off_is_in_a_report_the_tests_build(demo_db):
    # Harbor Consumer Brands (Fund II) was written off on 2016-12-15, inside the
    # Fund II report of 2016-12-31, so the status test above sees a write-off.
    with demo_db.engine.connect() as connection:
        written_off = connection.execute(
            text(
                "SELECT f.name, i.exit_date FROM investments i "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "JOIN funds f ON f.id = i.fund_id WHERE c.status = 'written_off'"
            )
        ).all()
    assert any(
        name == fund and pd.Timestamp(exit_date).date() <= as_of
        for fund, exit_date in written_off
        for name, as_of in REPORTS
    )


def test_public_market_equivalents_equal_analytics(report, demo_db):
    path, fund, as_of = report
    _fund_id, flows, nav = _inputs(demo_db, fund, as_of)
    levels = frames.index_levels(demo_db, as_of=as_of)
    dates = [*flows["date"], pd.Timestamp(as_of)]
    amounts = np.r_[flows["amount"].to_numpy(), 0.0]
    index = analytics.align_index(levels, dates)
    assert close(named_value(path, "KsPme"), analytics.x_ks_pme(dates, amounts, index, nav))
    assert close(
        named_value(path, "DirectAlpha"),
        analytics.x_direct_alpha(dates, amounts, index, nav),
        rel=1e-6,
    )
    assert close(
        named_value(path, "LnPme"), analytics.x_ln_pme(dates, amounts, index, nav), rel=1e-6
    )
    try:
        pme_plus = analytics.x_pme_plus(dates, amounts, index, nav)
    except ValueError:
        # Before the first distribution PME+ has nothing to scale: analytics refuses,
        # the workbook shows #N/A.
        assert (amounts <= 0).all()
        pme_plus = math.nan
    assert close(named_value(path, "PmePlus"), pme_plus, rel=1e-6)


def test_performance_cash_flows_by_type_equal_a_group_by(report, demo_db):
    path, fund, as_of = report
    _fund_id, flows, _nav = _inputs(demo_db, fund, as_of)
    by_kind = flows.groupby(flows["kind"].astype(str))["amount"].sum()
    totals = named_values(path, "PerformanceTotals")
    contributions = ("capital_call", "management_fee", "expense")
    distributions = ("distribution", "recallable_distribution")
    expected = [
        *(by_kind.get(kind, 0.0) for kind in contributions),
        sum(by_kind.get(kind, 0.0) for kind in contributions),
        *(by_kind.get(kind, 0.0) for kind in distributions),
        sum(by_kind.get(kind, 0.0) for kind in distributions),
        flows["amount"].sum(),
    ]
    assert all(close(a, e) for a, e in zip(totals, expected, strict=True))
    quarterly = named_values(path, "PerformanceCashFlows")
    net_by_quarter = quarterly[7::8]
    assert close(sum(net_by_quarter), flows["amount"].sum())


def test_totals_and_multiples_are_formulas_over_the_rows(recalculated):
    fund, as_of = REPORTS[0]
    wb = openpyxl.load_workbook(recalculated[f"report:{fund}:{as_of}"].source)
    ws = wb["Schedule of investments"]
    total = next(row for row in ws.iter_rows(min_row=5) if row[0].value == "Total")
    first = 5
    assert total[8].value == f"=SUM(I{first}:I{total[0].row - 1})"
    assert total[12].value == f"=IF(I{total[0].row}>0,L{total[0].row}/I{total[0].row},NA())"
    assert all(str(cell.value).startswith("=") for cell in total[8:14])
    summary = wb["Summary"]
    labels = {
        summary.cell(row=r, column=1).value: summary.cell(row=r, column=3).value
        for r in range(4, 16)
    }
    stored = [label for label, value in labels.items() if not str(value).startswith("=")]
    assert stored == [
        "Commitments",
        next(label for label in labels if label.startswith("Net asset value")),
    ]
    assert wb.sheetnames[:4] == ["Cover", "Summary", "Schedule of investments", "Performance"]


def test_a_date_that_is_not_a_quarter_end_is_refused(demo_db):
    with pytest.raises(ValidationError, match="as_of: 2025-11-30 is not a quarter end"):
        build_portfolio_report(demo_db, "Alder Ridge Capital III", date(2025, 11, 30))
    with pytest.raises(NotFoundError, match="no fund named 'Nope'"):
        build_portfolio_report(demo_db, "Nope", date(2025, 12, 31))
