"""Columns of figures, found from where the figures of many lines end.

Figures in statements are right-aligned, so a column is a cluster of right
edges shared by the figures that end many lines; a dash is centred in its
column rather than aligned, so it is matched by position, not by edge.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from portfolio_kit.pdf._numbers import is_currency_symbol, is_dash, parse_amount
from portfolio_kit.pdf._words import Line, Word

# A header year, possibly followed by a footnote star ("January 29, 2022*": derived from
# the audited statements) that must not cost the column its date.
YEAR_TOKEN = re.compile(r"^\(?((?:19|20)\d\d)\)?\*{0,3}[,:]?$")
_COLUMN_GAP = 8.0
_RIGHT_EDGE_TOLERANCE = 6.0
_NOT_AN_AMOUNT = re.compile(
    r"^(?:%|\(?[-+\u2212]?\d[\d,]*(?:\.\d+)?\)?\s?%\)?|n/?m\.?|n\.m\.|nm|nmf)$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of figures.

    ``left`` is the left edge of its widest figure, ``right`` the right edge
    its figures share; ``support`` counts the figures that formed it.
    """

    left: float
    right: float
    support: int

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def find_columns(lines: list[Line]) -> list[Column]:
    """Columns of figures shared by many lines, left to right.

    Figures are right-aligned, so the columns are clusters of right edges of
    the figures that end each line (years in headers and dashes are left out:
    a dash is centred, not aligned).
    """
    edges: list[tuple[float, float]] = []
    figure_lines = 0
    for line in lines:
        trailing = trailing_figures(line)
        numbers = [w for w in trailing if not is_dash(w.text) and not YEAR_TOKEN.match(w.text)]
        if not numbers:
            continue
        figure_lines += 1
        edges.extend((w.x1, w.x0) for w in numbers)
    if figure_lines < 2:
        return []
    edges.sort()
    clusters: list[list[tuple[float, float]]] = [[edges[0]]]
    for edge in edges[1:]:
        if edge[0] - clusters[-1][-1][0] > _COLUMN_GAP:
            clusters.append([edge])
        else:
            clusters[-1].append(edge)
    strongest = max(len(c) for c in clusters)
    minimum = max(2, 0.3 * strongest, 0.15 * figure_lines)
    columns = [
        Column(
            left=min(x0 for _, x0 in cluster),
            right=statistics.median(x1 for x1, _ in cluster),
            support=len(cluster),
        )
        for cluster in clusters
        if len(cluster) >= minimum
    ]
    return sorted(columns, key=lambda c: c.right)


def trailing_figures(line: Line) -> list[Word]:
    """The run of figures (and currency symbols) that ends a line, left to right.

    Earnings releases print a change column after the amounts: a percentage
    ("18 %", "(15)%") or "n/m" (not meaningful). Those are not amounts of any
    period, and stopping at them would lose the whole row, so they are passed
    over (a bare "%" takes the number printed before it along).
    """
    run: list[Word] = []
    percent_pending = False
    for word in reversed(line.words):
        if is_currency_symbol(word.text):
            continue
        if _NOT_AN_AMOUNT.match(word.text):
            percent_pending = word.text == "%"
            continue
        if parse_amount(word.text) is None:
            break
        if percent_pending:
            percent_pending = False
            continue
        run.append(word)
    run.reverse()
    return run


def figures_of(line: Line, columns: list[Column]) -> list[tuple[int, Word]]:
    """Figures of a line matched to columns; at most one figure per column."""
    trailing = trailing_figures(line)
    if not trailing:
        return []
    if all(YEAR_TOKEN.match(w.text) for w in trailing):
        return []
    matched: dict[int, Word] = {}
    for word in trailing:
        column = _column_of(word, columns)
        if column is not None and column not in matched:
            matched[column] = word
    return sorted(matched.items())


def _column_of(word: Word, columns: list[Column]) -> int | None:
    for index, column in enumerate(columns):
        if is_dash(word.text):
            if column.left - 12 <= word.centre <= column.right + 4:
                return index
        elif abs(word.x1 - column.right) <= _RIGHT_EDGE_TOLERANCE or (
            column.left - 2 <= word.centre <= column.right + 2
        ):
            return index
    return None
