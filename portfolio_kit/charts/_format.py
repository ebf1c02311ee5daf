"""Number formats shared by charts, tiles and tables.

One place decides how money, multiples and rates read, so that a figure on a
tile, in a table and on a chart axis looks the same: ``$1,150.0m``,
``1.85x``, ``18.2%``. Every helper accepts ``None``, NaN or infinity and
returns :data:`NOT_AVAILABLE` for them, because a dashboard must never print
``nan``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from numbers import Real
from typing import Any, Literal

NOT_AVAILABLE = "\u2013"
"""Shown in place of a figure that cannot be computed (an en dash, as in printed reports)."""

CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CHF": "CHF ",
    "CAD": "C$",
    "AUD": "A$",
}
"""Symbols written before an amount; other ISO codes are written as ``SEK 12.3m``."""

Scale = Literal["auto", "units", "k", "m", "bn"]

_SCALES: dict[str, tuple[float, str]] = {
    "units": (1.0, ""),
    "k": (1e3, "k"),
    "m": (1e6, "m"),
    "bn": (1e9, "bn"),
}


def _as_float(value: Any) -> float | None:
    """A finite float, or None for missing, NaN and infinite values."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return None
    number = float(value)
    return number if math.isfinite(number) else None


def currency_prefix(currency: str | None) -> str:
    """``$`` for USD, ``€`` for EUR, ``SEK `` for codes without a common symbol."""
    if not currency:
        return ""
    return CURRENCY_SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def _auto_scale(magnitude: float) -> str:
    if magnitude >= 1e9:
        return "bn"
    if magnitude >= 1e6:
        return "m"
    if magnitude >= 1e3:
        return "k"
    return "units"


def format_money(
    value: Any,
    currency: str | None = "USD",
    *,
    scale: Scale = "m",
    decimals: int = 1,
) -> str:
    """An amount of money as a partner reads it: ``$1,150.0m``, ``-$12.5m``, ``€3.20bn``.

    Parameters
    ----------
    value
        The amount in currency units (not millions); None/NaN gives
        :data:`NOT_AVAILABLE`.
    currency
        ISO 4217 code; ``USD`` becomes ``$``; None writes no symbol.
    scale
        ``"m"`` (default) divides by one million and appends ``m``, ``"bn"``
        by one billion, ``"k"`` by one thousand, ``"units"`` writes the amount
        as is, ``"auto"`` picks the largest of those that keeps the figure at
        least 1.
    decimals
        Digits after the decimal point.

    Returns
    -------
    str, with the minus sign before the currency symbol.
    """
    number = _as_float(value)
    if number is None:
        return NOT_AVAILABLE
    chosen = _auto_scale(abs(number)) if scale == "auto" else scale
    if chosen not in _SCALES:
        raise ValueError(f"scale: must be one of auto, units, k, m, bn (got {scale!r})")
    divisor, suffix = _SCALES[chosen]
    scaled = number / divisor
    text = f"{abs(scaled):,.{decimals}f}"
    rounds_to_zero = float(text.replace(",", "")) == 0.0
    sign = "-" if scaled < 0 and not rounds_to_zero else ""
    return f"{sign}{currency_prefix(currency)}{text}{suffix}"


def format_multiple(value: Any, *, decimals: int = 2) -> str:
    """A multiple of money (TVPI, MOIC, leverage): ``1.85x``."""
    number = _as_float(value)
    if number is None:
        return NOT_AVAILABLE
    return f"{number:,.{decimals}f}x"


def format_pct(value: Any, *, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.182 is ``18.2%``; ``signed`` writes ``+4.0%`` for growth."""
    number = _as_float(value)
    if number is None:
        return NOT_AVAILABLE
    percent = number * 100.0
    return f"{percent:+,.{decimals}f}%" if signed else f"{percent:,.{decimals}f}%"


def format_number(value: Any, *, decimals: int = 0) -> str:
    """A plain count or ratio with thousands separators: ``1,204``."""
    number = _as_float(value)
    if number is None:
        return NOT_AVAILABLE
    return f"{number:,.{decimals}f}"


def _missing_date(value: Any) -> bool:
    """None, NaT (which pretends to be a datetime) or NaN."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_date(value: Any) -> str:
    """A date as ``31 Dec 2025``: unambiguous in every locale a fund reports to."""
    if _missing_date(value):
        return NOT_AVAILABLE
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            import pandas as pd

            stamp = pd.Timestamp(value)
        except (TypeError, ValueError):
            return NOT_AVAILABLE
        if stamp is pd.NaT or pd.isna(stamp):
            return NOT_AVAILABLE
        value = stamp.date()
    return f"{value.day} {value:%b %Y}"


def format_quarter(value: Any) -> str:
    """The calendar quarter of a date: ``Q4 2025``."""
    if _missing_date(value):
        return NOT_AVAILABLE
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        import pandas as pd

        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return NOT_AVAILABLE
        value = stamp.date()
    return f"Q{(value.month - 1) // 3 + 1} {value.year}"
