"""Password guessing against a real ``portfolio-kit serve``, on SQLite and on PostgreSQL.

One server per database for the module, with a limit of three attempts per
e-mail address (and a per-address limit too high to matter: every request
comes from 127.0.0.1). Each test attacks its own account. Which attempts
reached the password check is read from the server's log ("failed sign-in"
is written only after argon2 said no) as well as from the HTTP answers.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from portfolio_kit import connect
from portfolio_kit.security import add_user
from portfolio_kit.server.sessions import COOKIE_NAME
from tests.dashboards import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIMIT = 3
PASSWORD = "correct horse battery staple"
ACCOUNTS = ("pat@example.com", "fiona@example.com", "rosa@example.com", "ada@example.com")
THROTTLE_ENV = {
    "PORTFOLIO_KIT_LOGIN_MAX_FAILURES": str(LIMIT),
    "PORTFOLIO_KIT_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
    "PORTFOLIO_KIT_LOGIN_WINDOW_SECONDS": "900",
    "PORTFOLIO_KIT_LOGIN_LOCKOUT_SECONDS": "600",
}
CONCURRENT = 32


@dataclass
class Site:
    server: harness.RunningServer
    database_url: str
    work: Path

    def start_another(self, folder: Path) -> harness.RunningServer:
        """A second server on the same database (a restart, or a second worker)."""
        return _start(self.database_url, folder)


def _start(database_url: str, folder: Path) -> harness.RunningServer:
    env = {**THROTTLE_ENV, "PORTFOLIO_KIT_DATABASE_URL": database_url}
    placeholder = folder / "unused.db"  # the URL above is what the server opens
    return harness.start_server(placeholder, folder, preheat=False, extra_env=env)


def _add_accounts(database_url: str) -> None:
    database = connect(database_url)
    try:
        with database.session() as session:
            for email in ACCOUNTS:
                add_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD, role="partner")
    finally:
        database.dispose()


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp(f"live_throttle_{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{work / 'throttle.db'}"
        drop = None
    else:
        cluster = request.getfixturevalue("postgres_server")
        url = cluster.create_migrated_database()
        drop = lambda: cluster.drop_database(url.rsplit("/", 1)[1])  # noqa: E731
    _add_accounts(url)
    server = _start(url, work / "server")
    try:
        yield Site(server, url, work)
    finally:
        server.stop()
        if drop is not None:
            drop()


def _login_form(url: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    form = session.get(url + "login", timeout=30)
    return session, form.text.split('name="_xsrf" value="')[1].split('"')[0]


def _sign_in(url: str, email: str, password: str) -> requests.Response:
    session, token = _login_form(url)
    return session.post(
        url + "login",
        data={"_xsrf": token, "email": email, "password": password, "next": "/"},
        allow_redirects=False,
        timeout=120,
    )


def _checked_passwords(server: harness.RunningServer, since: int, email: str) -> int:
    """Attempts for ``email`` that reached argon2 and failed, logged after offset ``since``."""
    return server.log_text()[since:].count(f"failed sign-in for {email!r}")


def test_concurrent_wrong_passwords_reach_the_check_at_most_limit_times(site: Site) -> None:
    email = ACCOUNTS[0]
    server = site.server
    forms = [_login_form(server.url) for _ in range(CONCURRENT)]
    barrier = threading.Barrier(CONCURRENT)
    statuses: list[int] = []
    lock = threading.Lock()
    log_start = len(server.log_text())

    def guess(n: int) -> None:
        session, token = forms[n]
        barrier.wait(timeout=60)
        answer = session.post(
            server.url + "login",
            data={"_xsrf": token, "email": email, "password": f"guess-{n}", "next": "/"},
            allow_redirects=False,
            timeout=300,
        )
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    counts = Counter(statuses)
    assert sum(counts.values()) == CONCURRENT, counts
    assert counts[401] == LIMIT and counts[429] == CONCURRENT - LIMIT, counts
    assert _checked_passwords(server, log_start, email) == LIMIT
    # Locked: even the right password is not checked now, and no session is issued.
    answer = _sign_in(server.url, email, PASSWORD)
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert "Too many sign-in attempts" in answer.text
    assert COOKIE_NAME not in answer.cookies


def test_unicode_spellings_of_an_address_share_one_counter(site: Site) -> None:
    email = ACCOUNTS[1]  # fiona@example.com
    spellings = (
        "ＦＩＯＮＡ@ｅｘａｍｐｌｅ.ｃｏｍ",  # fullwidth
        "\ufb01ona@Example.COM",  # the "fi" ligature, mixed case
        "Fiona@example.com\u3000",  # an ideographic space after it
    )
    assert len(spellings) == LIMIT
    for spelling in spellings:
        assert _sign_in(site.server.url, spelling, "wrong password").status_code == 401, spelling
    assert _sign_in(site.server.url, email, PASSWORD).status_code == 429


def test_a_second_server_on_the_same_database_keeps_the_lock(site: Site) -> None:
    email = ACCOUNTS[2]
    for n in range(LIMIT):
        assert _sign_in(site.server.url, email, f"wrong-{n}").status_code == 401
    again = site.start_another(site.work / "again")
    try:
        assert _sign_in(again.url, email, PASSWORD).status_code == 429
        # The second server does sign people in: an account with no failures passes.
        assert _sign_in(again.url, ACCOUNTS[3], PASSWORD).status_code == 302
    finally:
        again.stop()
