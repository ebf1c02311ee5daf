"""The kernel's side of shared pages: file the page it drew for everyone who
would see the same page (the server's side and the reasons: ``server/page_cache.py``).

The kernel files the page under the key of its own verified context (the
funds it was allowed to read, the query it honoured, the data version it
read *before* loading the data), so a page can only ever be handed to a
viewer whose key, computed by the server from the session it authenticated,
is the same. A change written while the page was drawn gives the server a
newer version than the one filed: that view is simply drawn live.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from pathlib import Path

from portfolio_kit.dashboards import _components as ui
from portfolio_kit.dashboards.access import DashboardContext
from portfolio_kit.dashboards.catalog import dashboard
from portfolio_kit.server import page_cache
from portfolio_kit.settings import get_settings


def data_version(context: DashboardContext) -> int | None:
    """The version of the data this page is about to read, or None when the
    page is not to be shared (not served, sharing off, or the version unreadable)."""
    if not context.served or get_settings().dashboard_page_cache_seconds <= 0:
        return None
    try:
        with context.database.engine.connect() as connection:
            return page_cache.data_version(connection)
    except Exception:  # a page that cannot be shared is still drawn
        return None


def page_key(key: str, context: DashboardContext, version: int) -> page_cache.PageKey:
    return page_cache.PageKey(
        dashboard=key,
        fund_ids=tuple(context.fund_ids),
        sees_all_funds=context.viewer.sees_all_funds,
        query=dict(context.query),
        base_url=context.base_url,
        data_version=version,
        day=date.today(),
    )


def notebook_intro(key: str, folder: Path | None = None) -> str:
    """The notebook's text cells above its first code cell, as HTML: what the
    live page shows above the navigation bar.

    Voila starts a dashboard's kernel in the notebook's folder, so that is
    where the notebook is read from; a notebook that cannot be read gives no
    introduction rather than no page. The notebooks are ours, but their
    markup is escaped all the same.
    """
    import mistune

    path = (folder or Path.cwd()) / dashboard(key).notebook
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    texts = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            break
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            texts.append("".join(source) if isinstance(source, list) else str(source))
    if not texts:
        return ""
    html = mistune.create_markdown(escape=True)("\n\n".join(texts))
    return f'<div class="pk-intro">{html}</div>'


def document(key: str, context: DashboardContext, body: str) -> str:
    """The whole shared page: the same introduction, styles, bar, body and
    ready marker as the live page, with the viewer's name left as the slot
    the server fills."""
    title = dashboard(key).title
    toolbar = ui.toolbar_html(
        current=key,
        viewer_name="",
        served=True,
        base_url=context.base_url,
        viewer_markup=page_cache.VIEWER_SLOT,
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · portfolio_kit</title>{ui.style_html()}</head>"
        f'<body class="pk-shared"><div class="pk-page">{notebook_intro(key)}{toolbar}{body}'
        f"{ui.ready_marker_html(key, shared=True)}</div></body></html>"
    )


def share(key: str, context: DashboardContext, version: int, body: str) -> None:
    """File the drawn page for the viewers who would see the same one."""
    settings = get_settings()
    store = page_cache.page_store(
        settings.data_dir, max_age_seconds=settings.dashboard_page_cache_seconds
    )
    store.write(page_key(key, context, version).digest(), document(key, context, body))
