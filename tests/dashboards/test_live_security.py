"""Attacks on a real ``portfolio-kit serve``: sessions, sign-out, sign-in throttling, files.

One server for the module, on a copy of the demo database, serving the fund
overview and a probe notebook that prints who the kernel thinks is looking.
The expected identities and fund lists are read from the database file with
``sqlite3``, not from the package.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests

from portfolio_kit.server.sessions import COOKIE_NAME
from tests.dashboards import harness
from tests.dashboards.conftest import copy_demo
from tests.support.components import require

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

ADMIN = "admin@example.com"
PARTNER = "partner@example.com"
PARTNER_FUND = "Alder Ridge Capital III"
OTHER_FUNDS = ("Alder Ridge Capital II", "Alder Ridge Growth IV")

IDENTITY_PROBE = """\
from portfolio_kit.dashboards.access import AccessDenied, open_context

try:
    context = open_context()
    print(f"IDENTITY {context.viewer.email} funds={list(context.fund_ids)}")
except AccessDenied as exc:
    print(f"IDENTITY refused: {exc}")
"""


def _probe_notebook() -> Any:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(IDENTITY_PROBE)]
    return notebook


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    reason = harness.missing_browser()
    if reason:
        require("chromium", reason)


@pytest.fixture(scope="module")
def live(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.RunningServer]:
    work = tmp_path_factory.mktemp("live_security")
    database = copy_demo(demo_template, work / "db")
    dashboards = work / "dashboards"
    dashboards.mkdir()
    (dashboards / "fund_overview.ipynb").write_bytes((harness.DASHBOARDS / "fund_overview.ipynb").read_bytes())
    nbformat.write(_probe_notebook(), dashboards / "identity_probe.ipynb")
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
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _granted_fund_ids(live: harness.RunningServer, email: str) -> list[int]:
    with sqlite3.connect(live.database_path) as raw:
        role = raw.execute("SELECT role FROM users WHERE email = ?", (email,)).fetchone()[0]
        if role in ("admin", "analyst"):
            rows = raw.execute("SELECT id FROM funds ORDER BY id").fetchall()
        else:
            rows = raw.execute(
                "SELECT fund_id FROM fund_grants JOIN users ON users.id = fund_grants.user_id "
                "WHERE users.email = ? ORDER BY fund_id",
                (email,),
            ).fetchall()
    return [row[0] for row in rows]


def _probe(live: harness.RunningServer, headers: dict[str, str]) -> str:
    """What the identity probe printed for a request with these headers."""
    answer = requests.get(
        live.url + "voila/render/identity_probe.ipynb", headers=headers, allow_redirects=False, timeout=300
    )
    if answer.status_code == 302:
        return "redirected to sign-in"
    found = re.search(r"IDENTITY ([^\"\\<]*)", answer.text)
    assert found, f"the probe printed nothing (HTTP {answer.status_code})"
    return found.group(1).strip()


def _session_cookie(session: requests.Session) -> str:
    return session.cookies.get(COOKIE_NAME)


def _sign_out(session: requests.Session, live: harness.RunningServer) -> requests.Response:
    """Sign out as the confirmation page's button does (POST with the XSRF token)."""
    home = session.get(live.url + "logout", timeout=30).text
    token = home.split('name="_xsrf" value="')[1].split('"')[0]
    return session.post(live.url + "logout", data={"_xsrf": token}, allow_redirects=False, timeout=30)


def test_duplicate_session_cookies_cannot_lend_the_kernel_another_identity(live: harness.RunningServer) -> None:
    admin = harness.requests_session(live.url, ADMIN, harness.DEMO_PASSWORDS[ADMIN])
    admin_cookie = _session_cookie(admin)
    partner = harness.requests_session(live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    partner_cookie = _session_cookie(partner)
    expected = f"{PARTNER} funds={_granted_fund_ids(live, PARTNER)}"
    assert _probe(live, {"Cookie": f"{COOKIE_NAME}={partner_cookie}"}) == expected
    # Both sessions are genuine; the server takes the newer (the partner's)
    # and the kernel must draw for exactly that one, whatever the order.
    for header in (
        # the standard parser rejects the illegal key and the kernel used to take the first
        f"bad key=1; {COOKIE_NAME}={admin_cookie}; {COOKIE_NAME}={partner_cookie}",
        f"{COOKIE_NAME}={admin_cookie}; {COOKIE_NAME}={partner_cookie}",
        f"{COOKIE_NAME}={partner_cookie}; {COOKIE_NAME}={admin_cookie}",
    ):
        assert _probe(live, {"Cookie": header}) == expected, header
    # A browser cannot hand the kernel a session through the server's own header.
    forged = {"Cookie": f"{COOKIE_NAME}={partner_cookie}", "X-Portfolio-Kit-Session": admin_cookie}
    assert _probe(live, forged) == expected


def test_a_stale_admin_cookie_in_the_same_browser_shows_the_partner_only_their_fund(
    page: Any, live: harness.RunningServer
) -> None:
    harness.sign_in(page, live.url, ADMIN, harness.DEMO_PASSWORDS[ADMIN])
    admin_cookie = {c["name"]: c["value"] for c in page.context.cookies()}[COOKIE_NAME]
    page.context.clear_cookies()
    harness.sign_in(page, live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    # The admin's cookie for a longer path: Chromium sends it first.
    page.context.add_cookies(
        [{"name": COOKIE_NAME, "value": admin_cookie, "domain": "127.0.0.1", "path": "/voila/"}]
    )
    header = page.evaluate("() => document.cookie")  # HttpOnly: our cookies are hidden from scripts
    assert COOKIE_NAME not in header
    harness.open_dashboard(page, live.url + "voila/render/fund_overview.ipynb")
    body = page.inner_text("body")
    assert PARTNER_FUND in body
    for name in OTHER_FUNDS:  # "Capital II" is a prefix of "Capital III": whole names only
        assert re.search(re.escape(name) + r"(?!\w)", body) is None, name
    harness.screenshot(page, harness.ROOT / "artifacts" / "screenshots" / "duplicate_cookie_partner.png")


def test_sign_out_needs_a_post_with_its_token_and_survives_a_restart(
    live: harness.RunningServer, tmp_path: Path
) -> None:
    partner = harness.requests_session(live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    cookie = {"Cookie": f"{COOKIE_NAME}={_session_cookie(partner)}"}
    signed_in = f"{PARTNER} funds={_granted_fund_ids(live, PARTNER)}"
    # GET (a link, an <img> on another site) signs nobody out.
    assert partner.get(live.url + "logout", timeout=30).status_code == 200
    assert _probe(live, cookie) == signed_in
    # POST without the token, or with a wrong one, is refused and changes nothing.
    for data in ({}, {"_xsrf": "2|00000000|00000000000000000000000000000000|1"}):
        answer = partner.post(live.url + "logout", data=data, allow_redirects=False, timeout=30)
        assert answer.status_code == 403, data
        assert _probe(live, cookie) == signed_in
    assert _sign_out(partner, live).status_code == 200
    assert _probe(live, cookie) == "redirected to sign-in"
    with sqlite3.connect(live.database_path) as raw:
        assert raw.execute("SELECT count(*) FROM revoked_sessions").fetchone()[0] >= 1
    # A second server on the same database and secret (a restart) still
    # refuses it, while a session that was not ended is still accepted there.
    admin = harness.requests_session(live.url, ADMIN, harness.DEMO_PASSWORDS[ADMIN])
    secret = live.data_dir / "server" / "session_secret"
    copied = tmp_path / "again" / "data" / "server"
    copied.mkdir(parents=True)
    copied.chmod(0o700)
    (copied / "session_secret").write_bytes(secret.read_bytes())
    (copied / "session_secret").chmod(0o600)
    # No preheated kernels: only the home page is asked for, which no kernel draws.
    again = harness.start_server(
        live.database_path,
        tmp_path / "again",
        dashboards_dir=live.log_path.parent / "dashboards",
        preheat=False,
    )
    try:
        answer = requests.get(again.url, headers=cookie, allow_redirects=False, timeout=30)
        assert answer.status_code == 302
        kept = {"Cookie": f"{COOKIE_NAME}={_session_cookie(admin)}"}
        assert requests.get(again.url, headers=kept, allow_redirects=False, timeout=30).status_code == 200
    finally:
        again.stop()


PAGE_ASSETS = re.compile(r'(?:src|href)="(/voila/[^"?#]+)')
"""Files a rendered dashboard page links to (its template's styles, Voila's script)."""

OTHER_VOILA_FILES = (
    "/voila/templates/portfolio_kit/static/index.css",
    "/voila/templates/lab/static/index.css",
    "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json",
)
"""Files signed-in pages load or may load (found on disk under the venv's share/jupyter)."""

MALFORMED_TEMPLATE_PATHS = (
    "/voila/templates/portfolio_kit/index.html.j2",
    "/voila/templates/lab/static/",
    "/voila/templates/lab/static/.",
    "/voila/templates/lab",
    "/voila/templates/lab/other/index.css",
    "/voila/templates/lab/static/../conf.json",
    "/voila/api/themes/@jupyterlab/theme-light-extension/index.css",
)
"""Paths Voila's template handler used to answer with 500 (a traceback in the log),
and a theme file that this server does not have (anonymous: refused before the look-up)."""


def _refused_anonymously(answer: requests.Response) -> bool:
    if answer.status_code in (401, 403):
        return True
    return answer.status_code in (301, 302, 303, 307) and "/login" in answer.headers.get("Location", "")


def test_template_and_static_files_need_a_sign_in_and_never_crash(live: harness.RunningServer) -> None:
    partner = harness.requests_session(live.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    page = partner.get(live.url + "voila/render/fund_overview.ipynb", timeout=300)
    assert page.status_code == 200
    linked = sorted(set(PAGE_ASSETS.findall(page.text)))
    assert any("/voila/templates/" in path for path in linked), linked
    assert "/voila/static/voila.js" in linked, linked
    root = live.url.rstrip("/")
    log_before = len(live.log_text())
    for path in (*linked, *OTHER_VOILA_FILES):
        signed_in = partner.get(root + path, allow_redirects=False, timeout=30)
        assert signed_in.status_code == 200 and signed_in.content, path
        anonymous = requests.get(root + path, allow_redirects=False, timeout=30)
        assert _refused_anonymously(anonymous), (path, anonymous.status_code)
        assert signed_in.content not in anonymous.content, path
    for path in MALFORMED_TEMPLATE_PATHS:
        anonymous = requests.get(root + path, allow_redirects=False, timeout=30)
        assert _refused_anonymously(anonymous), (path, anonymous.status_code)
        signed_in = partner.get(root + path, allow_redirects=False, timeout=30)
        assert signed_in.status_code == 404, (path, signed_in.status_code)
    assert "Uncaught exception" not in live.log_text()[log_before:]
