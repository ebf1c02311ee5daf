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
The medians print side by side, with their ratio to the targets (1.5 s
preheated, 5 s cold, on the demo).

    python benchmarks/dashboard_speed.py            # about 10-20 minutes
    python benchmarks/dashboard_speed.py --runs 5 --skip-scaled
"""

from __future__ import annotations

import argparse
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


def measure(database: Path, work: Path, *, preheat: bool, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    server = harness.start_server(database, work, preheat=preheat)
    timings: dict[str, list[float]] = {key: [] for key in DASHBOARDS}
    try:
        if preheat:
            server.wait_until_preheated()
        with sync_playwright() as playwright:
            browser = harness.launch_chromium(playwright)
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            harness.sign_in(page, server.url, VIEWER, harness.DEMO_PASSWORDS[VIEWER])
            loads = 0
            for key in DASHBOARDS:
                url = f"{server.url}voila/render/{key}.ipynb"
                for attempt in range(runs + 1):
                    if preheat:
                        # Each load takes the waiting kernel; its replacement logs
                        # "ready" once it has run the notebook up to the request.
                        target = server.notebooks + loads
                        _wait_for(lambda target=target: server.kernels_waiting() >= target)
                    elapsed = harness.open_dashboard(page, url)
                    loads += 1
                    if attempt:
                        timings[key].append(elapsed)
                    page.goto("about:blank")
            browser.close()
    finally:
        server.stop()
    return timings


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
    with tempfile.TemporaryDirectory(prefix="pk_dashboard_speed_") as folder:
        root = Path(folder)
        for label, scale in portfolios:
            print(f"{label}:", flush=True)
            database = build_database(root, scale)
            for mode in ("preheated", "cold"):
                started = time.perf_counter()
                results[(label, mode)] = measure(
                    database,
                    root / f"{label.replace(' ', '_')}_{mode}",
                    preheat=mode == "preheated",
                    runs=args.runs,
                )
                print(f"  {mode}: measured in {time.perf_counter() - started:.0f} s", flush=True)

    columns = [(label, mode) for label, _ in portfolios for mode in ("preheated", "cold")]
    print()
    print(f"Navigation to ready marker, median of {args.runs} (seconds), viewer {VIEWER}")
    header = f"{'dashboard':<20}" + "".join(f"{label + ' ' + mode:>20}" for label, mode in columns)
    print(header + f"{'target pre/cold':>18}")
    for key in DASHBOARDS:
        cells = "".join(f"{statistics.median(results[column][key]):>20.2f}" for column in columns)
        print(f"{key:<20}{cells}{TARGETS['preheated']:>9.1f} /{TARGETS['cold']:>4.1f}")
    print()
    print("Ratio of the demo medians to their targets (below 1.00 meets the target)")
    for key in DASHBOARDS:
        ratios = "   ".join(
            f"{mode} {statistics.median(results[('demo', mode)][key]) / TARGETS[mode]:.2f}"
            for mode in ("preheated", "cold")
        )
        print(f"{key:<20}{ratios}")


if __name__ == "__main__":
    main()
