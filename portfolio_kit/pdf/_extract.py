"""``extract_statements``: the one entry point, from a path to a ``StatementSet``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect

from portfolio_kit.pdf._document import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIME_BUDGET,
    Deadline,
    Limits,
    check_file,
    read_text,
)
from portfolio_kit.pdf._layout import RawStatement, Word, read_page, words_of
from portfolio_kit.pdf._locate import Location, locate_statements
from portfolio_kit.pdf._model import ExtractedStatement, StatementSet
from portfolio_kit.pdf._periods import all_dates, fiscal_year_end
from portfolio_kit.pdf._statement import DocumentContext, build_statement
from portfolio_kit.pdf.errors import CorruptPdfError, EncryptedPdfError, NoStatementsFoundError
from portfolio_kit.vocabulary import Statement

_COVER_PAGES = 3


def extract_statements(
    path: str | Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> StatementSet:
    """Find and read the income statement, balance sheet and cash-flow statement of a PDF.

    A fast text pass (pypdfium2) over every page finds the pages whose
    heading titles a primary statement; only those pages get the slower,
    position-aware reading (pdfplumber words), which rebuilds rows and
    columns, reads each column's period end and the units, maps labels to
    canonical line items and checks accounting identities.

    Parameters
    ----------
    path : str or Path
        A text-based PDF (a 10-K, an annual report, a management pack).
    max_pages : int, default 1000
        Refuse longer documents (``PdfTooLargeError``).
    max_bytes : int, default 200 MiB
        Refuse larger files before opening them (``PdfTooLargeError``).
    time_budget : float, default 60
        Seconds of wall time before giving up (``ExtractionTimeoutError``).

    Returns
    -------
    StatementSet
        The statements found (at least one); ``StatementSet.missing`` says
        why any other is absent. ``to_frame()`` gives one tidy row per figure.
        Values are in currency units with the printed scale applied
        ("(In millions)" 1,577 is 1577000000.0), per-share amounts as printed,
        signs as printed.

    Raises
    ------
    PdfNotFoundError
        No such file.
    NotAPdfError
        The file is not a PDF.
    EncryptedPdfError
        The PDF needs a password.
    CorruptPdfError
        The PDF is truncated or damaged.
    ScannedPdfError
        The PDF has no text layer.
    PdfTooLargeError
        More than ``max_pages`` pages or ``max_bytes`` bytes.
    ExtractionTimeoutError
        ``time_budget`` seconds passed.
    NoStatementsFoundError
        No primary statement was recognised.
    ValueError
        A limit is not positive.
    """
    limits = Limits(max_pages=max_pages, max_bytes=max_bytes, time_budget=time_budget)
    source = Path(path)
    deadline = Deadline(source, limits.time_budget)
    check_file(source, limits)
    text = read_text(source, limits, deadline)
    deadline.check("finding the statement pages")
    locations = locate_statements(text.texts)
    if not locations:
        raise NoStatementsFoundError(
            source,
            f"no income statement, balance sheet or cash-flow statement was recognised in "
            f"{text.page_count} pages (looked for pages titled e.g. 'Consolidated Balance Sheets' "
            "with the rows and figures of a statement)",
        )
    context = DocumentContext(
        fiscal_year_end=_cover_fiscal_year_end(text.texts),
        known_dates=Counter(d for page in text.texts for d in all_dates(page)),
    )
    statements: dict[Statement, ExtractedStatement] = {}
    missing: dict[Statement, str] = {}
    with _open_for_layout(source) as pdf:
        for kind in Statement:
            location = locations.get(kind)
            if location is None:
                missing[kind] = "no page titled as this statement with its typical rows and figures"
                continue
            deadline.check(f"reading the {kind.value.replace('_', ' ')}")
            raw = _read_location(pdf, source, location, deadline)
            if raw is None:
                missing[kind] = (
                    f"page {location.pages[0] + 1} is titled as this statement but no table was read"
                )
                continue
            statement = build_statement(raw, context)
            if not statement.figures:
                missing[kind] = f"page {location.pages[0] + 1}: no figure with a readable period"
                continue
            statements[kind] = statement
    if not statements:
        reasons = "; ".join(f"{k.value}: {v}" for k, v in missing.items())
        raise NoStatementsFoundError(source, f"no statement could be read ({reasons})")
    return StatementSet(
        source=source,
        page_count=text.page_count,
        statements=statements,
        missing=missing,
        seconds=round(deadline.elapsed, 3),
    )


@contextmanager
def _open_for_layout(path: Path) -> Iterator[pdfplumber.PDF]:
    try:
        pdf = pdfplumber.open(path)
    except PDFPasswordIncorrect:
        raise EncryptedPdfError(
            path, "the PDF is encrypted with a password; ask for an unlocked copy"
        ) from None
    except Exception as err:
        raise CorruptPdfError(path, f"the PDF cannot be parsed ({_describe(err)})") from None
    try:
        yield pdf
    finally:
        pdf.close()


def _read_location(
    pdf: pdfplumber.PDF, path: Path, location: Location, deadline: Deadline
) -> RawStatement | None:
    raw = RawStatement(kind=location.kind, title=location.title)
    columns = None
    for position, number in enumerate(location.pages):
        deadline.check(f"reading page {number + 1}")
        words, height = _page_words(pdf, path, number)
        table = read_page(words, number, height, location.kind, position == 0, columns)
        if table is None:
            if position == 0:
                return None
            break
        raw.pages.append(table)
        columns = table.columns
    return raw if raw.pages else None


def _page_words(pdf: pdfplumber.PDF, path: Path, number: int) -> tuple[list[Word], float]:
    """Words of one page; any failure inside the PDF parser means the page is damaged."""
    try:
        page = pdf.pages[number]
        try:
            return words_of(page), float(page.height)
        finally:
            page.close()
    except Exception as err:
        raise CorruptPdfError(
            path, f"page {number + 1} cannot be parsed ({_describe(err)})"
        ) from None


def _describe(err: Exception) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _cover_fiscal_year_end(texts: list[str]) -> date | None:
    for text in texts[:_COVER_PAGES]:
        found = fiscal_year_end(text)
        if found is not None:
            return found
    return None
