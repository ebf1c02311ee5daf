"""Bulk-load benchmark: ``import_metrics`` against the driver's fastest bulk path.

Loads a portfolio 20 times the demo size (500 companies x 40 quarter ends x 30
canonical line items = 600,000 ``financial_metrics`` rows) into SQLite and
into PostgreSQL, and prints, side by side, the median time of

- the package: ``portfolio_kit.services.bulk_import.import_metrics`` inside
  ``Database.session(actor)`` (validation of every row, one ``import`` audit
  row, commit), from a list of row dicts;
- the baseline: the same rows, as tuples, written straight through the driver
  into the same table of a freshly migrated database: ``sqlite3``
  ``executemany`` (same pragmas as the package's connections: WAL,
  ``synchronous=NORMAL``, ``foreign_keys=ON``), or psycopg ``COPY ... FROM
  STDIN`` with ``write_row``; commit included.

Each measurement runs ``--repeats`` times (default 3), each on a fresh
database; companies are inserted through the ORM first and are not timed,
nor is building the input rows. The target is package/baseline <= 2.0.

Two clocks are reported. Wall time is what the issue asks for, but on a
shared machine other processes stretch it by several times, run to run. CPU
time (this process plus, for a local server, every PostgreSQL process of the
cluster, read from ``/proc``) counts only the work done, so its ratio is the
steadier figure; the verdict is given for both.

PostgreSQL: ``--postgres-url`` names a server the script may create and drop
databases on (``postgresql+psycopg://user@host:port/postgres``); without it
the script starts a throwaway cluster with ``tests/support/postgres.py``.

Run: ``python benchmarks/load_metrics.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, make_url, text

# The throwaway PostgreSQL cluster lives with the test support code; the
# script is run by path, so the repository root is not on sys.path yet.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portfolio_kit import Database, connect  # noqa: E402
from portfolio_kit.audit import Actor  # noqa: E402
from portfolio_kit.period_length import derived_period_months  # noqa: E402
from portfolio_kit.models import PortfolioCompany, Role  # noqa: E402
from portfolio_kit.periods import quarter_ends_between  # noqa: E402
from portfolio_kit.services.bulk_import import METRIC_COLUMNS, import_metrics  # noqa: E402
from portfolio_kit.vocabulary import LINE_ITEMS  # noqa: E402

TARGET_RATIO = 2.0
ACTOR = Actor(email="benchmark@example.com", role=Role.ANALYST)
STAMP_COLUMNS = ("version", "created_at", "updated_at")


@dataclass(frozen=True)
class Workload:
    companies: int
    quarter_ends: list[date]
    line_items: list[str]
    values: np.ndarray
    """Shape (companies, quarters, line items), in currency units."""

    @property
    def rows(self) -> int:
        return int(self.values.size)


def make_workload(companies: int, quarters: int, items: int, seed: int = 20240331) -> Workload:
    """Deterministic synthetic statement values: lognormal magnitudes, a
    third of them negative (costs, outflows), rounded to cents."""
    quarter_ends = quarter_ends_between(date(2015, 1, 1), date(2040, 12, 31))[:quarters]
    line_items = list(LINE_ITEMS)[:items]
    if len(quarter_ends) < quarters or len(line_items) < items:
        raise ValueError(f"at most {len(LINE_ITEMS)} line items and 104 quarters are available")
    rng = np.random.default_rng(seed)
    magnitudes = rng.lognormal(mean=16.0, sigma=1.5, size=(companies, quarters, items))
    signs = np.where(rng.random((companies, quarters, items)) < 1 / 3, -1.0, 1.0)
    return Workload(companies, quarter_ends, line_items, np.round(magnitudes * signs, 2))


def metric_rows(workload: Workload, company_ids: list[int]) -> list[dict[str, Any]]:
    """The package's input: one dict per row, Python scalars only."""
    values = workload.values.tolist()
    return [
        {
            "company_id": company_id,
            "period_end": quarter_end,
            "period_type": "quarter",
            "line_item": item,
            "value": values[c][q][i],
            "currency": "USD",
        }
        for c, company_id in enumerate(company_ids)
        for q, quarter_end in enumerate(workload.quarter_ends)
        for i, item in enumerate(workload.line_items)
    ]


def baseline_tuples(rows: list[dict[str, Any]], *, sqlite_text: bool) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The same rows with the columns the package stores (its defaults and
    stamps filled in), as the driver wants them. SQLite gets dates and
    timestamps as the text SQLAlchemy writes there."""
    columns = [*METRIC_COLUMNS, *STAMP_COLUMNS]
    now = datetime.now(UTC)
    stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite_text else now
    defaults = {"scenario": "actual", "source": "manual"}
    out = []
    for row in rows:
        full = {**defaults, **row}
        period_end = full["period_end"].isoformat() if sqlite_text else full["period_end"]
        out.append(
            (
                full["company_id"], period_end, full["period_type"],
                derived_period_months(full["period_type"], full["line_item"]), full["scenario"], full["line_item"],
                full["value"], full["currency"], full["source"], None, None, None, 1, stamp, stamp,
            )
        )
    return columns, out


def add_companies(database: Database, count: int) -> list[int]:
    with database.session(ACTOR) as session:
        companies = [
            PortfolioCompany(
                name=f"Company {number:04d}", sector="Software", geography="Europe",
                currency="USD", status="invested",
            )
            for number in range(1, count + 1)
        ]
        session.add_all(companies)
        session.flush()
        return [company.id for company in companies]


def stored_rows(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM financial_metrics")).scalar_one())


def package_load(database: Database, rows: list[dict[str, Any]]) -> None:
    with database.session(ACTOR) as session:
        import_metrics(session, rows, summary="benchmark load", details={"source": "benchmarks/load_metrics.py"})


def sqlite_baseline(path: Path, columns: list[str], tuples: list[tuple[Any, ...]]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        placeholders = ", ".join("?" for _ in columns)
        connection.executemany(
            f"INSERT INTO financial_metrics ({', '.join(columns)}) VALUES ({placeholders})", tuples
        )
        connection.commit()
    finally:
        connection.close()


def postgres_baseline(url: str, columns: list[str], tuples: list[tuple[Any, ...]]) -> None:
    import psycopg

    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
        dbname=parsed.database,
    ) as connection:
        with connection.cursor() as cursor, cursor.copy(
            f"COPY financial_metrics ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in tuples:
                copy.write_row(row)
        connection.commit()


class _SqliteTarget:
    name = "SQLite"
    server_pid: int | None = None
    server_known = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._count = 0

    @contextmanager
    def fresh(self) -> Iterator[tuple[Database, str]]:
        self._count += 1
        path = self.folder / f"load_{self._count}.db"
        database = connect(f"sqlite:///{path}")
        try:
            yield database, str(path)
        finally:
            database.dispose()
            for leftover in self.folder.glob(f"{path.name}*"):
                leftover.unlink()

    def baseline(self, where: str, rows: list[dict[str, Any]]) -> Callable[[], None]:
        columns, tuples = baseline_tuples(rows, sqlite_text=True)
        return lambda: sqlite_baseline(Path(where), columns, tuples)


class _PostgresTarget:
    name = "PostgreSQL"

    def __init__(self, maintenance_url: str, server_pid: int | None) -> None:
        self.maintenance_url = maintenance_url
        self.server_pid = server_pid
        self.server_known = server_pid is not None
        self._admin = create_engine(maintenance_url, isolation_level="AUTOCOMMIT")
        self._count = 0

    @contextmanager
    def fresh(self) -> Iterator[tuple[Database, str]]:
        self._count += 1
        name = f"pkit_load_bench_{self._count}"
        with self._admin.connect() as admin:
            admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(self.maintenance_url).set(database=name).render_as_string(hide_password=False)
        database = connect(url)
        try:
            yield database, url
        finally:
            database.dispose()
            with self._admin.connect() as admin:
                admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def baseline(self, where: str, rows: list[dict[str, Any]]) -> Callable[[], None]:
        columns, tuples = baseline_tuples(rows, sqlite_text=False)
        return lambda: postgres_baseline(where, columns, tuples)

    def close(self) -> None:
        self._admin.dispose()


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float | None
    """Seconds of CPU: this process plus the local PostgreSQL server; None when
    the server is remote."""


def _tree_cpu_seconds(pid: int) -> float:
    """CPU used by ``pid``, its live children and its exited children (Linux ``/proc``)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields after the command: state, ppid, ..., utime (12th), stime, cutime, cstime.
        if int(stat.parent.name) == pid:
            ticks += sum(int(value) for value in fields[11:15])
        elif int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _timed(action: Callable[[], None], server_pid: int | None, server_known: bool) -> Timing:
    server_before = _tree_cpu_seconds(server_pid) if server_pid else 0.0
    cpu_before, started = time.process_time(), time.perf_counter()
    action()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    if server_pid:
        cpu += _tree_cpu_seconds(server_pid) - server_before
    return Timing(wall, cpu if server_known else None)


def _cpu_text(timing: Timing) -> str:
    return "n/a" if timing.cpu is None else f"{timing.cpu:.2f} s"


def measure(target: Any, workload: Workload, repeats: int, profile: bool) -> tuple[list[Timing], list[Timing]]:
    package_times: list[Timing] = []
    baseline_times: list[Timing] = []
    for repeat in range(1, repeats + 1):
        with target.fresh() as (database, _where):
            rows = metric_rows(workload, add_companies(database, workload.companies))
            package_times.append(
                _timed(lambda: package_load(database, rows), target.server_pid, target.server_known)
            )
            _check_count(target.name, "package", database, workload.rows)
        with target.fresh() as (database, where):
            rows = metric_rows(workload, add_companies(database, workload.companies))
            baseline_times.append(_timed(target.baseline(where, rows), target.server_pid, target.server_known))
            _check_count(target.name, "baseline", database, workload.rows)
        package, baseline = package_times[-1], baseline_times[-1]
        print(
            f"  {target.name} run {repeat}: package {package.wall:.2f} s wall / {_cpu_text(package)} CPU, "
            f"baseline {baseline.wall:.2f} s wall / {_cpu_text(baseline)} CPU",
            flush=True,
        )
    if profile:
        with target.fresh() as (database, _where):
            rows = metric_rows(workload, add_companies(database, workload.companies))
            profiler = cProfile.Profile()
            profiler.runcall(package_load, database, rows)
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(18)
        print(f"\nProfile of one package load on {target.name}:\n{report.getvalue()}")
    return package_times, baseline_times


def _check_count(target: str, path: str, database: Database, expected: int) -> None:
    found = stored_rows(database)
    if found != expected:
        raise RuntimeError(f"{target} {path} load stored {found} rows, expected {expected}")


def _verdict(ratio: float | None) -> str:
    if ratio is None:
        return "n/a "
    return "PASS" if ratio <= TARGET_RATIO else "FAIL"


def _report(results: list[tuple[str, list[Timing], list[Timing]]], rows: int) -> bool:
    print(
        f"\n{'database':<11} {'package':>9} {'baseline':>9} {'ratio':>6}   "
        f"{'package':>9} {'baseline':>9} {'ratio':>6}   {'rows/s':>8}  verdict (target <= {TARGET_RATIO}x)"
    )
    print(f"{'':<11} {'wall, median seconds':^26}   {'CPU, median seconds':^26}   {'wall':>8}")
    passed = True
    for name, package_times, baseline_times in results:
        package = statistics.median(t.wall for t in package_times)
        baseline = statistics.median(t.wall for t in baseline_times)
        wall_ratio = package / baseline
        cpu_ratio = None
        cpu_cells = f"{'n/a':>9} {'n/a':>9} {'n/a':>6}"
        if all(t.cpu is not None for t in (*package_times, *baseline_times)):
            package_cpu = statistics.median(t.cpu for t in package_times)  # type: ignore[misc]
            baseline_cpu = statistics.median(t.cpu for t in baseline_times)  # type: ignore[misc]
            cpu_ratio = package_cpu / baseline_cpu
            cpu_cells = f"{package_cpu:>9.2f} {baseline_cpu:>9.2f} {cpu_ratio:>6.2f}"
        verdicts = f"wall {_verdict(wall_ratio)}, CPU {_verdict(cpu_ratio)}"
        passed &= wall_ratio <= TARGET_RATIO and (cpu_ratio is None or cpu_ratio <= TARGET_RATIO)
        print(
            f"{name:<11} {package:>9.2f} {baseline:>9.2f} {wall_ratio:>6.2f}   {cpu_cells}   "
            f"{rows / package:>8,.0f}  {verdicts}"
        )
    return passed


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--postgres-url", help="maintenance URL of a server to create databases on")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--profile", action="store_true", help="also profile one package load per database")
    args = parser.parse_args(argv)

    workload = make_workload(args.companies, args.quarters, args.items)
    print(
        f"Workload: {args.companies} companies x {args.quarters} quarter ends x {args.items} line items "
        f"= {workload.rows:,} rows; {args.repeats} runs each, fresh database per run; median reported."
    )
    # Other processes on the machine stretch both paths; the ratio is the figure to read.
    print(f"Load average at start: {_load()} on {os.cpu_count()} cores")
    results = []
    with tempfile.TemporaryDirectory(prefix="pkit-load-") as folder:
        sqlite_target = _SqliteTarget(Path(folder))
        results.append((sqlite_target.name, *measure(sqlite_target, workload, args.repeats, args.profile)))

    if not args.no_postgres:
        cluster = None
        url = args.postgres_url
        if url is None:
            from tests.support.postgres import PostgresCluster, PostgresUnavailable

            try:
                cluster = PostgresCluster.start()
            except PostgresUnavailable as exc:
                print(f"PostgreSQL skipped: {exc}")
            else:
                url = cluster.url
        if url is not None:
            pg_target = _PostgresTarget(url, cluster.server_pid() if cluster is not None else None)
            try:
                results.append((pg_target.name, *measure(pg_target, workload, args.repeats, args.profile)))
            finally:
                pg_target.close()
                if cluster is not None:
                    cluster.stop()

    passed = _report(results, workload.rows)
    print(f"Load average at end: {_load()}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
