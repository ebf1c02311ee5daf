"""Read one printed figure the way an accountant wrote it.

Statements print negatives in parentheses ``(1,017)`` or with a trailing
minus ``1,017-``, zero as a dash ``—``, and put the currency symbol either in
its own column or glued to the number. Anything else (years inside a label,
percentages, footnote letters) is not a figure and returns ``None`` so that
the caller never invents a number from text.
"""

from __future__ import annotations

import re

_DASHES = frozenset({"-", "--", "---", "\u2014", "\u2013", "\u2012", "\u2015", "\u2212"})
_CURRENCY_SYMBOLS = "$€£¥"
_AMOUNT = re.compile(
    r"""
    ^(?P<lead_minus>[-\u2212])?
    (?P<open>\()?
    [$€£¥]?
    (?P<digits>\d{1,3}(?:,\d{3})+|\d+)
    (?P<decimals>\.\d+)?
    (?P<close>\))?
    (?P<trail_minus>-)?$
    """,
    re.VERBOSE,
)
_FOOTNOTE_MARKER = re.compile(r"^\((?:\d{1,2}|[a-z]{1,2}|[ivx]{1,4})\)$|^\*{1,3}$|^[†‡§]$")


def is_dash(token: str) -> bool:
    """True for a dash that stands for zero in a statement column."""
    return token.strip() in _DASHES


def is_currency_symbol(token: str) -> bool:
    """True for a bare currency symbol printed in its own column."""
    return len(token) == 1 and token in _CURRENCY_SYMBOLS


def is_footnote_marker(token: str) -> bool:
    """True for markers such as ``(1)``, ``(a)``, ``*``, ``†`` that refer to a footnote."""
    return bool(_FOOTNOTE_MARKER.match(token.strip()))


def parse_amount(token: str) -> float | None:
    """The value of one printed figure, or ``None`` when the token is not a figure.

    Parameters
    ----------
    token : str
        One word as printed, e.g. ``"1,577"``, ``"(1,577)"``, ``"$1,577"``,
        ``"1,577-"``, ``"—"``, ``"11.97"``.

    Returns
    -------
    float or None
        The number as printed, before any "(In millions)" scale: parentheses,
        a leading minus or a trailing minus make it negative; a lone dash is
        0.0. ``None`` for anything that is not a well-formed figure: badly
        grouped thousands (``"1,57"``), unbalanced parentheses, percentages,
        words.
    """
    text = token.strip().replace("\u00a0", "")
    if not text:
        return None
    if text in _DASHES:
        return 0.0
    match = _AMOUNT.match(text)
    if match is None:
        return None
    if bool(match["open"]) != bool(match["close"]):
        return None
    negative_marks = sum(bool(match[g]) for g in ("lead_minus", "open", "trail_minus"))
    if negative_marks > 1:
        return None
    value = float(match["digits"].replace(",", "") + (match["decimals"] or ""))
    return -value if negative_marks else value


def decimals_of(token: str) -> int:
    """How many decimal places the figure was printed with (rounding tolerance)."""
    match = re.search(r"\.(\d+)", token)
    return len(match.group(1)) if match else 0
