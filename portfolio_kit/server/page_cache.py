"""One drawing of a dashboard page for everyone who would see the same page.

A live page view costs a kernel and a render: loading the viewer's data and
drawing it takes seconds of CPU, and Voila's page then starts in the browser
(its JavaScript, the kernel websocket, the widget state). Partners of one fund
see the same fund overview, so before a quarter-end meeting twenty partners
cost twenty renders of one page on two cores. Here the first render of a
page also leaves a *snapshot*, the finished page as one self-contained HTML
document (the charts are SVG already, the controls are plain GET forms, no
script), and every later request for the same page is answered from it
without a kernel. Requests that arrive while the first render of their page
is still running wait for it instead of starting their own (single flight).

"The same page" is everything a page is drawn from, in :class:`PageKey`: the
dashboard, the funds the viewer may see and whether their role sees every
fund, the query string, the base URL, the day (pages fall back on today's
date), the data version and the code. The only thing that differs between
viewers of one snapshot is their name in the navigation bar, which the
snapshot holds as :data:`VIEWER_SLOT` and the server fills in per request.

The data version is the newest ``audit_log`` id of a write to what pages
draw: every write to the database writes an audit row
(``portfolio_kit.audit``), so any change to the data gives a new key and the
next view draws afresh. Writes to the identity tables
(:data:`IDENTITY_ENTITIES`: accounts, grants, sign-in locks) do not count.
Pages read them only to learn who the viewer is and what they may see, and
the key already holds that, read afresh on every request; counting them
would make every sign-in (it records ``last_login_at``, audited) and every
new partner a new version of every page, so partners signing in one after
another before a meeting would each force a live render. One corner is left:
on PostgreSQL a transaction that took an earlier audit id may commit after a
later one, so a page drawn between the two commits is filed under the later
id without the earlier change. Snapshots therefore also expire
(``max_age_seconds``, default 300 s), which bounds that staleness.

Both sides of the exchange live here: the kernel that drew a page files it
(``dashboards/_page.py`` calls :meth:`PageStore.write` with the key of its
own verified context) and the server looks it up (``capacity.py``) with the
key of the session it authenticated. Kept free of heavy imports: the server
process imports it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import select
from sqlalchemy.engine import Connection

from portfolio_kit import file_cache
from portfolio_kit.db import Database
from portfolio_kit.models import AuditLog, FundGrant, LoginThrottle, User
from portfolio_kit.security import visible_fund_ids
from portfolio_kit.settings import DEFAULT_PAGE_CACHE_SECONDS

VIEWER_SLOT = "<pk-viewer-name></pk-viewer-name>"
"""Where a snapshot holds the viewer's name. Data in a page is escaped, so
``<`` never reaches a snapshot from the database: only the page's own markup
can hold this tag."""

SNAPSHOT_HEADERS: Mapping[str, str] = {
    # A snapshot holds no script, so none may run, whatever it contains.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
}

MAX_SNAPSHOTS = 500
"""Snapshots kept in the folder; the oldest go first beyond that (a page is
roughly 100 to 300 KB, so at most about 150 MB)."""

SETTINGS_KEY = "portfolio_kit_page_cache"
"""Tornado setting holding the server's :class:`SharedPages` (None: every view is live)."""


def first_values(query_string: str) -> dict[str, str]:
    """The query string as the pages read it: the first value of each name."""
    parsed = parse_qs(query_string, keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items() if values}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Names, sizes and modification times of the package's code and styles.

    A snapshot drawn by other code is never served: an upgrade (or an edit
    in a source checkout) changes the fingerprint of every new kernel, and the
    server stops finding the old snapshots once it restarts. Until then the
    two disagree and every view is simply live.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".css", ".j2", ".html") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class PageKey:
    """Everything a dashboard page is drawn from (see the module docstring)."""

    dashboard: str
    fund_ids: tuple[int, ...]
    sees_all_funds: bool
    query: Mapping[str, str]
    base_url: str
    data_version: int
    day: date

    def digest(self) -> str:
        material = [
            self.dashboard,
            sorted(self.fund_ids),
            self.sees_all_funds,
            sorted(self.query.items()),
            self.base_url,
            self.data_version,
            self.day.isoformat(),
            code_fingerprint(),
        ]
        return hashlib.sha256(json.dumps(material).encode()).hexdigest()


IDENTITY_ENTITIES: tuple[str, ...] = (User.__name__, FundGrant.__name__, LoginThrottle.__name__)
"""Audit entities that are not page data (see the module docstring): accounts,
grants and lifted sign-in locks. A page that ever shows a user's name, or
grants beyond the viewer's own, must take its table out of this list."""


def data_version(connection: Connection) -> int:
    """The newest audit id of a write to page data: it grows with every such write.

    Newest first with a limit, not ``max(id)`` under a filter, so both SQLite
    and PostgreSQL walk the primary key backwards and stop at the first row
    that counts instead of reading the whole log.
    """
    newest = connection.execute(
        select(AuditLog.id)
        .where(AuditLog.entity_type.not_in(IDENTITY_ENTITIES))
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(newest or 0)


def viewer_page_key(
    database: Database, user_id: int, *, dashboard: str, query: Mapping[str, str], base_url: str
) -> PageKey | None:
    """The key of the page ``user_id`` would be drawn, as the server sees it
    (None for an account that cannot see pages: the live path says why)."""
    with database.session() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return PageKey(
            dashboard=dashboard,
            fund_ids=tuple(visible_fund_ids(session, user)),
            sees_all_funds=user.sees_all_funds,
            query=dict(query),
            base_url=base_url,
            data_version=data_version(session.connection()),
            day=date.today(),
        )


def fill_viewer(snapshot: str, viewer_name: str) -> str:
    """The snapshot as one viewer sees it: their name in the navigation bar."""
    return snapshot.replace(VIEWER_SLOT, escape(viewer_name), 1)


class PageStore:
    """Snapshots as files in one folder, named by their key's digest.

    Files, not memory, because the kernel that draws a page is another
    process. They are written atomically (a reader never sees half a page),
    readable by the owner only (they hold fund figures), and never trusted
    past ``max_age_seconds``. A full or read-only disk costs only the next
    view a live render.
    """

    def __init__(
        self, directory: Path, *, max_age_seconds: float = DEFAULT_PAGE_CACHE_SECONDS
    ) -> None:
        self.directory = directory
        self.max_age_seconds = max_age_seconds

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(char in "0123456789abcdef" for char in digest):
            raise ValueError(f"a page digest is 64 hex characters, not {digest!r}")
        return self.directory / f"{digest}.html"

    def read(self, digest: str) -> str | None:
        path = self._path(digest)
        try:
            if time.time() - path.stat().st_mtime > self.max_age_seconds:
                return None
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def write(self, digest: str, document: str) -> None:
        path = self._path(digest)
        if file_cache.write_private(path, document):
            file_cache.keep_newest(self.directory, "*.html", MAX_SNAPSHOTS)


def page_store(data_dir: Path, max_age_seconds: float = DEFAULT_PAGE_CACHE_SECONDS) -> PageStore:
    """The store every process of one installation shares: ``<data_dir>/cache/pages``."""
    return PageStore(Path(data_dir) / "cache" / "pages", max_age_seconds=max_age_seconds)


class SharedPages:
    """The server's side: answer a view from its snapshot, or let one render make it.

    ``wait_seconds`` bounds how long a view waits for another view's render
    of the same page; past it (or when that render left no snapshot, e.g.
    a page that is only a message) the view is rendered live as before.
    """

    def __init__(self, store: PageStore, *, wait_seconds: float = 60.0) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self._rendering: dict[str, asyncio.Event] = {}

    def rendering(self) -> int:
        """Pages whose first render is running now (for tests and logs)."""
        return len(self._rendering)

    @asynccontextmanager
    async def lookup(self, digest: str, gone: asyncio.Event) -> AsyncIterator[str | None]:
        """The snapshot for ``digest``, or None: then the caller renders live.

        The first caller to miss becomes the page's renderer until its block
        ends; callers that miss meanwhile wait for that block to end (or for
        ``gone``, their viewer hanging up) and then read the snapshot it left.
        """
        found = self.store.read(digest)
        if found is not None:
            yield found
            return
        running = self._rendering.get(digest)
        if running is not None:
            await _first_of(running, gone, timeout=self.wait_seconds)
            yield self.store.read(digest)
            return
        done = asyncio.Event()
        self._rendering[digest] = done
        try:
            yield None
        finally:
            del self._rendering[digest]
            done.set()


async def _first_of(event: asyncio.Event, other: asyncio.Event, *, timeout: float) -> None:
    waits = {asyncio.ensure_future(event.wait()), asyncio.ensure_future(other.wait())}
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


def dashboard_key(path: str | None, known: Sequence[str]) -> str | None:
    """The dashboard a Voila page path (``fund_overview.ipynb``) names, if one of ``known``."""
    if not path:
        return None
    name = path.strip("/")
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else None
    return stem if stem in known else None
