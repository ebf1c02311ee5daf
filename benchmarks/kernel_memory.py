"""Idle memory of a preheated dashboard kernel, and what it costs the first view.

Starts ``portfolio-kit serve`` on the demo with ``--pool-size`` kernels per
dashboard and the given ``PORTFOLIO_KIT_DASHBOARD_WARM_UP``, waits until every
pool kernel waits for its request (plus a few seconds to settle), and prints
the resident memory (RSS) of each idle kernel process and their median. Then
signs in with Chromium as the admin and opens the fund overview ``--views``
times, each on a freshly preheated kernel (waiting for the pool to refill),
and prints the median time from navigation to the ready marker. The load
average is printed beside the figures.

    python benchmarks/kernel_memory.py                     # full (the baseline), then light
    python benchmarks/kernel_memory.py --warm-up light --views 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dashboards import harness  # noqa: E402

VIEWER = "admin@example.com"


def kernel_rss_mib(server: harness.RunningServer) -> list[float]:
    import psutil

    kernels = [
        child
        for child in psutil.Process(server.process.pid).children(recursive=True)
        if "ipykernel" in " ".join(child.cmdline())
    ]
    return sorted(kernel.memory_info().rss / 2**20 for kernel in kernels)


def measure(warm_up: str, pool_size: int, views: int) -> dict[str, object]:
    """Idle kernel RSS and preheated view times for one warm-up, on a fresh demo."""
    from playwright.sync_api import sync_playwright

    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo

    with tempfile.TemporaryDirectory(prefix="pk_kernel_memory_") as folder:
        root = Path(folder)
        database = root / "demo.db"
        db = connect(f"sqlite:///{database}")
        load_demo(db)
        db.dispose()
        server = harness.start_server(
            database,
            root / "work",
            pool_size=pool_size,
            extra_env={"PORTFOLIO_KIT_DASHBOARD_WARM_UP": warm_up},
        )
        try:
            expected = server.notebooks * pool_size
            deadline = time.monotonic() + 300
            while server.kernels_waiting() < expected:
                if time.monotonic() > deadline:
                    raise TimeoutError("the pools did not fill")
                time.sleep(0.5)
            time.sleep(5)
            rss = kernel_rss_mib(server)
            load_idle = os.getloadavg()[0]
            timings = []
            with sync_playwright() as playwright:
                browser = harness.launch_chromium(playwright)
                page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
                harness.sign_in(page, server.url, VIEWER, harness.DEMO_PASSWORDS[VIEWER])
                url = f"{server.url}voila/render/fund_overview.ipynb"
                for view in range(views + 1):
                    target = expected + view
                    while server.kernels_waiting() < target:
                        time.sleep(0.2)
                    time.sleep(1)
                    elapsed = harness.open_dashboard(page, url)
                    if view:  # the first one fills the browser's cache of Voila's scripts
                        timings.append(elapsed)
                    page.goto("about:blank")
                browser.close()
        finally:
            server.stop()
    return {"rss": rss, "load_idle": load_idle, "timings": timings, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warm-up",
        choices=("light", "full"),
        nargs="+",
        default=["full", "light"],
        help="warm-ups to measure, one after the other (default: both, full first as the baseline)",
    )
    parser.add_argument("--pool-size", type=int, default=2)
    parser.add_argument("--views", type=int, default=5)
    args = parser.parse_args()
    results = {warm_up: measure(warm_up, args.pool_size, args.views) for warm_up in args.warm_up}
    print(
        f"pool {args.pool_size} per dashboard; fund overview, preheated live view to ready marker"
    )
    print(
        f"{'warm-up':<8}{'kernels':>8}{'idle RSS MiB':>14}{'range':>12}"
        f"{'view median s':>15}{'views':>8}{'x full':>8}{'load idle/after':>17}"
    )
    baseline = results.get("full")
    for warm_up, result in results.items():
        rss = result["rss"]
        timings = result["timings"]
        median = statistics.median(timings)
        ratio = median / statistics.median(baseline["timings"]) if baseline else float("nan")
        spread = f"{min(rss):.0f}-{max(rss):.0f}"
        loads = f"{result['load_idle']:.1f}/{result['load']:.1f}"
        print(
            f"{warm_up:<8}{len(rss):>8}{statistics.median(rss):>14.0f}"
            f"{spread:>12}{median:>15.2f}{len(timings):>8}{ratio:>8.2f}{loads:>17}"
        )
        print("         views: " + ", ".join(f"{t:.2f}" for t in timings))


if __name__ == "__main__":
    main()
