"""When the whole partnership opens the fund overview at once: N concurrent views.

Starts ``portfolio-kit serve`` on the demo with a preheated pool for the fund
overview (``PORTFOLIO_KIT_DASHBOARD_POOL_SIZES``), signs in N different
partner accounts (each granted the demo partner's fund), and opens the fund
overview in N Chromium tabs at the same moment, for N = 1, 8, 20, 50. Each
view is timed from navigation to the page's ready marker (``.pk-ready``,
drawn by the kernel once the page is complete), by the browser's clock and
by this script's (``BROWSER_CLOCK`` says how they differ). Printed per N: median and
p95 seconds, errors, and the peak resident memory of the server and all its
kernels during the round; before the rounds, the resident memory of each
idle preheated kernel. The single view (N = 1) is the baseline each round is
compared with, in the same run.

Every N is measured twice, the first time right after a change to the data
("first view", the page must be drawn again) and then again ("drawn
before"), after every partner has signed in again (a sign-in is audited and
must not make the drawn page stale). With shared pages on (the default,
``server/page_cache.py``) the first round costs one render, which every
view waiting for the same page receives, and the second costs none; with
``PORTFOLIO_KIT_DASHBOARD_PAGE_CACHE_SECONDS=0`` every view is drawn live by
its own kernel, as before shared pages existed: run the script both ways to
compare.

Between rounds the tabs are closed as a partner closes them (their unload
handler asks Voila to shut the page's kernel down) and the script waits until
the pool has refilled (it counts the kernels that report ready), so every
round starts from the same state. All traffic goes to 127.0.0.1; every wait
is bounded. A view answered "busy" (HTTP 503, beyond the server's kernel cap
or queue, ``server/capacity.py``) reloads itself and is timed until drawn;
the busy answers are counted per round.

    python benchmarks/dashboard_load.py                      # N = 1, 8, 20, 50; pool 4
    python benchmarks/dashboard_load.py --views 1 8 --pool 8
    PORTFOLIO_KIT_DASHBOARD_PAGE_CACHE_SECONDS=0 python benchmarks/dashboard_load.py --pool 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dashboards import harness  # noqa: E402

DASHBOARD = "fund_overview"
TARGET_P95_AT_20 = 3.0
PASSWORD = "load-test-partner-password"


def build_database(folder: Path, partners: int) -> Path:
    """The demo plus ``partners`` partner accounts, each granted the demo partner's funds."""
    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo
    from portfolio_kit.demo.spec import PARTNER_FUNDS
    from portfolio_kit.security import add_user, find_fund, grant_fund

    path = folder / "demo.db"
    database = connect(f"sqlite:///{path}")
    load_demo(database)
    with database.session() as session:
        funds = [find_fund(session, name) for name in PARTNER_FUNDS]
        for number in range(partners):
            user = add_user(
                session,
                email=f"partner{number:02d}@example.com",
                name=f"Load-test partner {number}",
                password=PASSWORD,
                role="partner",
            )
            for fund in funds:
                grant_fund(session, user, fund)
    database.dispose()
    return path


class MemorySampler:
    """Peak resident memory of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def total(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):  # it ended since listed
                total += process.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.total())
            self._stop.wait(0.2)

    def __enter__(self) -> MemorySampler:
        self.peak = self.total()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def idle_kernel_rss(server_pid: int) -> list[int]:
    """RSS of each kernel process under the server (all idle right after preheating)."""
    import psutil

    kernels = []
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(child.memory_info().rss)
        except psutil.NoSuchProcess:
            pass
    return kernels


def pool_kernels_used(server: harness.RunningServer) -> int:
    """Preheated kernels handed to a page view so far (Voila logs each one)."""
    return server.log_text().count("Using pre-heated kernel")


def sharing_on() -> bool:
    return os.environ.get("PORTFOLIO_KIT_DASHBOARD_PAGE_CACHE_SECONDS", "") not in ("0", "0.0")


def wait_for_pool(server: harness.RunningServer, target: int, limit: float = 900.0) -> None:
    """Until ``target`` pool kernels in all have logged that they wait for a request.

    Voila logs that line once per preheated kernel when it has run the notebook
    up to the request; a used pool kernel is replaced, so after a round the
    count grows by the pool kernels it used. Counting these lines, not waiting
    for a quiet spell, is what guarantees a full, warm pool under load.
    """
    deadline = time.monotonic() + limit
    while server.kernels_waiting() < target:
        if server.process.poll() is not None:
            raise RuntimeError(f"the dashboard server stopped:\n{server.log_text()[-4000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the pool did not fill within {limit:.0f} s")
        time.sleep(0.5)


@dataclass
class Round:
    """One round's views: each timed twice (see ``BROWSER_CLOCK``)."""

    driver: list[float]
    browser: list[float]
    errors: list[str]
    busy: int


BROWSER_CLOCK = """
const paintedAt = (name) => requestAnimationFrame(() => setTimeout(() => {
  window[name] = performance.timeOrigin + performance.now();
}));
new MutationObserver((_, observer) => {
  if (document.querySelector('READY')) {
    observer.disconnect();
    paintedAt('__pkDrawnAt');
  }
}).observe(document, {childList: true, subtree: true});
addEventListener('load', () => paintedAt('__pkLoadPaintedAt'));
""".replace("READY", harness.READY_SELECTOR)
"""Each view is timed by two clocks. The driver's: this script's wall clock
from asking Playwright to navigate until Playwright reports the marker, which
includes the Playwright driver's own queueing while it serves N tabs on the
same two cores. The browser's: from the navigation's start (its
``performance.timeOrigin``, where Navigation Timing and web-vitals start a
user's wait) to the first frame painted after the ready marker entered the
document (for the floor's page, which has no marker: after its load event).
The script is injected by the DevTools protocol, so a shared page's no-script
CSP does not stop it, and it runs again in the page a busy answer reloads
into; the start is read from the first document, so a reload is inside the
time."""


async def one_round(
    browser, server_url: str, cookies: list[list[dict]], views: int, *, floor: bool = False
) -> Round:  # type: ignore[no-untyped-def]
    """Open ``views`` tabs at once, one signed-in partner each.

    ``floor``: open the server's two-byte health check instead, timed to the
    page's load event, in the same tabs, contexts and sign-ins: what N tabs
    cost the browser on this machine before any dashboard is involved, the
    best any page could do.
    """
    url = f"{server_url}health" if floor else f"{server_url}voila/render/{DASHBOARD}.ipynb"
    contexts = []
    for number in range(views):
        context = await browser.new_context(viewport={"width": 1366, "height": 900})
        await context.add_cookies(cookies[number])
        await context.add_init_script(BROWSER_CLOCK)
        contexts.append(context)
    pages = [await context.new_page() for context in contexts]
    start = asyncio.Event()

    busy = [0]

    def count_busy(response):  # type: ignore[no-untyped-def]
        if response.status == 503 and response.url.startswith(url):
            busy[0] += 1

    async def view(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        page.on("response", count_busy)
        await start.wait()
        began = time.perf_counter()
        if floor:
            await page.goto(url, wait_until="load", timeout=180_000)
            origin = await page.evaluate("performance.timeOrigin")
            painted = "window.__pkLoadPaintedAt"
        else:
            await page.goto(url, wait_until="commit", timeout=180_000)
            origin = await page.evaluate("performance.timeOrigin")
            # A "busy" answer (503) reloads itself after Retry-After; the wait spans it.
            await page.wait_for_selector(harness.READY_SELECTOR, state="attached", timeout=300_000)
            painted = "window.__pkDrawnAt"
        driver = time.perf_counter() - began
        # Polled from here: wait_for_function would compile its predicate in the
        # page, which a shared page's CSP forbids.
        for _ in range(600):
            inside = await page.evaluate(painted)
            if inside is not None:
                return driver, (inside - origin) / 1000
            await asyncio.sleep(0.1)
        raise TimeoutError("the ready marker was never painted")

    tasks = [asyncio.create_task(view(page)) for page in pages]
    await asyncio.sleep(0)
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    # Close the tabs as a partner does: the page's unload handler asks Voila to
    # shut its kernel down, so the next round starts with only the pools alive.
    for page in pages:
        await page.close(run_before_unload=True)
    await asyncio.sleep(2)
    for context in contexts:
        await context.close()
    timed = [r for r in results if isinstance(r, tuple)]
    return Round(
        driver=[driver for driver, _ in timed],
        browser=[inside for _, inside in timed],
        errors=[repr(r)[:200] for r in results if not isinstance(r, tuple)],
        busy=busy[0],
    )


def signed_in_cookies(server_url: str, partners: int) -> list[list[dict]]:
    """Each partner signs in through the form; their cookies, ready for Playwright."""
    from urllib.parse import urlparse

    host = urlparse(server_url).hostname
    jars = []
    for number in range(partners):
        session = harness.requests_session(server_url, f"partner{number:02d}@example.com", PASSWORD)
        jars.append(
            [
                {"name": c.name, "value": c.value or "", "domain": host, "path": c.path or "/"}
                for c in session.cookies
            ]
        )
    return jars


def http_round(server_url: str, cookies: list[list[dict]], views: int) -> list[float]:
    """The same views as plain HTTP GETs at once, no browser: what the server
    itself takes to answer N partners (shared pages: the page is drawn)."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    url = f"{server_url}voila/render/{DASHBOARD}.ipynb"

    def view(number: int) -> float:
        jar = {cookie["name"]: cookie["value"] for cookie in cookies[number]}
        began = time.perf_counter()
        answer = requests.get(url, cookies=jar, timeout=300)
        answer.raise_for_status()
        if "pk-ready" not in answer.text and DRAWN_TEXT not in answer.text:
            title = answer.text.partition("<title>")[2].partition("</title>")[0]
            raise RuntimeError(
                f"view {number}: no drawn page (HTTP {answer.status_code}, "
                f"{len(answer.text)} characters, title {title!r})"
            )
        return time.perf_counter() - began

    with ThreadPoolExecutor(views) as pool:
        return list(pool.map(view, range(views)))


DRAWN_TEXT = "Fund overview: Alder Ridge Capital III"
"""A live page's text summary (a shared page has the ready marker in its HTML)."""


def p95(values: list[float]) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


async def run(args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    most = max(args.views)
    with tempfile.TemporaryDirectory(prefix="pk_dashboard_load_") as folder:
        root = Path(folder)
        database = build_database(root, most)
        # The server starts with a clean environment; dashboard settings given to
        # this script (e.g. PORTFOLIO_KIT_DASHBOARD_MAX_RENDERS=4) are passed on.
        env = {
            key: value
            for key, value in os.environ.items()
            if key.startswith("PORTFOLIO_KIT_DASHBOARD_")
        }
        env["PORTFOLIO_KIT_DASHBOARD_POOL_SIZES"] = json.dumps({DASHBOARD: args.pool})
        server = harness.start_server(
            database,
            root / "server",
            pool_size=args.other_pool,
            extra_env=env,
            share_pages=True,
            # serve's default unless the caller names one (the harness's is full).
            warm_up=os.environ.get("PORTFOLIO_KIT_DASHBOARD_WARM_UP", "light"),
        )
        try:
            target = args.pool + args.other_pool * (server.notebooks - 1)
            wait_for_pool(server, target)
            idle = idle_kernel_rss(server.process.pid)
            cookies = signed_in_cookies(server.url, most)
            rows: list[tuple[int, bool, Round, int, float, int]] = []
            floors: dict[int, Round] = {}
            servers: dict[int, list[float]] = {}
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(harness.CHROMIUM), args=harness.CHROMIUM_ARGS, headless=True
                )
                # One unmeasured view, so Voila's JavaScript is in the browser cache
                # as it is for a returning partner.
                await one_round(browser, server.url, cookies, 1)
                target += pool_kernels_used(server)
                wait_for_pool(server, target)
                for views in args.views:
                    floors[views] = await one_round(browser, server.url, cookies, views, floor=True)
                    if sharing_on():
                        servers[views] = http_round(server.url, cookies, views)
                    for fresh in (True, False):
                        if fresh:
                            harness.new_data_version(database)
                        else:
                            # Everyone signs in afresh (audited sign-ins): the page
                            # drawn in the round before must still be shared.
                            cookies = signed_in_cookies(server.url, most)
                        used = pool_kernels_used(server)
                        with MemorySampler(server.process.pid) as memory:
                            views_round = await one_round(browser, server.url, cookies, views)
                        load = os.getloadavg()[0]
                        kernels = pool_kernels_used(server) - used
                        rows.append((views, fresh, views_round, memory.peak, load, kernels))
                        print(
                            f"  N={views} {'first view' if fresh else 'drawn before'}: "
                            f"{len(views_round.browser)} drawn, {len(views_round.errors)} errors, "
                            f"browser clock {summary(views_round.browser)}, driver clock "
                            f"{summary(views_round.driver)}, peak RSS "
                            f"{memory.peak / 2**20:.0f} MiB, {views_round.busy} busy answers, "
                            f"{kernels} pool kernels used, load {load:.1f}",
                            flush=True,
                        )
                        for error in views_round.errors[:3]:
                            print(f"    error: {error}")
                        target += kernels
                        wait_for_pool(server, target)
                await browser.close()
        finally:
            server.stop()
    report(args, idle, rows, floors, servers)


def summary(values: list[float]) -> str:
    if not values:
        return "no views"
    return f"median {statistics.median(values):.2f} s, p95 {p95(values):.2f} s"


def median_p95(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    return statistics.median(values), p95(values)


def report(
    args: argparse.Namespace,
    idle: list[int],
    rows: list[tuple[int, bool, Round, int, float, int]],
    floors: dict[int, Round],
    servers: dict[int, list[float]],
) -> None:
    print()
    print(
        f"Fund overview, N partners at once, pool of {args.pool} preheated kernels "
        f"(other dashboards {args.other_pool}); seconds from navigation to the ready marker, "
        "by the browser's clock and by the driver's (BROWSER_CLOCK)"
    )
    mib = [value / 2**20 for value in idle]
    if mib:
        print(
            f"idle preheated kernels: {len(mib)}, RSS median {statistics.median(mib):.0f} MiB "
            f"(min {min(mib):.0f}, max {max(mib):.0f})"
        )
    print(f"shared pages: {'on' if sharing_on() else 'off (every view drawn live)'}")
    print(
        f"{'N':>4}  {'round':<13}{'drawn':>6}{'errors':>7}{'busy':>5}{'kernels':>8}"
        f"{'browser med':>12}{'p95':>7}{'driver med':>11}{'p95':>7}{'x single':>9}"
        f"{'peak MiB':>9}{'load':>6}"
    )
    singles = {
        fresh: statistics.median(got.browser)
        for views, fresh, got, *_ in rows
        if views == 1 and got.browser
    }
    for views, fresh, got, peak, load, kernels in rows:
        browser_median, browser_p95 = median_p95(got.browser)
        driver_median, driver_p95 = median_p95(got.driver)
        single = singles.get(fresh, float("nan"))
        label = "first view" if fresh else "drawn before"
        print(
            f"{views:>4}  {label:<13}{len(got.browser):>6}{len(got.errors):>7}{got.busy:>5}"
            f"{kernels:>8}{browser_median:>12.2f}{browser_p95:>7.2f}{driver_median:>11.2f}"
            f"{driver_p95:>7.2f}{browser_median / single:>9.2f}{peak / 2**20:>9.0f}{load:>6.1f}"
        )
    for views, got in floors.items():
        browser_median, browser_p95 = median_p95(got.browser)
        driver_median, driver_p95 = median_p95(got.driver)
        print(
            f"{views:>4}  {'browser floor':<13}{len(got.browser):>6}{'':>20}"
            f"{browser_median:>12.2f}{browser_p95:>7.2f}{driver_median:>11.2f}{driver_p95:>7.2f}"
        )
    for views, times in servers.items():
        server_median, server_p95 = median_p95(times)
        print(
            f"{views:>4}  {'server only':<13}{len(times):>6}{'':>20}{'':>19}"
            f"{server_median:>11.2f}{server_p95:>7.2f}"
        )
    print(
        "browser floor: the same tabs opening the two-byte /health page, to the first frame "
        "painted after its load event"
    )
    print("server only: the same partners' views as plain HTTP GETs at once (page drawn before)")
    for fresh in (True, False):
        label = "first view" if fresh else "drawn before"
        for views, got_fresh, got, *_ in rows:
            if got_fresh is not fresh:
                continue
            if views == 20 and got.browser:
                tail, driver_tail = p95(got.browser), p95(got.driver)
                ok = tail <= TARGET_P95_AT_20 and not got.errors
                print(
                    f"{'PASS' if ok else 'FAIL'}: 20 concurrent views ({label}) p95 {tail:.2f} s "
                    f"by the browser's clock (target {TARGET_P95_AT_20} s); "
                    f"{driver_tail:.2f} s by the driver's"
                )
            if views == 50:
                ok = len(got.browser) == 50 and not got.errors
                print(
                    f"{'PASS' if ok else 'FAIL'}: 50 concurrent views ({label}), "
                    f"{len(got.browser)} drawn, {len(got.errors)} errors (target: all drawn, none)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, nargs="+", default=[1, 8, 20, 50])
    parser.add_argument("--pool", type=int, default=4, help="preheated fund-overview kernels")
    parser.add_argument("--other-pool", type=int, default=1, help="pool of the other dashboards")
    args = parser.parse_args()
    reason = harness.missing_browser()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
