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

``MAX_CONTENT_BYTES`` = 64 MiB of inflated content per page (``max_content_bytes``)
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

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from portfolio_kit.pdf._inflate import decoded_chunks, decodes
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

    def check(self, index: int, *, only: bool = False) -> None:
        """Raise ``ContentTooLargeError`` if page ``index`` (0-based) inflates past the limit.

        Pages are checked in order (the extractor reads them in order), each
        once; with ``only`` the pages before ``index`` are skipped unmeasured
        (the review screen draws one page).
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
            if only and self._checked < index:
                continue
            total = _Expansion(self.max_bytes).page(page)
            if total > self.max_bytes:
                raise ContentTooLargeError(
                    self.path,
                    f"page {self._checked + 1} holds more than {self.max_bytes / 2**20:.0f} MiB "
                    "of content once decompressed, counting each form as often as the page "
                    "draws it (a decompression bomb, or a page no statement needs); raise "
                    "max_content_bytes (setting PORTFOLIO_KIT_PDF_MAX_PAGE_CONTENT_MIB) to read it",
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


class _Expansion:
    """Content bytes one page makes PDFium parse, counting a form each time it is drawn.

    A form XObject is parsed once per ``Do`` that draws it, so a 4 KB file
    whose page draws a form 100 times that draws a 1 MiB form 100 times makes
    PDFium parse 10 GB (measured before this count: past a 4 GiB cap). Each
    stream's size is its decoded bytes plus, for every name it draws, the
    number of ``Do`` operators naming it times that XObject's own size;
    sizes are remembered per stream, so the walk is linear in the number of
    streams, and a form that draws itself counts nothing more (PDFium stops
    such recursion).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._sizes: dict[int, int] = {}
        self._open: set[int] = set()

    def page(self, page: Any) -> int:
        from pdfminer.pdftypes import PDFStream, resolve1

        resources = resolve1(page.resources or {})
        total = 0
        for item in page.contents or []:
            stream = resolve1(item)
            if isinstance(stream, PDFStream):
                total += self._size(stream, resources, self.budget - total)
                if total > self.budget:
                    break
        return total

    def _size(self, stream: Any, inherited: Any, budget: int) -> int:
        from pdfminer.pdftypes import PDFStream, resolve1

        key = stream.objid if stream.objid is not None else id(stream)
        if key in self._sizes:
            return self._sizes[key]
        if key in self._open:
            return 0
        self._open.add(key)
        total = 0
        try:
            drawing = _subtype(stream) != "Image"
            total, draws = _decoded(stream, budget, count_draws=drawing)
            resources = resolve1(stream.attrs.get("Resources")) if drawing else None
            if not isinstance(resources, dict):
                resources = inherited
            xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
            for name, times in draws.items():
                if total > budget or not isinstance(xobjects, dict):
                    break
                target = resolve1(xobjects.get(name))
                if isinstance(target, PDFStream):
                    total += times * self._size(target, resources, budget - total)
        except Exception:  # noqa: BLE001 - a damaged object: PDFium judges it; count what was read
            pass
        finally:
            self._open.discard(key)
        self._sizes[key] = total
        return total


_DRAW = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_TAIL = 256


def _subtype(stream: Any) -> str:
    from pdfminer.pdftypes import resolve1

    value = resolve1(stream.attrs.get("Subtype"))
    return str(getattr(value, "name", value))


def _decoded(stream: Any, budget: int, *, count_draws: bool) -> tuple[int, Counter[str]]:
    """Decoded size of ``stream`` (at most ``budget + 1`` counted) and the names its ``Do``s draw.

    Decoding is streamed (``_inflate``): a chunk at a time, none kept.
    """
    from pdfminer.pdftypes import resolve1

    filters = resolve1(stream.attrs.get("Filter"))
    names = [
        str(getattr(resolve1(f), "name", resolve1(f)))
        for f in (filters if isinstance(filters, list) else [filters] if filters else [])
    ]
    raw: bytes = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    if not count_draws and (not names or not decodes(names[0])):
        # An image stored as is or in an image codec: its size is the stored size, and
        # knowing it needs no decryption (pdfminer's RC4 runs at about 1 MB/s).
        return len(raw), Counter()
    if stream.rawdata is not None and getattr(stream, "decipher", None):
        # An encrypted file (many filings carry an owner password and an empty
        # user password): pdfminer keeps rawdata encrypted until it decodes, so
        # decrypt first; that costs the compressed size, not the inflated one.
        raw = stream.decipher(stream.objid, stream.genno, raw, stream.attrs)
    sizes = _Counted(decoded_chunks(raw, names), budget)
    draws = _draws_in(sizes) if count_draws else _drain(sizes)
    return sizes.total, draws


class _Counted:
    """Chunks passed through, counted; stops once the count passes ``budget``."""

    def __init__(self, chunks: Iterator[bytes], budget: int) -> None:
        self._chunks = chunks
        self.budget = budget
        self.total = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.total += len(chunk)
            yield chunk
            if self.total > self.budget:
                return


def _drain(chunks: _Counted) -> Counter[str]:
    for _ in chunks:
        pass
    return Counter()


def _draws_in(chunks: Iterable[bytes]) -> Counter[str]:
    """How many times each XObject name is drawn (``/Name Do``) in a content stream's chunks.

    The last 256 bytes of the previous chunk are scanned again with the next,
    so an operator split across two chunks is seen once (PDF names are at most
    127 bytes).
    """
    draws: Counter[str] = Counter()
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        for match in _DRAW.finditer(window):
            if match.end() > len(tail):
                name = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
                draws[name.decode("latin-1")] += 1
        tail = window[-_TAIL:]
    return draws
