"""The shared shape of a record form: pick, edit, validate, save, reload.

``check_values`` is the pure validation every form uses: it parses each
field, then hands the parsed values to a transient (session-less) instance of
the model, so the same rules that guard every database write (``@validates``
and ``validate_record``) speak next to the fields before anything is sent.
Rules that need the database (a unique name, a date before the fund's first
close) are checked again when saving, and their refusal is shown the same
way.

``RecordForm`` is composed, not inherited from a widget: it owns its widgets
and exposes the top one as ``.widget``. Subclasses declare the model, the
field specs and, for records that belong to a fund or company, the
``scope`` field whose dropdown narrows the record list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar

import ipywidgets as widgets
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import Base
from portfolio_kit.services.records import create_record, get_record, last_change, update_record
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import Field, FieldSpec, set_dropdown_options
from portfolio_kit.widgets._lookups import Option, record_options
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.session import ActingUser

CrossCheck = Callable[[Mapping[str, Any]], Mapping[str, str]]

NEW = 0
"""The record picker's value for "a new record" (ids start at 1)."""


def check_values(
    specs: Sequence[FieldSpec],
    values: Mapping[str, Any],
    model: type[Base] | None = None,
    checks: Iterable[CrossCheck] = (),
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse and validate raw form values without touching the database.

    Parameters
    ----------
    specs
        The form's fields.
    values
        Raw widget values by field name; a missing name counts as blank.
    model
        The model whose column validators and ``validate_record`` also run,
        on a transient instance holding the parsed values. A blank optional
        field is left unset: the form may fill it when saving (a currency
        taken from the company). Amounts are brought to their column's
        scale, and digits beyond it are refused rather than rounded away.
    checks
        Extra rules of the form, each returning ``{field: message}``; they
        run only when every field parsed.

    Returns
    -------
    (parsed, errors)
        ``parsed`` maps each valid field to its typed value; ``errors`` maps
        each invalid field to a sentence ("must be a number ...").
    """
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        raw = values.get(spec.name, spec.blank_value())
        try:
            parsed[spec.name] = spec.parse(raw)
        except ValueError as exc:
            errors[spec.name] = str(exc)
    if model is not None:
        columns = {attr.key: attr.columns[0] for attr in inspect(model).column_attrs}
        required = {spec.name for spec in specs if spec.required}
        probe = model()
        for name, value in parsed.items():
            if name not in columns or name in errors:
                continue
            if value is None and name not in required:
                continue
            if isinstance(value, Decimal):
                try:
                    value = parsed[name] = _at_column_scale(value, columns[name])
                except ValueError as exc:
                    errors[name] = str(exc)
                    continue
            try:
                setattr(probe, name, value)
            except ValidationError as exc:
                errors.setdefault(exc.field if exc.field in parsed else name, exc.reason)
        if not errors and all(parsed.get(spec.name) is not None for spec in specs if spec.required):
            try:
                probe.validate_record()
            except ValidationError as exc:
                errors[exc.field] = exc.reason
    if not errors:
        for check in checks:
            for field, message in check(parsed).items():
                errors.setdefault(field, message)
    return parsed, errors


def _at_column_scale(value: Decimal, column: Any) -> Decimal:
    """``value`` with exactly the decimals its column stores (500000000 becomes
    500000000.00), refusing digits the column would silently round away."""
    scale = getattr(column.type, "scale", None)
    if not isinstance(scale, int):
        return value
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > scale:
        unit = "decimal place" if scale == 1 else "decimal places"
        raise ValueError(f"has more than {scale} {unit} (got {value})")
    return value.quantize(Decimal(1).scaleb(-scale))


class RecordForm(WidgetDisplay):
    """Create and edit one kind of record.

    Subclasses set ``model``, ``title``, ``specs`` and optionally ``scope``
    (the name of a ``reference`` spec such as ``company_id``): the scope is
    picked in its own dropdown above the record list and fills that field of
    new records. Override ``_reference_options`` to fill reference fields,
    ``_picker_options`` to list records, and ``_changes`` to map parsed
    values onto columns.
    """

    model: ClassVar[type[Base]]
    title: ClassVar[str]
    specs: ClassVar[tuple[FieldSpec, ...]]
    scope: ClassVar[str | None] = None
    cross_checks: ClassVar[tuple[CrossCheck, ...]] = ()
    admin_only: ClassVar[bool] = False

    def __init__(
        self, db: Database, *, user: ActingUser | None = None, scope_id: int | None = None
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.record_id: int | None = None
        self.version: int | None = None
        self._busy = False
        self.fields: dict[str, Field] = {
            spec.name: Field(spec) for spec in self.specs if spec.name != self.scope
        }
        self.scope_picker: widgets.Dropdown | None = None
        if self.scope is not None:
            scope_spec = next(spec for spec in self.specs if spec.name == self.scope)
            self.scope_picker = widgets.Dropdown(
                description=scope_spec.label,
                options=[("—", NEW)],
                style={"description_width": "170px"},
                layout=widgets.Layout(width="380px"),
            )
        self.picker = widgets.Dropdown(
            description="Record",
            options=[(self._new_label(), NEW)],
            style={"description_width": "170px"},
            layout=widgets.Layout(width="520px"),
        )
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="save")
        self.new_button = widgets.Button(description="New", icon="plus")
        self.status = StatusBar(on_reload=self.reload)
        self.last_changed = widgets.HTML(value="")
        self.header = widgets.HTML(value=f"<b>{self.title}</b>")
        self.save_button.on_click(lambda _button: self.save())
        self.new_button.on_click(lambda _button: self.status.run("start a new record", self.new))
        for field in self.fields.values():
            field.observe(self._on_field_change)
        self.picker.observe(self._on_pick, names="value")
        if self.scope_picker is not None:
            self.scope_picker.observe(self._on_scope, names="value")
        self.widget = widgets.VBox(
            [
                self.header,
                *([self.scope_picker] if self.scope_picker is not None else []),
                self.picker,
                *(field.widget for field in self.fields.values()),
                widgets.HBox([self.save_button, self.new_button, *self._extra_buttons()]),
                self.status.widget,
                self.last_changed,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        self.refresh_lists()
        if self.scope_picker is not None and scope_id is not None:
            self.scope_picker.value = scope_id
        self.new()

    def _new_label(self) -> str:
        return f"— new {self.title.lower()} —"

    def _plain_text(self) -> str:
        return f"{type(self).__name__}: {self.title}"

    def _extra_buttons(self) -> list[widgets.Widget]:
        return []

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        """Options of each reference field (including the scope): ``{name: [(label, id)]}``."""
        return {}

    def _option_label(self, record: Any) -> str:
        """How the record picker names a record."""
        return str(record.audit_label())

    def _picker_order(self) -> list[Any]:
        return []

    def _picker_options(self, session: Session, scope_id: int | None) -> list[Option]:
        """The records the picker lists (within the scope, if any)."""
        where = []
        if self.scope is not None:
            where.append(getattr(self.model, self.scope) == (scope_id or -1))
        return record_options(
            session, self.model, self._option_label, where=where, order_by=self._picker_order()
        )

    def _changes(self, parsed: Mapping[str, Any]) -> dict[str, Any]:
        """Column values to write, from the parsed form values."""
        columns = {attr.key for attr in inspect(self.model).column_attrs}
        return {name: value for name, value in parsed.items() if name in columns}

    def _derived(self, session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Values that follow from others and need the database (a fund's currency);
        runs inside the saving transaction."""
        return dict(changes)

    def _create(self, session: Session, changes: Mapping[str, Any]) -> Base:
        return create_record(session, self.model, changes)

    def _update(
        self, session: Session, record_id: int, version: int, changes: Mapping[str, Any]
    ) -> Base:
        return update_record(
            session, self.model, record_id, expected_version=version, changes=changes
        )

    def _after_load(self, record: Base | None) -> None:
        """Hook for forms that show more than their fields (buttons, tables)."""

    @property
    def scope_id(self) -> int | None:
        if self.scope_picker is None or not self.scope_picker.value:
            return None
        return int(self.scope_picker.value)

    def values(self) -> dict[str, Any]:
        """The raw widget values, by field name (the scope included)."""
        raw = {name: field.value for name, field in self.fields.items()}
        if self.scope is not None:
            raw[self.scope] = self.scope_id or NEW
        return raw

    @classmethod
    def check(cls, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Parsed values and errors for raw ``values`` (pure: no database)."""
        return check_values(cls.specs, values, cls.model, cls.cross_checks)

    @classmethod
    def validate(cls, values: Mapping[str, Any]) -> dict[str, str]:
        """``{field: message}`` for every invalid field of raw ``values``; pure."""
        return cls.check(values)[1]

    @property
    def errors(self) -> dict[str, str]:
        return self.validate(self.values())

    def refresh_lists(self) -> None:
        """Reload the dropdowns (references, scope and record list) from the database."""
        with self.db.session() as session:
            references = self._reference_options(session)
            with self._quiet():
                if self.scope_picker is not None:
                    set_dropdown_options(
                        self.scope_picker, [("—", NEW), *references.get(self.scope or "", [])]
                    )
                for name, options in references.items():
                    if name in self.fields:
                        self.fields[name].set_options(options)
            picker = self._picker_options(session, self.scope_id)
        with self._quiet():
            set_dropdown_options(self.picker, [(self._new_label(), NEW), *picker])

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change widgets without their observers reacting (loading is not editing)."""
        previous, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = previous

    def new(self) -> None:
        """Empty the form for a new record (in the current scope)."""
        with self._quiet():
            self.record_id = None
            self.version = None
            self.picker.value = NEW
            for field in self.fields.values():
                field.clear()
        self.last_changed.value = ""
        self._after_load(None)
        self._refresh_state()

    def load(self, record_id: int) -> None:
        """Show the stored values of a record and remember its version."""
        with self.db.session() as session:
            record = get_record(session, self.model, record_id, include_deleted=True)
            change = last_change(session, record)
            values = {name: getattr(record, name, None) for name in self.fields}
            scope_value = getattr(record, self.scope) if self.scope else None
            record_label = self._option_label(record)
            version = getattr(record, "version", None)
        with self._quiet():
            if (
                self.scope_picker is not None
                and scope_value is not None
                and self.scope_picker.value != scope_value
            ):
                self.scope_picker.value = scope_value
                self.refresh_lists()
            self.record_id = record_id
            self.version = version
            if record_id not in [value for _label, value in self.picker.options]:
                self.picker.options = [*self.picker.options, (record_label, record_id)]
            self.picker.value = record_id
            for name, value in values.items():
                self.fields[name].set(value)
        self.last_changed.value = describe_change(change)
        self._after_load(record)
        self._refresh_state()

    def reload(self) -> None:
        """Drop unsaved edits and show the record as stored now."""
        self.refresh_lists()
        if self.record_id is None:
            self.new()
        else:
            self.load(self.record_id)
        self.status.show("Reloaded the stored values.", "info")

    def save(self) -> bool:
        """Validate and write; True when the record was saved."""
        if not self.user.can_write or (self.admin_only and not self.user.is_admin):
            self.status.show(f"Not saved: {self._permission_note()}", "error")
            return False
        parsed, errors = self.check(self.values())
        self._show_errors(errors)
        if errors:
            self.status.show("Not saved: correct the fields marked in red.", "error")
            return False
        changes = self._changes(parsed)
        actor = self.user.actor

        def write() -> tuple[int, str]:
            with self.db.session(actor) as session:
                values = self._derived(session, changes)
                if self.record_id is None:
                    record = self._create(session, values)
                else:
                    record = self._update(session, self.record_id, self.version or 0, values)
                session.flush()
                return int(record.id), record.audit_label()  # type: ignore[attr-defined]

        outcome = self.status.run("save", write, on_field_error=self._field_error)
        if outcome is None:
            return False
        record_id, label = outcome
        self.refresh_lists()
        self.load(record_id)
        self.status.show(f"Saved {label}.", "ok")
        return True

    def _field_error(self, field: str, message: str) -> None:
        if field in self.fields:
            self.fields[field].show_error(message)

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        for name, field in self.fields.items():
            field.show_error(errors.get(name))

    def _permission_note(self) -> str:
        if self.admin_only and self.user.actor is not None and not self.user.is_admin:
            who = self.user.describe().lower()
            return f"only an admin can change {self.title.lower()} records ({who})"
        return self.user.explanation

    def _writable(self) -> bool:
        return self.user.can_write and (not self.admin_only or self.user.is_admin)

    def _refresh_state(self) -> None:
        """Show errors and enable Save only when the form is valid and the user may write."""
        writable = self._writable()
        for field in self.fields.values():
            field.disabled = not writable
        errors = self.errors
        self._show_errors(errors)
        self.save_button.disabled = bool(errors) or not writable
        if not writable:
            self.status.show(f"Read-only: {self._permission_note()}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def _on_field_change(self, _change: dict[str, Any]) -> None:
        if not self._busy:
            run_quietly(self._refresh_state)

    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        if change["new"] in (NEW, None):
            self.status.run("start a new record", self.new)
        else:
            self.status.clear()
            self.status.run("load the record", lambda: self.load(int(change["new"])))

    def _on_scope(self, _change: dict[str, Any]) -> None:
        if self._busy:
            return
        self.status.run("list the records", self.refresh_lists)
        self.status.run("start a new record", self.new)


def describe_change(change: Any) -> str:
    """ "Last changed by X on 2025-12-31 14:05 UTC (update)" for an audit row, or ""."""
    if change is None:
        return ""
    when = change.at.strftime("%Y-%m-%d %H:%M UTC")
    return f"Last changed by {change.actor} on {when} ({change.action.value})"
