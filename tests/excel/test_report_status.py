"""The schedule's Status column on a portfolio built by hand (no LibreOffice needed).

Status is a literal, not a formula, so the built workbook is read directly.
Hand-built case, Test Fund I of tests/frames/hand_portfolio.py as of
2023-06-30 (its last NAV), plus one company added here:

- Acme Software: exited 2023-01-31 for USD 15m, company status realized -> "realized"
- Borealis Logistics: no exit -> "held"
- Dunmore Foods (added here): invested 2020-09-01, exited 2022-06-30 for nothing,
  company status written_off -> "written off" (before the fix: "realized")
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.excel.report import build_portfolio_report
from portfolio_kit.models import Fund, Investment, InvestmentCashFlow, PortfolioCompany
from tests.frames.hand_portfolio import seed_hand_portfolio


def _add_written_off_company(database: Database) -> None:
    with database.session() as session:
        fund = session.scalars(select(Fund).where(Fund.name == "Test Fund I")).one()
        company = PortfolioCompany(
            name="Dunmore Foods", sector="Consumer", geography="Europe", currency="USD",
            status="written_off",
        )
        investment = Investment(
            fund=fund, company=company, entry_date=date(2020, 9, 1),
            equity_invested=Decimal("800000.00"), ownership=Decimal("0.4"), currency="USD",
            exit_date=date(2022, 6, 30), exit_proceeds=Decimal("0.00"),
        )
        investment.cash_flows = [
            InvestmentCashFlow(
                date=date(2020, 9, 1), kind="investment", amount=Decimal("800000.00"),
                currency="USD",
            )
        ]
        session.add(investment)


def test_the_schedule_reads_written_off_realized_and_held(sqlite_db: Database) -> None:
    seed_hand_portfolio(sqlite_db)
    _add_written_off_company(sqlite_db)
    workbook = build_portfolio_report(sqlite_db, "Test Fund I", date(2023, 6, 30))
    sheet = workbook["Schedule of investments"]
    expected = {
        "Acme Software": "realized",
        "Borealis Logistics": "held",
        "Dunmore Foods": "written off",
    }
    shown = {
        row[0].value: row[4].value for row in sheet.iter_rows(min_row=1) if row[0].value in expected
    }
    assert shown == expected
