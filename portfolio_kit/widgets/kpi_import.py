"""Importing a filled KPI collection template.

The analyst uploads the workbook a company sent back; every problem the
template checker finds is listed with its sheet and cell, and "Import"
stays disabled until there are none (values flagged as implausible can be
confirmed with a tick). The import itself is all or nothing and is recorded
in the audit trail under the acting user.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from portfolio_kit.db import Database
from portfolio_kit.excel.template_import import (
    TemplateContents,
    TemplateImportError,
    TemplateProblem,
    check_kpi_template,
    import_kpi_template,
)
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._lookups import company_name
from portfolio_kit.widgets._status import StatusBar
from portfolio_kit.widgets._upload import uploaded_file
from portfolio_kit.widgets.session import ActingUser


def problems_html(problems: Sequence[TemplateProblem]) -> str:
    """A table of problems: where (sheet!cell), what kind, and the message."""
    if not problems:
        return ""
    rows = "".join(
        f"<tr><td><code>{html.escape(problem.location)}</code></td><td>{html.escape(problem.kind)}</td>"
        f"<td>{html.escape(problem.message)}</td></tr>"
        for problem in problems
    )
    return f"<table><tr><th>Where</th><th>Kind</th><th>Problem</th></tr>{rows}</table>"


class KpiImport(WidgetDisplay):
    """Upload a filled KPI template, see every problem with its cell, import when clean."""

    def __init__(self, db: Database, *, user: ActingUser | None = None) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.upload = widgets.FileUpload(
            accept=".xlsx", multiple=False, description="Template (.xlsx)"
        )
        self.confirm_flagged = widgets.Checkbox(
            value=False,
            indent=False,
            description="I checked the flagged values: import them as they are",
        )
        self.import_button = widgets.Button(
            description="Import", button_style="primary", icon="upload"
        )
        self.summary = widgets.HTML()
        self.problems = widgets.HTML()
        self.status = StatusBar(on_reload=self.check)
        self.contents: TemplateContents | None = None
        self._data: bytes | None = None
        self._file_name = ""
        self.upload.observe(
            lambda _change: self.status.run("read the template", self.check), names="value"
        )
        self.confirm_flagged.observe(lambda _change: self._refresh_state(), names="value")
        self.import_button.on_click(lambda _button: self.run_import())
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>KPI template import</b>"),
                self.upload,
                self.summary,
                self.problems,
                self.confirm_flagged,
                self.import_button,
                self.status.widget,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        self._refresh_state()

    def _plain_text(self) -> str:
        return "KpiImport: upload a filled KPI template"

    def load_file(self, data: bytes, file_name: str) -> None:
        """Check a template given as bytes (what the upload button does)."""
        self._data, self._file_name = bytes(data), file_name
        self._check_loaded()

    def check(self) -> None:
        """Read the uploaded template and list its problems; writes nothing."""
        upload = uploaded_file(self.upload.value)
        if upload is None:
            self._data, self.contents = None, None
            self.summary.value = self.problems.value = ""
            self._refresh_state()
            return
        self._data, self._file_name = upload
        self._check_loaded()

    def _check_loaded(self) -> None:
        assert self._data is not None
        self.confirm_flagged.value = False
        with self.db.session() as session:
            self.contents = check_kpi_template(session, self._data)
            company = company_name(session, self.contents.company_id)
        contents = self.contents
        periods = sorted({value.period_end for value in contents.values})
        span = f"{periods[0]:%Y-%m-%d} to {periods[-1]:%Y-%m-%d}" if periods else "no periods"
        self.summary.value = (
            f"<b>{html.escape(self._file_name)}</b>: {html.escape(company or 'unknown company')}, "
            f"{contents.period_type or '?'} {contents.scenario or '?'}, "
            f"{len(contents.values)} figure(s), {span}; "
            f"{len(contents.errors)} error(s), {len(contents.flagged)} flagged value(s)"
        )
        self.problems.value = problems_html(contents.problems)
        self.status.clear()
        self._refresh_state()

    @property
    def ready(self) -> bool:
        """True when the template can be imported as it is."""
        contents = self.contents
        if contents is None or contents.errors or not contents.values:
            return False
        return not contents.flagged or self.confirm_flagged.value

    def _refresh_state(self) -> None:
        self.confirm_flagged.layout.display = (
            "" if self.contents is not None and self.contents.flagged else "none"
        )
        self.import_button.disabled = not (self.ready and self.user.can_write)
        if not self.user.can_write:
            self.status.show(f"Read-only: {self.user.explanation}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def run_import(self) -> Any:
        """Import the checked template; returns the ``TemplateImportResult`` or None."""
        if not self.user.can_write:
            self.status.show(f"Not imported: {self.user.explanation}", "error")
            return None
        if not self.ready or self._data is None:
            self.status.show(
                "Not imported: the template still has problems (see the list).", "error"
            )
            return None
        data, name, accept, actor = (
            self._data,
            self._file_name,
            bool(self.confirm_flagged.value),
            self.user.actor,
        )

        refused: list[TemplateImportError] = []

        def write() -> Any:
            try:
                with self.db.session(actor) as session:
                    return import_kpi_template(
                        session, data, file_name=name, accept_implausible=accept
                    )
            except TemplateImportError as exc:
                refused.append(exc)
                raise

        result = self.status.run("import the template", write)
        if refused:
            self.problems.value = problems_html(refused[0].problems)
        if result is None:
            return None
        self.status.show(
            f"Imported {name}: {result.inserted} figure(s) added, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
            "ok",
        )
        self.import_button.disabled = True
        return result
