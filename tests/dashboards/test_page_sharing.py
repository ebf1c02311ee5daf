"""Shared pages (``server/page_cache.py``): one render of a page for every viewer
who would see the same page, and never for anyone else.

The first half checks the pieces on their own: the key, the store, the
viewer's name, the single flight. The second half runs a real
``portfolio-kit serve`` with sharing on, on a copy of the demo with a few more
partners: two grants of Alder Ridge Capital III (the demo partner's fund), one
of Alder Ridge Growth IV. Page views are plain HTTP GETs (Voila executes the
notebook on the server), except the last test, which uses the shared page's
form in Chromium as a partner would.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from portfolio_kit import connect
from portfolio_kit.db import Database
from portfolio_kit.server import page_cache
from portfolio_kit.server.page_cache import PageKey, PageStore, SharedPages
from tests.dashboards import harness
from tests.dashboards.conftest import copy_demo
from tests.support.components import require

KEY = PageKey(
    dashboard="fund_overview",
    fund_ids=(2, 1),
    sees_all_funds=False,
    query={"fund": "2", "x": ""},
    base_url="/",
    data_version=41,
    day=date(2026, 12, 7),
)


# --- the pieces ------------------------------------------------------------


def test_a_key_is_the_same_for_the_same_page_whatever_the_order() -> None:
    same = replace(KEY, fund_ids=(1, 2), query={"x": "", "fund": "2"})
    assert same.digest() == KEY.digest()


@pytest.mark.parametrize(
    "change",
    [
        {"dashboard": "portfolio_monitor"},
        {"fund_ids": (1,)},
        {"fund_ids": (1, 2, 3)},
        {"sees_all_funds": True},
        {"query": {"fund": "1", "x": ""}},
        {"query": {"fund": "2"}},
        {"base_url": "/dashboards/"},
        {"data_version": 42},
        {"day": date(2026, 12, 8)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_anything_a_page_is_drawn_from_changes_its_key(change: dict) -> None:
    assert replace(KEY, **change).digest() != KEY.digest()


def test_the_query_is_read_as_the_pages_read_it() -> None:
    # First value per name, blanks kept (a blank ``fund`` means "all funds").
    assert page_cache.first_values("fund=3&fund=4&sector=&sort=moic") == {
        "fund": "3",
        "sector": "",
        "sort": "moic",
    }
    assert page_cache.first_values("") == {}


def test_the_viewer_name_is_escaped_into_its_slot() -> None:
    snapshot = f'<span class="pk-who">{page_cache.VIEWER_SLOT}</span>'
    shown = page_cache.fill_viewer(snapshot, 'Eve <script>alert("x")</script>')
    assert (
        shown == '<span class="pk-who">Eve &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</span>'
    )


def test_the_store_keeps_pages_private_and_forgets_old_ones(tmp_path: Path) -> None:
    store = PageStore(tmp_path / "pages", max_age_seconds=60)
    digest = KEY.digest()
    assert store.read(digest) is None
    store.write(digest, "<p>page</p>")
    assert store.read(digest) == "<p>page</p>"
    path = tmp_path / "pages" / f"{digest}.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old = time.time() - 61
    os.utime(path, (old, old))
    assert store.read(digest) is None
    with pytest.raises(ValueError, match="64 hex"):
        store.read("../../etc/passwd")


def test_the_store_keeps_the_newest_pages_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "MAX_SNAPSHOTS", 3)
    store = PageStore(tmp_path)
    digests = [replace(KEY, data_version=n).digest() for n in range(5)]
    for age, digest in enumerate(digests):
        store.write(digest, digest)
        stamp = time.time() - 100 + age  # written in this order, a second apart
        os.utime(tmp_path / f"{digest}.html", (stamp, stamp))
    store.write(digests[4], digests[4])
    assert [store.read(d) is not None for d in digests] == [False, False, True, True, True]


def test_views_arriving_during_a_render_wait_for_it(tmp_path: Path) -> None:
    store = PageStore(tmp_path)
    shared = SharedPages(store, wait_seconds=10)
    digest = KEY.digest()
    seen: list[str | None] = []

    async def leader() -> None:
        async with shared.lookup(digest, asyncio.Event()) as found:
            seen.append(found)
            await asyncio.sleep(0.2)  # the live render
            store.write(digest, "drawn once")

    async def follower() -> None:
        async with shared.lookup(digest, asyncio.Event()) as found:
            seen.append(found)

    async def scenario() -> None:
        first = asyncio.create_task(leader())
        await asyncio.sleep(0.05)
        assert shared.rendering() == 1
        await asyncio.gather(first, *(follower() for _ in range(3)))

    asyncio.run(scenario())
    assert seen == [None, "drawn once", "drawn once", "drawn once"]
    assert shared.rendering() == 0


def test_a_render_that_leaves_no_page_sends_its_waiters_to_a_live_render(tmp_path: Path) -> None:
    shared = SharedPages(PageStore(tmp_path), wait_seconds=10)
    digest = KEY.digest()
    seen: list[str | None] = []

    async def leader() -> None:
        async with shared.lookup(digest, asyncio.Event()) as found:
            seen.append(found)
            await asyncio.sleep(0.1)  # drew a sentence, which is not shared

    async def follower(gone: asyncio.Event) -> None:
        began = time.monotonic()
        async with shared.lookup(digest, gone) as found:
            seen.append(found)
        assert time.monotonic() - began < 5

    async def scenario() -> None:
        first = asyncio.create_task(leader())
        await asyncio.sleep(0.02)
        hung_up = asyncio.Event()
        hung_up.set()  # this viewer closed the tab: it stops waiting at once
        await asyncio.gather(first, follower(asyncio.Event()), follower(hung_up))

    asyncio.run(scenario())
    assert seen == [None, None, None]


def _fund(name: str) -> Any:
    from portfolio_kit.models import Fund, FundStatus, FundStrategy

    return Fund(
        name=name,
        vintage_year=2020,
        currency="USD",
        strategy=FundStrategy.BUYOUT,
        status=FundStatus.INVESTING,
        total_commitments=100.0,
    )


def test_every_write_gives_a_new_data_version(any_db: Database) -> None:
    with any_db.engine.connect() as connection:
        before = page_cache.data_version(connection)
    with any_db.session() as session:  # the fixture's database is empty: one insert
        session.add(_fund("Version Test Fund"))
    with any_db.engine.connect() as connection:
        assert page_cache.data_version(connection) > before


def test_signing_in_and_granting_leave_the_data_version_alone(any_db: Database) -> None:
    """Partners signing in one after another before a meeting, and a partner
    given a fund, must not make every shared page stale: who sees what is in
    the key already. The sign-in itself stays in the audit log."""
    from portfolio_kit.models import AuditLog, User
    from portfolio_kit.security import add_user, authenticate, grant_fund

    fund = _fund("Sign-in Fund")
    with any_db.session() as session:
        session.add(fund)
    with any_db.engine.connect() as connection:
        version = page_cache.data_version(connection)
    with any_db.session() as session:
        partner = add_user(
            session, email="signs-in@example.com", name="Sy", password=PASSWORD, role="partner"
        )
        grant_fund(session, partner, session.merge(fund))
    for _ in range(2):
        with any_db.session() as session:
            assert authenticate(session, "signs-in@example.com", PASSWORD) is not None
    with any_db.engine.connect() as connection:
        assert page_cache.data_version(connection) == version
    with any_db.session() as session:
        sign_ins = session.scalars(
            select(AuditLog).where(
                AuditLog.entity_type == User.__name__, AuditLog.action == "update"
            )
        ).all()
        assert [set(row.changes) for row in sign_ins] == [{"last_login_at"}, {"last_login_at"}]
        session.merge(fund).vintage_year = 2021
    with any_db.engine.connect() as connection:
        assert page_cache.data_version(connection) > version


def test_pages_read_the_identity_tables_only_to_know_the_viewer() -> None:
    """What makes leaving them out of the data version safe: outside the
    viewer check (``access.py``) and the warm-up's touch of the connection,
    no module that draws a page names an identity model or its table."""
    import ast

    import portfolio_kit
    from portfolio_kit.models import Base

    names = set(page_cache.IDENTITY_ENTITIES)
    tables = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__name__ in names
    }
    assert tables == {"users", "fund_grants", "login_throttle"}
    package = Path(portfolio_kit.__file__).parent
    drawing = [
        path
        for folder in ("dashboards", "frames", "charts")
        for path in (package / folder).glob("*.py")
    ]
    found = []
    for path in drawing:
        if path.name in ("access.py", "_warm.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            named = {ast.Name: "id", ast.Attribute: "attr", ast.alias: "name"}.get(type(node))
            text = (
                node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            )
            if (named and getattr(node, named) in names) or any(
                re.search(rf"\b{table}\b", text) for table in tables
            ):
                found.append(f"{path.name}:{getattr(node, 'lineno', '?')}")
    assert drawing
    assert not found, f"identity tables named where pages are drawn: {found}"


# --- a live server ---------------------------------------------------------

PASSWORD = "sharing-test-partner-password"
SAME_FUND = "Alder Ridge Capital III"
OTHER_FUND = "Alder Ridge Growth IV"
PARTNERS = {
    # email: (name, fund)
    "ada@example.com": ("Ada Alpha", SAME_FUND),
    "bo@example.com": ("Bo Beta", SAME_FUND),
    "cy@example.com": ("Cy Gamma", OTHER_FUND),
    "bystander@example.com": ("Bystander One", OTHER_FUND),
    **{f"crowd{n}@example.com": (f"Crowd Member {n}", SAME_FUND) for n in range(6)},
}
SHARED = re.compile(r'class="pk-ready"[^>]*data-shared')


def _add_partners(path: Path) -> None:
    from portfolio_kit.security import add_user, find_fund, grant_fund

    database = connect(f"sqlite:///{path}")
    try:
        with database.session() as session:
            for email, (name, fund) in PARTNERS.items():
                user = add_user(session, email=email, name=name, password=PASSWORD, role="partner")
                grant_fund(session, user, find_fund(session, fund))
    finally:
        database.dispose()


def _sign_in_again(server: harness.RunningServer, email: str) -> requests.Session:
    """A fresh sign-in through the form: it records the account's
    ``last_login_at`` (an audited write to the users table)."""
    return harness.requests_session(server.url, email, PASSWORD)


def _change_fund(path: Path, fund: str, **values: object) -> None:
    """An audited write, as an analyst's form would make it."""
    from portfolio_kit.security import find_fund

    database = connect(f"sqlite:///{path}")
    try:
        with database.session() as session:
            record = find_fund(session, fund)
            for name, value in values.items():
                setattr(record, name, value)
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def sharing(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.RunningServer]:
    work = tmp_path_factory.mktemp("sharing_server")
    database = copy_demo(demo_template, work / "db")
    _add_partners(database)
    # The defaults of serve: shared pages on, light warm-up.
    server = harness.start_server(database, work, pool_size=1, share_pages=True, warm_up="light")
    try:
        server.wait_until_preheated()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sessions(sharing: harness.RunningServer) -> dict[str, requests.Session]:
    return {email: harness.requests_session(sharing.url, email, PASSWORD) for email in PARTNERS}


def _view(
    server: harness.RunningServer,
    session: requests.Session,
    key: str = "fund_overview",
    query: str = "",
) -> requests.Response:
    answer = session.get(f"{server.url}voila/render/{key}.ipynb{query}", timeout=180)
    assert answer.status_code == 200, answer.text[-2000:]
    return answer


def _pool_kernels_used(server: harness.RunningServer) -> int:
    return server.log_text().count("Using pre-heated kernel")


def _who(page: str) -> str:
    found = re.search(r'<span class="pk-who">(.*?)</span>', page)
    assert found, "no viewer name in the navigation bar"
    return found.group(1)


@pytest.mark.e2e
def test_a_second_viewer_with_the_same_funds_is_handed_the_drawn_page(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    harness.new_data_version(sharing.database_path)
    first = _view(sharing, sessions["ada@example.com"])
    assert not SHARED.search(first.text)
    assert "Fund overview: Alder Ridge Capital III" in first.text  # drawn live, by a kernel
    used = _pool_kernels_used(sharing)
    second = _view(sharing, sessions["bo@example.com"])
    assert SHARED.search(second.text)
    assert _pool_kernels_used(sharing) == used  # no kernel for it
    assert "Alder Ridge Capital III" in second.text
    assert _who(second.text) == "Bo Beta"
    assert "Ada Alpha" not in second.text
    assert "<script" not in second.text.lower()
    assert "script-src" not in second.headers["Content-Security-Policy"]
    assert "default-src 'none'" in second.headers["Content-Security-Policy"]


@pytest.mark.e2e
def test_partners_signing_in_keep_the_drawn_page_shared(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    harness.new_data_version(sharing.database_path)
    assert not SHARED.search(_view(sharing, sessions["ada@example.com"]).text)
    used = _pool_kernels_used(sharing)
    for email in ("bo@example.com", "ada@example.com"):
        page = _view(sharing, _sign_in_again(sharing, email)).text
        assert SHARED.search(page), f"{email}'s view after signing in was drawn live"
        assert _who(page) == PARTNERS[email][0]
    assert _pool_kernels_used(sharing) == used


@pytest.mark.e2e
def test_a_viewer_with_other_funds_never_gets_that_page(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    _view(sharing, sessions["ada@example.com"])  # the Capital III page is drawn and shared
    cy = sessions["cy@example.com"]
    first = _view(sharing, cy)
    second = _view(sharing, cy)
    assert not SHARED.search(first.text)
    assert SHARED.search(second.text)
    for page in (first.text, second.text):
        assert "Alder Ridge Growth IV" in page
        assert SAME_FUND not in page
    assert _who(second.text) == "Cy Gamma"


@pytest.mark.e2e
def test_a_change_to_the_data_is_drawn_afresh(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    ada = sessions["ada@example.com"]
    _view(sharing, ada)
    assert SHARED.search(_view(sharing, ada).text)
    # The fund facts print the target size in USD millions with one decimal:
    # the demo fund's target of 1,250.0 million (demo/spec.py) as "$1,250.0m",
    # so 1,300,000,000 as "$1,300.0m".
    _change_fund(sharing.database_path, SAME_FUND, target_size=1_300_000_000)
    try:
        after = _view(sharing, ada)
        assert not SHARED.search(after.text)
        again = _view(sharing, ada)
        assert SHARED.search(again.text)
        assert "$1,300.0m" in again.text
        assert "$1,250.0m" not in again.text
    finally:
        _change_fund(sharing.database_path, SAME_FUND, target_size=1_250_000_000)


@pytest.mark.e2e
def test_partners_opening_a_page_together_cost_one_render(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    harness.new_data_version(sharing.database_path)  # nothing drawn yet
    crowd = [sessions[f"crowd{n}@example.com"] for n in range(6)]
    used = _pool_kernels_used(sharing)
    with ThreadPoolExecutor(len(crowd)) as pool:
        pages = list(pool.map(lambda session: _view(sharing, session).text, crowd))
    live = [page for page in pages if not SHARED.search(page)]
    assert len(live) == 1
    assert all("Alder Ridge Capital III" in page for page in pages)
    assert _pool_kernels_used(sharing) - used == 1
    # Each shared copy names its own viewer: five different crowd members.
    names = [_who(page) for page in pages if SHARED.search(page)]
    assert len(set(names)) == 5
    assert set(names) <= {PARTNERS[f"crowd{n}@example.com"][0] for n in range(6)}


@pytest.mark.e2e
def test_signed_out_viewers_get_the_sign_in_page_not_the_shared_one(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    _view(sharing, sessions["ada@example.com"])
    url = f"{sharing.url}voila/render/fund_overview.ipynb"
    anonymous = requests.get(url, allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 303)
    assert "/login" in anonymous.headers["Location"]
    assert SAME_FUND not in anonymous.text
    # Signed out: the old cookie is revoked on the server.
    leaving = harness.requests_session(sharing.url, "bo@example.com", PASSWORD)
    cookies = leaving.cookies.copy()
    form = leaving.get(sharing.url + "logout", timeout=30).text
    token = form.split('name="_xsrf" value="')[1].split('"')[0]
    leaving.post(sharing.url + "logout", data={"_xsrf": token}, timeout=30)
    replay = requests.get(url, cookies=cookies, allow_redirects=False, timeout=30)
    assert replay.status_code in (302, 303)
    assert SAME_FUND not in replay.text


def _moic_column(page: str) -> list[float]:
    """The Gross MOIC cells of the monitor's table, top to bottom (the last
    multiple of each company row; leverage, also a multiple, comes before it)."""
    values = []
    for row in re.findall(r"<tr data-key[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = re.findall(r'<td class="pk-num">([^<]*)</td>', row)
        multiples = [cell for cell in cells if cell.endswith("x")]
        values.append(float(multiples[-1].rstrip("x")))
    return values


@pytest.mark.e2e
def test_the_monitor_link_carries_its_filters(
    sharing: harness.RunningServer, sessions: dict[str, requests.Session]
) -> None:
    ada = sessions["ada@example.com"]
    query = "?sort=moic&order=ascending"
    _view(sharing, ada, "portfolio_monitor", query)
    page = _view(sharing, ada, "portfolio_monitor", query).text
    assert SHARED.search(page)
    assert '<option value="moic" selected>' in page
    assert '<option value="ascending" selected>' in page
    moic = _moic_column(page)
    assert len(moic) >= 5
    assert moic == sorted(moic)
    refused = _view(sharing, ada, "portfolio_monitor", "?sort=bogus").text
    assert "not available" in refused
    assert not SHARED.search(_view(sharing, ada, "portfolio_monitor", "?sort=bogus").text)


@pytest.mark.e2e
def test_the_shared_page_form_opens_another_fund_in_a_browser(
    sharing: harness.RunningServer,
) -> None:
    reason = harness.missing_browser()
    if reason:
        require("chromium", reason)
    from playwright.sync_api import sync_playwright

    admin = "admin@example.com"
    with sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        try:
            page = browser.new_page()
            outside: list[str] = []
            page.on(
                "request",
                lambda request: (
                    outside.append(request.url) if not request.url.startswith(sharing.url) else None
                ),
            )
            harness.sign_in(page, sharing.url, admin, harness.DEMO_PASSWORDS[admin])
            url = f"{sharing.url}voila/render/fund_overview.ipynb"
            harness.open_dashboard(page, url)
            harness.open_dashboard(page, url)
            assert page.locator(".pk-ready[data-shared]").count() == 1
            page.select_option("form.pk-choices select[name=fund]", label=OTHER_FUND)
            page.click("form.pk-choices button")
            page.wait_for_url(re.compile(r"fund_overview\.ipynb\?fund=\d+"))
            page.wait_for_selector(harness.READY_SELECTOR, state="attached", timeout=180_000)
            assert OTHER_FUND in page.locator(".pk-heading h2").first.inner_text()
            assert outside == []
        finally:
            browser.close()


def test_a_shared_page_opens_with_its_notebooks_introduction() -> None:
    from portfolio_kit.dashboards._shared import notebook_intro

    intro = notebook_intro("fund_overview", harness.DASHBOARDS)
    # dashboards/fund_overview.ipynb opens with "# Fund overview" and a paragraph.
    assert intro.startswith('<div class="pk-intro"><h1>Fund overview</h1>')
    assert "<p>One fund at a glance" in intro
    assert notebook_intro("fund_overview", harness.DASHBOARDS / "missing") == ""
