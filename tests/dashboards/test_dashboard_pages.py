"""The three dashboards built in-process on the demo portfolio, as a notebook would.

The demo partner (partner@example.com) is granted "Alder Ridge Capital III"
only (``portfolio_kit.demo.spec.PARTNER_FUNDS``); the spec also plants a
late reporter (Ironbridge Facilities) and a balance sheet that does not
balance (Granite Building Products), both in that fund.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from portfolio_kit import Database, connect
from portfolio_kit.charts import NOT_AVAILABLE
from portfolio_kit.dashboards import company_tear_sheet, fund_overview, portfolio_monitor
from portfolio_kit.dashboards._page import UNEXPECTED, Page, render
from portfolio_kit.dashboards.access import DashboardContext, open_context
from portfolio_kit.models import Fund, PortfolioCompany
from portfolio_kit.security import add_user
from portfolio_kit.settings import get_settings
from tests.dashboards.conftest import copy_demo
from tests.dashboards.expected import (
    assert_headline_shown,
    company_id,
    company_names,
    fund_headline,
    fund_id,
    parse_figure,
    tiles,
    written_off_names,
)

PARTNER_FUND = "Alder Ridge Capital III"
OTHER_FUNDS = ("Alder Ridge Capital II", "Alder Ridge Growth IV")


@pytest.fixture(scope="module")
def demo_path(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_template, tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Database:
    return connect(f"sqlite:///{demo_path}", read_only=True)


def _as(
    user: str, demo_path: Path, monkeypatch: pytest.MonkeyPatch, query: str = ""
) -> DashboardContext:
    monkeypatch.setenv("PORTFOLIO_KIT_USER", user)
    monkeypatch.setenv("PORTFOLIO_KIT_DATABASE_URL", f"sqlite:///{demo_path}")
    monkeypatch.setenv("QUERY_STRING", query)
    get_settings.cache_clear()
    return open_context()


def html_of(page: Page) -> str:
    parts: list[str] = []

    def walk(widget: object) -> None:
        value = getattr(widget, "value", None)
        if type(widget).__name__ == "HTML" and isinstance(value, str):
            parts.append(value)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(page.widget)
    return "".join(parts)


def mentions(html: str, name: str) -> bool:
    """``name`` as a whole name ("Capital II" is not inside "Capital III")."""
    return re.search(re.escape(name) + r"(?![\w])", html) is not None


def _state(html: str) -> str:
    return html.split('data-state="')[1].split('"')[0]


def test_partner_fund_overview_matches_the_independent_figures(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = fund_overview.build(_as("partner@example.com", demo_path, monkeypatch))
    html = html_of(page)
    assert_headline_shown(tiles(html), fund_headline(demo, PARTNER_FUND))
    assert PARTNER_FUND in html and "As of 31 Dec 2025" in html
    for other in OTHER_FUNDS:
        assert not mentions(html, other)
    assert html.count('class="pk-chart"') == 3
    assert page.summary.startswith(f"Fund overview: {PARTNER_FUND}, as of 31 Dec 2025")


def test_admin_can_open_any_fund_by_link(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = fund_id(demo, "Alder Ridge Capital II")
    overview = fund_overview.FundOverview(
        _as("admin@example.com", demo_path, monkeypatch, f"fund={other}")
    )
    assert len(overview.selector.options) == 3
    assert_headline_shown(
        tiles(overview.content.value), fund_headline(demo, "Alder Ridge Capital II")
    )
    overview.selector.value = fund_id(demo, PARTNER_FUND)
    assert_headline_shown(tiles(overview.content.value), fund_headline(demo, PARTNER_FUND))


@pytest.mark.parametrize("query", ["fund={other}", "fund=999999", "fund=abc"])
def test_a_crafted_fund_link_reaches_nothing(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    other = fund_id(demo, "Alder Ridge Capital II")
    context = _as("partner@example.com", demo_path, monkeypatch, query.format(other=other))
    html = html_of(render("fund_overview", fund_overview.build, context))
    assert _state(html) == "not-available"
    assert "not available to you" in html or "which is not available" in html
    assert not mentions(html, "Alder Ridge Capital II") and "$" not in html


def test_partner_monitor_lists_exactly_the_partners_companies(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = portfolio_monitor.PortfolioMonitor(_as("partner@example.com", demo_path, monkeypatch))
    rows = monitor.data.rows
    assert set(rows["company_name"]) == company_names(demo, PARTNER_FUND)
    assert set(rows["fund_name"]) == {PARTNER_FUND}
    flags = dict(zip(rows["company_name"], rows["flags"], strict=True))
    assert "Q4 2025 not reported" in flags["Ironbridge Facilities"]
    assert "Balance sheet does not balance" in flags["Granite Building Products"]
    for other_company in company_names(demo, "Alder Ridge Capital II"):
        assert not mentions(monitor.table.value, other_company)


def test_monitor_filters_and_sorting(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = portfolio_monitor.PortfolioMonitor(_as("admin@example.com", demo_path, monkeypatch))
    monitor.sector.value = "Software"
    assert set(monitor.shown_rows()["sector"]) == {"Software"}
    assert f'data-rows="{len(monitor.shown_rows())}"' in monitor.table.value
    monitor.sort.value = "ltm_revenue"
    monitor.order.value = True
    revenue = monitor.shown_rows()["ltm_revenue"].dropna().tolist()
    assert revenue == sorted(revenue, reverse=True)
    monitor.order.value = False
    revenue = monitor.shown_rows()["ltm_revenue"].dropna().tolist()
    assert revenue == sorted(revenue)
    # The demo writes off one Consumer company and no Software one, so the
    # filter must empty the Software list and, on all sectors, show exactly
    # the written-off companies SQL finds.
    assert written_off_names(demo, sector="Software") == set()
    monitor.status.value = "Written off"
    assert monitor.shown_rows().empty
    assert "No company matches these filters." in monitor.table.value
    monitor.sector.value = portfolio_monitor.ALL
    expected = written_off_names(demo)
    assert expected, "the demo should plant at least one write-off"
    assert set(monitor.shown_rows()["company_name"]) == expected
    assert f'data-rows="{len(expected)}"' in monitor.table.value


def test_partner_tear_sheet_offers_only_the_partners_companies(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = company_tear_sheet.CompanyTearSheet(_as("partner@example.com", demo_path, monkeypatch))
    offered = {label for label, _ in sheet.selector.options}
    assert offered == company_names(demo, PARTNER_FUND)
    html = sheet.content.value
    assert html.count('class="pk-chart"') >= 4
    assert "Due diligence" in html and "Value-creation initiatives" in html


def test_a_crafted_company_link_reaches_nothing(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = company_id(demo, "Nordlys Software")  # a Fund II company
    context = _as("partner@example.com", demo_path, monkeypatch, f"company={other}")
    html = html_of(render("company_tear_sheet", company_tear_sheet.build, context))
    assert _state(html) == "not-available"
    assert "Nordlys" not in html


def test_a_company_with_no_financials_gets_sentences(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writable = connect(f"sqlite:///{demo_path}")
    with writable.session() as session:
        newcomer = PortfolioCompany(
            name="Quiet Harbour Ltd",
            sector="Healthcare",
            geography="Nordics",
            currency="USD",
            status="pipeline",
        )
        session.add(newcomer)
        session.flush()
        newcomer_id = newcomer.id
    writable.dispose()
    page = company_tear_sheet.build(
        _as("admin@example.com", demo_path, monkeypatch, f"company={newcomer_id}")
    )
    html = html_of(page)
    assert _state(html) == "ok"
    for sentence in (
        "Quiet Harbour Ltd has not reported a full year of financial statements yet.",
        "Quiet Harbour Ltd has not been valued yet.",
        "There is no investment in this company yet",
        "No operating KPIs have been reported for Quiet Harbour Ltd.",
        "No due-diligence items are recorded for Quiet Harbour Ltd.",
    ):
        assert sentence in html
    assert "Traceback" not in html and ">nan<" not in html.lower()


def test_a_partner_without_grants_sees_a_sentence_everywhere(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writable = connect(f"sqlite:///{demo_path}")
    with writable.session() as session:
        add_user(
            session,
            email="nobody@example.com",
            name="No Grants",
            password="no-grants-password",
            role="partner",
        )
    writable.dispose()
    context = _as("nobody@example.com", demo_path, monkeypatch)
    for module in (fund_overview, portfolio_monitor, company_tear_sheet):
        html = html_of(module.build(context))
        assert "No fund has been shared with you yet" in html
        assert "Alder Ridge" not in html


def test_an_empty_fund_gets_sentences_not_errors(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite_db.session() as session:
        session.add(
            Fund(
                name="Empty Fund V",
                vintage_year=2026,
                currency="USD",
                strategy="buyout",
                status="fundraising",
                total_commitments=Decimal("500000000.00"),
            )
        )
        add_user(
            session, email="ada@example.com", name="Ada", password="admin-password-1", role="admin"
        )
    monkeypatch.setenv("PORTFOLIO_KIT_USER", "ada@example.com")
    monkeypatch.setenv(
        "PORTFOLIO_KIT_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    html = html_of(fund_overview.build(open_context()))
    assert "has not called capital or reported a NAV yet" in html
    assert "has made no investments yet" in html
    assert tiles(html)["commitments"] == "$500.0m"
    assert tiles(html)["tvpi"] == NOT_AVAILABLE
    assert "No reporting date yet" in html


def test_an_unexpected_error_is_a_sentence_when_served_and_raised_in_a_notebook(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    context = _as("admin@example.com", demo_path, monkeypatch)

    def broken(_context: DashboardContext) -> Page:
        raise RuntimeError("internal detail that must not reach a partner")

    monkeypatch.setenv("PORTFOLIO_KIT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    served = DashboardContext(context.database, context.viewer, context.fund_ids, served=True)
    html = html_of(render("fund_overview", broken, served))
    assert UNEXPECTED in html and "internal detail" not in html
    assert "internal detail" in (tmp_path / "logs" / "dashboards.log").read_text()
    with pytest.raises(RuntimeError):
        render("fund_overview", broken, context)


def _exit_proceeds(database: Database) -> dict[str, float]:
    """Exit proceeds of every investment sold by the latest NAV date (raw SQL)."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.name, i.exit_proceeds FROM investments i "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "WHERE i.exit_date <= (SELECT MAX(as_of) FROM fund_navs)"
            )
        ).all()
    return {name: float(proceeds) for name, proceeds in rows}


def test_realized_companies_are_shown_at_their_exit_proceeds(
    demo: Database, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = portfolio_monitor.PortfolioMonitor(_as("admin@example.com", demo_path, monkeypatch))
    rows = monitor.data.rows.set_index("company_name")
    sold = _exit_proceeds(demo)
    assert len(sold) >= 2
    for name, proceeds in sold.items():
        assert rows.loc[name, "position_value"] == pytest.approx(proceeds, abs=0.005), name
    # A held company is worth its share of its latest mark: ownership x equity (SQL).
    with demo.engine.connect() as connection:
        ownership, equity = connection.execute(
            text(
                "SELECT i.ownership, v.equity_value FROM investments i "
                "JOIN valuations v ON v.company_id = i.company_id "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "WHERE c.name = 'Fjord Analytics' AND v.is_mark "
                "ORDER BY v.valuation_date DESC LIMIT 1"
            )
        ).one()
    assert rows.loc["Fjord Analytics", "position_value"] == pytest.approx(
        float(ownership) * float(equity), rel=1e-12
    )
    # The tear sheet of a sold company names the proceeds, not its last mark.
    name = "Nordlys Software"
    context = _as("admin@example.com", demo_path, monkeypatch, f"company={company_id(demo, name)}")
    html = html_of(render("company_tear_sheet", company_tear_sheet.build, context))
    shown = tiles(html)["equity_value"]
    assert parse_figure(shown) == pytest.approx(sold[name], abs=0.05e6)
    assert "Exit proceeds" in html


def _one_holding(status: str) -> tuple[object, ...]:
    """A holding, its flows, one mark and LTM figures, built by hand for the bridge."""
    import pandas as pd

    holding = pd.DataFrame(
        {
            "investment_id": [7],
            "fund_name": ["Fund I"],
            "ownership": [0.4],
            "entry_date": [pd.Timestamp("2020-01-15")],
            "entry_revenue": [100.0],
            "entry_ebitda": [20.0],
            "entry_enterprise_value": [200.0],
            "entry_net_debt": [80.0],
            "status_as_of": [status],
            "exit_date": [pd.Timestamp("2023-05-15")],
            "exit_proceeds": [200.0],
        }
    )
    flows = pd.DataFrame({"investment_id": [7, 7], "kind": ["investment", "exit_proceeds"],
                          "amount": [-48.0, 200.0]})
    marks = pd.DataFrame({"valuation_date": [pd.Timestamp("2022-12-31")],
                          "enterprise_value": [950.0], "equity_value": [900.0]})
    ltm = pd.DataFrame(
        {"revenue": [140.0, 150.0, 160.0], "ebitda": [28.0, 30.0, 34.0],
         "net_debt": [55.0, 50.0, 45.0]},
        index=pd.to_datetime(["2022-12-31", "2023-03-31", "2023-06-30"]),
    )
    return holding, flows, marks, ltm


def test_a_realized_company_s_bridge_ends_at_its_exit_proceeds() -> None:
    # By hand: sold for 200 for a 40 % stake, so the buyer valued 100 % of the
    # equity at 200 / 0.4 = 500; the last LTM figures on or before the sale
    # (2023-05-15) are those of 2023-03-31: revenue 150, EBITDA 30, net debt 50.
    # Entry equity 200 - 80 = 120. Fund's share: exit equity 0.4 x 500 = 200,
    # gain 0.4 x (500 - 120) = 152, deleveraging 0.4 x (80 - 50) = 12. The
    # mark of 2022-12-31 (900 at 100 %) would have said 0.4 x 900 = 360.
    bridge, note = company_tear_sheet._bridge(*_one_holding("realized"))
    assert bridge is not None
    assert bridge.exit_equity_value == pytest.approx(200.0, abs=1e-9)
    assert bridge.total == pytest.approx(152.0, abs=1e-9)
    assert bridge.deleveraging == pytest.approx(12.0, abs=1e-9)
    assert "sale of" in note and "exit proceeds" in note


def test_a_held_company_s_bridge_ends_at_its_latest_mark() -> None:
    # By hand: the mark of 2022-12-31, equity 900 and EV 950 (net debt 50), with
    # the LTM figures of that day; fund's share of the equity 0.4 x 900 = 360,
    # gain 0.4 x (900 - 120) = 312, deleveraging 0.4 x (80 - 50) = 12.
    bridge, note = company_tear_sheet._bridge(*_one_holding("unrealized"))
    assert bridge is not None
    assert bridge.exit_equity_value == pytest.approx(360.0, abs=1e-9)
    assert bridge.total == pytest.approx(312.0, abs=1e-9)
    assert bridge.deleveraging == pytest.approx(12.0, abs=1e-9)
    assert "mark of" in note
