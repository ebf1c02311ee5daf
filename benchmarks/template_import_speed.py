"""How long importing a KPI template of 100,000 rows takes, beside openpyxl's read floor.

A company with ``--rows`` KPIs on file (custom KPI names, one figure each,
for one quarter) gets a prefilled template from ``export_kpi_template``: one
item row per KPI, so the template has that many data rows. That file is then
imported, ``--repeats`` times, each time into a fresh database holding only
the company, so every run checks every cell and inserts every figure.

Printed, as medians:

* the floor: openpyxl opening the same file read-only and reading every row
  of the data sheet once (``iter_rows(values_only=True)``), which is the
  least any openpyxl-based import can cost;
* the calamine floor: ``python-calamine`` reading the same sheet's values,
  the reader the import uses for a sheet without formulas or error cells;
* ``check_kpi_template`` (open, metadata, every check, every figure read;
  nothing written);
* ``import_kpi_template`` (the same plus storing the document, inserting
  the figures and the audit row);

with their ratios to the floor and the load average; and, once (skip it
with ``--no-old-path``), the import forced through openpyxl as before
calamine (what a sheet holding a formula still costs; an older checkout
through ``TEMPLATE_BENCH_PACKAGE_ROOT`` needs ``--no-old-path``). Target: the import of
100,000 rows in at most 10 s (issue 13, item 7; it took over 300 s when the
row loop called ``max_column``).

With ``--scenario stray`` the template has one KPI row and ``--rows`` rows
of values typed below the item rows instead; the check must name every one
of those cells (the path that was quadratic: it called ``max_column`` for
every such row). Only the check is timed then (the import is refused). To
time an older checkout of the package on the same scenario, point
``TEMPLATE_BENCH_PACKAGE_ROOT`` at a folder holding its ``portfolio_kit``.

Usage::

    python benchmarks/template_import_speed.py                # 100,000 rows, 3 rounds
    python benchmarks/template_import_speed.py --rows 10000 --repeats 1
    python benchmarks/template_import_speed.py --scenario stray --rows 100000
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date
from unittest import mock
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("TEMPLATE_BENCH_PACKAGE_ROOT", str(REPO_ROOT)))

from openpyxl import load_workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from portfolio_kit import Database, connect  # noqa: E402
from portfolio_kit.audit import Actor  # noqa: E402
from portfolio_kit.excel import check_kpi_template, export_kpi_template  # noqa: E402
from portfolio_kit.excel import import_kpi_template  # noqa: E402
from portfolio_kit.models import CompanyKPI, PortfolioCompany, Role  # noqa: E402

PERIOD = date(2025, 12, 31)
TARGET_SECONDS = 10.0
BENCH_ACTOR = Actor(email="system:benchmark", role=Role.ADMIN)


def _company(database: Database) -> int:
    with database.session(BENCH_ACTOR) as session:
        company = PortfolioCompany(
            name="Benchmark Holdings", sector="Software", geography="US", currency="USD",
            status="invested",
        )
        session.add(company)
        session.flush()
        return company.id


def build_template(folder: Path, rows: int) -> tuple[bytes, float]:
    """A prefilled template with ``rows`` KPI rows, and how long the export took."""
    database = connect(f"sqlite:///{folder / 'source.db'}")
    company_id = _company(database)
    with database.session(BENCH_ACTOR) as session:
        session.execute(
            insert(CompanyKPI),
            [
                {
                    "company_id": company_id,
                    "period_end": PERIOD,
                    "period_type": "quarter",
                    "scenario": "actual",
                    "kpi": f"site_{index:06d}_visits",
                    "unit": "count",
                    "value": Decimal(1000 + index),
                    "source": "manual",
                }
                for index in range(rows)
            ],
        )
    started = time.perf_counter()
    with database.session(BENCH_ACTOR) as session:
        template = export_kpi_template(session, company_id, [PERIOD])
    elapsed = time.perf_counter() - started
    database.dispose()
    assert isinstance(template, bytes)
    return template, elapsed


def build_stray_template(folder: Path, rows: int) -> bytes:
    """A one-KPI template with ``rows`` values typed in column D below the items."""
    database = connect(f"sqlite:///{folder / 'stray.db'}")
    company_id = _company(database)
    with database.session(BENCH_ACTOR) as session:
        template = export_kpi_template(session, company_id, [PERIOD], kpis=["arr"])
    database.dispose()
    assert isinstance(template, bytes)
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Data"]
    first = sheet.max_row + 1
    for row in range(first, first + rows):
        sheet.cell(row, 4).value = row
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stray_rows(folder: Path, options: argparse.Namespace) -> None:
    template = build_stray_template(folder, options.rows)
    print(f"template: 1 KPI row and {options.rows:,} stray rows, {_archive_sizes(template)}")
    target = connect(f"sqlite:///{folder / 'target.db'}")
    _company(target)
    floors, checks, problems = [], [], []
    for _ in range(options.repeats):
        floors.append(_timed(lambda: read_floor(template)))
        with target.session(BENCH_ACTOR) as session:
            checks.append(
                _timed(lambda: problems.append(len(check_kpi_template(session, template).errors)))
            )
    floor, floor_cpu = _median(floors)
    check, check_cpu = _median(checks)
    _print_floor(len(floors), floor, floor_cpu)
    print(
        f"check_kpi_template:  {check:.2f} s / {check_cpu:.2f} s, "
        f"{check / floor:.1f}x / {check_cpu / floor_cpu:.1f}x the floor; "
        f"{problems[-1]:,} problems named"
    )


def read_floor(template: bytes) -> int:
    """Every row of the data sheet read once, the way the import reads it."""
    workbook = load_workbook(io.BytesIO(template), read_only=True)
    try:
        return sum(1 for _ in workbook["Data"].iter_rows(values_only=True))
    finally:
        workbook.close()


def calamine_floor(template: bytes) -> int:
    """Every row of the data sheet read once by calamine (values only)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(template))
    try:
        return len(workbook.get_sheet_by_name("Data").to_python(skip_empty_area=False))
    finally:
        workbook.close()


def old_path_import(folder: Path, template: bytes, rows: int) -> tuple[float, float]:
    """One import with every sheet read by openpyxl, as before calamine."""
    target = connect(f"sqlite:///{folder / 'target-openpyxl.db'}")
    _company(target)
    result = []
    with (
        mock.patch("portfolio_kit.excel.template_import.needs_openpyxl", return_value=True),
        target.session(BENCH_ACTOR) as session,
    ):
        timed = _timed(lambda: result.append(import_kpi_template(session, template)))
    assert result[0].inserted == rows, result[0]
    target.dispose()
    return timed


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): CPU shows the work when the machine is busy."""
    started, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - started, time.process_time() - cpu


def _archive_sizes(template: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        members = archive.infolist()
    unzipped = sum(info.file_size for info in members)
    worst = max(info.file_size / max(info.compress_size, 1) for info in members)
    return (
        f"{len(template) / 1e6:.2f} MB zipped, {unzipped / 1e6:.1f} MB unzipped, "
        f"worst ratio {worst:.0f}"
    )


def _print_floor(repeats: int, floor: float, floor_cpu: float) -> None:
    """The head both scenarios print: the load, then the floor every ratio is taken to."""
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"medians of {repeats} (wall / CPU of this process):")
    print(f"read floor (openpyxl read-only, one pass): {floor:.2f} s / {floor_cpu:.2f} s")


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", choices=["items", "stray"], default="items")
    parser.add_argument("--no-old-path", action="store_true", help="skip the openpyxl-only import")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="template-bench-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("PORTFOLIO_KIT_DATA_DIR", str(folder / "data"))
        if options.scenario == "stray":
            stray_rows(folder, options)
            return
        template, export_seconds = build_template(folder, options.rows)
        print(
            f"template: {options.rows:,} KPI rows, {_archive_sizes(template)}; "
            f"export took {export_seconds:.2f} s"
        )
        floors, calamine_floors, checks, imports = [], [], [], []
        for round_number in range(options.repeats):
            floors.append(_timed(lambda: read_floor(template)))
            calamine_floors.append(_timed(lambda: calamine_floor(template)))
            target = connect(f"sqlite:///{folder / f'target{round_number}.db'}")
            _company(target)
            with target.session(BENCH_ACTOR) as session:
                checks.append(_timed(lambda: check_kpi_template(session, template)))
            result = []
            with target.session(BENCH_ACTOR) as session:
                imports.append(
                    _timed(lambda: result.append(import_kpi_template(session, template)))
                )
            assert result[0].inserted == options.rows, result[0]
            target.dispose()
        old = None if options.no_old_path else old_path_import(folder, template, options.rows)
        floor, floor_cpu = _median(floors)
        fast, fast_cpu = _median(calamine_floors)
        check, check_cpu = _median(checks)
        imported, imported_cpu = _median(imports)
        _print_floor(len(floors), floor, floor_cpu)
        print(
            f"calamine read of the same sheet:           {fast:.2f} s / {fast_cpu:.2f} s, "
            f"{fast / floor:.2f}x / {fast_cpu / floor_cpu:.2f}x the floor"
        )
        print(
            f"check_kpi_template:  {check:.2f} s / {check_cpu:.2f} s, "
            f"{check / floor:.1f}x / {check_cpu / floor_cpu:.1f}x the floor"
        )
        print(
            f"import_kpi_template: {imported:.2f} s / {imported_cpu:.2f} s, "
            f"{imported / floor:.1f}x / {imported_cpu / floor_cpu:.1f}x the floor"
        )
        if old is not None:
            print(
                f"import through openpyxl only (once): {old[0]:.2f} s / {old[1]:.2f} s, "
                f"{old[0] / floor:.1f}x / {old[1] / floor_cpu:.1f}x the floor"
            )
        if options.rows == 100_000:
            verdicts = [
                f"{name} {'pass' if seconds <= TARGET_SECONDS else 'FAIL'}"
                for name, seconds in (("CPU", imported_cpu), ("wall", imported))
            ]
            print(
                f"target: import at most {TARGET_SECONDS:.0f} s for 100,000 rows: "
                f"{', '.join(verdicts)} (wall includes waiting for a busy machine)"
            )


if __name__ == "__main__":
    main()
