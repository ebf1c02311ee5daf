"""Browsing the audit trail: who changed what, when, field by field.

Filters narrow the log by record (its type and id), by user and by date;
picking a row shows each changed field with its old and new value. Rows
come from ``portfolio_kit.frames.audit_log``, newest first. Bulk imports
show how many rows they wrote and their details instead of fields.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd

from portfolio_kit import frames
from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import Base
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import set_dropdown_options
from portfolio_kit.widgets._lookups import audit_actors
from portfolio_kit.widgets._status import StatusBar

ANY = ""

RECORD_TYPES = sorted(
    mapper.class_.__name__ for mapper in Base.registry.mappers if mapper.class_.audited
)
"""Every model whose changes are audited, by class name as the log stores it."""


def change_rows(changes: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """``(field, old, new)`` for each changed field of an audit row; pure.

    Inserts have no old value and deletes no new one; an import (``{"rows":
    n, ...}``) lists its row count and details as fields with no old value.
    """
    if not changes:
        return []
    rows = []
    for field, change in changes.items():
        if isinstance(change, list | tuple) and len(change) == 2:
            old, new = change
            rows.append((str(field), _shown(old), _shown(new)))
        else:
            rows.append((str(field), "", _shown(change)))
    return rows


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def changes_html(changes: Mapping[str, Any] | None) -> str:
    rows = change_rows(changes)
    if not rows:
        return "<i>No field-level changes recorded.</i>"
    body = "".join(
        f"<tr><td><code>{html.escape(field)}</code></td><td>{html.escape(old)}</td><td>{html.escape(new)}</td></tr>"
        for field, old, new in rows
    )
    return f"<table><tr><th>Field</th><th>Old</th><th>New</th></tr>{body}</table>"


def row_label(row: Mapping[str, Any]) -> str:
    """One line per audit row: when, who, what, which record."""
    when = pd.Timestamp(row["at"]).strftime("%Y-%m-%d %H:%M:%S")
    record = (
        f"{row['entity_type']} #{row['entity_id']}"
        if row.get("entity_id")
        else str(row["entity_type"])
    )
    return f"{when}  {row['actor']}  {row['action']}  {record}: {str(row['summary'])[:80]}"


class AuditBrowser(WidgetDisplay):
    """Filter the audit log by record, user and date; show field-level changes."""

    def __init__(self, db: Database, *, limit: int = 500) -> None:
        self.db = db
        style = {"description_width": "90px"}
        self.record_type = widgets.Dropdown(
            description="Record",
            options=[
                ("any", ANY),
                *((name, name) for name in RECORD_TYPES),
                ("Database", "Database"),
            ],
            style=style,
        )
        self.record_id = widgets.Text(
            description="Id", placeholder="any", style=style, layout=widgets.Layout(width="180px")
        )
        self.actor = widgets.Dropdown(description="User", options=[("anyone", ANY)], style=style)
        self.since = widgets.DatePicker(description="From", style=style)
        self.until = widgets.DatePicker(description="To", style=style)
        self.limit = widgets.BoundedIntText(
            description="At most",
            value=limit,
            min=1,
            max=100_000,
            style=style,
            layout=widgets.Layout(width="200px"),
        )
        self.show_button = widgets.Button(description="Show", icon="filter", button_style="primary")
        self.rows = widgets.Select(options=[], rows=14, layout=widgets.Layout(width="900px"))
        self.detail = widgets.HTML()
        self.count = widgets.HTML()
        self.status = StatusBar(on_reload=self.refresh)
        self.log = pd.DataFrame()
        self.show_button.on_click(
            lambda _button: self.status.run("read the audit log", self.refresh)
        )
        self.rows.observe(
            lambda _change: self.status.run("show the changes", self._show_selected), names="value"
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Audit trail</b>"),
                widgets.HBox([self.record_type, self.record_id, self.actor]),
                widgets.HBox([self.since, self.until, self.limit, self.show_button]),
                self.count,
                self.rows,
                self.detail,
                self.status.widget,
            ]
        )
        self.status.run("read the audit log", self.refresh)

    def _plain_text(self) -> str:
        return "AuditBrowser: who changed what, when"

    def filters(self) -> dict[str, Any]:
        """The ``frames.audit_log`` arguments the widgets describe.

        Raises
        ------
        ValidationError
            When the record id is not a number.
        """
        record_id = self.record_id.value.strip()
        if record_id and not record_id.isdigit():
            raise ValidationError("id", f"must be a record number such as 42 (got {record_id!r})")
        return {
            "entity_type": self.record_type.value or None,
            "entity_id": record_id or None,
            "actor": self.actor.value or None,
            "since": self.since.value,
            "until": self.until.value,
            "limit": int(self.limit.value),
        }

    def show_record(self, record_type: str, record_id: int | str) -> None:
        """Narrow the log to one record's history."""
        self.record_type.value = record_type
        self.record_id.value = str(record_id)
        self.refresh()

    def refresh(self) -> None:
        with self.db.session() as session:
            set_dropdown_options(
                self.actor, [("anyone", ANY), *((actor, actor) for actor in audit_actors(session))]
            )
        self.log = frames.audit_log(self.db, **self.filters()).reset_index(drop=True)
        records = self.log.to_dict("records")
        self.rows.options = [(row_label(row), index) for index, row in enumerate(records)]
        self.rows.value = 0 if records else None
        shown = len(records)
        self.count.value = f"{shown} change{'s' if shown != 1 else ''} (newest first)" + (
            f"; showing the newest {shown}" if shown == int(self.limit.value) else ""
        )
        self._show_selected()

    def _show_selected(self) -> None:
        index = self.rows.value
        if index is None or index >= len(self.log):
            self.detail.value = ""
            return
        row = self.log.iloc[int(index)]
        self.detail.value = (
            f"<b>{html.escape(str(row['summary']))}</b> by {html.escape(str(row['actor']))}"
            f" ({html.escape(str(row['action']))})" + changes_html(row["changes"])
        )

    def between(self, since: date | None, until: date | None) -> None:
        """Narrow the log to a date range (inclusive, whole days in UTC)."""
        self.since.value, self.until.value = since, until
        self.refresh()
