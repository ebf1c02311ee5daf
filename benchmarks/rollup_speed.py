"""A full portfolio roll-up on twenty times the demo portfolio, from the database to the tables.

What an analyst's "portfolio overview" does: load every investment, every
deal cash flow and every valuation mark through ``portfolio_kit.frames``, then
roll them up with ``portfolio_kit.analytics`` by fund, sector, geography,
vintage year and status (invested, realized, unrealized, total value, MOIC,
pooled gross IRR, concentration of unrealized value), plus the
per-investment summary and the whole portfolio's concentration. Target:
under 2 seconds for loading and roll-up together.

The demo at ``--scale 20`` (60 funds, 460 investments, about 360,000
statement values) is written into a SQLite file first, which takes a few
minutes; ``--database PATH`` keeps that file and reuses it on the next run.
Timings are wall-clock medians of ``--repeats`` runs, with the machine's load
average printed beside them.

Usage::

    python benchmarks/rollup_speed.py
    python benchmarks/rollup_speed.py --database /tmp/demo20.db --repeats 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from portfolio_kit import Database, analytics, connect, frames  # noqa: E402
from portfolio_kit.demo import AS_OF, load_demo  # noqa: E402

TARGET_SECONDS = 2.0
GROUPINGS = ("fund_id", "sector", "geography", "vintage_year", "status")


def load(db: Database) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three frames a roll-up needs (three queries)."""
    return (
        frames.investments(db, as_of=AS_OF),
        frames.investment_cash_flows(db, as_of=AS_OF),
        frames.valuations(db, as_of=AS_OF, marks_only=True),
    )


def roll_up(
    investments: pd.DataFrame, flows: pd.DataFrame, marks: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    tables = {
        by: analytics.portfolio_rollup(investments, flows, marks, AS_OF, by=by) for by in GROUPINGS
    }
    summary = analytics.investment_summary(investments, flows, marks, AS_OF)
    tables["investment"] = summary
    tables["portfolio concentration"] = analytics.concentration(summary["unrealized"]).to_frame(
        "portfolio"
    )
    return tables


def prepare(path: Path, scale: int) -> Database:
    db = connect(f"sqlite:///{path}")
    if db.is_empty():
        started = time.perf_counter()
        summary = load_demo(db, scale=scale)
        print(
            f"loaded the demo at scale {scale} in {time.perf_counter() - started:.0f} s: {summary}"
        )
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database", type=Path, help="SQLite file to fill once and reuse")
    args = parser.parse_args()
    directory = None
    path = args.database
    if path is None:
        directory = Path(tempfile.mkdtemp(prefix="rollup-speed-"))
        path = directory / "demo.db"
    try:
        db = prepare(path, args.scale)
        load_times, rollup_times, totals = [], [], []
        load_before = os.getloadavg()[0]
        for _ in range(args.repeats):
            started = time.perf_counter()
            investments, flows, marks = load(db)
            loaded = time.perf_counter()
            tables = roll_up(investments, flows, marks)
            finished = time.perf_counter()
            load_times.append(loaded - started)
            rollup_times.append(finished - loaded)
            totals.append(finished - started)
        load_after = os.getloadavg()[0]
        print(
            f"\n{len(investments)} investments, {len(flows)} deal cash flows, {len(marks)} marks "
            f"({frames.loader_for(db)} loader); median of {args.repeats} runs "
            f"(load average {load_before:.1f} -> {load_after:.1f})"
        )
        print(f"  load (frames, 3 queries)       {statistics.median(load_times):6.3f} s")
        print(
            f"  roll-up (analytics, {len(GROUPINGS)} ways) {statistics.median(rollup_times):6.3f} s"
        )
        total = statistics.median(totals)
        verdict = "PASS" if total < TARGET_SECONDS else "FAIL"
        target = f"target < {TARGET_SECONDS:.0f} s"
        print(f"  together                       {total:6.3f} s   {target}  {verdict}")
        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(
                "\nby fund vintage:\n",
                tables["vintage_year"][
                    ["investments", "invested", "total_value", "moic", "gross_irr"]
                ],
            )
        db.dispose()
        return 0 if total < TARGET_SECONDS else 1
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
