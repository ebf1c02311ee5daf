"""Open a PDF defensively and read every page's text with the fast engine.

All the checks that turn a bad file into a sentence live here, before any
layout work starts: missing or oversized file, not a PDF, truncated, locked
with a password, damaged, too many pages, no text layer. The text pass uses
pypdfium2 (about 2 to 9 ms a page) so that the slow, position-aware
pdfplumber pass only runs on the few pages that hold statements.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from portfolio_kit.pdf._limits import MAX_CONTENT_BYTES
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
    max_content_bytes : int
        Bytes of decompressed content one page may make PDFium parse, each
        form counted as often as it is drawn (``ContentTooLargeError``; 64 MiB,
        see ``_limits``).
    """

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    time_budget: float = DEFAULT_TIME_BUDGET
    max_content_bytes: int = MAX_CONTENT_BYTES

    def __post_init__(self) -> None:
        if self.max_pages < 1:
            raise ValueError(f"max_pages: must be at least 1, got {self.max_pages}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes: must be at least 1, got {self.max_bytes}")
        if self.max_content_bytes < 1:
            raise ValueError(
                f"max_content_bytes: must be at least 1, got {self.max_content_bytes}"
            )
        if not self.time_budget > 0:
            raise ValueError(
                f"time_budget: must be a positive number of seconds, got {self.time_budget}"
            )


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


class PageTexts(Sequence[str]):
    """The plain text of a document's pages, read with PDFium in page order on demand.

    Finding the statements usually needs only the pages up to a little past
    them, so pages are read as they are asked for; ``read_all`` finishes the
    pass when a later page matters (a fiscal year end printed only in the
    notes, or a document where nothing was found).

    Raises (from the constructor)
    -----------------------------
    CorruptPdfError
        The document has no pages.
    PdfTooLargeError
        More pages than ``limits.max_pages``.
    """

    def __init__(
        self, document: pdfium.PdfDocument, path: Path, limits: Limits, deadline: Deadline
    ) -> None:
        self.path = path
        self.page_count = len(document)
        if self.page_count == 0:
            raise CorruptPdfError(path, "the PDF has no pages")
        if self.page_count > limits.max_pages:
            raise PdfTooLargeError(
                path,
                f"the PDF has {self.page_count:,} pages, above the limit of "
                f"{limits.max_pages:,} (raise max_pages to read it)",
            )
        self._document = document
        self._deadline = deadline
        self._texts: list[str] = []
        self._damaged: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return self.page_count

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        """Text of page ``index`` (0-based), reading the pages before it first."""
        if not 0 <= index < self.page_count:
            raise IndexError(f"page {index} is out of range (0 to {self.page_count - 1})")
        while len(self._texts) <= index:
            self._read_next()
        return self._texts[index]

    @property
    def read(self) -> list[str]:
        """Texts of the pages read so far, in order."""
        return self._texts

    def read_all(self) -> list[str]:
        """Texts of every page.

        Raises
        ------
        CorruptPdfError
            Half of the pages or more cannot be read (a few damaged pages
            read as empty).
        ScannedPdfError
            Fewer than 20 characters of text per page on average: images only.
        ExtractionTimeoutError
            The time budget ran out.
        """
        self.read_rest()
        if len(self._damaged) * 2 >= self.page_count:
            first, reason = self._damaged[0]
            raise CorruptPdfError(
                self.path,
                f"{len(self._damaged)} of {self.page_count} pages are damaged and cannot be "
                f"read (page {first + 1}: {reason})",
            )
        total_chars = sum(len(text.strip()) for text in self._texts)
        if total_chars < _MIN_TEXT_CHARS_PER_PAGE * self.page_count:
            raise ScannedPdfError(
                self.path,
                f"the PDF has no text layer ({total_chars} characters on {self.page_count} "
                "pages); it looks scanned, so run OCR on it first",
            )
        return self._texts

    def read_rest(self) -> list[str]:
        """Texts of every page, without judging the document (see ``read_all``)."""
        self[self.page_count - 1]
        return self._texts

    def _read_next(self) -> None:
        index = len(self._texts)
        self._deadline.check(f"reading the text of page {index + 1} of {self.page_count}")
        try:
            self._texts.append(_page_text(self._document, index))
        except pdfium.PdfiumError as err:
            # One broken page (an exhibit, a chart) must not hide statements elsewhere.
            self._damaged.append((index, _pdfium_reason(err)))
            self._texts.append("")


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


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range().replace("\r\n", "\n")
        finally:
            textpage.close()
    finally:
        page.close()


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
