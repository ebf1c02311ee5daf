"""How long the Excel builders take, beside openpyxl's write-only floor.

Three workbooks, each timed end to end (database reads included) and saved
to memory:

* the quarterly report of a synthetic fund of 250 companies (target: under
  3 seconds);
* a DCF and an LBO of one of its companies, from five years of stored
  quarterly history.

The floor is openpyxl in ``write_only`` mode (with lxml) writing the same
number of plain values and formulas, unstyled, into one sheet: the least
any openpyxl-based builder can cost for that many cells. NOTES.md measured
it at about 0.8 s for 50,000 values + 50,000 formulas on these machines.

The fund is generated here (fixed seed), not loaded from the demo: the demo
spreads its companies over several funds, and a report covers one fund.
Runs are interleaved (one of each per round) so the machine's load touches
them alike; medians of ``--repeats`` rounds are printed with the load average.
If LibreOffice is installed, the time it takes to recalculate the report is
printed too (informational: that is the spreadsheet program's work, not ours).

Usage::

    python benchmarks/excel_speed.py                 # 250 companies, 5 rounds
    python benchmarks/excel_speed.py --companies 100 --repeats 3
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from openpyxl import Workbook, load_workbook

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import insert  # noqa: E402

from portfolio_kit import Database, connect  # noqa: E402
from portfolio_kit.audit import Actor  # noqa: E402
from portfolio_kit.excel import build_portfolio_report, company_dcf, company_lbo  # noqa: E402
from portfolio_kit.excel.recalc import find_soffice, recalculate  # noqa: E402
from portfolio_kit.models import (  # noqa: E402
    FinancialMetric,
    Fund,
    FundCashFlow,
    FundNav,
    IndexLevel,
    Investment,
    InvestmentCashFlow,
    MarketIndex,
    PortfolioCompany,
    Role,
    Valuation,
)
from portfolio_kit.periods import month_end, quarter_ends_between  # noqa: E402

AS_OF = date(2025, 12, 31)
TARGET_REPORT_SECONDS = 3.0
FUND_NAME = "Benchmark Fund I"
BENCH_ACTOR = Actor(email="system:benchmark", role=Role.ADMIN)


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2)))


def seed_fund(database: Database, companies: int, seed: int = 7) -> str:
    """One fund holding ``companies`` investments, with LP flows, NAVs, deal flows,
    marks, five years of quarterly statements per company and a monthly index."""
    rng = np.random.default_rng(seed)
    first_close = date(2015, 3, 31)
    quarters = quarter_ends_between(first_close, AS_OF)
    with database.session(BENCH_ACTOR) as session:
        fund = Fund(
            name=FUND_NAME,
            vintage_year=2015,
            currency="USD",
            strategy="buyout",
            status="harvesting",
            total_commitments=_money(companies * 60e6),
            first_close_date=first_close,
        )
        session.add(fund)
        session.flush()
        lp_rows, nav_rows = [], []
        nav = 0.0
        for index, quarter in enumerate(quarters):
            call = companies * 1.2e6 * max(0.0, 1.0 - index / 30) * rng.uniform(0.5, 1.5)
            fee = companies * 60e6 * 0.02 / 4
            distribution = companies * 1.5e6 * max(0.0, (index - 12) / 20) * rng.uniform(0.3, 1.7)
            when = quarter - timedelta(days=int(rng.integers(5, 60)))
            for kind, amount in (
                ("capital_call", call),
                ("management_fee", fee),
                ("distribution", distribution),
            ):
                if amount > 0:
                    lp_rows.append(
                        {
                            "fund_id": fund.id,
                            "date": when,
                            "kind": kind,
                            "amount": _money(amount),
                            "currency": "USD",
                            "version": 1,
                        }
                    )
            nav = max(nav * 1.025 + call - distribution, companies * 1e6)
            nav_rows.append(
                {
                    "fund_id": fund.id,
                    "as_of": quarter,
                    "nav": _money(nav),
                    "currency": "USD",
                    "version": 1,
                }
            )
        session.execute(insert(FundCashFlow), lp_rows)
        session.execute(insert(FundNav), nav_rows)

        company_rows = [
            {
                "name": f"Benchmark Company {i:03d}",
                "sector": ["Software", "Industrials", "Healthcare"][i % 3],
                "geography": "North America",
                "currency": "USD",
                "status": "invested",
                "fiscal_year_end_month": 12,
                "version": 1,
            }
            for i in range(companies)
        ]
        ids = list(
            session.scalars(insert(PortfolioCompany).returning(PortfolioCompany.id), company_rows)
        )
        investment_rows, metric_rows, valuation_rows = [], [], []
        for company_id in ids:
            entry = first_close + timedelta(days=int(rng.integers(30, 2200)))
            exited = rng.random() < 0.3
            exit_day = entry + timedelta(days=int(rng.integers(700, 2500))) if exited else None
            if exit_day is not None and exit_day > AS_OF:
                exit_day = None
            equity = float(rng.uniform(20e6, 120e6))
            investment_rows.append(
                {
                    "fund_id": fund.id,
                    "company_id": company_id,
                    "entry_date": entry,
                    "entry_enterprise_value": _money(equity * 2.5),
                    "entry_ebitda": _money(equity * 2.5 / 10),
                    "entry_net_debt": _money(equity * 1.5),
                    "equity_invested": _money(equity),
                    "ownership": Decimal(str(round(float(rng.uniform(0.3, 0.9)), 4))),
                    "exit_date": exit_day,
                    "exit_proceeds": _money(equity * rng.uniform(0.5, 4.0)) if exit_day else None,
                    "currency": "USD",
                    "version": 1,
                }
            )
            valuation_rows.append(
                {
                    "company_id": company_id,
                    "valuation_date": AS_OF,
                    "method": "trading_comparables",
                    "enterprise_value": _money(equity * 4),
                    "equity_value": _money(equity * rng.uniform(1.0, 3.5)),
                    "currency": "USD",
                    "is_mark": True,
                    "version": 1,
                }
            )
            revenue = float(rng.uniform(50e6, 400e6)) / 4
            for quarter in quarter_ends_between(date(2021, 1, 1), AS_OF):
                revenue *= 1 + rng.normal(0.02, 0.02)
                values = {
                    "revenue": revenue,
                    "operating_income": revenue * 0.15,
                    "depreciation_and_amortization": revenue * 0.04,
                    "capital_expenditure": -revenue * 0.05,
                    "accounts_receivable": revenue * 0.5,
                    "accounts_payable": revenue * 0.3,
                    "cash_and_equivalents": revenue * 0.2,
                    "long_term_debt": revenue * 1.2,
                }
                metric_rows.extend(
                    {
                        "company_id": company_id,
                        "period_end": quarter,
                        "period_type": "quarter",
                        "scenario": "actual",
                        "line_item": item,
                        "value": Decimal(str(round(value, 2))),
                        "currency": "USD",
                        "source": "manual",
                        "version": 1,
                    }
                    for item, value in values.items()
                )
        investment_ids = list(
            session.scalars(insert(Investment).returning(Investment.id), investment_rows)
        )
        flow_rows = []
        for investment_id, row in zip(investment_ids, investment_rows, strict=True):
            entry, equity = row["entry_date"], float(row["equity_invested"])
            flow_rows.append(
                {
                    "investment_id": investment_id,
                    "date": entry,
                    "kind": "investment",
                    "amount": row["equity_invested"],
                    "currency": "USD",
                    "version": 1,
                }
            )
            for year in range(1, 4):
                when = entry + timedelta(days=365 * year)
                if when <= AS_OF and (row["exit_date"] is None or when < row["exit_date"]):
                    flow_rows.append(
                        {
                            "investment_id": investment_id,
                            "date": when,
                            "kind": "follow_on",
                            "amount": _money(equity * 0.1),
                            "currency": "USD",
                            "version": 1,
                        }
                    )
                    flow_rows.append(
                        {
                            "investment_id": investment_id,
                            "date": when + timedelta(days=30),
                            "kind": "dividend",
                            "amount": _money(equity * 0.03),
                            "currency": "USD",
                            "version": 1,
                        }
                    )
            if row["exit_date"] is not None:
                flow_rows.append(
                    {
                        "investment_id": investment_id,
                        "date": row["exit_date"],
                        "kind": "exit_proceeds",
                        "amount": row["exit_proceeds"],
                        "currency": "USD",
                        "version": 1,
                    }
                )
        session.execute(insert(InvestmentCashFlow), flow_rows)
        session.execute(insert(Valuation), valuation_rows)
        session.execute(insert(FinancialMetric), metric_rows)
        index = MarketIndex(name="Benchmark Index TR", currency="USD")
        session.add(index)
        session.flush()
        level, levels = 100.0, []
        day = date(2015, 1, 31)
        while day <= AS_OF:
            levels.append(
                {"index_id": index.id, "date": day, "level": Decimal(str(round(level, 4)))}
            )
            level *= 1 + rng.normal(0.007, 0.04)
            day = month_end(day + timedelta(days=1))
        session.execute(insert(IndexLevel), levels)
    return FUND_NAME


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def count_cells(data: bytes) -> tuple[int, int]:
    """(plain values, formulas) in a saved workbook, over all sheets."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    values = formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    formulas += 1
                else:
                    values += 1
    return values, formulas


def write_only_floor(values: int, formulas: int) -> bytes:
    """openpyxl write_only: ``values`` numbers then ``formulas`` formulas, 20 cells a row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("floor")
    width = 20
    cells = [float(i) for i in range(values)] + [f"=A{i // width + 1}*2" for i in range(formulas)]
    for start in range(0, len(cells), width):
        ws.append(cells[start : start + width])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def median_seconds(samples: list[float]) -> float:
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pkit-excel-bench-") as folder:
        os.environ["PORTFOLIO_KIT_DATA_DIR"] = folder
        database = connect(f"sqlite:///{folder}/bench.db")
        started = time.perf_counter()
        fund = seed_fund(database, args.companies)
        print(f"seeded {fund}: {args.companies} companies in {time.perf_counter() - started:.1f} s")
        company = "Benchmark Company 001"

        jobs: dict[str, Callable[[], bytes]] = {
            "report": lambda: _saved(build_portfolio_report(database, fund, AS_OF)),
            "dcf": lambda: _saved(company_dcf(database, company, as_of=AS_OF)),
            "lbo": lambda: _saved(company_lbo(database, company, as_of=AS_OF)),
        }
        outputs = {name: job() for name, job in jobs.items()}
        sizes = {name: count_cells(data) for name, data in outputs.items()}
        floors = {name: (lambda v=v, f=f: write_only_floor(v, f)) for name, (v, f) in sizes.items()}
        samples: dict[str, list[float]] = {
            name: [] for name in [*jobs, *(f"floor:{n}" for n in jobs)]
        }
        for _round in range(args.repeats):
            for name, job in jobs.items():
                tick = time.perf_counter()
                job()
                samples[name].append(time.perf_counter() - tick)
                tick = time.perf_counter()
                floors[name]()
                samples[f"floor:{name}"].append(time.perf_counter() - tick)

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"\nmedians of {args.repeats} rounds (load average {load:.1f} on {os.cpu_count()} "
            "cores)\n"
        )
        print(
            f"{'workbook':<10} {'values':>8} {'formulas':>9} {'ours (s)':>9} {'floor (s)':>10} "
            f"{'ratio':>6}"
        )
        for name in jobs:
            ours = median_seconds(samples[name])
            floor = median_seconds(samples[f"floor:{name}"])
            values, formulas = sizes[name]
            print(
                f"{name:<10} {values:>8,} {formulas:>9,} {ours:>9.3f} {floor:>10.3f} "
                f"{ours / floor:>6.1f}"
            )
        report_seconds = median_seconds(samples["report"])
        verdict = "PASS" if report_seconds < TARGET_REPORT_SECONDS else "FAIL"
        print(
            f"\n{verdict}: report for {args.companies} companies in {report_seconds:.2f} s "
            f"(target < {TARGET_REPORT_SECONDS:.0f} s, database reads included)"
        )

        soffice = find_soffice()
        if soffice:
            source = Path(folder) / "in" / "report.xlsx"
            source.parent.mkdir()
            source.write_bytes(outputs["report"])
            tick = time.perf_counter()
            recalculate(source, Path(folder) / "out", soffice=soffice)
            print(
                "LibreOffice recalculation of the report (new profile): "
                f"{time.perf_counter() - tick:.1f} s"
            )
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
