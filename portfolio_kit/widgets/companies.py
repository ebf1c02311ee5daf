"""Portfolio companies: lifecycle status, soft delete and restore.

Deleting a company hides it from every list and report but keeps its
history (statements, valuations, audit trail); "Restore" brings it back.
Both are saved with the same version check as an edit, so a delete cannot
silently undo somebody else's change.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.models import CompanyStatus, PortfolioCompany
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets._fields import FieldSpec
from portfolio_kit.widgets._form import RecordForm
from portfolio_kit.widgets._lookups import Option, company_options
from portfolio_kit.widgets.session import ActingUser


class CompanyForm(RecordForm):
    """A portfolio company, from pipeline to exit, with soft delete and restore."""

    model = PortfolioCompany
    title = "Portfolio company"
    specs = (
        FieldSpec("name", "Name", required=True, max_length=200),
        FieldSpec("status", "Lifecycle status", "choice", required=True, choices=CompanyStatus),
        FieldSpec("sector", "Sector", required=True, max_length=100),
        FieldSpec("geography", "Geography", required=True, max_length=100),
        FieldSpec("currency", "Reporting currency", "currency", required=True, default="USD"),
        FieldSpec(
            "fiscal_year_end_month", "Fiscal year-end month", "integer", required=True, default="12"
        ),
        FieldSpec("description", "Description", "long_text"),
    )

    def __init__(self, db: Database, *, user: ActingUser | None = None) -> None:
        self.include_deleted = widgets.Checkbox(
            value=False, description="List deleted companies", indent=False
        )
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", button_style="danger"
        )
        self.restore_button = widgets.Button(description="Restore", icon="undo")
        self._deleted = False
        super().__init__(db, user=user)
        self.widget.children = [
            self.widget.children[0],
            self.include_deleted,
            *self.widget.children[1:],
        ]
        self.include_deleted.observe(
            lambda _change: self.status.run("list the companies", self.refresh_lists), names="value"
        )
        self.delete_button.on_click(lambda _button: self.delete())
        self.restore_button.on_click(lambda _button: self.restore())

    def _extra_buttons(self) -> list[widgets.Widget]:
        return [self.delete_button, self.restore_button]

    def _picker_options(self, session: Session, scope_id: int | None) -> list[Option]:
        return company_options(session, include_deleted=self.include_deleted.value)

    def _option_label(self, record: Any) -> str:
        return f"{record.name} (deleted)" if record.is_deleted else str(record.name)

    def _after_load(self, record: Any) -> None:
        self._deleted = bool(record is not None and record.is_deleted)
        if self._deleted:
            self.status.show("This company is deleted: restore it to edit it.", "info")

    def _refresh_state(self) -> None:
        super()._refresh_state()
        writable = self._writable()
        stored = self.record_id is not None
        self.delete_button.disabled = not (writable and stored and not self._deleted)
        self.restore_button.disabled = not (writable and stored and self._deleted)
        if self._deleted:
            self.save_button.disabled = True

    def delete(self) -> bool:
        """Soft-delete the loaded company (reversible with ``restore``)."""
        return self._set_deleted(True)

    def restore(self) -> bool:
        """Bring a soft-deleted company back into every list."""
        return self._set_deleted(False)

    def _set_deleted(self, deleted: bool) -> bool:
        what = "delete the company" if deleted else "restore the company"
        if self.record_id is None:
            self.status.show(f"Could not {what}: pick a company first.", "error")
            return False
        if not self._writable():
            self.status.show(f"Not saved: {self._permission_note()}", "error")
            return False
        record_id, version, actor = self.record_id, self.version or 0, self.user.actor

        def write() -> str:
            with self.db.session(actor) as session:
                company = update_record(
                    session, PortfolioCompany, record_id, expected_version=version, changes={}
                )
                if deleted:
                    company.soft_delete()
                else:
                    company.restore()
                return str(company.name)

        name = self.status.run(what, write)
        if name is None:
            return False
        if deleted and not self.include_deleted.value:
            self.refresh_lists()
            self.new()
        else:
            self.refresh_lists()
            self.load(record_id)
        self.status.show(f"{'Deleted' if deleted else 'Restored'} {name}.", "ok")
        return True
