"""``extract_statements``: the one entry point, from a path to a ``StatementSet``."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFPasswordIncorrect

from portfolio_kit.pdf._dating import DocumentContext
from portfolio_kit.pdf._document import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIME_BUDGET,
    Deadline,
    Limits,
    PageTexts,
    check_file,
    open_pdfium,
)
from portfolio_kit.pdf._layout import (
    RawStatement,
    read_page,
    words_above_a_title,
    words_of_a_second_table,
)
from portfolio_kit.pdf._locate import Location, find_statements
from portfolio_kit.pdf._model import ExtractedStatement, StatementSet
from portfolio_kit.pdf._ocr import OcrPageTexts, with_ocr
from portfolio_kit.pdf._periods import all_dates, fiscal_year_end, is_quarterly_cover
from portfolio_kit.pdf._statement import build_statement
from portfolio_kit.pdf._words import Word, pdfium_words, pdfplumber_words
from portfolio_kit.pdf.errors import CorruptPdfError, EncryptedPdfError, NoStatementsFoundError
from portfolio_kit.vocabulary import Statement

_COVER_PAGES = 3
Engine = Literal["pdfium", "pdfplumber"]
_WordSource = Callable[[int], tuple[list[Word], float]]


def extract_statements(
    path: str | Path,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_budget: float = DEFAULT_TIME_BUDGET,
    engine: Engine = "pdfium",
) -> StatementSet:
    """Find and read the income statement, balance sheet and cash-flow statement of a PDF.

    A fast text pass over every page finds the pages whose heading titles a
    primary statement; only those pages get the position-aware reading, which
    rebuilds rows and columns from word positions, reads each column's period
    end and the units, maps labels to canonical line items and checks
    accounting identities.

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
    engine : {"pdfium", "pdfplumber"}, default "pdfium"
        Where word positions come from on the statement pages. Both give
        pdfplumber coordinates; PDFium is 30 to 100 times faster on dense
        statement pages, pdfplumber is there to cross-check it.

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
        The PDF has no text layer and no images to read by OCR (blank pages).
    OcrUnavailableError
        Some pages are images only and Tesseract is not installed.
    ContentTooLargeError
        A page's content stream inflates past the limit (a decompression bomb).
    PdfTooLargeError
        More than ``max_pages`` pages or ``max_bytes`` bytes.
    ExtractionTimeoutError
        ``time_budget`` seconds passed.
    NoStatementsFoundError
        No primary statement was recognised.
    ValueError
        A limit is not positive, or the engine is unknown.
    """
    if engine not in ("pdfium", "pdfplumber"):
        raise ValueError(f"engine: must be 'pdfium' or 'pdfplumber', got {engine!r}")
    limits = Limits(max_pages=max_pages, max_bytes=max_bytes, time_budget=time_budget)
    source = Path(path)
    deadline = Deadline(source, limits.time_budget)
    check_file(source, limits)
    document = open_pdfium(source)
    pages: OcrPageTexts | None = None
    try:
        # Image-only pages (scans) are read by OCR; see _ocr.py.
        pages = OcrPageTexts(document, source, limits, deadline)
        locations, _ = find_statements(pages)
        if not locations:
            pages.read_all()
            scanned = (
                f"; {len(pages.ocr_pages)} of them are images without a text layer and were "
                "read by OCR"
                if pages.ocr_pages
                else ""
            )
            raise NoStatementsFoundError(
                source,
                f"no income statement, balance sheet or cash-flow statement was recognised in "
                f"{pages.page_count} pages (looked for pages titled e.g. 'Consolidated Balance "
                f"Sheets' with the rows and figures of a statement){scanned}",
            )
        context = DocumentContext(
            fiscal_year_end=_cover_fiscal_year_end(pages),
            known_dates=_dates_in(pages.read),
            more_dates=lambda: _dates_in(pages.read_rest()),
            quarterly=_cover_is_quarterly(pages),
        )
        if engine == "pdfium":
            statements, missing = _read_all(
                locations, context, deadline, with_ocr(pages, _pdfium_source(document, source))
            )
        else:
            with _pdfplumber_source(source) as words:
                statements, missing = _read_all(
                    locations, context, deadline, with_ocr(pages, words)
                )
        pages.discount(statements)
    finally:
        if pages is not None:
            pages.close()
        document.close()
    if not statements:
        reasons = "; ".join(f"{k.value}: {v}" for k, v in missing.items())
        raise NoStatementsFoundError(source, f"no statement could be read ({reasons})")
    chosen = [locations[kind] for kind in statements]
    names = Counter(loc.entity for loc in chosen if loc.entity)
    return StatementSet(
        source=source,
        page_count=pages.page_count,
        statements=statements,
        missing=missing,
        seconds=round(deadline.elapsed, 3),
        registrant=names.most_common(1)[0][0] if names else "",
        registrants=chosen[0].registrants if chosen else (),
    )


def _read_all(
    locations: dict[Statement, Location],
    context: DocumentContext,
    deadline: Deadline,
    words: _WordSource,
) -> tuple[dict[Statement, ExtractedStatement], dict[Statement, str]]:
    raws: dict[Statement, RawStatement] = {}
    built: dict[Statement, ExtractedStatement] = {}
    companions: dict[Statement, list[RawStatement]] = {}
    missing: dict[Statement, str] = {}
    for kind in Statement:
        location = locations.get(kind)
        if location is None:
            missing[kind] = "no page titled as this statement with its typical rows and figures"
            continue
        deadline.check(f"reading the {kind.value.replace('_', ' ')}")
        lower_tables: list[RawStatement] = []
        raw = _read_location(location, deadline, words, lower_tables)
        if raw is None:
            missing[kind] = (
                f"page {location.pages[0] + 1} is titled as this statement but no table was read"
            )
            continue
        raws[kind] = raw
        built[kind] = build_statement(raw, context)
        companions.setdefault(kind, []).extend(lower_tables)
        for page in location.companions:
            deadline.check(f"reading page {page + 1}")
            companion = _read_location(
                Location(kind, (page,), location.score, location.title), deadline, words
            )
            if companion is not None:
                companions.setdefault(kind, []).append(companion)
    _date_from_other_statements(raws, built, context)
    for kind, extra in companions.items():
        for companion in extra:
            built[kind] = _merge(built[kind], build_statement(companion, context))
    statements: dict[Statement, ExtractedStatement] = {}
    for kind, statement in built.items():
        if statement.figures:
            statements[kind] = statement
        else:
            missing[kind] = f"page {statement.pages[0] + 1}: no figure with a readable period"
    return statements, missing


def _merge(main: ExtractedStatement, other: ExtractedStatement) -> ExtractedStatement:
    """One statement printed on two pages for different periods (quarter, year to date).

    The figures of ``other`` whose period (end and length) ``main`` does not
    already have are added, printed page first; a note names the page.
    """
    first, second = sorted((main, other), key=lambda s: s.pages[0])
    have = {(f.period_end, f.period_months) for f in first.figures}
    offset = 1 + max((f.row for f in first.figures), default=0)
    added = [
        dataclasses.replace(f, row=f.row + offset)
        for f in second.figures
        if (f.period_end, f.period_months) not in have
    ]
    if not added:
        return main
    return dataclasses.replace(
        first,
        pages=first.pages + tuple(p for p in second.pages if p not in first.pages),
        periods=first.periods + second.periods,
        period_estimated=first.period_estimated + second.period_estimated,
        period_months=first.period_months + second.period_months,
        period_starts=first.period_starts + second.period_starts,
        figures=first.figures + added,
        notes=[
            *first.notes,
            *second.notes,
            f"page {second.pages[0] + 1} prints the same statement for other periods"
            f"{' in a second table' if second.pages[0] in first.pages else ''}; "
            "its figures are included",
        ],
    )


def _date_from_other_statements(
    raws: dict[Statement, RawStatement],
    built: dict[Statement, ExtractedStatement],
    context: DocumentContext,
) -> None:
    """Without a cover page, a statement headed only "2021 2020" takes its dates from another.

    The latest period end printed over another statement (a balance sheet
    headed "January 29, 2022") stands in for the cover page's fiscal year end,
    and that statement's period ends count as dates printed in the filing.
    """
    if context.fiscal_year_end is not None:
        return
    known = [p for s in built.values() for p in s.periods if p is not None]
    undated = [k for k, s in built.items() if any(p is None for p in s.periods)]
    if not known or not undated:
        return
    context.fiscal_year_end = max(known)
    context.known_dates.update(known)
    read_more = context.more_dates
    if read_more is not None:
        context.more_dates = lambda: read_more() + Counter(known)
    for kind in undated:
        built[kind] = build_statement(raws[kind], context)


def _read_location(
    location: Location,
    deadline: Deadline,
    words: _WordSource,
    second_tables: list[RawStatement] | None = None,
) -> RawStatement | None:
    """Read a statement's pages; a second table of it lower on a page goes to ``second_tables``."""
    raw = RawStatement(kind=location.kind, title=location.title)
    columns = None
    for position, number in enumerate(location.pages):
        deadline.check(f"reading page {number + 1}")
        page_words, height = words(number)
        first_page = position == 0 and not location.title_above
        table = read_page(page_words, number, height, location.kind, first_page, columns)
        if table is None:
            if position == 0:
                return None
            break
        raw.pages.append(table)
        columns = table.columns
        lower = words_of_a_second_table(page_words, location.kind)
        if second_tables is not None and lower is not None:
            second = read_page(lower, number, height, location.kind, True, None)
            if second is not None:
                second_tables.append(
                    RawStatement(kind=location.kind, title=location.title, pages=[second])
                )
    if raw.pages and location.spill is not None:
        deadline.check(f"reading page {location.spill + 1}")
        page_words, height = words(location.spill)
        above = words_above_a_title(page_words)
        table = (
            read_page(above, location.spill, height, location.kind, False, columns)
            if above
            else None
        )
        if table is not None:
            raw.pages.append(table)
    return raw if raw.pages else None


def _pdfium_source(document: pdfium.PdfDocument, path: Path) -> _WordSource:
    def words(number: int) -> tuple[list[Word], float]:
        try:
            return pdfium_words(document, number)
        except pdfium.PdfiumError as err:
            raise CorruptPdfError(path, f"page {number + 1} cannot be read ({err})") from None

    return words


class _pdfplumber_source:
    """Context manager giving page words from pdfplumber, with parser failures named."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._pdf: pdfplumber.PDF | None = None

    def __enter__(self) -> _WordSource:
        try:
            self._pdf = pdfplumber.open(self._path)
        except PDFPasswordIncorrect:
            raise EncryptedPdfError(
                self._path, "the PDF is encrypted with a password; ask for an unlocked copy"
            ) from None
        except Exception as err:
            raise CorruptPdfError(
                self._path, f"the PDF cannot be parsed ({_describe(err)})"
            ) from None
        return self._words

    def __exit__(self, *exc: object) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def _words(self, number: int) -> tuple[list[Word], float]:
        assert self._pdf is not None
        try:
            page = self._pdf.pages[number]
            try:
                return pdfplumber_words(page)
            finally:
                page.close()
        except Exception as err:
            raise CorruptPdfError(
                self._path, f"page {number + 1} cannot be parsed ({_describe(err)})"
            ) from None


def _describe(err: Exception) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _cover_fiscal_year_end(pages: PageTexts) -> date | None:
    for index in range(min(_COVER_PAGES, len(pages))):
        found = fiscal_year_end(pages[index])
        if found is not None:
            return found
    return None


def _cover_is_quarterly(pages: PageTexts) -> bool:
    return any(is_quarterly_cover(pages[i]) for i in range(min(_COVER_PAGES, len(pages))))


def _dates_in(texts: list[str]) -> Counter[date]:
    return Counter(d for text in texts for d in all_dates(text))
