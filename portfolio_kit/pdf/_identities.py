"""Accounting identities: the evidence that a figure was read and labelled right.

Two kinds of check, both per period column:

* footings: a statement is a stack of subtotals. Walking down the rows, a
  row that equals the sum of the open rows just above it (or the first of
  them minus the rest, as in "Gross margin = Net sales - Cost of sales")
  closes them. Every row that takes part in a footing is confirmed, the
  subtotal and each of its parts, including subtotals without a printed
  label. A row printed as "Less: ..." is a deduction whether its figure is
  printed positive (J&J's treasury stock 38,490) or in parentheses.
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
    """Per (row, column): confirmed by an identity, or contradicted (with each reason)."""

    confirmed: set[tuple[int, int]] = field(default_factory=set)
    failed: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def confirm(self, rows: Sequence[int], columns: Sequence[int]) -> None:
        for row in rows:
            for column in columns:
                self.confirmed.add((row, column))

    def fail(self, rows: Sequence[int], columns: Sequence[int], why: str) -> None:
        for row in rows:
            for column in columns:
                reasons = self.failed.setdefault((row, column), [])
                if why not in reasons:
                    reasons.append(why)


def tolerance(unit: float, terms: int) -> float:
    """Largest difference explained by rounding ``terms`` printed figures to ``unit``."""
    return max(unit, 0.5 * unit * (terms + 1)) + 1e-9


def find_footings(
    values: Sequence[Sequence[float | None]],
    negated: Sequence[bool],
    unit: float,
    allow_difference: bool = True,
    allow_near_miss: bool = True,
    totals: Sequence[bool] | None = None,
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
    allow_near_miss : bool
        Accept a subtotal that foots in all columns but one when nothing foots
        exactly: the failing column then holds a misread or misprinted figure
        and is reported in ``Footing.failed``. At least two columns must pass,
        or one when the row says it is a total (``totals``) and has three or
        more parts (a balance sheet has only two columns).
    totals : sequence of bool, optional
        True for rows whose label says they are a total ("Total current assets").

    Returns
    -------
    list of Footing
        In the order the subtotals appear. The shortest run of rows that foots
        exactly wins; a near miss is considered only when no run foots exactly.
    """
    footings: list[Footing] = []
    open_rows: list[int] = []
    for index, row in enumerate(values):
        if all(v is None for v in row):
            continue
        footing = _closing(index, values, negated, open_rows, unit, allow_difference, exact=True)
        if footing is None and allow_near_miss:
            is_total = bool(totals[index]) if totals is not None else False
            footing = _closing(
                index,
                values,
                negated,
                open_rows,
                unit,
                allow_difference,
                exact=False,
                total_row=is_total,
            )
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
    exact: bool,
    total_row: bool = False,
) -> Footing | None:
    total = values[index]
    columns = [c for c, v in enumerate(total) if v is not None]
    if not any(total[c] for c in columns):
        return None
    for length in range(2, min(len(open_rows), _MAX_PARTS) + 1):
        parts = open_rows[-length:]
        plain = tuple(1 for _ in parts)
        modes = [plain]
        if allow_difference:
            modes.append((1, *(-1 for _ in parts[1:])))
        for signs in modes:
            passed, failed = _compare(total, values, negated, parts, signs, columns, unit)
            if exact and passed and not failed:
                return Footing(index, tuple(parts), signs, tuple(passed))
            enough = len(passed) >= 2 or (len(passed) == 1 and total_row and length >= 3)
            if not exact and enough and len(failed) == 1 and _meaningful(values, parts, passed):
                return Footing(index, tuple(parts), signs, tuple(passed), tuple(failed))
    return None


def _signed(value: float | None, negated: bool) -> float:
    """A deduction row ("Less: treasury stock") subtracts, whether printed 38,490 or (88)."""
    if value is None:
        return 0.0
    return -abs(value) if negated else value


def _compare(
    total: Sequence[float | None],
    values: Sequence[Sequence[float | None]],
    negated: Sequence[bool],
    parts: Sequence[int],
    signs: Sequence[int],
    columns: Sequence[int],
    unit: float,
) -> tuple[list[int], list[int]]:
    passed, failed = [], []
    for column in columns:
        amount = sum(
            sign * _signed(values[p][column], negated[p])
            for p, sign in zip(parts, signs, strict=True)
        )
        target = total[column]
        assert target is not None
        if abs(amount - target) <= tolerance(unit, len(parts)):
            passed.append(column)
        else:
            failed.append(column)
    return passed, failed


def _meaningful(
    values: Sequence[Sequence[float | None]], parts: Sequence[int], columns: Sequence[int]
) -> bool:
    """A near miss counts only when two parts or more print non-zero figures where it passes."""
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
                [total, *rows],
                [column],
                f"{what}: parts sum to {amount:,.2f}, printed {target:,.2f}",
            )


def confirm_per_share(
    evidence: Evidence,
    per_share: int | None,
    income: int | None,
    shares: int | None,
    values: Sequence[Sequence[float | None]],
    income_scale: float,
    shares_scale: float,
    income_unit: float,
    shares_unit: float,
) -> None:
    """Confirm earnings per share where it equals income divided by the share count.

    Only confirms, never fails: preferred dividends and participating
    securities legitimately move reported EPS away from the simple ratio.
    The tolerance is half a cent plus what rounding the printed income and
    share count can move the ratio by.
    """
    if per_share is None or income is None or shares is None:
        return
    for column in range(len(values[per_share])):
        eps, earned, count = (
            values[per_share][column],
            values[income][column],
            values[shares][column],
        )
        if eps is None or not earned or not count:
            continue
        ratio = (earned * income_scale) / (count * shares_scale)
        slack = 0.005 + abs(ratio) * (
            0.5 * income_unit / abs(earned) + 0.5 * shares_unit / abs(count)
        )
        if abs(ratio - eps) <= slack + 1e-9:
            evidence.confirm([per_share], [column])
