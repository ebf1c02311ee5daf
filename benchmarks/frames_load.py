"""Loading a million statement values into pandas: ``frames.metrics`` against the raw paths.

The issue's targets, on SQLite and on PostgreSQL alike:

* ``frames.metrics(db)`` takes at most 2x the fastest raw path on the same
  database (ADBC ``cursor.fetch_arrow_table().to_pandas()``, or on PostgreSQL
  psycopg ``COPY ... TO STDOUT`` into ``pandas.read_csv`` if that is faster);
* and is at least 3x faster than ``pandas.read_sql`` through SQLAlchemy.

The raw paths run the plainest query for the same eight columns. They skip
what ``frames`` adds: leaving out soft-deleted companies (the database holds
one, with no figures, so both return the same rows), parsing SQLite's text
dates, categories, the ordering by id. ``value`` is cast to a double in their
SQL too: SQLite's NUMERIC affinity stores 150.0 as an integer, and the ADBC
driver stops with "expected INT64 but got DOUBLE" on the plain column;
PostgreSQL's ``numeric`` otherwise arrives as text.

Runs are interleaved (one of each method per round) so that a change in the
machine's load touches every method alike; the script prints the median of
``--repeats`` rounds. Timings are wall-clock, with whatever else the machine
is doing: the load average is printed beside them, and so is the CPU time
this process spent (on SQLite all the work; on PostgreSQL the client's share,
the server's own work being in its process).

Usage::

    python benchmarks/frames_load.py                       # SQLite and a throwaway PostgreSQL
    python benchmarks/frames_load.py --rows 200000 --repeats 3
    python benchmarks/frames_load.py --postgres-url postgresql+psycopg://user@host/db
    python benchmarks/frames_load.py --skip-postgres
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from portfolio_kit import Database, connect, frames  # noqa: E402
from portfolio_kit.frames._loader import libpq_uri  # noqa: E402
from portfolio_kit.periods import month_end  # noqa: E402
from portfolio_kit.vocabulary import LINE_ITEMS  # noqa: E402

MAX_RATIO_TO_RAW = 2.0
MIN_SPEEDUP_OVER_READ_SQL = 3.0
COMPANIES = 250
COLUMNS = (
    "company_id, period_end, period_type, scenario, line_item, {value} AS value, currency, source"
)


def metric_rows(rows: int, company_ids: list[int]) -> pd.DataFrame:
    """``rows`` distinct (company, month end, line item) figures: every line item of
    every company for consecutive month ends from January 2000."""
    items = np.array(list(LINE_ITEMS))
    months_needed = -(-rows // (len(company_ids) * len(items)))
    ends, year, month = [], 2000, 1
    for _ in range(months_needed):
        ends.append(month_end(date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    per_company = len(ends) * len(items)
    company = np.repeat(np.array(company_ids), per_company)[:rows]
    period = np.tile(
        np.repeat(np.array(ends, dtype="datetime64[D]"), len(items)), len(company_ids)
    )[:rows]
    item = np.tile(items, len(ends) * len(company_ids))[:rows]
    rng = np.random.default_rng(20251231)
    # Whole numbers and cents alike, as statements hold them.
    value = np.round(rng.lognormal(14, 2, rows) * np.where(rng.random(rows) < 0.5, 1, 1.01), 2)
    return pd.DataFrame(
        {
            "company_id": company,
            "period_end": period,
            "period_type": "month",
            "scenario": "actual",
            "line_item": item,
            "value": value,
            "currency": "USD",
            "source": "manual",
        }
    )


def add_companies(db: Database) -> list[int]:
    """``COMPANIES`` companies for the figures, plus one soft-deleted company without any."""
    from portfolio_kit.models import PortfolioCompany

    with db.session() as session:
        companies = [
            PortfolioCompany(
                name=f"Company {n:03d}",
                sector="Software",
                geography="Europe",
                currency="USD",
                status="invested",
            )
            for n in range(COMPANIES + 1)
        ]
        session.add_all(companies)
        session.flush()
        companies[-1].soft_delete()
        return [company.id for company in companies[:-1]]


def fill_sqlite(db: Database, rows: pd.DataFrame) -> None:
    """ADBC bulk ingest (an executemany in C) with dates and timestamps as
    SQLAlchemy stores them on SQLite: ISO text."""
    import adbc_driver_sqlite.dbapi as adbc_sqlite

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    table = pa.Table.from_pandas(
        rows.assign(
            period_end=rows["period_end"].dt.strftime("%Y-%m-%d"),
            version=1,
            created_at=stamp,
            updated_at=stamp,
        ),
        preserve_index=False,
    )
    with adbc_sqlite.connect(db.url.database) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest("financial_metrics", table, mode="append")
        connection.commit()


def fill_postgres(db: Database, rows: pd.DataFrame) -> None:
    """psycopg ``COPY FROM STDIN`` of the rows as CSV, the bulk path PostgreSQL offers."""
    stamp = datetime.now(UTC).isoformat()
    text = rows.assign(version=1, created_at=stamp, updated_at=stamp).to_csv(
        index=False, header=False
    )
    columns = ", ".join([*rows.columns, "version", "created_at", "updated_at"])
    raw = db.engine.raw_connection()
    try:
        with (
            raw.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY financial_metrics ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            copy.write(text)
        raw.driver_connection.commit()
    finally:
        raw.close()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE financial_metrics")


def methods(db: Database) -> dict[str, Callable[[], pd.DataFrame]]:
    """What to time on this database, by label."""
    from sqlalchemy import text

    backend = db.dialect
    sql = (
        "SELECT "
        + COLUMNS.format(
            value="CAST(value AS REAL)"
            if backend == "sqlite"
            else "CAST(value AS DOUBLE PRECISION)"
        )
        + " FROM financial_metrics"
    )
    if backend == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        raw = adbc_sqlite.connect(db.url.database, autocommit=True)
    else:
        import adbc_driver_postgresql.dbapi as adbc_postgresql

        raw = adbc_postgresql.connect(libpq_uri(db.url), autocommit=True)

    def raw_adbc() -> pd.DataFrame:
        with raw.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetch_arrow_table().to_pandas()

    def read_sql() -> pd.DataFrame:
        with db.engine.connect() as connection:
            return pd.read_sql(text(sql), connection)

    chosen = {
        "frames.metrics": lambda: frames.metrics(db),
        "raw ADBC fetch_arrow_table().to_pandas()": raw_adbc,
        "pd.read_sql via SQLAlchemy": read_sql,
    }
    if backend == "postgresql":

        def copy_read_csv() -> pd.DataFrame:
            connection = db.engine.raw_connection()
            try:
                buffer = io.BytesIO()
                with (
                    connection.driver_connection.cursor() as cursor,
                    cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
                ):
                    for block in copy:
                        buffer.write(block)
                connection.driver_connection.rollback()
            finally:
                connection.close()
            buffer.seek(0)
            return pd.read_csv(buffer)

        chosen["psycopg COPY -> read_csv"] = copy_read_csv
    return chosen


def run(db: Database, label: str, repeats: int) -> bool:
    chosen = methods(db)
    # The raw ADBC connection is opened before timing; so is frames' pooled one.
    frames.funds(db)
    seconds: dict[str, list[float]] = {name: [] for name in chosen}
    cpu: dict[str, list[float]] = {name: [] for name in chosen}
    rows: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, method in chosen.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            frame = method()
            seconds[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
            rows[name] = len(frame)
            del frame
    load_after = os.getloadavg()[0]
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    load = f"load average {load_before:.1f} -> {load_after:.1f}"
    print(f"\n{label}: median of {repeats} interleaved rounds ({load})")
    for name, median in medians.items():
        spread = f"{min(seconds[name]):.3f}-{max(seconds[name]):.3f}"
        used = statistics.median(cpu[name])
        print(
            f"  {name:<44} {median:7.3f} s   (range {spread}; this process's CPU {used:.3f} s; "
            f"{rows[name]:,} rows)"
        )
    mine = medians["frames.metrics"]
    raw_names = [name for name in medians if name.startswith(("raw ADBC", "psycopg COPY"))]
    fastest = min(raw_names, key=medians.__getitem__)
    ratio = mine / medians[fastest]
    speedup = medians["pd.read_sql via SQLAlchemy"] / mine
    within = ratio <= MAX_RATIO_TO_RAW
    faster = speedup >= MIN_SPEEDUP_OVER_READ_SQL
    print(
        f"  frames / fastest raw ({fastest}): {ratio:.2f}x  "
        f"target <= {MAX_RATIO_TO_RAW:.0f}x  {'PASS' if within else 'FAIL'}"
    )
    print(
        f"  read_sql / frames: {speedup:.2f}x  "
        f"target >= {MIN_SPEEDUP_OVER_READ_SQL:.0f}x  {'PASS' if faster else 'FAIL'}"
    )
    same_rows = len(set(rows.values())) == 1
    if not same_rows:
        print(f"  row counts differ between methods: {rows}")
    return within and faster and same_rows


def sqlite_case(rows: int, repeats: int, directory: Path) -> bool:
    db = connect(f"sqlite:///{directory / 'metrics.db'}")
    started = time.perf_counter()
    fill_sqlite(db, metric_rows(rows, add_companies(db)))
    elapsed = time.perf_counter() - started
    print(f"SQLite: wrote {rows:,} rows in {elapsed:.1f} s ({frames.loader_for(db)} loader)")
    try:
        return run(db, "SQLite", repeats)
    finally:
        db.dispose()


def postgres_case(rows: int, repeats: int, url: str | None) -> bool | None:
    cluster = None
    if url is None:
        from tests.support.postgres import PostgresCluster, PostgresUnavailable

        try:
            cluster = PostgresCluster.start()
        except PostgresUnavailable as exc:
            print(f"\nPostgreSQL: skipped, no server could be started ({exc}); pass --postgres-url")
            return None
        url = cluster.create_database("frames_load")
    try:
        db = connect(url)
        if not db.is_empty():
            raise SystemExit(f"{db!r} already holds data: give an empty database to --postgres-url")
        started = time.perf_counter()
        fill_postgres(db, metric_rows(rows, add_companies(db)))
        elapsed = time.perf_counter() - started
        loader = frames.loader_for(db)
        print(f"\nPostgreSQL: wrote {rows:,} rows in {elapsed:.1f} s ({loader} loader)")
        try:
            return run(db, "PostgreSQL", repeats)
        finally:
            db.dispose()
    finally:
        if cluster is not None:
            cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--postgres-url", help="an empty database to fill (default: a throwaway cluster)"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="frames-load-"))
    try:
        outcomes = [sqlite_case(args.rows, args.repeats, directory)]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if not args.skip_postgres:
        outcome = postgres_case(args.rows, args.repeats, args.postgres_url)
        if outcome is not None:
            outcomes.append(outcome)
    print("\nALL PASS" if all(outcomes) else "\nSOME FAIL")
    return 0 if all(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
