"""One input of a form: its description (``FieldSpec``, pure) and its widgets (``Field``).

A ``FieldSpec`` knows how to parse what was typed and how to show a stored
value; validation code uses specs only, so it runs without any widget. A
``Field`` is the spec's input widget plus the error label beside it.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from portfolio_kit.widgets import _parse

KINDS = frozenset(
    {
        "text",
        "long_text",
        "number",
        "percent",
        "percents",
        "integer",
        "currency",
        "date",
        "choice",
        "reference",
        "flag",
        "password",
    }
)

_DESCRIPTION_WIDTH = "170px"
_INPUT_WIDTH = "380px"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A form input, described without widgets.

    Parameters
    ----------
    name
        The model attribute the parsed value is written to.
    label
        What the analyst reads beside the input.
    kind
        How the input is typed and parsed: ``text``, ``long_text``, ``number``
        (a decimal amount), ``percent`` (typed as 2 for 2%, stored as 0.02;
        0 to 100), ``percents`` (one percentage or one per year: "10, 9, 8"),
        ``integer``, ``currency`` (ISO code), ``date``, ``choice`` (an enum),
        ``reference`` (a record picked from the database), ``flag`` or
        ``password``.
    required
        Blank input is refused with "is required".
    choices
        The enum of a ``choice`` field.
    max_length
        Longest accepted text.
    default
        Raw widget value of a new record.
    suggestions
        Known values a ``text`` field offers while still accepting others.
    signed
        A ``percent`` that may fall outside 0 to 100 (a growth rate of -2%).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: type[enum.Enum] | None = None
    max_length: int = 255
    default: Any = None
    suggestions: tuple[str, ...] = ()
    signed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: {self.kind!r} is not one of {sorted(KINDS)}")
        if self.kind == "choice" and self.choices is None:
            raise ValueError(f"choices: field {self.name!r} is a choice and needs its enum")

    def parse(self, raw: Any) -> Any:
        """The typed value of ``raw``; ``ValueError`` says what is wrong."""
        value = self._parse(raw)
        if value is None and self.required:
            raise ValueError("is required")
        return value

    def _parse(self, raw: Any) -> Any:
        kind = self.kind
        if kind in ("text", "long_text", "password"):
            return _parse.parse_text(
                raw, max_length=self.max_length if kind != "long_text" else 100_000
            )
        if kind == "number":
            return _parse.parse_decimal(raw)
        if kind == "percent":
            value = _parse.parse_percent(raw)
            if value is not None and not self.signed and not 0 <= value <= 1:
                raise ValueError(f"must be a percentage from 0 to 100 (got {str(raw).strip()})")
            return value
        if kind == "percents":
            return _parse.parse_percent_list(raw)
        if kind == "integer":
            return _parse.parse_integer(raw)
        if kind == "currency":
            return _parse.parse_currency(raw)
        if kind == "date":
            return _parse.parse_date(raw)
        if kind == "choice":
            assert self.choices is not None
            return _parse.parse_choice(raw, self.choices)
        if kind == "reference":
            return _parse.parse_reference(raw)
        return bool(raw)

    def format(self, value: Any) -> Any:
        """The raw widget value that shows the stored ``value``."""
        kind = self.kind
        if kind in ("number",):
            return _parse.format_decimal(value)
        if kind == "percent":
            return _parse.format_percent(value)
        if kind == "percents":
            return _parse.format_percent_list(value)
        if kind == "integer":
            return "" if value is None else str(value)
        if kind in ("text", "long_text", "currency", "password"):
            return "" if value is None else str(value)
        if kind == "choice":
            return "" if value is None else str(getattr(value, "value", value))
        if kind == "reference":
            return 0 if value is None else value
        if kind == "date":
            return value
        return bool(value)

    def blank_value(self) -> Any:
        """The raw value of a new record's input."""
        if self.default is not None:
            return self.default
        if self.kind == "reference":
            return 0
        if self.kind == "flag":
            return False
        if self.kind == "choice":
            assert self.choices is not None
            return "" if not self.required else str(next(iter(self.choices)).value)
        if self.kind == "date":
            return None
        return ""


def _description(spec: FieldSpec) -> str:
    return spec.label + (" *" if spec.required else "")


def make_input(spec: FieldSpec, *, width: str | None = None) -> widgets.ValueWidget:
    """The input widget for a spec, holding its blank value.

    With ``width`` the input is a compact grid cell: no description, the
    column header says what it is.
    """
    if width is None:
        common: dict[str, Any] = {
            "description": _description(spec),
            "style": {"description_width": _DESCRIPTION_WIDTH},
            "layout": widgets.Layout(width=_INPUT_WIDTH),
        }
    else:
        common = {"layout": widgets.Layout(width=width)}
    kind = spec.kind
    if kind == "long_text":
        return widgets.Textarea(value=spec.blank_value(), rows=2, **common)
    if kind == "password":
        return widgets.Password(value=spec.blank_value(), **common)
    if kind == "date":
        return widgets.DatePicker(value=spec.blank_value(), **common)
    if kind == "choice":
        assert spec.choices is not None
        options = _parse.enum_options(spec.choices, optional=not spec.required)
        return widgets.Dropdown(options=options, value=spec.blank_value(), **common)
    if kind == "reference":
        return widgets.Dropdown(options=[("—", 0)], value=0, **common)
    if kind == "flag":
        return widgets.Checkbox(
            value=spec.blank_value(),
            indent=False,
            description=spec.label if width is None else "",
            layout=widgets.Layout(width=width) if width else widgets.Layout(),
        )
    if kind == "text" and spec.suggestions:
        return widgets.Combobox(
            value=spec.blank_value(), options=list(spec.suggestions), ensure_option=False, **common
        )
    placeholder = {
        "percent": "e.g. 2 for 2%",
        "percents": "e.g. 8, or 10, 9, 8 (one per year)",
        "currency": "e.g. USD",
        "number": "e.g. 1,250,000.00",
    }
    return widgets.Text(value=spec.blank_value(), placeholder=placeholder.get(kind, ""), **common)


def set_dropdown_options(dropdown: widgets.Dropdown, options: Sequence[tuple[str, Any]]) -> None:
    """Replace a dropdown's options, keeping its selection when still offered.

    ipywidgets moves the selection to the first option whenever the options
    change; a form that refreshes its record lists must not lose what the
    analyst picked.
    """
    current = dropdown.value
    options = list(options)
    values = [value for _label, value in options]
    dropdown.options = options
    if current in values:
        dropdown.value = current
    elif options:
        dropdown.index = 0


class Field:
    """A spec's input widget and the error label beside it.

    ``value`` is the raw widget value; ``set`` shows a stored (typed) value;
    ``show_error`` fills or clears the label.
    """

    def __init__(self, spec: FieldSpec, *, width: str | None = None) -> None:
        self.spec = spec
        self.input = make_input(spec, width=width)
        self.error = widgets.HTML(value="", layout=widgets.Layout(margin="0 0 0 8px"))
        self.widget = widgets.HBox([self.input, self.error])

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def value(self) -> Any:
        return self.input.value

    @value.setter
    def value(self, raw: Any) -> None:
        self.input.value = raw

    def set(self, stored: Any) -> None:
        """Show a stored value (a Decimal, a date, an enum member...).

        A reference to a record the dropdown does not list (a soft-deleted
        company) is added as ``#id`` rather than refused.
        """
        raw = self.spec.format(stored)
        if self.spec.kind == "reference" and raw not in [
            value for _label, value in self.input.options
        ]:
            self.input.options = [*self.input.options, (f"#{raw}", raw)]
        self.input.value = raw

    def clear(self) -> None:
        self.input.value = self.spec.blank_value()

    def set_options(self, options: Sequence[tuple[str, Any]]) -> None:
        """The records a ``reference`` field offers: ``(label, id)`` pairs."""
        set_dropdown_options(self.input, [("—", 0), *options])

    def show_error(self, message: str | None) -> None:
        self.error.value = error_html(message) if message else ""

    @property
    def error_text(self) -> str:
        """The message shown beside the input, as plain text ("" when valid)."""
        return html.unescape(_strip_tags(self.error.value))

    def observe(self, handler: Callable[[dict[str, Any]], None]) -> None:
        self.input.observe(handler, names="value")

    @property
    def disabled(self) -> bool:
        return bool(self.input.disabled)

    @disabled.setter
    def disabled(self, flag: bool) -> None:
        self.input.disabled = flag


def error_html(message: str) -> str:
    return f'<span style="color:#b00020">{html.escape(message)}</span>'


def _strip_tags(text: str) -> str:
    out, inside = [], False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)
