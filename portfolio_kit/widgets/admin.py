"""Users and fund grants: what an admin manages.

Only an admin may use these forms (an analyst sees them read-only). A
password is never shown or logged: the audit trail records ``***`` when it
changes. Grants decide which funds a partner's dashboards show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import Base, Fund, Role, User
from portfolio_kit.security import (
    add_user,
    check_password_strength,
    grant_fund,
    hash_password,
    revoke_fund,
)
from portfolio_kit.services.records import get_record, update_record
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import FieldSpec, set_dropdown_options
from portfolio_kit.widgets._form import NEW, RecordForm
from portfolio_kit.widgets._lookups import fund_options, granted_fund_ids, user_options
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.session import ActingUser


class UserForm(RecordForm):
    """Create a user, change their name, role or active flag, or reset a password.

    The password is required for a new user and optional when editing (blank
    keeps the current one).
    """

    model = User
    title = "User"
    admin_only = True
    specs = (
        FieldSpec("email", "E-mail", required=True, max_length=320),
        FieldSpec("name", "Name", required=True, max_length=200),
        FieldSpec("role", "Role", "choice", required=True, choices=Role, default="analyst"),
        FieldSpec("active", "Active", "flag", default=True),
        FieldSpec("password", "Password", "password", max_length=200),
    )

    def values(self) -> dict[str, Any]:
        return {**super().values(), "record_id": self.record_id or NEW}

    @classmethod
    def check(cls, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        parsed, errors = super().check(values)
        password = parsed.get("password")
        if "password" not in errors:
            if password is None and not values.get("record_id"):
                errors["password"] = "is required for a new user"
            elif password is not None:
                try:
                    check_password_strength(password)
                except ValidationError as exc:
                    errors["password"] = exc.reason
        return parsed, errors

    def _option_label(self, record: Any) -> str:
        inactive = "" if record.active else ", deactivated"
        return f"{record.email} ({record.role.value}{inactive})"

    def _picker_order(self) -> list[Any]:
        return [User.email]

    def _changes(self, parsed: Mapping[str, Any]) -> dict[str, Any]:
        changes = {name: parsed[name] for name in ("email", "name", "role", "active")}
        if parsed.get("password"):
            changes["password"] = parsed["password"]
        return changes

    def _create(self, session: Session, changes: Mapping[str, Any]) -> Base:
        user = add_user(
            session,
            email=changes["email"],
            name=changes["name"],
            password=changes["password"],
            role=changes["role"],
        )
        user.active = bool(changes["active"])
        return user

    def _update(
        self, session: Session, record_id: int, version: int, changes: Mapping[str, Any]
    ) -> Base:
        values = {name: value for name, value in changes.items() if name != "password"}
        if "password" in changes:
            values["password_hash"] = hash_password(changes["password"])
        return update_record(session, User, record_id, expected_version=version, changes=values)


class FundGrantForm(WidgetDisplay):
    """Which funds a partner may see: tick the funds, save."""

    def __init__(
        self, db: Database, *, user: ActingUser | None = None, partner_id: int | None = None
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.partner = widgets.Dropdown(
            description="Partner", options=[("—", NEW)], layout=widgets.Layout(width="420px")
        )
        self.funds: dict[int, widgets.Checkbox] = {}
        self.fund_box = widgets.VBox()
        self.save_button = widgets.Button(
            description="Save grants", button_style="primary", icon="save"
        )
        self.status = StatusBar(on_reload=self.reload)
        self._granted: set[int] = set()
        self._filling = False
        self.save_button.on_click(lambda _button: self.save())
        self.partner.observe(
            lambda _change: (
                None if self._filling else self.status.run("load the grants", self._load_grants)
            ),
            names="value",
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Fund grants</b> (the funds a partner's dashboards show)"),
                self.partner,
                self.fund_box,
                self.save_button,
                self.status.widget,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        self.reload()
        if partner_id is not None:
            self.partner.value = partner_id

    def _plain_text(self) -> str:
        return "FundGrantForm: funds a partner may see"

    def reload(self) -> None:
        self._filling = True
        try:
            with self.db.session() as session:
                set_dropdown_options(
                    self.partner, [("—", NEW), *user_options(session, role=Role.PARTNER)]
                )
                funds = fund_options(session)
        finally:
            self._filling = False
        self.funds = {}
        for label, fund_id in funds:
            checkbox = widgets.Checkbox(value=False, description=label, indent=False)
            checkbox.observe(lambda _change: run_quietly(self._refresh_state), names="value")
            self.funds[fund_id] = checkbox
        self.fund_box.children = list(self.funds.values())
        self._load_grants()

    def _load_grants(self) -> None:
        partner_id = self.partner.value
        with self.db.session() as session:
            self._granted = set(granted_fund_ids(session, int(partner_id))) if partner_id else set()
        self._filling = True
        try:
            for fund_id, checkbox in self.funds.items():
                checkbox.value = fund_id in self._granted
        finally:
            self._filling = False
        self._refresh_state()

    def selected(self) -> set[int]:
        return {fund_id for fund_id, checkbox in self.funds.items() if checkbox.value}

    def _writable(self) -> bool:
        return self.user.can_write and self.user.is_admin

    def _refresh_state(self) -> None:
        if self._filling:
            return
        writable = self._writable()
        for checkbox in self.funds.values():
            checkbox.disabled = not writable or not self.partner.value
        self.save_button.disabled = (
            not writable or not self.partner.value or self.selected() == self._granted
        )
        if not writable:
            note = (
                self.user.explanation
                or f"only an admin can grant funds ({self.user.describe().lower()})"
            )
            self.status.show(f"Read-only: {note}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def save(self) -> bool:
        """Grant the ticked funds and revoke the unticked ones, in one transaction."""
        if not self._writable():
            note = self.user.explanation or "only an admin can grant funds"
            self.status.show(f"Not saved: {note}", "error")
            return False
        if not self.partner.value:
            self.status.show("Could not save the grants: pick a partner first.", "error")
            return False
        partner_id, wanted, granted, actor = (
            int(self.partner.value),
            self.selected(),
            set(self._granted),
            self.user.actor,
        )

        def write() -> tuple[int, int]:
            with self.db.session(actor) as session:
                partner = get_record(session, User, partner_id)
                for fund_id in sorted(wanted - granted):
                    grant_fund(session, partner, get_record(session, Fund, fund_id))
                for fund_id in sorted(granted - wanted):
                    revoke_fund(session, partner, get_record(session, Fund, fund_id))
            return len(wanted - granted), len(granted - wanted)

        outcome = self.status.run("save the grants", write)
        if outcome is None:
            return False
        self._load_grants()
        added, removed = outcome
        self.status.show(f"Saved: {added} fund(s) granted, {removed} revoked.", "ok")
        return True
