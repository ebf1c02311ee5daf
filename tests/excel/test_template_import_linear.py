"""Checking a KPI template costs time in proportion to its rows (issue 13, item 7).

The check used to ask openpyxl for ``max_column`` (a scan of every cell) once
for every row below the item rows, so four times the rows took about sixteen
times as long (docs/security.md: 2,000 and 8,000 such rows took 0.34 and
4.87 s of CPU). Linear work takes four times as long, less when fixed costs
(opening the file, the signature) weigh in. The test checks a template with
2,000 and one with 8,000 values typed below the items and asks that the
larger cost less than 8 times the smaller: 8 is the geometric middle of 4
(linear) and 16 (quadratic), taken from the two growth laws, not from a run.
Times are this process's CPU time, best of three, so other work on the
machine counts for little.
"""

from __future__ import annotations

import io
import time

import openpyxl
import pytest

from portfolio_kit import Database
from portfolio_kit.excel import check_kpi_template
from tests.excel.test_templates import Q4, _export
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio

pytestmark = pytest.mark.slow

SMALL, LARGE = 2_000, 8_000
LINEAR, QUADRATIC = LARGE / SMALL, (LARGE / SMALL) ** 2
BOUND = (LINEAR * QUADRATIC) ** 0.5


@pytest.fixture
def portfolio(sqlite_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(sqlite_db)


def _with_stray_values(template: bytes, rows: int) -> bytes:
    """``template`` with ``rows`` numbers typed in column D below its last row."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Data"]
    first = sheet.max_row + 1
    for row in range(first, first + rows):
        sheet.cell(row, 4).value = row
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check_seconds(
    database: Database, portfolio: SmallPortfolio, template: bytes, stray: int
) -> float:
    """Best of three CPU times of one check, which must name every stray value."""
    best = float("inf")
    for _ in range(3):
        with database.session(portfolio.analyst) as session:
            started = time.process_time()
            contents = check_kpi_template(session, template)
            best = min(best, time.process_time() - started)
        named = {problem.cell for problem in contents.errors if problem.cell}
        assert len(named) == stray, contents.errors[:3]
    return best


def test_checking_four_times_the_rows_costs_about_four_times_as_much(
    sqlite_db: Database, portfolio: SmallPortfolio
) -> None:
    template = _export(sqlite_db, portfolio, periods=(Q4,), kpis=["arr"])
    small = _with_stray_values(template, SMALL)
    large = _with_stray_values(template, LARGE)
    small_seconds = _check_seconds(sqlite_db, portfolio, small, SMALL)
    large_seconds = _check_seconds(sqlite_db, portfolio, large, LARGE)
    ratio = large_seconds / small_seconds
    print(
        f"{SMALL:,} rows {small_seconds:.3f} s, {LARGE:,} rows {large_seconds:.3f} s: {ratio:.1f}x"
    )
    assert ratio < BOUND, (small_seconds, large_seconds)
