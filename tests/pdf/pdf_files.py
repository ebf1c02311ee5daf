"""Small PDFs written byte by byte for the extractor's tests.

A statement laid out like a filing (labels at the left margin, figures
right-aligned in columns, "$" in its own column) is written with the
standard Helvetica font, whose widths every PDF reader knows, so tests can
state exactly what is printed without depending on the 10-K corpus. The same
writer makes damaged files: encrypted (the standard security handler,
revision 2, RC4 40-bit, as in PDF 1.7 section 7.6.3), truncated, garbage,
very long.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

PAGE_WIDTH = 612.0
PAGE_HEIGHT = 792.0
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_PERMISSIONS = -44
_FILE_ID = bytes.fromhex("9a1c2f0e5b7d4c3a8e6f1b2d3c4e5f60")
# Helvetica advance widths (1/1000 em) from the Adobe core-font metrics, for the
# characters that right-aligned figures use.
_HELVETICA_WIDTHS = {
    **{str(d): 556 for d in range(10)},
    ",": 278, ".": 278, "(": 333, ")": 333, "-": 333, "$": 556, " ": 278,
    "\u2014": 1000, "\u2013": 556,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text: ``x`` from the left edge, ``top`` from the top edge, in points.

    With ``align="right"`` the text ends at ``x`` (how statements print figures).
    """

    x: float
    top: float
    text: str
    size: float = 9.0
    align: str = "left"


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` in Helvetica (figures and punctuation only)."""
    return sum(_HELVETICA_WIDTHS.get(ch, 556) for ch in text) * size / 1000.0


def write_pdf(
    path: Path,
    pages: list[list[Text]],
    *,
    user_password: str | None = None,
    owner_password: str = "owner",
    trailing_garbage: bytes = b"",
) -> Path:
    """Write ``pages`` (each a list of ``Text``) as a PDF file and return its path.

    ``user_password`` encrypts the file (RC4 40-bit); "" encrypts it with an
    empty user password, which any reader opens without asking.
    """
    objects: dict[int, bytes] = {}
    font_id = 3
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[font_id] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    next_id = 4
    streams: dict[int, bytes] = {}
    for page in pages:
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        kids.append(page_id)
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH:g} {PAGE_HEIGHT:g}] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
        streams[content_id] = _content(page)
    objects[2] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    ).encode()
    encrypt_id = None
    key = None
    if user_password is not None:
        owner_entry, key = _security(user_password, owner_password)
        encrypt_id = next_id
        objects[encrypt_id] = (
            b"<< /Filter /Standard /V 1 /R 2 /O <" + owner_entry[0].hex().encode()
            + b"> /U <" + owner_entry[1].hex().encode()
            + f"> /P {_PERMISSIONS} >>".encode()
        )  # fmt: skip
    for number, data in streams.items():
        if key is not None:
            data = _rc4(_object_key(key, number), data)
        objects[number] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    entries = b""
    if encrypt_id is not None:
        entries += f" /Encrypt {encrypt_id} 0 R".encode()
    entries += b" /ID [<" + _FILE_ID.hex().encode() + b"> <" + _FILE_ID.hex().encode() + b">]"
    out = pdf_bytes(objects, trailer_entries=entries)
    out += trailing_garbage
    path.write_bytes(bytes(out))
    return path


def pdf_bytes(
    objects: dict[int, bytes],
    *,
    root: int = 1,
    trailer_entries: bytes = b"",
    version: bytes = b"1.4",
) -> bytearray:
    """Numbered object bodies laid out as a PDF: header, objects, a correct
    xref table, and a trailer with ``/Size``, ``/Root`` and ``trailer_entries``."""
    out = bytearray(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        )
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (size, root) + trailer_entries + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


def _content(texts: list[Text]) -> bytes:
    parts = [b"BT"]
    for item in texts:
        x = item.x - text_width(item.text, item.size) if item.align == "right" else item.x
        baseline = PAGE_HEIGHT - item.top - item.size * 0.8
        escaped = (
            item.text.encode("cp1252")
            .replace(b"\\", b"\\\\")
            .replace(b"(", b"\\(")
            .replace(b")", b"\\)")
        )
        parts.append(
            b"/F1 %s Tf 1 0 0 1 %s %s Tm (%s) Tj"
            % (f"{item.size:g}".encode(), f"{x:.2f}".encode(), f"{baseline:.2f}".encode(), escaped)
        )
    parts.append(b"ET")
    return b"\n".join(parts)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def _security(user_password: str, owner_password: str) -> tuple[tuple[bytes, bytes], bytes]:
    """(O, U) entries and the file key, algorithms 2, 3 and 4 of the standard handler (R2)."""
    owner_key = hashlib.md5(_padded(owner_password or user_password)).digest()[:5]
    owner_entry = _rc4(owner_key, _padded(user_password))
    permissions = (_PERMISSIONS & 0xFFFFFFFF).to_bytes(4, "little")
    key = hashlib.md5(_padded(user_password) + owner_entry + permissions + _FILE_ID).digest()[:5]
    user_entry = _rc4(key, _PAD)
    return (owner_entry, user_entry), key


def _object_key(key: bytes, number: int) -> bytes:
    digest = hashlib.md5(key + number.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()
    return digest[: len(key) + 5]


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a statement's parts go on the page (points)."""

    label_x: float = 40.0
    indent: float = 10.0
    columns: tuple[float, ...] = (430.0, 510.0, 590.0)
    dollar_offset: float = 55.0
    line: float = 12.0


def statement_page(
    title: str,
    heading: list[str],
    column_headers: list[list[str]],
    rows: list[tuple[str, list[str]] | tuple[str, list[str], int]],
    *,
    layout: Layout = Layout(),
    top: float = 60.0,
    footer: str | None = "See accompanying notes to the consolidated financial statements.",
) -> list[Text]:
    """One statement page laid out like a 10-K.

    Parameters
    ----------
    title : str
        Printed centred-ish at the top ("CONSOLIDATED BALANCE SHEETS").
    heading : list of str
        Lines under the title ("(In thousands)").
    column_headers : list of list of str
        Header lines over the figure columns, one string per column and line
        (e.g. ``[["December 31,", "December 31,"], ["2023", "2022"]]``); an
        empty string prints nothing over that column.
    rows : list of (label, figures) or (label, figures, indent level)
        ``figures`` as printed ("1,577", "(12)", "—", "$ 4,106"); an empty list
        makes a heading row. A figure starting with "$ " prints the symbol in
        its own column to the left.
    """
    texts = [Text(200.0, top, title, size=11.0)]
    y = top + 16.0
    for line in heading:
        texts.append(Text(layout.label_x, y, line))
        y += layout.line
    for header_line in column_headers:
        for column, text in zip(layout.columns, header_line, strict=False):
            if text:
                texts.append(Text(column, y, text, align="right"))
        y += layout.line
    y += 4.0
    for row in rows:
        label, figures = row[0], row[1]
        level = row[2] if len(row) > 2 else 0
        if label:
            texts.append(Text(layout.label_x + layout.indent * level, y, label))
        for column, figure in zip(layout.columns, figures, strict=False):
            if not figure:
                continue
            if figure.startswith("$ "):
                texts.append(Text(column - layout.dollar_offset, y, "$"))
                figure = figure[2:]
            texts.append(Text(column, y, figure, align="right"))
        y += layout.line
    if footer:
        texts.append(Text(layout.label_x, y + 10.0, footer, size=8.0))
    return texts


def prose_page(lines: list[str], top: float = 72.0) -> list[Text]:
    """A page of running text (cover, table of contents, MD&A)."""
    return [Text(72.0, top + 14.0 * i, line, size=10.0) for i, line in enumerate(lines)]
