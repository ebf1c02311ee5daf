"""Reading a company's statements out of a PDF filing, with a person in the loop.

The analyst uploads a PDF; the extractor stages every figure it reads, per
statement, with a confidence. Picking a row shows the page cropped around
the figure, so the number can be checked against the filing itself; the
analyst accepts it (optionally with a corrected value or another line item),
rejects it, and finally commits the accepted figures to a company. The
document's status (uploaded, extracted, reviewed, committed or failed) and
any extraction error stay visible. Everything goes through
``portfolio_kit.services.documents`` and ``portfolio_kit.services.review``;
this screen only shows and forwards.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import ipywidgets as widgets

from portfolio_kit.db import Database
from portfolio_kit.models import Document, DocumentKind, PeriodType, ReviewStatus, Scenario
from portfolio_kit.pdf import render_crop
from portfolio_kit.services.documents import document_path, extract_document, store_document
from portfolio_kit.services.records import get_record
from portfolio_kit.services.review import commit_document, set_line_decision, set_line_item
from portfolio_kit.vocabulary import LINE_ITEMS
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import set_dropdown_options
from portfolio_kit.widgets._form import NEW
from portfolio_kit.widgets._lookups import company_options, document_lines, pdf_document_options
from portfolio_kit.widgets._parse import enum_options, format_decimal, parse_decimal
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets._upload import uploaded_file
from portfolio_kit.widgets.session import ActingUser

STATEMENTS = (
    ("Income statement", "income_statement"),
    ("Balance sheet", "balance_sheet"),
    ("Cash flow", "cash_flow"),
)

_MARKS = {ReviewStatus.PENDING: "·", ReviewStatus.ACCEPTED: "✓", ReviewStatus.REJECTED: "✗"}


@dataclass(frozen=True, slots=True)
class StagedLine:
    """A staged figure as the screen shows it (a detached copy of ``ExtractedLine``)."""

    id: int
    version: int
    statement: str
    line_item: str | None
    label: str
    period_end: date
    period_months: int | None
    value: Decimal
    corrected_value: Decimal | None
    currency: str
    page: int
    bbox: tuple[float, ...] | None
    confidence: float
    review_status: ReviewStatus

    @property
    def shown_value(self) -> Decimal:
        return self.corrected_value if self.corrected_value is not None else self.value


def period_text(period_end: date, period_months: int | None) -> str:
    """The period as an analyst reads it: '9m to 2022-10-31', 'at 2022-10-31'
    for a balance-sheet instant, the bare date when the length is unknown."""
    if period_months is None:
        return f"{period_end:%Y-%m-%d}"
    if period_months == 0:
        return f"at {period_end:%Y-%m-%d}"
    return f"{period_months}m to {period_end:%Y-%m-%d}"


def line_label(line: StagedLine) -> str:
    """One row of the staged list: decision, confidence, label, item, period, value."""
    item = line.line_item or "unmapped"
    corrected = " (corrected)" if line.corrected_value is not None else ""
    return (
        f"{_MARKS[line.review_status]} {line.confidence:.2f}  {line.label[:48]}  → {item}  "
        f"{period_text(line.period_end, line.period_months)}  {format_decimal(line.shown_value)}{corrected}"
    )


class PdfIngest(WidgetDisplay):
    """Upload a PDF, review the staged figures against the page, commit the accepted ones."""

    def __init__(
        self, db: Database, *, user: ActingUser | None = None, company_id: int | None = None
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        style = {"description_width": "110px"}
        self.upload = widgets.FileUpload(accept=".pdf", multiple=False, description="PDF filing")
        self.kind = widgets.Dropdown(
            description="Kind",
            options=enum_options(DocumentKind),
            value=DocumentKind.ANNUAL_REPORT.value,
            style=style,
        )
        self.extract_button = widgets.Button(
            description="Extract", icon="search", button_style="primary"
        )
        self.document = widgets.Dropdown(
            description="Document",
            options=[("—", NEW)],
            style=style,
            layout=widgets.Layout(width="520px"),
        )
        self.document_info = widgets.HTML()
        self.statement = widgets.ToggleButtons(options=STATEMENTS, value="income_statement")
        self.lines = widgets.Select(options=[], rows=14, layout=widgets.Layout(width="760px"))
        self.crop = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
        self.detail = widgets.HTML()
        self.corrected = widgets.Text(
            description="Corrected value",
            placeholder="blank keeps the value read",
            style={"description_width": "110px"},
        )
        self.item = widgets.Dropdown(
            description="Line item",
            style={"description_width": "110px"},
            options=[
                ("unmapped", ""),
                *((f"{i.label} ({i.name})", i.name) for i in LINE_ITEMS.values()),
            ],
        )
        self.accept_button = widgets.Button(
            description="Accept", icon="check", button_style="success"
        )
        self.reject_button = widgets.Button(
            description="Reject", icon="times", button_style="warning"
        )
        self.reset_button = widgets.Button(description="Undo decision", icon="undo")
        self.company = widgets.Dropdown(description="Company", options=[("—", NEW)], style=style)
        # Flows take their period type from their column's length; this only
        # files the balance-sheet instants (by default the document's shortest column).
        self.period_type = widgets.Dropdown(
            description="Balances as",
            options=[("cadence of the columns", ""), *enum_options(PeriodType)],
            value="",
            style=style,
        )
        self.scenario = widgets.Dropdown(
            description="Scenario", options=enum_options(Scenario), style=style
        )
        self.commit_button = widgets.Button(
            description="Commit accepted figures", icon="database", button_style="primary"
        )
        self.status = StatusBar(on_reload=self.reload)
        self.staged: dict[int, StagedLine] = {}
        self.document_status: str | None = None
        self._filling = False

        self.upload.observe(lambda _change: self._on_upload(), names="value")
        self.extract_button.on_click(lambda _button: self.extract())
        self.document.observe(
            lambda _change: (
                None if self._filling else self.status.run("open the document", self.reload)
            ),
            names="value",
        )
        self.statement.observe(lambda _change: run_quietly(self._show_lines), names="value")
        self.lines.observe(
            lambda _change: (
                None if self._filling else self.status.run("show the figure", self._show_selected)
            ),
            names="value",
        )
        self.accept_button.on_click(lambda _button: self.decide(ReviewStatus.ACCEPTED))
        self.reject_button.on_click(lambda _button: self.decide(ReviewStatus.REJECTED))
        self.reset_button.on_click(lambda _button: self.decide(ReviewStatus.PENDING))
        self.commit_button.on_click(lambda _button: self.commit())
        self.company.observe(lambda _change: run_quietly(self._refresh_state), names="value")

        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>PDF statement ingest</b>"),
                widgets.HBox([self.upload, self.kind, self.extract_button]),
                self.document,
                self.document_info,
                self.statement,
                self.lines,
                widgets.HBox(
                    [
                        self.crop,
                        widgets.VBox(
                            [
                                self.detail,
                                self.item,
                                self.corrected,
                                widgets.HBox(
                                    [self.accept_button, self.reject_button, self.reset_button]
                                ),
                            ]
                        ),
                    ]
                ),
                widgets.HTML(
                    "<b>Commit</b>: accepted figures become the company's "
                    "statement values (source: pdf)"
                ),
                widgets.HBox([self.company, self.period_type, self.scenario]),
                self.commit_button,
                self.status.widget,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        self._filling = True
        try:
            with self.db.session() as session:
                set_dropdown_options(self.company, [("—", NEW), *company_options(session)])
                set_dropdown_options(self.document, [("—", NEW), *pdf_document_options(session)])
            if company_id is not None:
                self.company.value = company_id
        finally:
            self._filling = False
        self.reload()

    def _plain_text(self) -> str:
        return "PdfIngest: PDF statement review"

    @property
    def document_id(self) -> int | None:
        return int(self.document.value) if self.document.value else None

    def _on_upload(self) -> None:
        self._refresh_state()
        upload = uploaded_file(self.upload.value)
        if upload is not None:
            self.status.show(f"{upload[1]} is ready: press Extract to read its statements.", "info")

    def extract(self) -> bool:
        """Store the uploaded PDF (once per content) and stage its figures."""
        if not self.user.can_write:
            self.status.show(f"Not extracted: {self.user.explanation}", "error")
            return False
        upload = uploaded_file(self.upload.value)
        if upload is None:
            self.status.show("Could not extract: choose a PDF file first.", "error")
            return False
        data, file_name = upload
        return self.extract_bytes(data, file_name)

    def extract_bytes(self, data: bytes, file_name: str) -> bool:
        """``extract`` for a file given as bytes (a notebook reading from disk)."""
        actor, kind = self.user.actor, self.kind.value
        company_id = int(self.company.value) if self.company.value else None

        def store() -> int:
            with self.db.session(actor) as session:
                return store_document(session, data, file_name, kind=kind, company_id=company_id).id

        document_id = self.status.run("store the document", store)
        if document_id is None:
            return False

        def run_extractor() -> int:
            with self.db.session(actor) as session:
                document = get_record(session, Document, document_id)
                return len(extract_document(session, document))

        extracted = self.status.run("extract the statements", run_extractor)
        failure = None if extracted is not None else self.status.text
        self._open(document_id)
        if extracted is None:
            self.status.show(failure or "Could not extract the statements.", "error")
            return False
        self.status.show(
            f"Read {extracted} figures from {file_name}: review them, then commit.", "ok"
        )
        return True

    def _open(self, document_id: int) -> None:
        self._filling = True
        try:
            with self.db.session() as session:
                set_dropdown_options(self.document, [("—", NEW), *pdf_document_options(session)])
            self.document.value = document_id
        finally:
            self._filling = False
        self.reload()

    def reload(self) -> None:
        """Show the chosen document and its staged figures as stored now."""
        self.staged = {}
        self.document_status = None
        self.document_info.value = ""
        document_id = self.document_id
        if document_id is not None:
            with self.db.session() as session:
                document = get_record(session, Document, document_id)
                self.document_status = document.status.value
                self.document_info.value = _document_html(document)
                self.staged = {
                    line.id: _staged(line) for line in document_lines(session, document_id)
                }
                if document.company_id and not self.company.value:
                    self.company.value = document.company_id
        self._show_lines()

    def _show_lines(self, keep: int | None = None) -> None:
        keep = keep if keep is not None else self.lines.value
        rows = sorted(
            (line for line in self.staged.values() if line.statement == self.statement.value),
            key=lambda line: (-line.period_end.toordinal(), line.id),
        )
        self._filling = True
        try:
            self.lines.options = [(line_label(line), line.id) for line in rows]
            self.lines.value = keep if keep in {line.id for line in rows} else None
        finally:
            self._filling = False
        self._show_selected()

    def _show_selected(self) -> None:
        line = self.staged.get(self.lines.value) if self.lines.value is not None else None
        if line is None:
            self.crop.value = b""
            self.detail.value = (
                "<i>Pick a row to see the figure on its page.</i>" if self.staged else ""
            )
            self._refresh_state()
            return
        self.detail.value = (
            f"<b>{html.escape(line.label)}</b><br>"
            f"{period_text(line.period_end, line.period_months)}, page {line.page + 1}, "
            f"confidence {line.confidence:.2f}<br>"
            f"read: {format_decimal(line.value)} {html.escape(line.currency)}"
            f"<br>decision: {line.review_status.value}"
        )
        self.item.value = line.line_item or ""
        self.corrected.value = (
            format_decimal(line.corrected_value) if line.corrected_value is not None else ""
        )
        self.crop.value = self.crop_png(line)
        self._refresh_state()

    def crop_png(self, line: StagedLine) -> bytes:
        """The page around a figure as PNG bytes (empty when the figure has no box)."""
        if line.bbox is None or self.document_id is None:
            return b""
        with self.db.session() as session:
            path = document_path(get_record(session, Document, self.document_id))
        return render_crop(path, line.page, line.bbox)

    def decide(self, decision: ReviewStatus, line_id: int | None = None) -> bool:
        """Accept (with the corrected value and item shown), reject or reset a row."""
        if not self.user.can_write:
            self.status.show(f"Not saved: {self.user.explanation}", "error")
            return False
        line_id = line_id if line_id is not None else self.lines.value
        line = self.staged.get(line_id) if line_id is not None else None
        if line is None:
            self.status.show("Pick a row first.", "error")
            return False
        corrected_text = self.corrected.value if decision is ReviewStatus.ACCEPTED else ""
        try:
            corrected = parse_decimal(corrected_text)
        except ValueError as exc:
            self.status.show(f"Not saved: corrected value {exc}", "error")
            return False
        new_item = (self.item.value or None) if line_id == self.lines.value else line.line_item
        actor = self.user.actor

        def write() -> StagedLine:
            with self.db.session(actor) as session:
                version = line.version
                if new_item != line.line_item:
                    version = set_line_item(
                        session, line.id, expected_version=version, line_item=new_item
                    ).version
                if (
                    decision is ReviewStatus.ACCEPTED
                    and corrected is None
                    and line.corrected_value is not None
                ):
                    # The review service keeps a correction on a plain re-accept; going
                    # through pending is how a correction is withdrawn.
                    version = set_line_decision(
                        session, line.id, expected_version=version, decision=ReviewStatus.PENDING
                    ).version
                saved = set_line_decision(
                    session,
                    line.id,
                    expected_version=version,
                    decision=decision,
                    corrected_value=corrected if decision is ReviewStatus.ACCEPTED else None,
                )
                return _staged(saved)

        saved = self.status.run("save the decision", write)
        if saved is None:
            return False
        self.staged[saved.id] = saved
        self._refresh_document_info()
        self._show_lines(keep=saved.id)
        self.status.show(
            f"{decision.value.capitalize()}: {saved.label} ({saved.period_end:%Y-%m-%d}).", "ok"
        )
        return True

    def accept_confident(self, threshold: float = 0.9) -> int:
        """Accept every pending, mapped figure read with at least ``threshold`` confidence.

        Where two rows of a period map to the same item (a subtotal printed
        twice), only the more confident is accepted. Returns how many rows
        were accepted.
        """
        if not self.user.can_write:
            self.status.show(f"Not saved: {self.user.explanation}", "error")
            return 0
        chosen: dict[tuple[date, int | None, str], StagedLine] = {}
        for line in self.staged.values():
            if (
                line.review_status is not ReviewStatus.PENDING
                or line.line_item is None
                or line.confidence < threshold
            ):
                continue
            key = (line.period_end, line.period_months, line.line_item)
            if key not in chosen or line.confidence > chosen[key].confidence:
                chosen[key] = line
        taken = {
            (line.period_end, line.period_months, line.line_item)
            for line in self.staged.values()
            if line.review_status is ReviewStatus.ACCEPTED
        }
        batch = [line for key, line in chosen.items() if key not in taken]
        actor = self.user.actor

        def write() -> list[StagedLine]:
            with self.db.session(actor) as session:
                return [
                    _staged(
                        set_line_decision(
                            session,
                            line.id,
                            expected_version=line.version,
                            decision=ReviewStatus.ACCEPTED,
                        )
                    )
                    for line in batch
                ]

        saved = self.status.run("accept the confident rows", write)
        if saved is None:
            return 0
        for line in saved:
            self.staged[line.id] = line
        self._refresh_document_info()
        self._show_lines()
        self.status.show(
            f"Accepted {len(saved)} figures read with confidence {threshold:.2f} or more.", "ok"
        )
        return len(saved)

    def commit(self) -> Any:
        """Write the accepted figures to the chosen company.

        Returns the review service's ``CommitResult``, or None when nothing
        was written (the status line says why).
        """
        if not self.user.can_write:
            self.status.show(f"Not committed: {self.user.explanation}", "error")
            return None
        if self.document_id is None:
            self.status.show("Could not commit: open or extract a document first.", "error")
            return None
        if not self.company.value:
            self.status.show(
                "Could not commit: choose the company these statements belong to.", "error"
            )
            return None
        document_id, company_id = self.document_id, int(self.company.value)
        period_type, scenario, actor = self.period_type.value, self.scenario.value, self.user.actor

        def write() -> Any:
            with self.db.session(actor) as session:
                return commit_document(
                    session,
                    document_id,
                    company_id=company_id,
                    period_type=period_type or None,
                    scenario=scenario,
                )

        result = self.status.run("commit the figures", write)
        if result is None:
            return None
        self.reload()
        self.status.show(
            f"Committed: {result.inserted} figure(s) added, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
            "ok",
        )
        return result

    def summary(self) -> dict[str, int]:
        """How many staged rows per decision (for notebooks and tests)."""
        counts = {status.value: 0 for status in ReviewStatus}
        for line in self.staged.values():
            counts[line.review_status.value] += 1
        return counts

    def _refresh_document_info(self) -> None:
        if self.document_id is None:
            return
        with self.db.session() as session:
            document = get_record(session, Document, self.document_id)
            self.document_status = document.status.value
            self.document_info.value = _document_html(document)

    def _refresh_state(self) -> None:
        writable = self.user.can_write
        open_for_review = self.document_status in ("extracted", "reviewed")
        selected = self.lines.value is not None
        self.extract_button.disabled = not writable or not self.upload.value
        for control in (
            self.accept_button,
            self.reject_button,
            self.reset_button,
            self.corrected,
            self.item,
        ):
            control.disabled = not (writable and open_for_review and selected)
        accepted = any(line.review_status is ReviewStatus.ACCEPTED for line in self.staged.values())
        self.commit_button.disabled = not (
            writable and open_for_review and accepted and self.company.value
        )
        if not writable:
            self.status.show(f"Read-only: {self.user.explanation}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()


def _staged(line: Any) -> StagedLine:
    return StagedLine(
        id=line.id,
        version=line.version,
        statement=line.statement,
        line_item=line.line_item,
        label=line.label,
        period_end=line.period_end,
        period_months=line.period_months,
        value=line.value,
        corrected_value=line.corrected_value,
        currency=line.currency,
        page=line.page,
        bbox=tuple(line.bbox) if line.bbox else None,
        confidence=float(line.confidence),
        review_status=line.review_status,
    )


def _document_html(document: Any) -> str:
    pages = f", {document.pages} pages" if document.pages else ""
    error = (
        f'<br><span style="color:#b00020">Extraction failed: {html.escape(document.error)}</span>'
        if document.error
        else ""
    )
    return (
        f"<b>{html.escape(document.file_name)}</b> ({document.size_bytes / 1024:,.0f} KB{pages}): "
        f"status <b>{html.escape(document.status.value)}</b>{error}"
    )
