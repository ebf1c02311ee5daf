"""Accounting identities: the evidence that a figure was read and labelled right.

Two kinds of check, both per period column:

* footings: a statement is a stack of subtotals. Walking down the rows, a
  row that equals the sum of the open rows just above it (or the first of
  them minus the rest, as in "Gross margin = Net sales - Cost of sales")
  closes them. Every row that takes part in a footing is confirmed, the
  subtotal and each of its parts, including subtotals without a printed
  label. A row printed as "Less: ..." counts negatively.
* named identities between canonical items: total assets = total
  liabilities and equity; gross profit = revenue - cost of revenue; net
  change in cash = operating + investing + financing cash flows (+ the
  exchange-rate effect when printed). A named identity that fails marks its
  figures as failed, which caps their confidence and flags them.

Printed figures are rounded, so a sum of ``n`` parts may differ from its
printed total by up to ``(n + 1) / 2`` units of the last printed digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

_MAX_PARTS = 40


@dataclass(frozen=True, slots=True)
class Footing:
    """Row ``total`` equals the signed sum of ``parts`` in ``columns``; it fails in ``failed``."""

    total: int
    parts: tuple[int, ...]
    signs: tuple[int, ...]
    columns: tuple[int, ...]
    failed: tuple[int, ...] = ()


@dataclass(slots=True)
class Evidence:
    """Per (row, column): confirmed by an identity, or contradicted (with why)."""

    confirmed: set[tuple[int, int]] = field(default_factory=set)
    failed: dict[tuple[int, int], str] = field(default_factory=dict)

    def confirm(self, rows: Sequence[int], columns: Sequence[int]) -> None:
        for row in rows:
            for column in columns:
                self.confirmed.add((row, column))

    def fail(self, rows: Sequence[int], columns: Sequence[int], why: str) -> None:
        for row in rows:
            for column in columns:
                self.failed.setdefault((row, column), why)


def tolerance(unit: float, terms: int) -> float:
    """Largest difference explained by rounding ``terms`` printed figures to ``unit``."""
    return max(unit, 0.5 * unit * (terms + 1)) + 1e-9


def find_footings(
    values: Sequence[Sequence[float | None]],
    negated: Sequence[bool],
    unit: float,
    allow_difference: bool = True,
) -> list[Footing]:
    """Subtotals that the rows of one statement foot to, top to bottom.

    Parameters
    ----------
    values : sequence of rows, each a sequence of float or None
        Printed values (before scaling) per column; ``None`` where the row
        prints nothing (headings have no values at all and are skipped).
    negated : sequence of bool
        True for rows printed as deductions ("Less: treasury stock").
    unit : float
        The rounding unit of the printed figures (1.0, or 0.1 for one decimal).
    allow_difference : bool
        Also accept "first minus the rest" (income statements print expenses
        as positive numbers under the revenue they are deducted from).

    Returns
    -------
    list of Footing
        In the order the subtotals appear.
    """
    footings: list[Footing] = []
    open_rows: list[int] = []
    for index, row in enumerate(values):
        if all(v is None for v in row):
            continue
        footing = _closing(index, values, negated, open_rows, unit, allow_difference)
        if footing is None:
            open_rows.append(index)
            continue
        footings.append(footing)
        del open_rows[len(open_rows) - len(footing.parts) :]
        open_rows.append(index)
    return footings


def _closing(
    index: int,
    values: Sequence[Sequence[float | None]],
    negated: Sequence[bool],
    open_rows: list[int],
    unit: float,
    allow_difference: bool,
) -> Footing | None:
    total = values[index]
    columns = [c for c, v in enumerate(total) if v is not None]
    if not any(total[c] for c in columns):
        return None
    for length in range(2, min(len(open_rows), _MAX_PARTS) + 1):
        parts = open_rows[-length:]
        plain = tuple(-1 if negated[p] else 1 for p in parts)
        modes = [plain]
        if allow_difference:
            modes.append((plain[0], *(-s for s in plain[1:])))
        for signs in modes:
            passed, failed = _compare(total, values, parts, signs, columns, unit)
            if not failed and passed:
                return Footing(index, tuple(parts), signs, tuple(passed))
            if len(passed) >= 2 and len(failed) == 1 and _meaningful(values, parts, passed):
                return Footing(index, tuple(parts), signs, tuple(passed), tuple(failed))
    return None


def _compare(
    total: Sequence[float | None],
    values: Sequence[Sequence[float | None]],
    parts: Sequence[int],
    signs: Sequence[int],
    columns: Sequence[int],
    unit: float,
) -> tuple[list[int], list[int]]:
    passed, failed = [], []
    for column in columns:
        amount = sum(sign * (values[p][column] or 0.0) for p, sign in zip(parts, signs, strict=True))
        target = total[column]
        assert target is not None
        if abs(amount - target) <= tolerance(unit, len(parts)):
            passed.append(column)
        else:
            failed.append(column)
    return passed, failed


def _meaningful(values: Sequence[Sequence[float | None]], parts: Sequence[int], columns: Sequence[int]) -> bool:
    """A near-miss only counts when at least two parts carry non-zero figures in the passing columns."""
    non_zero = sum(1 for p in parts if any(values[p][c] for c in columns))
    return non_zero >= 2


def check_equal(
    evidence: Evidence,
    left: int | None,
    right: int | None,
    values: Sequence[Sequence[float | None]],
    unit: float,
    what: str,
) -> None:
    """Confirm or fail ``left == right`` in every column where both print a figure."""
    if left is None or right is None:
        return
    for column in range(len(values[left])):
        a, b = values[left][column], values[right][column]
        if a is None or b is None:
            continue
        if abs(a - b) <= tolerance(unit, 1):
            evidence.confirm([left, right], [column])
        else:
            evidence.fail([left, right], [column], f"{what}: {a:,.2f} vs {b:,.2f} as printed")


def check_sum(
    evidence: Evidence,
    total: int | None,
    parts: Sequence[int | None],
    signs: Sequence[int],
    values: Sequence[Sequence[float | None]],
    unit: float,
    what: str,
    optional: Sequence[int | None] = (),
) -> None:
    """Confirm or fail ``total == sum(sign * part)`` (plus optional parts when printed).

    Every required part must be present; optional parts (the exchange-rate
    effect on cash) count when they exist.
    """
    if total is None or any(p is None for p in parts):
        return
    rows = [p for p in parts if p is not None]
    all_signs = list(signs)
    for extra in optional:
        if extra is not None:
            rows.append(extra)
            all_signs.append(1)
    for column in range(len(values[total])):
        target = values[total][column]
        if target is None or any(values[p][column] is None for p in rows[: len(parts)]):
            continue
        amount = sum(s * (values[p][column] or 0.0) for p, s in zip(rows, all_signs, strict=True))
        if abs(amount - target) <= tolerance(unit, len(rows)):
            evidence.confirm([total, *rows], [column])
        else:
            evidence.fail(
                [total, *rows], [column], f"{what}: parts sum to {amount:,.2f}, printed {target:,.2f}"
            )
