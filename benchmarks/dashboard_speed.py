"""How long a partner waits for each dashboard, preheated and cold, on the demo and a 10x portfolio.

For each portfolio (the demo, and ``load_demo(db, scale=10)``: 30 funds, 250
companies) this starts ``portfolio-kit serve`` twice, with preheated kernels
(one per dashboard, refilled after each use) and without (a new kernel per
page), signs in with Chromium, and times navigation to the page's ready
marker (``.pk-ready``: drawn by the kernel once the page is complete).

Measured as the admin, who sees every fund (the 10x portfolio's largest
view). Each dashboard is opened once unmeasured (so the browser has Voila's
JavaScript cached, as a returning partner's would), then ``--runs`` times;
preheated runs wait for the pool to be ready again before each navigation.
Preheated views are timed twice: with the chart cache emptied before each
view (the first view after the data changed: every chart is drawn) and with
it kept (a repeat view: charts come from ``<data_dir>/cache/charts``). The
medians print side by side, with their ratio to the targets (1.5 s
preheated, 5 s cold, on the demo). The machine's load average is printed
too: other work on the same two cores slows every figure.

    python benchmarks/dashboard_speed.py            # about 10-20 minutes
    python benchmarks/dashboard_speed.py --runs 5 --skip-scaled
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dashboards import harness  # noqa: E402

TARGETS = {"preheated": 1.5, "cold": 5.0}
DASHBOARDS = ("fund_overview", "portfolio_monitor", "company_tear_sheet")
VIEWER = "admin@example.com"


def build_database(folder: Path, scale: int) -> Path:
    """A demo database of ``scale`` copies; the scaled demo has no accounts, so the
    demo's three are added (the partner granted the first copy of Fund III)."""
    from portfolio_kit import connect
    from portfolio_kit.demo import USERS, load_demo
    from portfolio_kit.demo.spec import PARTNER_FUNDS
    from portfolio_kit.security import add_user, find_fund, grant_fund

    path = folder / f"demo_x{scale}.db"
    database = connect(f"sqlite:///{path}")
    started = time.perf_counter()
    load_demo(database, scale=scale)
    if scale != 1:
        with database.session() as session:
            for email, name, role, password in USERS:
                user = add_user(session, email=email, name=name, password=password, role=role)
                if role == "partner":
                    for fund in PARTNER_FUNDS:
                        grant_fund(session, user, find_fund(session, fund))
    database.dispose()
    print(f"  loaded demo x{scale} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def _wait_for(condition, timeout: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kernel pool did not refill in time")
        time.sleep(0.2)


def measure(
    database: Path, work: Path, *, preheat: bool, runs: int
) -> dict[str, dict[str, list[float]]]:
    """Timings by setting and dashboard. Preheated servers are measured twice:
    with the chart cache emptied before each view (the first view after the
    data changed) and with it kept (a repeat view); cold servers with it kept."""
    from playwright.sync_api import sync_playwright

    server = harness.start_server(database, work, preheat=preheat)
    passes = (
        [("preheated, first view", True), ("preheated, repeat view", False)]
        if preheat
        else [("cold", False)]
    )
    timings: dict[str, dict[str, list[float]]] = {
        name: {key: [] for key in DASHBOARDS} for name, _ in passes
    }
    cache = server.data_dir / "cache" / "charts"
    try:
        if preheat:
            server.wait_until_preheated()
        with sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            harness.sign_in(page, server.url, VIEWER, harness.DEMO_PASSWORDS[VIEWER])
            loads = 0
            for name, empty_cache in passes:
                for key in DASHBOARDS:
                    url = f"{server.url}voila/render/{key}.ipynb"
                    for attempt in range(runs + 1):
                        if preheat:
                            # Each view takes the waiting kernel; its replacement logs
                            # "ready" once it has run the notebook up to the request.
                            target = server.notebooks + loads
                            _wait_for(lambda target=target: server.kernels_waiting() >= target)
                        if empty_cache:
                            shutil.rmtree(cache, ignore_errors=True)
                        elapsed = harness.open_dashboard(page, url)
                        loads += 1
                        if attempt:
                            timings[name][key].append(elapsed)
                        page.goto("about:blank")
            browser.close()
    finally:
        server.stop()
    return timings


def _ratio(timings: list[float], setting: str) -> float:
    return statistics.median(timings) / TARGETS[setting.split(",")[0]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="measured page loads per dashboard and setting"
    )
    parser.add_argument("--skip-scaled", action="store_true", help="measure the demo only")
    args = parser.parse_args()
    reason = harness.missing_browser()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    portfolios = [("demo", 1)] + ([] if args.skip_scaled else [("demo x10", 10)])
    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    settings = ("preheated, first view", "preheated, repeat view", "cold")
    with tempfile.TemporaryDirectory(prefix="pk_dashboard_speed_") as folder:
        root = Path(folder)
        for label, scale in portfolios:
            print(f"{label}:", flush=True)
            database = build_database(root, scale)
            for preheat in (True, False):
                started = time.perf_counter()
                work = root / f"{label.replace(' ', '_')}_{'preheated' if preheat else 'cold'}"
                for name, timings in measure(
                    database, work, preheat=preheat, runs=args.runs
                ).items():
                    results[(label, name)] = timings
                kind = "preheated" if preheat else "cold"
                print(f"  {kind}: measured in {time.perf_counter() - started:.0f} s", flush=True)

    print()
    print(f"Navigation to the ready marker, median of {args.runs} views (seconds), as {VIEWER}")
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{v:.1f}" for v in os.getloadavg())
    )
    for label, _ in portfolios:
        print()
        print(f"{label:<20}" + "".join(f"{name:>24}" for name in settings))
        for key in DASHBOARDS:
            cells = "".join(
                f"{statistics.median(results[(label, name)][key]):>24.2f}" for name in settings
            )
            print(f"{key:<20}{cells}")
    print()
    print(
        f"Targets on the demo: {TARGETS['preheated']} s preheated, {TARGETS['cold']} s cold; "
        "median / target:"
    )
    for key in DASHBOARDS:
        ratios = "   ".join(
            f"{name} {_ratio(results[('demo', name)][key], name):.2f}" for name in settings
        )
        print(f"{key:<20}{ratios}")


if __name__ == "__main__":
    main()
