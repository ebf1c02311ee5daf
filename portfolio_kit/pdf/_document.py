"""Open a PDF defensively and read every page's text with the fast engine.

All the checks that turn a bad file into a sentence live here, before any
layout work starts: missing or oversized file, not a PDF, truncated, locked
with a password, damaged, too many pages, no text layer. The text pass uses
pypdfium2 (about 2 to 9 ms a page) so that the slow, position-aware
pdfplumber pass only runs on the few pages that hold statements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from portfolio_kit.pdf.errors import (
    CorruptPdfError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    NotAPdfError,
    PdfNotFoundError,
    PdfTooLargeError,
    ScannedPdfError,
)

_HEADER_WINDOW = 1024
_TRAILER_WINDOW = 2048
_MIN_TEXT_CHARS_PER_PAGE = 20
DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_TIME_BUDGET = 60.0


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards that keep one bad upload from hanging a notebook or a server.

    Parameters
    ----------
    max_pages : int
        Documents with more pages are refused (``PdfTooLargeError``). A 10-K
        has 100 to 250 pages; 1,000 leaves room for annual reports with
        exhibits.
    max_bytes : int
        Files larger than this are refused before they are opened (200 MiB).
    time_budget : float
        Seconds of wall time for the whole extraction; checked between pages,
        so the overrun is at most one page's work (``ExtractionTimeoutError``).
    """

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    time_budget: float = DEFAULT_TIME_BUDGET

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError(f"max_pages: must be at least 1, got {self.max_pages}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes: must be at least 1, got {self.max_bytes}")
        if not self.time_budget > 0:
            raise ValueError(f"time_budget: must be a positive number of seconds, got {self.time_budget}")


@dataclass(slots=True)
class Deadline:
    """Wall-clock budget shared by every stage of one extraction."""

    path: Path
    seconds: float
    started: float = field(default_factory=time.perf_counter)

    def check(self, stage: str) -> None:
        """Raise ``ExtractionTimeoutError`` naming the stage if the budget is spent."""
        elapsed = time.perf_counter() - self.started
        if elapsed > self.seconds:
            raise ExtractionTimeoutError(
                self.path,
                f"extraction stopped after {elapsed:.1f} s while {stage}; the time budget is "
                f"{self.seconds:g} s (raise time_budget for very long documents)",
            )

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass(slots=True)
class TextPass:
    """Plain text of every page, in page order (0-based)."""

    path: Path
    page_count: int
    texts: list[str]


def check_file(path: Path, limits: Limits) -> None:
    """Refuse files that are missing, empty, oversized, not PDFs or visibly truncated.

    Raises
    ------
    PdfNotFoundError, PdfTooLargeError, NotAPdfError, CorruptPdfError
    """
    if not path.exists():
        raise PdfNotFoundError(path, "no such file")
    if not path.is_file():
        raise PdfNotFoundError(path, "is not a regular file (a folder?)")
    size = path.stat().st_size
    if size == 0:
        raise NotAPdfError(path, "the file is empty")
    if size > limits.max_bytes:
        raise PdfTooLargeError(
            path,
            f"the file is {size / 2**20:.1f} MiB, above the limit of "
            f"{limits.max_bytes / 2**20:.1f} MiB (raise max_bytes to read it)",
        )
    with path.open("rb") as handle:
        head = handle.read(_HEADER_WINDOW)
        handle.seek(max(0, size - _TRAILER_WINDOW))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise NotAPdfError(path, f"this is not a PDF file ({_describe_content(head)})")
    if b"%%EOF" not in tail:
        raise CorruptPdfError(
            path,
            "the PDF is truncated or damaged (it has no end-of-file marker); "
            "download or export it again",
        )


def read_text(
    document: pdfium.PdfDocument, path: Path, limits: Limits, deadline: Deadline
) -> TextPass:
    """Every page's text from an open PDFium document.

    Raises
    ------
    CorruptPdfError
        The document has no pages, or a page cannot be read.
    PdfTooLargeError
        More pages than ``limits.max_pages``.
    ScannedPdfError
        Fewer than 20 characters of text per page on average: images only.
    ExtractionTimeoutError
        The time budget ran out during the text pass.
    """
    page_count = len(document)
    if page_count == 0:
        raise CorruptPdfError(path, "the PDF has no pages")
    if page_count > limits.max_pages:
        raise PdfTooLargeError(
            path,
            f"the PDF has {page_count:,} pages, above the limit of {limits.max_pages:,} "
            "(raise max_pages to read it)",
        )
    texts = []
    for index in range(page_count):
        deadline.check(f"reading the text of page {index + 1} of {page_count}")
        texts.append(_page_text(document, index, path))
    total_chars = sum(len(text.strip()) for text in texts)
    if total_chars < _MIN_TEXT_CHARS_PER_PAGE * page_count:
        raise ScannedPdfError(
            path,
            f"the PDF has no text layer ({total_chars} characters on {page_count} pages); "
            "it looks scanned, so run OCR on it first",
        )
    return TextPass(path=path, page_count=page_count, texts=texts)


def open_pdfium(path: Path) -> pdfium.PdfDocument:
    """Open with pypdfium2, turning its error codes into errors that name the file."""
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        code = getattr(err, "err_code", None)
        if code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY):
            raise EncryptedPdfError(
                path, "the PDF is encrypted with a password; ask for an unlocked copy"
            ) from None
        if code == pdfium_raw.FPDF_ERR_FILE:
            raise PdfNotFoundError(path, "the file cannot be opened (permissions?)") from None
        raise CorruptPdfError(
            path, f"the PDF is damaged and cannot be read ({_pdfium_reason(err)})"
        ) from None


def _page_text(document: pdfium.PdfDocument, index: int, path: Path) -> str:
    try:
        page = document[index]
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range().replace("\r\n", "\n")
        finally:
            textpage.close()
            page.close()
    except pdfium.PdfiumError as err:
        raise CorruptPdfError(
            path, f"page {index + 1} is damaged and cannot be read ({_pdfium_reason(err)})"
        ) from None


def _pdfium_reason(err: Exception) -> str:
    text = str(err)
    if "PDFium:" in text:
        return text.split("PDFium:", 1)[1].strip(" ).")
    return text


def _describe_content(head: bytes) -> str:
    signatures = [
        (b"PK\x03\x04", "it is a ZIP archive, e.g. a Word or Excel file"),
        (b"\xd0\xcf\x11\xe0", "it is an old Microsoft Office file"),
        (b"\x89PNG", "it is a PNG image"),
        (b"\xff\xd8\xff", "it is a JPEG image"),
        (b"GIF8", "it is a GIF image"),
        (b"II*\x00", "it is a TIFF image"),
        (b"MM\x00*", "it is a TIFF image"),
    ]
    for magic, description in signatures:
        if head.startswith(magic):
            return description
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "it is an HTML page, perhaps a download error page"
    if stripped.startswith((b"{", b"[")):
        return "it looks like JSON"
    return "it does not start with a %PDF- header"
