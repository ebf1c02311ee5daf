"""The dashboards end to end: ``portfolio-kit serve``, a demo database, headless Chromium.

One server for the module (demo database copy, the three dashboard notebooks
plus a probe notebook that tries to write). The demo partner may see "Alder
Ridge Capital III" only (``portfolio_kit.demo.spec.PARTNER_FUNDS``).
Screenshots of every page land in ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import nbformat
import pytest
import requests

from portfolio_kit import connect
from portfolio_kit.server.sessions import COOKIE_NAME, encode_session, new_claims
from tests.dashboards import harness
from tests.dashboards.conftest import copy_demo
from tests.dashboards.expected import (
    assert_headline_shown,
    company_id,
    company_names,
    fund_headline,
    fund_id,
)
from tests.support.components import require

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

PARTNER = "partner@example.com"
PARTNER_FUND = "Alder Ridge Capital III"
OTHER_FUNDS = ("Alder Ridge Capital II", "Alder Ridge Growth IV")
DASHBOARD_KEYS = ("fund_overview", "portfolio_monitor", "company_tear_sheet")
SCREENSHOTS = harness.ROOT / "artifacts" / "screenshots"

WRITE_PROBE = """\
from sqlalchemy import text
from portfolio_kit.dashboards.access import open_context
from portfolio_kit.models import MarketIndex

context = open_context()
outcome = []
for label, statement in (
    ("update", "UPDATE funds SET name = name || ' (changed)'"),
    ("create", "CREATE TABLE probe_written (x INTEGER)"),
):
    try:
        with context.database.engine.begin() as connection:
            connection.execute(text(statement))
        outcome.append(f"{label}: written")
    except Exception as exc:
        outcome.append(f"{label}: refused ({type(exc).__name__})")
try:
    with context.database.session() as session:
        session.add(MarketIndex(name="Probe index", currency="USD"))
    outcome.append("orm: written")
except Exception as exc:
    outcome.append(f"orm: refused ({type(exc).__name__})")
print("PROBE " + "; ".join(outcome))
"""


def _probe_notebook() -> Any:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(WRITE_PROBE)]
    return notebook


def _mentions(text: str, name: str) -> bool:
    return re.search(re.escape(name) + r"(?![\w])", text) is not None


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    """Skip (fail under CI) before building anything when Chromium or Playwright is missing
    (session scope: it must come before the session-scoped demo database)."""
    reason = harness.missing_browser()
    if reason:
        require("chromium", reason)


@pytest.fixture(scope="module")
def live(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.RunningServer]:
    work = tmp_path_factory.mktemp("live_server")
    database = copy_demo(demo_template, work / "db")
    dashboards = harness.dashboards_copy(
        work / "dashboards", {"write_probe.ipynb": _probe_notebook()}
    )
    server = harness.start_server(database, work, dashboards_dir=dashboards)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(live: harness.RunningServer) -> Iterator[Any]:
    with harness.chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium: Any, live: harness.RunningServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) recording every request it makes."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    tab.requests = []  # type: ignore[attr-defined]
    tab.on("request", lambda request: tab.requests.append(request.url))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def demo(live: harness.RunningServer) -> Any:
    return connect(f"sqlite:///{live.database_path}", read_only=True)


def _dashboard_url(live: harness.RunningServer, key: str, query: str = "") -> str:
    return f"{live.url}voila/render/{key}.ipynb" + (f"?{query}" if query else "")


def _screenshot(tab: Any, name: str) -> None:
    harness.screenshot(tab, SCREENSHOTS / f"{name}.png")


def _assert_clean(tab: Any) -> None:
    """No traceback, error output, stderr or raw Python repr on the page."""
    body = tab.inner_text("body")
    for marker in (
        "Traceback",
        "Error:",
        "Exception",
        "<ipywidgets",
        "object at 0x",
        "NaN",
        "nan%",
    ):
        assert marker not in body, marker
    assert tab.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    assert (
        tab.locator(
            '[data-mime-type="application/vnd.jupyter.error"], '
            '.jp-RenderedText[data-mime-type*="error"]'
        ).count()
        == 0
    )


def _assert_only_local_requests(tab: Any, live: harness.RunningServer) -> None:
    server = urlparse(live.url)
    foreign = [
        url
        for url in tab.requests
        if urlparse(url).scheme in ("http", "https", "ws", "wss")
        and urlparse(url).netloc != server.netloc
    ]
    assert foreign == []


def test_anonymous_requests_get_the_sign_in_page_and_nothing_else(
    live: harness.RunningServer,
) -> None:
    for path in ["", *(f"voila/render/{key}.ipynb?fund=1" for key in DASHBOARD_KEYS), "voila/tree"]:
        answer = requests.get(live.url + path, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, path
        assert urlparse(answer.headers["Location"]).path == "/login"
    kernel = str(uuid.uuid4())
    assert requests.get(f"{live.url}api/kernels/{kernel}", timeout=30).status_code == 403
    assert requests.get(
        f"{live.url}voila/api/contents", allow_redirects=False, timeout=30
    ).status_code in (302, 403)
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect as websocket

    ws_base = live.url.replace("http://", "ws://")
    for path in (f"api/kernels/{kernel}/channels", f"voila/query/{kernel}"):
        with pytest.raises(InvalidStatus) as refused:
            websocket(ws_base + path, open_timeout=10).close()
        assert refused.value.response.status_code == 403, path
    assert requests.get(live.url + "health", timeout=30).text == "ok\n"


def test_a_wrong_password_gets_a_plain_sentence(page: Any, live: harness.RunningServer) -> None:
    harness.sign_in(page, live.url, PARTNER, "not-the-password")
    assert urlparse(page.url).path == "/login"
    assert "do not match an active account" in page.inner_text(".pk-error")
    assert COOKIE_NAME not in {cookie["name"] for cookie in page.context.cookies()}
    _screenshot(page, "sign_in_refused")
    answer = requests.post(
        live.url + "login", data={"email": PARTNER, "password": "nope"}, timeout=30
    )
    assert answer.status_code in (401, 403)


def test_the_partner_sees_every_dashboard_for_their_fund_only(
    page: Any, live: harness.RunningServer, demo: Any
) -> None:
    harness.sign_in(page, live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    assert "Your funds: Alder Ridge Capital III." in page.inner_text("body")
    _screenshot(page, "home")
    forbidden = [
        *OTHER_FUNDS,
        *company_names(demo, "Alder Ridge Capital II"),
        *company_names(demo, "Alder Ridge Growth IV"),
    ]
    for key in DASHBOARD_KEYS:
        harness.open_dashboard(page, _dashboard_url(live, key))
        assert page.locator(".pk-ready").get_attribute("data-state") == "ok"
        assert page.locator(".pk-chart svg").count() >= 1
        _assert_clean(page)
        body = page.inner_text("body")
        assert "As of 31 Dec 2025" in body
        for name in forbidden:
            assert not _mentions(body, name), (key, name)
        _screenshot(page, key)
        if key == "fund_overview":
            shown = {
                tile.get_attribute("data-tile"): tile.locator(".pk-value").inner_text()
                for tile in page.locator("[data-tile]").all()
            }
            assert_headline_shown(shown, fund_headline(demo, PARTNER_FUND))
            assert page.locator(".pk-chart svg").count() == 3
        if key == "portfolio_monitor":
            shown_companies = set(
                page.locator("table.pk-table tbody tr td:first-child .pk-name").all_inner_texts()
            )
            assert shown_companies == company_names(demo, PARTNER_FUND)
        if key == "company_tear_sheet":
            assert page.locator(".pk-chart svg").count() >= 4
    _assert_only_local_requests(page, live)


def test_crafted_links_reach_nothing_outside_the_partners_funds(
    page: Any, live: harness.RunningServer, demo: Any
) -> None:
    harness.sign_in(page, live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    other_fund = fund_id(demo, "Alder Ridge Capital II")
    other_company = company_id(demo, "Nordlys Software")
    for key, query in (
        ("fund_overview", f"fund={other_fund}"),
        ("company_tear_sheet", f"company={other_company}"),
    ):
        harness.open_dashboard(page, _dashboard_url(live, key, query))
        assert page.locator(".pk-ready").get_attribute("data-state") == "not-available"
        body = page.inner_text("body")
        assert "not available to you" in body
        assert not _mentions(body, "Alder Ridge Capital II") and "Nordlys" not in body
        _assert_clean(page)
    _screenshot(page, "not_available")


def test_filters_work_in_the_browser(page: Any, live: harness.RunningServer) -> None:
    harness.sign_in(page, live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    harness.open_dashboard(page, _dashboard_url(live, "portfolio_monitor"))
    page.locator(".widget-dropdown", has_text="Sector").locator("select").select_option(
        label="Software"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.pk-table tbody tr td:first-child .pk-sub')]"
        ".every(cell => cell.innerText.startsWith('Software'))",
        timeout=60_000,
    )
    sectors = {
        text.split(" · ")[0]
        for text in page.locator("table.pk-table tbody tr td:first-child .pk-sub").all_inner_texts()
    }
    assert sectors == {"Software"}
    _assert_clean(page)


def test_a_dashboard_kernel_cannot_write(live: harness.RunningServer) -> None:
    session = harness.requests_session(
        live.url, "admin@example.com", harness.DEMO_PASSWORDS["admin@example.com"]
    )
    html = session.get(live.url + "voila/render/write_probe.ipynb", timeout=300).text
    found = re.search(r"PROBE ([^\"\\]*)", html)
    assert found, "the probe notebook printed nothing"
    outcome = found.group(1)
    assert "written" not in outcome
    assert outcome.count("refused") == 3
    with sqlite3.connect(live.database_path) as raw:
        assert (
            raw.execute("SELECT count(*) FROM funds WHERE name LIKE '%(changed)'").fetchone()[0]
            == 0
        )
        assert (
            raw.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'probe_written'"
            ).fetchone()[0]
            == 0
        )
        assert (
            raw.execute(
                "SELECT count(*) FROM market_indices WHERE name = 'Probe index'"
            ).fetchone()[0]
            == 0
        )


def test_forged_sessions_and_signed_out_sessions_are_refused(
    page: Any, live: harness.RunningServer
) -> None:
    forged = encode_session(
        b"not-the-server-secret-at-all-123", new_claims(1, "admin@example.com", "x")
    )
    answer = requests.get(
        _dashboard_url(live, "fund_overview"),
        cookies={COOKIE_NAME: forged},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302 and urlparse(answer.headers["Location"]).path == "/login"
    harness.sign_in(page, live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    stolen = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}[COOKIE_NAME]
    page.goto(live.url + "logout")
    page.click("button[type=submit]")
    assert "You have been signed out." in page.inner_text("body")
    page.goto(_dashboard_url(live, "fund_overview"), wait_until="domcontentloaded")
    assert urlparse(page.url).path == "/login"
    replayed = requests.get(
        _dashboard_url(live, "fund_overview"),
        cookies={COOKIE_NAME: stolen},
        allow_redirects=False,
        timeout=30,
    )
    assert replayed.status_code == 302
