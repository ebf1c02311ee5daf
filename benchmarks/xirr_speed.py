"""XIRR for many series: the batch engine against a pyxirr loop and groupby-apply.

10,000 fund-like series of 40 quarterly flows (calls in the first years,
distributions later, a late call now and then, so most series change sign
more than once). Each method runs several times, interleaved so that machine
noise hits all of them alike; the script prints medians, per-series cost,
ratios to the pyxirr loop (the baseline) and how far the answers are from
pyxirr's. A second section times a portfolio roll-up of 500 companies and
10,000 flows.

Run: ``.venv/bin/python benchmarks/xirr_speed.py [--repeats 7]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyxirr

from portfolio_kit.analytics import portfolio_rollup, xirr, xirr_many

SERIES = 10_000
PERIODS = 40


def fund_like_flows(seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    amounts = np.zeros((SERIES, PERIODS))
    amounts[:, :12] = -rng.gamma(2.0, 1.0, (SERIES, 12))
    amounts[:, 8:] += rng.gamma(1.5, 1.0, (SERIES, PERIODS - 8)) * rng.uniform(
        0.3, 1.5, (SERIES, 1)
    )
    late = (rng.random((SERIES, PERIODS)) < 0.05) & (np.arange(PERIODS) > 12)
    amounts[late] = -rng.gamma(1.0, 0.5, late.sum())
    amounts[:, -1] += rng.uniform(0.0, 10.0, SERIES)
    dates = np.array(
        pd.date_range("2010-03-31", periods=PERIODS, freq="QE").to_numpy(), dtype="datetime64[D]"
    )
    return dates, amounts


def synthetic_portfolio(companies: int = 500, flows: int = 10_000, seed: int = 7):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    vintage = rng.integers(2012, 2022, companies)
    entry = pd.to_datetime(vintage.astype(str)) + pd.to_timedelta(
        rng.integers(0, 700, companies), "D"
    )
    exited = rng.random(companies) < 0.4
    exit_date = pd.Series(pd.NaT, index=range(companies), dtype="datetime64[ns]")
    exit_date[exited] = entry[exited] + pd.to_timedelta(rng.integers(900, 2500, exited.sum()), "D")
    investments = pd.DataFrame(
        {
            "investment_id": np.arange(companies),
            "fund_id": rng.choice([f"F{i}" for i in range(6)], companies),
            "fund_name": "Fund",
            "vintage_year": vintage,
            "company_id": np.arange(companies) + 1000,
            "company_name": [f"Company {i}" for i in range(companies)],
            "sector": rng.choice(["Software", "Health", "Industrials", "Consumer"], companies),
            "geography": rng.choice(["US", "EU", "UK"], companies),
            "status": np.where(exited, "realized", "unrealized"),
            "entry_date": entry,
            "exit_date": exit_date.to_numpy(),
            "currency": "USD",
            "ownership": rng.uniform(0.2, 0.9, companies),
        }
    )
    per_company = flows // companies
    owner = np.repeat(np.arange(companies), per_company)
    offset = rng.integers(0, 2500, owner.size)
    offset[::per_company] = 0
    amount = np.where(
        offset < 500, -rng.gamma(2, 1e6, owner.size), rng.gamma(1.5, 1.2e6, owner.size)
    )
    amount[::per_company] = -rng.gamma(5, 4e6, companies)
    cash_flows = pd.DataFrame(
        {
            "investment_id": owner,
            "date": entry.to_numpy()[owner] + pd.to_timedelta(offset, "D").to_numpy(),
            "kind": np.where(amount < 0, "investment", "proceeds"),
            "amount": amount,
        }
    )
    quarters = pd.date_range("2012-03-31", "2025-12-31", freq="QE")
    company = np.repeat(investments["company_id"].to_numpy(), len(quarters))
    valuations = pd.DataFrame(
        {
            "company_id": company,
            "valuation_date": np.tile(quarters.to_numpy(), companies),
            "method": "multiple",
            "enterprise_value": 0.0,
            "equity_value": rng.gamma(3, 1.5e7, company.size),
        }
    )
    return investments, cash_flows, valuations


def interleaved(methods: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeats):
        for name, method in methods.items():
            start = time.perf_counter()
            method()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--slow-repeats", type=int, default=3, help="repeats of the groupby-apply runs"
    )
    args = parser.parse_args()

    dates, amounts = fund_like_flows()
    ids = np.repeat(np.arange(SERIES), PERIODS)
    long_dates = np.tile(dates, SERIES)
    long_amounts = amounts.ravel()
    frame = pd.DataFrame({"series": ids, "date": long_dates, "amount": long_amounts})

    def pyxirr_loop() -> list[float | None]:
        return [pyxirr.xirr(dates, row) for row in amounts]

    def batch() -> pd.Series:
        return xirr_many(ids, long_dates, long_amounts)

    def groupby_pyxirr() -> pd.Series:
        return frame.groupby("series").apply(
            lambda g: pyxirr.xirr(g["date"], g["amount"]), include_groups=False
        )

    def groupby_ours() -> pd.Series:
        return frame.groupby("series").apply(
            lambda g: xirr(g["date"], g["amount"]), include_groups=False
        )

    batch()  # warm caches and imports once, outside the timings
    fast = interleaved({"xirr_many (batch)": batch, "pyxirr.xirr loop": pyxirr_loop}, args.repeats)
    slow = interleaved(
        {
            "groupby.apply(pyxirr.xirr)": groupby_pyxirr,
            "groupby.apply(portfolio_kit xirr)": groupby_ours,
        },
        args.slow_repeats,
    )
    medians = {name: statistics.median(values) for name, values in {**fast, **slow}.items()}
    baseline = medians["pyxirr.xirr loop"]

    print(
        f"XIRR of {SERIES:,} series x {PERIODS} quarterly flows (medians of {args.repeats} runs; "
        f"groupby rows of {args.slow_repeats})"
    )
    print(f"{'method':38s} {'median s':>10s} {'us/series':>10s} {'vs pyxirr loop':>15s}")
    for name, seconds in medians.items():
        print(
            f"{name:38s} {seconds:10.4f} {seconds / SERIES * 1e6:10.2f} {seconds / baseline:14.2f}x"
        )
    speedup = medians["groupby.apply(pyxirr.xirr)"] / medians["xirr_many (batch)"]
    print(
        f"batch vs pyxirr loop: {medians['xirr_many (batch)'] / baseline:.2f}x the time "
        "(target <= 1.5x)"
    )
    print(f"batch vs groupby.apply(pyxirr.xirr): {speedup:.1f}x faster (target >= 10x)")

    ours = batch().to_numpy()
    reference = np.array([np.nan if r is None else r for r in pyxirr_loop()], dtype=float)
    both = np.isfinite(ours) & np.isfinite(reference)
    difference = np.abs(ours[both] - reference[both])
    other_root = difference > 1e-6
    print(f"max |batch - pyxirr| over {both.sum():,} series: {difference[~other_root].max():.2e}")
    print(f"series where pyxirr reports another root of a several-root series: {other_root.sum()}")
    print(
        f"undefined (NaN) in batch / in pyxirr: {np.isnan(ours).sum()} / "
        f"{np.isnan(reference).sum()}"
    )

    investments, cash_flows, valuations = synthetic_portfolio()
    rollups = interleaved(
        {
            f"portfolio_rollup by {key}": (
                lambda key=key: portfolio_rollup(
                    investments, cash_flows, valuations, "2024-12-31", by=key
                )
            )
            for key in ("fund_id", "sector", "vintage_year")
        },
        args.repeats,
    )
    print()
    print(
        f"Portfolio roll-up: {len(investments)} companies, {len(cash_flows):,} flows, "
        f"{len(valuations):,} valuations (medians of {args.repeats} runs)"
    )
    for name, values in rollups.items():
        print(f"{name:38s} {statistics.median(values):10.4f} s")


if __name__ == "__main__":
    main()
