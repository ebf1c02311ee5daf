"""Due-diligence checklists and value-creation initiatives of a company.

The checklist shows every item of a company with its status in a dropdown;
the analyst changes statuses in place and saves them together (all or
nothing, each with its version check). Items and initiatives are created and
edited in full with their record forms.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.models import (
    DiligenceCategory,
    DiligenceStatus,
    DueDiligenceItem,
    InitiativeStatus,
    Lever,
    RiskLevel,
    ValueCreationInitiative,
)
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import FieldSpec, set_dropdown_options
from portfolio_kit.widgets._form import NEW, RecordForm
from portfolio_kit.widgets._lookups import (
    Option,
    company_currency,
    company_options,
    diligence_items,
)
from portfolio_kit.widgets._parse import enum_options
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.session import ActingUser

_COMPANY = FieldSpec("company_id", "Company", "reference", required=True)


class DiligenceItemForm(RecordForm):
    """One checklist item: category, title, status, risk, owner, due date."""

    model = DueDiligenceItem
    title = "Diligence item"
    scope = "company_id"
    specs = (
        _COMPANY,
        FieldSpec("category", "Category", "choice", required=True, choices=DiligenceCategory),
        FieldSpec("title", "Title", required=True, max_length=300),
        FieldSpec("status", "Status", "choice", required=True, choices=DiligenceStatus),
        FieldSpec(
            "risk_level", "Risk", "choice", required=True, choices=RiskLevel, default="medium"
        ),
        FieldSpec("owner", "Owner", max_length=200),
        FieldSpec("due_date", "Due date", "date"),
        FieldSpec("notes", "Notes", "long_text"),
    )

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"company_id": company_options(session)}

    def _option_label(self, record: Any) -> str:
        return f"{record.category.value}: {record.title} ({record.status.value.replace('_', ' ')})"

    def _picker_order(self) -> list[Any]:
        return [DueDiligenceItem.category, DueDiligenceItem.title]


@dataclass(frozen=True, slots=True)
class _Loaded:
    id: int
    version: int
    status: str


class DiligenceChecklist(WidgetDisplay):
    """A company's checklist with statuses editable in place."""

    def __init__(
        self, db: Database, *, user: ActingUser | None = None, company_id: int | None = None
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.company = widgets.Dropdown(description="Company", options=[("—", NEW)])
        self.table = widgets.GridBox(
            layout=widgets.Layout(grid_template_columns="130px 360px 90px 160px 110px 170px")
        )
        self.save_button = widgets.Button(
            description="Save statuses", button_style="primary", icon="save"
        )
        self.status = StatusBar(on_reload=self.reload)
        self.statuses: dict[int, widgets.Dropdown] = {}
        self._loaded: dict[int, _Loaded] = {}
        self._filling = False
        self.save_button.on_click(lambda _button: self.save())
        self.company.observe(
            lambda _change: (
                None if self._filling else self.status.run("load the checklist", self.reload)
            ),
            names="value",
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Due-diligence checklist</b>"),
                self.company,
                self.table,
                self.save_button,
                self.status.widget,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        self._filling = True
        with self.db.session() as session:
            set_dropdown_options(self.company, [("—", NEW), *company_options(session)])
        if company_id is not None:
            self.company.value = company_id
        self._filling = False
        self.reload()

    def _plain_text(self) -> str:
        return "DiligenceChecklist: statuses by item"

    def reload(self) -> None:
        self.statuses = {}
        self._loaded = {}
        children: list[widgets.Widget] = [
            widgets.HTML(f"<b>{name}</b>")
            for name in ("Category", "Item", "Risk", "Owner", "Due", "Status")
        ]
        if self.company.value:
            with self.db.session() as session:
                items = diligence_items(session, int(self.company.value))
            for item in items:
                self._loaded[item.id] = _Loaded(item.id, item.version, item.status.value)
                dropdown = widgets.Dropdown(
                    options=enum_options(DiligenceStatus),
                    value=item.status.value,
                    layout=widgets.Layout(width="160px"),
                )
                dropdown.observe(lambda _change: run_quietly(self._refresh_state), names="value")
                self.statuses[item.id] = dropdown
                children += [
                    widgets.HTML(html.escape(item.category.value)),
                    widgets.HTML(html.escape(item.title)),
                    widgets.HTML(html.escape(item.risk_level.value)),
                    widgets.HTML(html.escape(item.owner or "")),
                    widgets.HTML(f"{item.due_date:%Y-%m-%d}" if item.due_date else ""),
                    dropdown,
                ]
        self.table.children = children
        self._refresh_state()

    def changed(self) -> dict[int, str]:
        """Items whose status the analyst changed: ``{item id: new status}``."""
        return {
            item_id: dropdown.value
            for item_id, dropdown in self.statuses.items()
            if dropdown.value != self._loaded[item_id].status
        }

    def _refresh_state(self) -> None:
        writable = self.user.can_write
        for dropdown in self.statuses.values():
            dropdown.disabled = not writable
        pending = len(self.changed())
        self.save_button.description = (
            f"Save {pending} status{'es' if pending != 1 else ''}" if pending else "Save statuses"
        )
        self.save_button.disabled = not writable or not pending
        if not writable:
            self.status.show(f"Read-only: {self.user.explanation}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def save(self) -> int:
        """Save every changed status in one transaction; returns how many (0 on failure)."""
        if not self.user.can_write:
            self.status.show(f"Not saved: {self.user.explanation}", "error")
            return 0
        pending = self.changed()
        if not pending:
            self.status.show("Nothing to save: no status changed.", "info")
            return 0
        loaded, actor = dict(self._loaded), self.user.actor

        def write() -> int:
            with self.db.session(actor) as session:
                for item_id, status in pending.items():
                    update_record(
                        session,
                        DueDiligenceItem,
                        item_id,
                        expected_version=loaded[item_id].version,
                        changes={"status": status},
                    )
            return len(pending)

        saved = self.status.run("save the statuses", write)
        if not saved:
            return 0
        self.reload()
        self.status.show(f"Saved {saved} status{'es' if saved != 1 else ''}.", "ok")
        return saved


class InitiativeForm(RecordForm):
    """A value-creation initiative: lever, target impact, progress and dates.

    Progress is typed as a percentage (40 for 40% done); the target impact is
    an amount in the initiative's currency (the company's by default).
    """

    model = ValueCreationInitiative
    title = "Value-creation initiative"
    scope = "company_id"
    specs = (
        _COMPANY,
        FieldSpec("title", "Title", required=True, max_length=300),
        FieldSpec("lever", "Lever", "choice", required=True, choices=Lever),
        FieldSpec("status", "Status", "choice", required=True, choices=InitiativeStatus),
        FieldSpec("progress", "Progress (%)", "percent", required=True, default="0"),
        FieldSpec("target_impact", "Target impact", "number"),
        FieldSpec("currency", "Currency", "currency"),
        FieldSpec("owner", "Owner", max_length=200),
        FieldSpec("start_date", "Start date", "date"),
        FieldSpec("target_date", "Target date", "date"),
        FieldSpec("notes", "Notes", "long_text"),
    )

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"company_id": company_options(session)}

    def _option_label(self, record: Any) -> str:
        lever, status = record.lever.value.replace("_", " "), record.status.value.replace("_", " ")
        return f"{lever}: {record.title} ({status})"

    def _picker_order(self) -> list[Any]:
        return [ValueCreationInitiative.lever, ValueCreationInitiative.title]

    def _derived(self, session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(changes)
        if values.get("currency") is None:
            values["currency"] = company_currency(session, values["company_id"])
        return values
