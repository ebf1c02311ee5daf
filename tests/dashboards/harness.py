"""Running a real dashboard server and a real Chromium, for the browser tests and the benchmark.

``start_server`` runs ``portfolio-kit serve`` as a subprocess on a free port
against a given SQLite file, waits for its health check, and returns a
handle whose ``stop`` ends the server (SIGTERM, then SIGKILL) and any kernel
it left behind, by process id. ``launch_chromium`` starts Debian's Chromium
through Playwright with the flags a closed, root-run machine needs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "dashboards"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_SELECTOR = ".pk-ready"
DEMO_PASSWORDS = {
    "admin@example.com": "demo-admin-password",
    "analyst@example.com": "demo-analyst-password",
    "partner@example.com": "demo-partner-password",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "the playwright package is not installed: pip install playwright "
            "(no browser download needed)"
        )
    return None


def serve_command() -> list[str]:
    """``portfolio-kit serve`` from this interpreter's environment."""
    script = Path(sys.executable).parent / "portfolio-kit"
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-c", "from portfolio_kit.cli import main; main()", "serve"]


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    database_path: Path
    data_dir: Path
    notebooks: int
    _log_handle: Any = field(repr=False, default=None)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kernels_waiting(self) -> int:
        """Preheated kernels that have run their notebook up to the request."""
        return self.log_text().count("is ready and waiting for its request")

    def wait_until_preheated(self, timeout: float = 240.0) -> None:
        """Block until every notebook's pool kernel waits for a request."""
        deadline = time.monotonic() + timeout
        while self.kernels_waiting() < self.notebooks:
            if self.process.poll() is not None:
                raise RuntimeError(f"the dashboard server stopped:\n{self.log_text()[-4000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"kernels not preheated after {timeout:.0f} s:\n{self.log_text()[-4000:]}"
                )
            time.sleep(0.25)

    def stop(self) -> None:
        """SIGTERM (Voila shuts its kernels down), SIGKILL after 30 s, then
        kill any descendant still running, each by its own pid."""
        import psutil

        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for child in descendants:
            try:
                if child.is_running():
                    child.kill()
            except psutil.NoSuchProcess:
                pass
        if self._log_handle is not None:
            self._log_handle.close()


def start_server(
    database_path: Path,
    work_dir: Path,
    *,
    dashboards_dir: Path = DASHBOARDS,
    preheat: bool = True,
    pool_size: int = 1,
    timeout: float = 180.0,
    extra_env: dict[str, str] | None = None,
    share_pages: bool = False,
    warm_up: str = "full",
) -> RunningServer:
    """Start ``portfolio-kit serve`` on a free port and wait for its health check.

    ``extra_env`` adds settings (e.g. ``PORTFOLIO_KIT_DASHBOARD_POOL_SIZES``)
    on top of the clean environment the server gets.

    Shared pages (``server/page_cache.py``, on by default in ``serve``) are
    off unless ``share_pages``: most live tests exercise a page's widgets, its
    kernel and admission control, and a second view of the same page would be
    handed the shared copy (no kernel, no widgets) instead. The tests of
    sharing itself, and the load benchmark, turn it on.

    Kernels warm up ``full`` unless ``warm_up`` says otherwise (``serve``'s
    default is ``light``): the live tests draw a hundred-odd first views, each
    about a second faster that way, which keeps the suite inside its time
    budget. The sharing tests run the default (``light``) end to end, and
    ``test_lazy_imports.py`` checks what ``light`` loads."""
    work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = work_dir / "data"
    data_dir.mkdir(exist_ok=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTFOLIO_KIT_")}
    env.update(
        {
            "PORTFOLIO_KIT_DATA_DIR": str(data_dir),
            "PORTFOLIO_KIT_DATABASE_URL": f"sqlite:///{database_path}",
            "JUPYTER_RUNTIME_DIR": str(work_dir / "runtime"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if not share_pages:
        env["PORTFOLIO_KIT_DASHBOARD_PAGE_CACHE_SECONDS"] = "0"
    env["PORTFOLIO_KIT_DASHBOARD_WARM_UP"] = warm_up
    env.update(extra_env or {})
    command = [
        *serve_command(),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--dashboards",
        str(dashboards_dir),
    ]
    if preheat:
        command += ["--pool-size", str(pool_size)]
    else:
        command += ["--no-preheat"]
    log_path = work_dir / "server.log"
    handle = log_path.open("wb")
    process = subprocess.Popen(
        command,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=work_dir,
        start_new_session=True,
    )
    server = RunningServer(
        url=f"http://127.0.0.1:{port}/",
        process=process,
        log_path=log_path,
        database_path=database_path,
        data_dir=data_dir,
        notebooks=len(list(dashboards_dir.glob("*.ipynb"))),
        _log_handle=handle,
    )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(
                f"portfolio-kit serve exited with {process.returncode}:\n"
                f"{server.log_text()[-4000:]}"
            )
        try:
            if requests.get(server.url + "health", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(
                f"the dashboard server did not answer within {timeout:.0f} s:\n"
                f"{server.log_text()[-4000:]}"
            )
        time.sleep(0.25)


def dashboards_copy(target: Path, extra: dict[str, Any] | None = None) -> Path:
    """The dashboard notebooks copied to ``target``, plus ``extra`` notebooks
    (file name -> nbformat node)."""
    import nbformat

    target.mkdir(parents=True, exist_ok=True)
    for notebook in DASHBOARDS.glob("*.ipynb"):
        shutil.copyfile(notebook, target / notebook.name)
    for name, node in (extra or {}).items():
        nbformat.write(node, target / name)
    return target


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Headless Chromium under Playwright's sync API, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "login", wait_until="domcontentloaded")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")


def open_dashboard(page: Any, url: str, *, timeout: float = 180.0) -> float:
    """Navigate to a dashboard and wait for its ready marker; seconds taken."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout * 1000)
    page.wait_for_selector(READY_SELECTOR, state="attached", timeout=timeout * 1000)
    return time.perf_counter() - started


def screenshot(page: Any, path: Path) -> None:
    """The whole page: Voila scrolls inside an element, so the viewport is
    stretched to the content first (a plain full-page shot stops at the fold)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1366, "height": 900}
    height = page.evaluate(
        "() => Math.max(document.body.scrollHeight, "
        "...[...document.querySelectorAll('#rendered_cells, .jp-Notebook')]"
        ".map(element => element.scrollHeight))"
    )
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], min(int(height) + 40, 12000))}
    )
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def requests_session(base_url: str, email: str, password: str) -> requests.Session:
    """An HTTP session signed in through the form (with its XSRF token), no browser."""
    session = requests.Session()
    form = session.get(base_url + "login", timeout=30)
    token = form.text.split('name="_xsrf" value="')[1].split('"')[0]
    answer = session.post(
        base_url + "login",
        data={"_xsrf": token, "email": email, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed with HTTP {answer.status_code}")
    return session


def new_data_version(database_path: Path) -> None:
    """An audited write to page data that the fund overview does not show (the
    first diligence item's owner, on the tear sheet only): a new data version,
    so the next view of every page is drawn afresh. Not a user's name: writes
    to the identity tables are no new data version (``server/page_cache.py``)."""
    from sqlalchemy import select

    from portfolio_kit import connect
    from portfolio_kit.models import DueDiligenceItem

    database = connect(f"sqlite:///{database_path}")
    try:
        with database.session() as session:
            item = session.scalars(
                select(DueDiligenceItem).order_by(DueDiligenceItem.id).limit(1)
            ).one()
            item.owner = "Deal team" if item.owner != "Deal team" else "External advisor"
    finally:
        database.dispose()
