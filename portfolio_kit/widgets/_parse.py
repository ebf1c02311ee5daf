"""Turning what an analyst typed into typed values, and back.

Pure functions: a parser takes the raw widget value (text, a date or a
dropdown choice) and returns the value a model column holds, or raises
``ValueError`` with a sentence that a form shows next to the field. A
formatter does the reverse when a stored record is loaded into a form.

Amounts are typed as text rather than in a numeric widget because a numeric
widget cannot be empty (an optional amount would silently become 0) and
clamps out-of-range input instead of saying what is wrong.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_PERCENT = Decimal(100)


def blank(raw: Any) -> bool:
    """True for an empty input: None, an empty or all-blank string."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_text(raw: Any, *, max_length: int = 255) -> str | None:
    """Trimmed text, None when blank."""
    if blank(raw):
        return None
    value = str(raw).strip()
    if len(value) > max_length:
        raise ValueError(f"must be at most {max_length} characters (got {len(value)})")
    return value


def parse_decimal(raw: Any) -> Decimal | None:
    """A number typed as text: ``1,250,000.50``, ``1 250 000``, ``-3.5``, or blank.

    Thousands separators (comma, space, underscore) are dropped; accounting
    brackets ``(120)`` mean -120, as printed in statements.
    """
    if blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"must be a number (got {raw!r})")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    text = str(raw).strip().replace(",", "").replace("_", "").replace(" ", "").replace("\u00a0", "")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(
            f"must be a number such as 1,250,000.50 (got {str(raw).strip()!r})"
        ) from None
    if not value.is_finite():
        raise ValueError(f"must be a finite number (got {str(raw).strip()!r})")
    return -value if negative else value


def parse_percent(raw: Any) -> Decimal | None:
    """A percentage typed as ``2`` or ``2%`` stored as the fraction 0.02."""
    if blank(raw):
        return None
    text = str(raw).strip().rstrip("%").strip()
    number = parse_decimal(text)
    if number is None:
        raise ValueError(f"must be a percentage such as 2 or 2.5% (got {str(raw).strip()!r})")
    return number / _PERCENT


def parse_percent_list(raw: Any) -> tuple[Decimal, ...] | None:
    """One percentage or one per year, comma-separated: ``"10, 9, 8"`` is (0.10, 0.09, 0.08).

    Semicolons also separate, for analysts whose decimal mark is a comma in
    their spreadsheets; a decimal comma itself is not accepted.
    """
    if blank(raw):
        return None
    if isinstance(raw, list | tuple):
        parts = [str(part) for part in raw]
    else:
        parts = str(raw).replace(";", ",").split(",")
    values = []
    for position, part in enumerate(parts, start=1):
        if blank(part):
            raise ValueError(
                f"value {position} is empty: write one percentage per year, e.g. 10, 9, 8"
            )
        try:
            value = parse_percent(part)
        except ValueError:
            raise ValueError(
                f"value {position} must be a percentage such as 8 or 8.5 (got {part.strip()!r})"
            ) from None
        assert value is not None
        values.append(value)
    return tuple(values)


def parse_integer(raw: Any) -> int | None:
    """A whole number typed as text, or blank."""
    number = parse_decimal(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"must be a whole number (got {str(raw).strip()!r})")
    return int(number)


def parse_currency(raw: Any) -> str | None:
    """A three-letter currency code, upper-cased (``usd`` becomes ``USD``)."""
    if blank(raw):
        return None
    return str(raw).strip().upper()


def parse_date(raw: Any) -> date | None:
    """A date from a date picker (or an ISO ``YYYY-MM-DD`` string)."""
    if blank(raw):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"must be a date written YYYY-MM-DD (got {str(raw).strip()!r})") from None


def parse_choice(raw: Any, enum_cls: type[enum.Enum]) -> enum.Enum | None:
    """A member of ``enum_cls`` from its value; blank (``""``) is None."""
    if blank(raw):
        return None
    if isinstance(raw, enum_cls):
        return raw
    try:
        return enum_cls(raw)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_cls)
        raise ValueError(f"must be one of {allowed} (got {raw!r})") from None


def parse_reference(raw: Any) -> int | None:
    """The id picked in a record dropdown; 0 is the "none" entry."""
    if raw in (None, 0, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"must be picked from the list (got {raw!r})")
    return raw


def format_decimal(value: Decimal | float | int | None) -> str:
    """Stored number to text with thousands separators and no trailing zeros
    beyond the cents (``1250000.00`` shows as ``1,250,000.00``)."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    exponent = -number.normalize().as_tuple().exponent
    places = max(2, int(exponent)) if isinstance(exponent, int) else 2
    return f"{number:,.{places}f}"


def format_percent(value: Decimal | float | None) -> str:
    """A stored fraction as the percentage an analyst types (0.02 shows as 2)."""
    if value is None:
        return ""
    number = (Decimal(str(value)) * _PERCENT).normalize()
    if number == number.to_integral_value():
        return f"{number:.0f}"
    return format(number, "f")


def format_percent_list(values: Any, places: int = 2) -> str:
    """Fractions as the percentages an analyst types, one number when all years agree.

    Rounded to ``places`` decimals: a default derived from history (a CAGR of
    7.8912...%) shows as 7.89, and what is shown is what gets computed.
    """
    if values is None:
        return ""
    if not isinstance(values, list | tuple):
        values = [values]
    shown = [_rounded_percent(value, places) for value in values]
    return shown[0] if len(set(shown)) == 1 else ", ".join(shown)


def _rounded_percent(value: Any, places: int) -> str:
    number = (Decimal(str(value)) * _PERCENT).quantize(Decimal(1).scaleb(-places)).normalize()
    text = format(number, "f")
    return "0" if text in ("-0", "0") else text


def enum_options(enum_cls: type[enum.Enum], *, optional: bool = False) -> list[tuple[str, str]]:
    """Dropdown options for an enum: ``("Capital call", "capital_call")``."""
    options = [
        (str(member.value).replace("_", " ").capitalize(), str(member.value)) for member in enum_cls
    ]
    return [("—", ""), *options] if optional else options
