"""Size limits that keep one hostile PDF from taking a notebook's or a server's memory.

The file-level limits (bytes on disk, page count, wall time) live in
``_document.Limits``. This module holds the ones a small file can still blow
past, because PDF compresses: Flate inflates up to about 1,000 times, so a
5 MB upload can hold a 5 GB content stream that PDFium would inflate into
memory in one piece when the page is opened (measured before this guard: 6.35
GB RSS). Before PDFium opens a page, its content streams (and the form and
image XObjects it draws, at any depth) are decoded here through their whole
filter chain (``_inflate``) in 1 MiB steps, counting bytes and keeping none,
and the page is refused once the count passes the limit. What each hostile
file measured is in docs/pdf.md, "Hostile input".

Defaults and why:

``MAX_CONTENT_BYTES`` = 64 MiB of inflated content per page
    The densest statement pages in the corpus carry under 1 MiB of content;
    a vector chart or a map page a few MiB. 64 MiB is far above any real
    page and far below what hurts.
``MAX_RENDER_PIXELS`` = 40 million pixels per rendered page (OCR)
    A letter page at 200 dpi is 3.7 Mpx; a tabloid page at 300 dpi 15 Mpx.
    A page whose media box claims square metres is rendered at a lower
    resolution instead of taking gigabytes (8-bit grey: 40 MB a render).
Page count and file size: ``_document.Limits`` (1,000 pages, 200 MiB).
    A PDF whose page tree claims a million pages is refused from the count
    PDFium reads, before any page is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portfolio_kit.pdf._inflate import decoded_size
from portfolio_kit.pdf.errors import ContentTooLargeError

MAX_CONTENT_BYTES = 64 * 2**20
MAX_RENDER_PIXELS = 40_000_000


class ContentGuard:
    """Measures each page's inflated content with bounded memory before PDFium loads it.

    pdfminer (already installed with pdfplumber) parses the page tree lazily
    and hands over each stream's *compressed* bytes; inflation is done here,
    incrementally, so memory stays at one chunk whatever the stream claims.
    A file pdfminer cannot parse is left to PDFium's own, stricter, error
    reporting: this guard only ever adds a refusal.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_CONTENT_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._pages: Iterator[Any] | None = None
        self._checked = -1
        self._file: Any = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def check(self, index: int) -> None:
        """Raise ``ContentTooLargeError`` if page ``index`` (0-based) inflates past the limit.

        Pages must be checked in order (the extractor reads them in order).
        """
        pages = self._open()
        while pages is not None and self._checked < index:
            try:
                page = next(pages)
            except StopIteration:
                self._pages = None
                return
            except Exception:  # noqa: BLE001 - pdfminer's many parse errors: PDFium judges
                self._pages = None
                return
            self._checked += 1
            total = 0
            for stream in _page_streams(page):
                total += _inflated_size(stream, self.max_bytes - total)
                if total > self.max_bytes:
                    raise ContentTooLargeError(
                        self.path,
                        f"page {self._checked + 1} holds more than {self.max_bytes / 2**20:.0f} MiB "
                        "of content once decompressed (a decompression bomb, or a page no "
                        "statement needs); the limit is MAX_CONTENT_BYTES in "
                        "portfolio_kit.pdf._limits",
                    )

    def _open(self) -> Iterator[Any] | None:
        if self._pages is None and self._checked == -1 and self._file is None:
            from pdfminer.pdfdocument import PDFDocument
            from pdfminer.pdfpage import PDFPage
            from pdfminer.pdfparser import PDFParser

            try:
                self._file = self.path.open("rb")
                document = PDFDocument(PDFParser(self._file))
                self._pages = iter(PDFPage.create_pages(document))
            except Exception:  # noqa: BLE001 - encrypted, damaged: PDFium says which
                self._pages = None
        return self._pages


def _page_streams(page: Any) -> Iterator[Any]:
    from pdfminer.pdftypes import PDFStream, resolve1

    for stream in page.contents or []:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            yield stream
    yield from _xobjects(resolve1(page.resources or {}))


def _xobjects(resources: Any) -> Iterator[Any]:
    """Every XObject stream the page can draw, at any nesting depth, each once per page.

    PDFium follows forms inside forms; a depth cap here would let a bomb
    hide one level below it. The walk is iterative (no recursion limit) and
    a stream already seen is not entered again, so a form that draws itself
    ends the walk instead of looping, and one logo drawn on every page counts
    once per page.
    """
    from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

    seen: set[int] = set()
    pending = [resources]
    while pending:
        current = pending.pop()
        if not isinstance(current, dict):
            continue
        xobjects = resolve1(current.get("XObject"))
        if not isinstance(xobjects, dict):
            continue
        for ref in xobjects.values():
            if isinstance(ref, PDFObjRef):
                if ref.objid in seen:
                    continue
                seen.add(ref.objid)
            stream = resolve1(ref)
            if isinstance(stream, PDFStream):
                yield stream
                pending.append(resolve1(stream.attrs.get("Resources")))


def _inflated_size(stream: Any, budget: int) -> int:
    """Bytes the stream decodes to through its whole filter chain, counting at most ``budget + 1``.

    Decoding is streamed (``_inflate``): a chunk at a time, none kept.
    """
    from pdfminer.pdftypes import resolve1

    filters = resolve1(stream.attrs.get("Filter"))
    names = [
        str(getattr(resolve1(f), "name", resolve1(f)))
        for f in (filters if isinstance(filters, list) else [filters] if filters else [])
    ]
    raw: bytes = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    if stream.rawdata is not None and getattr(stream, "decipher", None):
        # An encrypted file (many filings carry an owner password and an empty
        # user password): pdfminer keeps rawdata encrypted until it decodes, so
        # decrypt first; that costs the compressed size, not the inflated one.
        raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
    return decoded_size(raw, names, budget)
