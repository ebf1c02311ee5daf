"""What the extractor returns: figures, statements and the set of them.

Values are in the statement's currency units with the printed scale applied
("(In millions)" 1,577 is 1577000000.0); per-share amounts are as printed;
share counts are in shares. Signs are as printed: expenses on the income
statement are usually positive, cash outflows on the cash-flow statement
negative (``capital_expenditure`` of -1.2e9 means 1.2 billion spent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from portfolio_kit.vocabulary import Statement

FRAME_COLUMNS = (
    "statement",
    "item",
    "label",
    "period_end",
    "period_months",
    "period_start",
    "value",
    "currency",
    "page",
    "bbox",
    "confidence",
    "flags",
)
"""Columns of ``StatementSet.to_frame()``, in order."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of one statement for one period.

    Attributes
    ----------
    statement : Statement
    item : str or None
        Canonical line item (``portfolio_kit.vocabulary.LINE_ITEMS``), or None
        for rows that mean no canonical item.
    label : str
        The row's label as printed ("" for an unlabelled subtotal).
    period_end : date
    period_months : int
        Length of the column's period: 3, 6, 9 or 12 (any 1 to 12) for an
        income or cash-flow column, read from its header ("Three Months
        Ended", "26 Weeks Ended", "Year Ended"); 0 for a balance-sheet
        instant. A quarter and a half-year ending on the same day differ here.
    period_start : date or None
        First day of the period, when it can be derived (see
        ``portfolio_kit.pdf._duration``); None for instants and when unknown.
    value : float
        Scaled to currency units (per-share amounts unscaled).
    currency : str
        ISO code, e.g. "USD".
    page : int
        0-based page index.
    bbox : tuple of float
        (x0, top, x1, bottom) of the printed number, pdfplumber coordinates:
        points from the page's top-left corner.
    confidence : float
        0 to 1. At least 0.9 only when the label matched cleanly and an
        accounting identity confirmed the figure.
    flags : tuple of str
        Why the figure needs review: each identity it contradicts (empty when
        nothing is wrong).
    row : int
        Position of the row in the statement (0-based), to keep print order.
    raw : str
        The figure as printed ("(1,017)").
    """

    statement: Statement
    item: str | None
    label: str
    period_end: date
    period_months: int
    period_start: date | None
    value: float
    currency: str
    page: int
    bbox: tuple[float, float, float, float]
    confidence: float
    flags: tuple[str, ...] = ()
    row: int = 0
    raw: str = ""


@dataclass(slots=True)
class ExtractedStatement:
    """One primary statement as read from the PDF.

    ``periods`` are the column period ends, left to right;
    ``period_estimated`` is True for a column whose end date was not printed
    anywhere in the filing and was estimated from the fiscal year-end;
    ``period_months`` and ``period_starts`` give each column's length (0 for a
    balance sheet) and first day (None when not derivable).
    """

    kind: Statement
    title: str
    pages: tuple[int, ...]
    periods: tuple[date | None, ...]
    period_estimated: tuple[bool, ...]
    scale: float
    currency: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    period_months: tuple[int, ...] = ()
    period_starts: tuple[date | None, ...] = ()

    def get(
        self, item: str, period_end: date | None = None, period_months: int | None = None
    ) -> Figure | None:
        """The figure of a canonical item, for ``period_end`` or the latest period.

        Without ``period_months``, of the columns ending on the same date the
        shortest wins (a 10-Q's quarter rather than its year to date).
        """
        found = [f for f in self.figures if f.item == item]
        if period_end is not None:
            found = [f for f in found if f.period_end == period_end]
        if period_months is not None:
            found = [f for f in found if f.period_months == period_months]
        return max(found, key=lambda f: (f.period_end, -f.period_months), default=None)

    @property
    def items(self) -> list[str]:
        """Canonical items found, in print order."""
        seen: dict[str, None] = {}
        for figure in sorted(self.figures, key=lambda f: f.row):
            if figure.item is not None:
                seen.setdefault(figure.item)
        return list(seen)


@dataclass(slots=True)
class StatementSet:
    """The primary statements found in one PDF.

    Index by ``Statement`` (or its string value) to get an
    ``ExtractedStatement``; ``missing`` says why a statement is absent.

    ``registrant`` is the company name printed over the statements returned
    ("" when none is printed). A combined filing holds one set of statements
    per registrant (a holding company and its subsidiary): ``registrants``
    lists them in print order, and the first printed, the parent, is the one
    returned; ``to_frame()`` rows are all that registrant's.
    """

    source: Path
    page_count: int
    statements: dict[Statement, ExtractedStatement]
    missing: dict[Statement, str] = field(default_factory=dict)
    seconds: float = 0.0
    registrant: str = ""
    registrants: tuple[str, ...] = ()

    def __getitem__(self, kind: Statement | str) -> ExtractedStatement:
        key = Statement(kind)
        if key not in self.statements:
            reason = self.missing.get(key, "not found")
            raise KeyError(f"{key.value}: {reason}")
        return self.statements[key]

    def __contains__(self, kind: object) -> bool:
        try:
            return Statement(kind) in self.statements  # type: ignore[arg-type]
        except ValueError:
            return False

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.statements.values())

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def income_statement(self) -> ExtractedStatement | None:
        return self.statements.get(Statement.INCOME)

    @property
    def balance_sheet(self) -> ExtractedStatement | None:
        return self.statements.get(Statement.BALANCE)

    @property
    def cash_flow(self) -> ExtractedStatement | None:
        return self.statements.get(Statement.CASH_FLOW)

    @property
    def figures(self) -> list[Figure]:
        return [f for statement in self.statements.values() for f in statement.figures]

    def value(
        self, item: str, period_end: date | None = None, period_months: int | None = None
    ) -> float | None:
        """Value of a canonical item (latest, shortest period unless told), or None."""
        for statement in self.statements.values():
            figure = statement.get(item, period_end, period_months)
            if figure is not None:
                return figure.value
        return None

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per figure, in statement and print order.

        Columns: ``statement`` (``Statement`` value), ``item`` (canonical name
        or None), ``label`` (as printed), ``period_end`` (``datetime.date``),
        ``period_months`` (int: 3, 6, 9, 12 for a flow column as its header
        says, 0 for a balance-sheet instant), ``period_start``
        (``datetime.date`` or None when it cannot be derived), ``value`` (float, scaled), ``currency``, ``page`` (0-based), ``bbox``
        ((x0, top, x1, bottom) in pdfplumber coordinates), ``confidence`` (0
        to 1) and ``flags`` (tuple of reasons a figure needs review, empty if none).
        In a combined filing every row is the parent registrant's
        (``self.registrant``); the subsidiary's statements are not read.
        """
        order = {kind: i for i, kind in enumerate(Statement)}
        figures = sorted(self.figures, key=lambda f: (order[f.statement], f.row, f.bbox[0]))
        records = {
            "statement": [f.statement.value for f in figures],
            "item": pd.Series([f.item for f in figures], dtype=object),
            "label": [f.label for f in figures],
            "period_end": pd.Series([f.period_end for f in figures], dtype=object),
            "period_months": pd.Series([f.period_months for f in figures], dtype="int64"),
            "period_start": pd.Series([f.period_start for f in figures], dtype=object),
            "value": pd.Series([f.value for f in figures], dtype="float64"),
            "currency": [f.currency for f in figures],
            "page": pd.Series([f.page for f in figures], dtype="int64"),
            "bbox": pd.Series([f.bbox for f in figures], dtype=object),
            "confidence": pd.Series([f.confidence for f in figures], dtype="float64"),
            "flags": pd.Series([f.flags for f in figures], dtype=object),
        }
        return pd.DataFrame(records, columns=list(FRAME_COLUMNS))

    def flagged(self) -> pd.DataFrame:
        """The rows of ``to_frame()`` that need review."""
        frame = self.to_frame()
        return frame[frame["flags"].map(len) > 0].reset_index(drop=True)

    def __repr__(self) -> str:
        found = ", ".join(
            f"{s.kind.value} p.{'-'.join(str(p + 1) for p in s.pages)} ({len(s.figures)} figures)"
            for s in self.statements.values()
        )
        who = f" of {self.registrant!r}" if len(self.registrants) > 1 else ""
        return f"StatementSet({self.source.name!r}{who}: {found or 'nothing'})"
