"""HTML building blocks of a dashboard page: toolbar, tiles, tables, charts, messages.

Pages are mostly static HTML inside a few widgets: it renders at once, reads
well in print and screenshots, and needs no JavaScript beyond Voila's own.
Every value that comes from the database is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from portfolio_kit.charts import (
    NOT_AVAILABLE,
    format_date,
    format_money,
    format_multiple,
    format_number,
    format_pct,
    to_svg,
)
from portfolio_kit.dashboards.catalog import DASHBOARDS

READY_CLASS = "pk-ready"
"""CSS class of the element a page adds once it is completely drawn (tests wait for it)."""

ColumnKind = Literal[
    "text",
    "money",
    "multiple",
    "pct",
    "pct_signed",
    "date",
    "number",
    "flags",
    "progress",
    "badge",
    "html",
]
"""``html`` cells hold markup the caller built and escaped (see :func:`name_with_detail`)."""


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The dashboards' CSS, inlined into each page (no request for a stylesheet)."""
    return files("portfolio_kit.dashboards").joinpath("dashboard.css").read_text(encoding="utf-8")


def style_html() -> str:
    return f"<style>{stylesheet()}</style>"


def toolbar_html(
    *,
    current: str,
    viewer_name: str,
    served: bool,
    base_url: str = "/",
    viewer_markup: str | None = None,
) -> str:
    """The navigation bar: brand, the three dashboards, who is signed in, sign out.

    ``viewer_markup`` replaces the escaped ``viewer_name`` with markup the
    caller built: a shared page's slot for the name (``server/page_cache.py``).
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    links = []
    for page in DASHBOARDS:
        css = ' class="pk-current"' if page.key == current else ""
        links.append(f'<a{css} href="{escape(page.url(base))}">{escape(page.title)}</a>')
    sign_out = f'<a href="{escape(base)}logout">Sign out</a>' if served else ""
    home = (
        f'<a class="pk-brand" href="{escape(base)}">portfolio_kit</a>'
        if served
        else '<span class="pk-brand">portfolio_kit</span>'
    )
    return (
        '<nav class="pk-toolbar">'
        f"{home}{''.join(links)}"
        '<span class="pk-spacer"></span>'
        f'<span class="pk-who">{viewer_markup or escape(viewer_name)}</span>{sign_out}'
        "</nav>"
    )


def heading_html(title: str, *, as_of: date | None, meta: str = "") -> str:
    """The page heading with its as-of date (every page states one)."""
    as_of_text = f"As of {format_date(as_of)}" if as_of else "No reporting date yet"
    meta_html = f'<span class="pk-meta">{escape(meta)}</span>' if meta else ""
    return (
        '<div class="pk-heading">'
        f"<h2>{escape(title)}</h2>"
        f'<span class="pk-asof" data-as-of="{as_of.isoformat() if as_of else ""}">'
        f"{escape(as_of_text)}</span>{meta_html}</div>"
    )


@dataclass(frozen=True, slots=True)
class Tile:
    """A headline figure: ``key`` identifies it in the page (tests read it)."""

    key: str
    label: str
    value: str
    note: str = ""


def tiles_html(tiles: Iterable[Tile]) -> str:
    cells = []
    for tile in tiles:
        note = f'<div class="pk-note">{escape(tile.note)}</div>' if tile.note else ""
        cells.append(
            f'<div class="pk-tile" data-tile="{escape(tile.key)}">'
            f'<div class="pk-label">{escape(tile.label)}</div>'
            f'<div class="pk-value">{escape(tile.value)}</div>{note}</div>'
        )
    return f'<div class="pk-tiles">{"".join(cells)}</div>'


@dataclass(frozen=True, slots=True)
class Column:
    """How one column of a table is shown."""

    key: str
    label: str
    kind: ColumnKind = "text"
    currency: str = "USD"
    wrap: bool = False
    """Let long text (a company name, an item title) wrap; other cells stay on one line."""

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "multiple", "pct", "pct_signed", "number")


def _cell(value: Any, column: Column) -> str:
    if column.kind == "flags":
        flags = list(value) if isinstance(value, list | tuple) else []
        if not flags:
            return '<span class="pk-flag pk-ok">none</span>'
        return "".join(f'<span class="pk-flag">{escape(str(flag))}</span>' for flag in flags)
    if column.kind == "progress":
        number = _finite(value)
        if number is None:
            return NOT_AVAILABLE
        width = max(0.0, min(1.0, number)) * 100
        bar = f'<span class="pk-progress"><span style="width:{width:.0f}%"></span></span>'
        return bar + format_pct(number, decimals=0)
    if column.kind == "html":
        return "" if _missing(value) else str(value)
    if column.kind == "badge":
        return (
            NOT_AVAILABLE
            if _missing(value)
            else f'<span class="pk-badge">{escape(str(value))}</span>'
        )
    formatters: dict[str, Callable[[Any], str]] = {
        "money": lambda v: format_money(v, column.currency),
        "multiple": format_multiple,
        "pct": format_pct,
        "pct_signed": lambda v: format_pct(v, signed=True),
        "date": format_date,
        "number": format_number,
    }
    if column.kind in formatters:
        return escape(formatters[column.kind](None if _missing(value) else value))
    return NOT_AVAILABLE if _missing(value) else escape(str(value))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _finite(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_ACRONYMS = {"esg": "ESG", "hr": "HR", "dcf": "DCF", "lbo": "LBO", "nav": "NAV"}


def humanise(value: Any) -> str:
    """An enum value as a label: ``in_progress`` is ``In progress``, ``esg`` is ``ESG``."""
    text = str(value)
    if text.lower() in _ACRONYMS:
        return _ACRONYMS[text.lower()]
    return text.replace("_", " ").capitalize()


WRAPPED_KEYS = frozenset({"company_name", "company", "title", "fund_name"})
"""Columns whose text may wrap onto several lines."""


def columns(spec: Iterable[tuple[str, str, str]], currency: str = "USD") -> list[Column]:
    """Columns from ``(key, label, kind)`` triples, in one currency."""
    return [
        Column(key, label, kind, currency, wrap=key in WRAPPED_KEYS) for key, label, kind in spec
    ]  # type: ignore[arg-type]


def _td(value: Any, column: Column) -> str:
    css = "pk-num" if column.numeric else ("pk-wrap" if column.wrap else "")
    attr = f' class="{css}"' if css else ""
    return f"<td{attr}>{_cell(value, column)}</td>"


def name_with_detail(name: str, detail: str) -> str:
    """A name with a small second line (sector, fund), escaped, for an ``html`` cell."""
    return f'<span class="pk-name">{escape(name)}</span><div class="pk-sub">{escape(detail)}</div>'


def table_html(
    rows: pd.DataFrame,
    columns: Sequence[Column],
    *,
    total: dict[str, Any] | None = None,
    row_key: str | None = None,
    caption: str = "",
) -> str:
    """An HTML table of ``rows`` showing ``columns`` in order.

    ``total`` is an optional last row (same keys as ``columns``); ``row_key``
    names a column written to each row's ``data-key`` attribute.
    """
    head = "".join(
        f'<th class="pk-num">{escape(c.label)}</th>' if c.numeric else f"<th>{escape(c.label)}</th>"
        for c in columns
    )
    body = []
    for record in rows.to_dict("records"):
        key_attr = f' data-key="{escape(str(record.get(row_key)))}"' if row_key else ""
        cells = "".join(_td(record.get(c.key), c) for c in columns)
        body.append(f"<tr{key_attr}>{cells}</tr>")
    if total is not None:
        cells = "".join(
            f'<td class="pk-num">{_cell(total.get(c.key), c)}</td>'
            if c.numeric
            else f"<td>{escape(str(total.get(c.key, '')))}</td>"
            for c in columns
        )
        body.append(f'<tr class="pk-total">{cells}</tr>')
    caption_html = f'<div class="pk-footnote">{escape(caption)}</div>' if caption else ""
    return (
        f'<div class="pk-table-wrap"><table class="pk-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{caption_html}"
    )


def chart_cache_dir() -> Path:
    """``<data_dir>/cache/charts``: drawn charts shared by every dashboard kernel."""
    from portfolio_kit.settings import get_settings

    return Path(get_settings().data_dir) / "cache" / "charts"


def chart_html(chart: Any, *, name: str) -> str:
    """A chart drawn to SVG in the kernel (no JavaScript, no network)."""
    svg = to_svg(chart, validate=False, cache_dir=chart_cache_dir())
    return f'<figure class="pk-chart" data-chart="{escape(name)}">{svg}</figure>'


def section_html(title: str, content: str) -> str:
    return f'<section class="pk-section"><h3>{escape(title)}</h3>{content}</section>'


def message_html(text: str, *, kind: Literal["info", "warning"] = "info") -> str:
    """A plain sentence in place of content that cannot be shown."""
    css = "pk-message pk-warning" if kind == "warning" else "pk-message"
    return f'<div class="{css}" role="status">{escape(text)}</div>'


def ready_marker_html(key: str, *, state: str = "ok", shared: bool = False) -> str:
    """The element tests wait for: present once the page is completely drawn.

    ``shared`` marks the copy of a page handed out without a kernel
    (``data-shared``), so a test can tell it from a live one.
    """
    mark = " data-shared" if shared else ""
    return (
        f'<span class="{READY_CLASS}" data-dashboard="{escape(key)}" '
        f'data-state="{escape(state)}"{mark} hidden></span>'
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a page's controls, as a query parameter the page honours (``?fund=3``)."""

    name: str
    label: str
    options: Sequence[tuple[str, object]]
    """(label, value) pairs, as an ipywidgets ``Dropdown`` takes them."""
    value: object


def choices_form_html(choices: Sequence[Choice], *, submit: str = "Show") -> str:
    """A page's controls without a kernel: a GET form that reloads the page for the
    chosen values (a shared page holds no script, so it cannot react to a change)."""
    fields = []
    for choice in choices:
        options = "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if value == choice.value else ''}>{escape(label)}</option>"
            for label, value in choice.options
        )
        fields.append(
            f'<label class="pk-choice">{escape(choice.label)} '
            f'<select name="{escape(choice.name)}">{options}</select></label>'
        )
    return (
        '<form class="pk-controls pk-choices" method="get">'
        f'{"".join(fields)}<button type="submit">{escape(submit)}</button></form>'
    )
