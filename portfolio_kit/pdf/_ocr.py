"""Pages without a text layer (scans), read by Tesseract into the text layer's own word objects.

A scanned page is an image: PDFium finds no characters on it. Such a page is
rendered with PDFium and read with Tesseract (through pytesseract), and its
word boxes are converted into ``_words.Word`` objects in the same coordinate
system as the text layer's (points, origin at the page's top-left), so the
same table reading (rows, columns, periods, labels, identities) runs on a
scan as on the original.

Full OCR costs 3 to 6 s a page on this hardware, which would put a 40-page
10-Q well over the one-minute target. So OCR runs in two passes:

1. a *title pass* over every image-only page: the top band of the page at
   low resolution (``TITLE_DPI``), about 0.4 s, enough to read a statement
   title ("CONDENSED CONSOLIDATED BALANCE SHEETS") and nothing more;
2. a *full pass* (``OCR_DPI``, words with boxes) only on pages whose title
   pass names a statement, and on the page after one whose statement does
   not close on it (a statement continued on the next page).

Both passes run on a small pool of threads (each Tesseract call is its own
process, so threads are enough), with Tesseract's own OpenMP threading turned
off so that page-level parallelism does not oversubscribe the cores.

A page that the title pass does not take keeps only its band text: the
statement finder sees its heading, which is all it needs to reject it.

On a full-pass page, the figures Tesseract may have misread (lost
parentheses, a comma read as a point, a lost decimal point) are read again,
crop by crop, digit-only (``_ocr_recheck``), and misread dollar signs are
repaired (``repair_ocr_word``, ``dollar_signs_before_figures``) before the
table reading sees the words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from portfolio_kit.pdf._document import Deadline, Limits, PageTexts
from portfolio_kit.pdf._limits import MAX_RENDER_PIXELS, ContentGuard
from portfolio_kit.pdf._model import ExtractedStatement
from portfolio_kit.pdf._numbers import parse_amount
from portfolio_kit.pdf._ocr_recheck import recheck_figures
from portfolio_kit.pdf._titles import CLOSING_ROWS, normalise_text, title_kind
from portfolio_kit.pdf._words import Word, group_lines, rejoin_split_figures
from portfolio_kit.pdf.errors import ExtractionTimeoutError, OcrUnavailableError
from portfolio_kit.vocabulary import Statement

TITLE_DPI = 100
"""Title pass resolution: statement titles are 9 to 14 pt capitals, legible at 100 dpi."""

TITLE_BAND = 0.3
"""Fraction of the page height, from the top, read in the title pass (titles sit there)."""

OCR_DPI = 300
"""Full pass resolution: the corpus README scans at 200 dpi; rendering above the scan's
own resolution adds pixels but no detail, and 200 dpi reads 8 pt figures reliably."""

OCR_CONFIDENCE = 0.85
"""Factor applied to the confidence of every figure read by OCR.

The layout reading scores a figure on evidence it can see (label match,
identities, dated column). On a scan there is one more way to be wrong that
it cannot see: a misread digit (3 and 8, 1 and 7, a lost minus bracket)
gives a well-formed, plausible number. The subtotal identities catch most
such misreads but not a misread in a row no identity covers, so an OCR
figure never scores as high as the same figure read from a text layer; 0.85
keeps an identity-confirmed OCR figure (0.95 to 0.99 from the text layer)
just above 0.8, and drops unconfirmed ones below the 0.75 review line the
text layer already uses for weak matches.
"""

_MIN_TEXT_CHARS = 20
_WORKERS = max(1, min(2, os.cpu_count() or 1))
_LOOKAHEAD = 2 * _WORKERS
_TESSERACT_LANGUAGE = "eng"


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """Tesseract's version, or None when the binary or its English data is missing."""
    try:
        import pytesseract

        version = str(pytesseract.get_tesseract_version())
        if _TESSERACT_LANGUAGE not in pytesseract.get_languages(config=""):
            return None
    except Exception:  # ImportError, TesseractNotFoundError, a broken install
        return None
    return version


def require_tesseract(path: Path) -> str:
    """Tesseract's version, or ``OcrUnavailableError`` saying what to install."""
    version = tesseract_version()
    if version is None:
        raise OcrUnavailableError(
            path,
            "the PDF has pages without a text layer (a scan) and reading them needs Tesseract "
            "OCR, which is not installed: install the Debian packages tesseract-ocr and "
            "tesseract-ocr-eng (or conda install tesseract) and the Python package pytesseract",
        )
    return version


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page read by the full pass: its words (points, top-left origin) and text."""

    words: list[Word]
    height: float
    text: str


class OcrPageTexts(PageTexts):
    """``PageTexts`` whose image-only pages are read by OCR (title pass, then full pass).

    ``ocr_pages`` holds the pages that went through OCR (either pass); ``words``
    gives the full-pass words of a page, running the full pass if needed.
    """

    def __init__(
        self, document: pdfium.PdfDocument, path: Path, limits: Limits, deadline: Deadline
    ) -> None:
        super().__init__(document, path, limits, deadline)
        self.ocr_pages: set[int] = set()
        self.engine = ""
        self._pool: ThreadPoolExecutor | None = None
        self._layer: dict[int, str] = {}
        self._bands: dict[int, Future[str]] = {}
        self._full: dict[int, Future[OcrPage]] = {}
        self._guard = ContentGuard(path, limits.max_content_bytes)

    def close(self) -> None:
        """Stop the OCR threads (pending work is cancelled) and close the guard's file."""
        self._guard.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def read_all(self) -> list[str]:
        """As ``PageTexts.read_all``, but a scan whose OCR found no statement is not "scanned".

        Once OCR has read the image-only pages, "no text layer" is no longer
        the reason nothing was found; the caller's ``NoStatementsFoundError``
        is the right answer (a scanned photograph, a scanned letter).
        """
        self.read_rest()
        if self.ocr_pages:
            return self._texts
        return super().read_all()

    def words(self, index: int) -> tuple[list[Word], float] | None:
        """Full-pass words and page height of an image-only page; None for a text page."""
        if index not in self.ocr_pages:
            self[index]
        if index not in self.ocr_pages:
            return None
        page = self._full_result(index)
        return page.words, page.height

    def discount(self, statements: dict[Statement, ExtractedStatement]) -> None:
        """Lower the confidence of figures read by OCR and say so in the notes (in place)."""
        for kind, statement in statements.items():
            scanned = sorted(p for p in statement.pages if p in self.ocr_pages)
            if not scanned:
                continue
            figures = [
                replace(f, confidence=round(f.confidence * OCR_CONFIDENCE, 3))
                if f.page in self.ocr_pages
                else f
                for f in statement.figures
            ]
            pages = ", ".join(str(p + 1) for p in scanned)
            note = (
                f"page {pages} has no text layer and was read by OCR (Tesseract {self.engine}, "
                f"{OCR_DPI} dpi); confidence x{OCR_CONFIDENCE}"
            )
            statements[kind] = replace(statement, figures=figures, notes=[*statement.notes, note])

    # -- the title pass, page by page in order, a few pages ahead --------------------------

    def _read_next(self) -> None:
        index = len(self._texts)
        self._guard.check(index)  # before PDFium inflates the page's content
        super()._read_next()
        self._layer[index] = self._texts[index]
        if self._damaged and self._damaged[-1][0] == index:
            return  # PDFium cannot load the page; read_all reports damage
        if not self._image_only(index):
            return
        for ahead in range(index + 1, min(index + 1 + _LOOKAHEAD, self.page_count)):
            self._start_band(ahead)
        self._start_band(index)
        band = self._wait(self._bands[index], index)
        if index in self._full or _names_statement(band):
            self._start_full(index)
            page = self._full_result(index)
            self._texts[index] = page.text
            self._follow_continuation(index, page.text)
        else:
            self._texts[index] = band
        self._start_ready_candidates()

    def _image_only(self, index: int) -> bool:
        if index in self.ocr_pages:
            return True
        self._guard.check(index)
        try:
            text = self._layer.get(index)
            if text is None:
                text = self._layer[index] = _layer_text(self._document, index)
            if len(text.strip()) >= _MIN_TEXT_CHARS or not _has_image(self._document, index):
                return False
        except pdfium.PdfiumError:
            return False  # a look-ahead page PDFium cannot load: the text pass records it
        if not self.engine:
            self.engine = require_tesseract(self.path)
        self.ocr_pages.add(index)
        return True

    def _start_band(self, index: int) -> None:
        if index in self._bands or not self._image_only(index):
            return
        image = _render(self._document, index, TITLE_DPI, band=TITLE_BAND)
        self._bands[index] = self._submit(_ocr_text, image, self._timeout())

    def _start_ready_candidates(self) -> None:
        """Start the full pass early on look-ahead pages whose title pass already names one."""
        for index, band in list(self._bands.items()):
            if index not in self._full and band.done() and band.exception() is None:
                if _names_statement(band.result()):
                    self._start_full(index)

    def _follow_continuation(self, index: int, text: str) -> None:
        """A statement that does not close on its page continues on the next one."""
        kind = title_kind_in(text)
        following = index + 1
        if kind is None or following >= self.page_count:
            return
        if not CLOSING_ROWS[kind].search(normalise_text(text)) and self._image_only(following):
            self._start_full(following)

    # -- the full pass ----------------------------------------------------------------------

    def _start_full(self, index: int) -> None:
        if index in self._full:
            return
        height = self._document[index].get_height()
        image = _render(self._document, index, OCR_DPI)
        scale = image.width / self._document[index].get_width()
        self._full[index] = self._submit(_ocr_page, image, scale, float(height), self._timeout())

    def _full_result(self, index: int) -> OcrPage:
        self._start_full(index)
        return self._wait(self._full[index], index)

    # -- plumbing ---------------------------------------------------------------------------

    def _submit(self, fn: Any, *args: Any) -> Future[Any]:
        if self._pool is None:
            # Parallelism is across pages; Tesseract's own OpenMP threads would fight for
            # the same cores (OCRmyPDF makes the same choice).
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            self._pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="ocr")
        return self._pool.submit(fn, *args)

    def _timeout(self) -> float:
        return max(1.0, self._deadline.seconds - self._deadline.elapsed)

    def _wait(self, future: Future[Any], index: int) -> Any:
        try:
            return future.result()
        except RuntimeError as err:  # pytesseract's "Tesseract process timeout"
            if "timeout" in str(err).lower():
                raise ExtractionTimeoutError(
                    self.path,
                    f"OCR of page {index + 1} did not finish within the time budget of "
                    f"{self._deadline.seconds:g} s (raise time_budget for long scans)",
                ) from None
            raise


def title_kind_in(text: str) -> Statement | None:
    """The statement a page's heading names, if any (first lines only, like the finder)."""
    for line in [ln.strip() for ln in text.splitlines() if ln.strip()][:12]:
        kind = title_kind(line)
        if kind is not None:
            return kind
    return None


def _names_statement(band: str) -> bool:
    return title_kind_in(band) is not None


def _layer_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return str(textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        page.close()


def _has_image(document: pdfium.PdfDocument, index: int) -> bool:
    page = document[index]
    try:
        return any(True for _ in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]))
    finally:
        page.close()


def _render(document: pdfium.PdfDocument, index: int, dpi: int, band: float = 1.0) -> Any:
    """Page ``index`` as a greyscale PIL image, at ``dpi`` or less if the page is huge.

    The pixel count is capped (``MAX_RENDER_PIXELS``) so that a page whose
    media box claims square metres cannot make one render take gigabytes.
    """
    page = document[index]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        pixels = width * height * band * scale * scale
        if pixels > MAX_RENDER_PIXELS:
            scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        crop = (0, height * (1 - band), 0, 0) if band < 1.0 else (0, 0, 0, 0)
        bitmap = page.render(scale=scale, grayscale=True, crop=crop)
        try:
            return bitmap.to_pil().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def _ocr_text(image: Any, timeout: float) -> str:
    import pytesseract

    return str(pytesseract.image_to_string(image, lang=_TESSERACT_LANGUAGE, timeout=timeout))


def _ocr_page(image: Any, scale: float, height: float, timeout: float) -> OcrPage:
    """Tesseract's word boxes, converted from pixels to points with a top-left origin."""
    import pytesseract

    data = pytesseract.image_to_data(
        image,
        lang=_TESSERACT_LANGUAGE,
        output_type=pytesseract.Output.DICT,
        timeout=timeout,
    )
    # Tesseract's boxes are tight around the glyphs ("a" is shorter than "Ag"), while the
    # text layer's are font ascent to descent; giving each word its Tesseract line's
    # vertical extent makes a label and its figures share a middle, as on a text page.
    kept = [
        i
        for i, raw in enumerate(data["text"])
        if str(raw).strip() and float(data["conf"][i]) >= 0
    ]
    recheck_figures(image, data, kept, timeout)
    extent: dict[tuple[int, int, int], tuple[float, float]] = {}
    for i in kept:
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        top, bottom = data["top"][i], data["top"][i] + data["height"][i]
        low, high = extent.get(key, (top, bottom))
        extent[key] = (min(low, top), max(high, bottom))
    words: list[Word] = []
    for i in kept:
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        top, bottom = extent[key]
        left = data["left"][i] / scale
        words.append(
            Word(
                str(data["text"][i]).strip(),
                left,
                left + data["width"][i] / scale,
                top / scale,
                bottom / scale,
            )
        )
    words = rejoin_split_figures(
        dollar_signs_before_figures([w for word in words for w in repair_ocr_word(word)])
    )
    text = "\n".join(line.text for line in group_lines(words))
    return OcrPage(words, height, text)


_DASH_GLYPHS = frozenset("-\u2014\u2013_=~")
_DOLLAR_GLYPHS = frozenset("$\u00a7")
_GLUED_SCALE = re.compile(r"^(\(?in)(thousands|millions|billions)(\W*)$", re.IGNORECASE)


def repair_ocr_word(word: Word) -> list[Word]:
    """Undo three misreadings Tesseract makes on statement pages (the text layer has none).

    - A dash printed for zero is a short horizontal bar; Tesseract reads it as
      "=", "_", "~", "—_—" and the like. A word made only of such glyphs and no
      wider than about one em (1.5 x its line height) is the zero dash; a rule
      under a column of figures is as wide as the column and stays as read.
    - The narrow space of "(In millions," is often lost ("(Inmillions,"),
      which would drop the units line and leave every figure unscaled; the
      glued word is split back into its two words.
    - A dollar sign printed in its own column is read as "$§$", "§$", "$$":
      a word made only of dollar and section signs, with a dollar among
      them, is the dollar sign. Left as read it would stop the table
      reading's run of figures and drop every figure left of it.
    """
    text = word.text
    height = word.bottom - word.top
    if set(text) <= _DASH_GLYPHS and word.x1 - word.x0 <= 1.5 * max(height, 1.0):
        return [replace(word, text="\u2014")]
    if "$" in text and set(text) <= _DOLLAR_GLYPHS:
        return [replace(word, text="$")]
    glued = _GLUED_SCALE.match(text)
    if glued:
        cut = word.x0 + (word.x1 - word.x0) * len(glued[1]) / len(text)
        return [
            replace(word, text=glued[1], x1=cut),
            replace(word, text=glued[2] + glued[3], x0=cut + 0.5),
        ]
    return [word]


def dollar_signs_before_figures(words: list[Word]) -> list[Word]:
    """A lone "§" with a figure after it on its line is a dollar sign Tesseract misread.

    ``repair_ocr_word`` settles "$§$" and "§$" from the word alone; a lone
    "§" may also be a footnote marker, so it needs its line: followed by a
    figure it stands where a column's "$" stands. Were it a footnote marker
    after a label, reading it as "$" costs nothing (currency symbols are
    left out of labels), while left as "§" it stops the row's run of figures.
    """
    fixed = []
    for word in words:
        if word.text == "\u00a7" and any(
            other.x0 > word.x1
            and abs(other.middle - word.middle) <= 0.5 * (word.bottom - word.top)
            and parse_amount(other.text) is not None
            for other in words
        ):
            word = replace(word, text="$")
        fixed.append(word)
    return fixed


def with_ocr(
    pages: OcrPageTexts, words: Callable[[int], tuple[list[Word], float]]
) -> Callable[[int], tuple[list[Word], float]]:
    """A page-words source that reads image-only pages by OCR and the rest from ``words``."""

    def source(index: int) -> tuple[list[Word], float]:
        found = pages.words(index)
        return found if found is not None else words(index)

    return source
