"""Hostile PDFs written byte by byte: bombs, lying page trees, damaged and locked files.

Every file here is small on disk and built with a correct cross-reference
table, so that a reader takes it at its word: what it claims (a 5 GB content
stream, a million pages) is what a careless reader would try to honour.

- A *decompression bomb* is a Flate stream of zeros: zlib compresses zeros
  about 1,000 to 1, so 5 GB of content is a 5 MB file. One MiB is compressed
  with ``zlib.compressobj`` and its output repeated (see ``deflated_zeros``),
  so writing it takes milliseconds and never holds the inflated data.
- A *million pages* is a page tree of six levels whose every node lists the
  same child ten times (10**6 leaves, eight objects), or one page under a
  root that says ``/Count 1000000``.
"""

from __future__ import annotations

import binascii
import io
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from tests.pdf.pdf_files import pdf_bytes, prose_page, write_pdf
from tests.pdf.synthetic import synthetic_pages

GB = 10**9
_STEP = 2**20
_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def write_objects(path: Path, objects: dict[int, bytes], *, root: int = 1) -> Path:
    """Write numbered object bodies as a PDF with a correct xref table and trailer."""
    out = pdf_bytes(objects, root=root, version=b"1.7")
    path.write_bytes(bytes(out))
    return path


def stream(attributes: bytes, data: bytes) -> bytes:
    """A stream object body whose ``/Length`` is the data's."""
    return b"<< %s /Length %d >>\nstream\n" % (attributes, len(data)) + data + b"\nendstream"


def deflated_zeros(size: int, fill: int = 0) -> bytes:
    """``size`` bytes (whole MiB) of the byte ``fill``, Flate-compressed in milliseconds.

    Each MiB is compressed once and ends with a full flush, which byte-aligns
    the output and empties the dictionary, so every following MiB compresses
    to the same bytes: the stream is that unit repeated, closed by an empty
    final block and the Adler-32 of the whole (computed in closed form for a
    run of one byte value: a = 1 + n*fill, b = n + fill*n*(n+1)/2, mod 65521).
    """
    steps = -(-size // _STEP)
    block = bytes([fill]) * _STEP
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4]
    total = steps * _STEP
    a = (1 + total * fill) % 65521
    b = (total + fill * total * (total + 1) // 2) % 65521
    return first + unit * (steps - 1) + end + ((b << 16) | a).to_bytes(4, "big")


def _page_with(contents: bytes, resources: bytes = b"") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> " + resources + b" >> /Contents 4 0 R >>"
        ),
        4: contents,
        5: _HELVETICA,
    }


def content_bomb(path: Path, size: int = 5 * GB) -> Path:
    """One page whose content stream inflates to ``size`` bytes of zeros (whitespace)."""
    return write_objects(path, _page_with(stream(b"/Filter /FlateDecode", deflated_zeros(size))))


def hex_wrapped_bomb(path: Path, size: int = 5 * GB) -> Path:
    """The same bomb behind a filter chain: ASCII hex first, then Flate."""
    data = binascii.hexlify(deflated_zeros(size)) + b">"
    return write_objects(
        path, _page_with(stream(b"/Filter [/ASCIIHexDecode /FlateDecode]", data))
    )


def nested_form_bomb(path: Path, size: int = 5 * GB, depth: int = 6) -> Path:
    """The bomb in a form XObject drawn by a form drawn by a form ... ``depth`` levels down."""
    objects = _page_with(
        stream(b"", b"/X0 Do"), b"/XObject << /X0 10 0 R >>"
    )
    for level in range(depth):
        number = 10 + level
        if level == depth - 1:
            objects[number] = stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Filter /FlateDecode",
                deflated_zeros(size),
            )
        else:
            objects[number] = stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] "
                b"/Resources << /XObject << /X%d %d 0 R >> >>" % (level + 1, number + 1),
                b"/X%d Do" % (level + 1),
            )
    return write_objects(path, objects)


def drawn_ten_thousand_times(path: Path, paths: int = 70_000, fanout: int = 100) -> Path:
    """A 4 KB file whose page draws a form 100 times, each drawing a 1 MiB form 100 times.

    Nothing here inflates much (the 1 MiB form is stored compressed once), but
    PDFium parses a form each time it is drawn: 10,000 parses of 70,000 line
    segments, about 10 GB of content ("billion laughs" for PDF).
    """
    leaf = b"0 0 m 1 1 l S\n" * paths
    objects = _page_with(stream(b"", b"/M Do\n" * fanout), b"/XObject << /M 10 0 R >>")
    objects[10] = stream(
        b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] "
        b"/Resources << /XObject << /L 11 0 R >> >>",
        b"/L Do\n" * fanout,
    )
    objects[11] = stream(
        b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Filter /FlateDecode",
        zlib.compress(leaf, 9),
    )
    return write_objects(path, objects)


def shared_kids_million_pages(path: Path, fanout: int = 10, levels: int = 6) -> Path:
    """A page tree of ``levels`` levels, every node listing the same child ``fanout`` times."""
    leaf = 2 + levels
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    for level in range(levels):
        number, child = 2 + level, 3 + level
        kids = b" ".join([b"%d 0 R" % child] * fanout)
        parent = b"" if level == 0 else b" /Parent %d 0 R" % (number - 1)
        objects[number] = b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (
            kids, fanout ** (levels - level), parent,
        )  # fmt: skip
    objects[leaf] = (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
        % (leaf - 1, leaf + 1, leaf + 2)
    )
    objects[leaf + 1] = _HELVETICA
    objects[leaf + 2] = stream(b"", b"BT /F1 10 Tf 72 700 Td (Page of a very long document) Tj ET")
    return write_objects(path, objects)


def count_lie_million_pages(path: Path) -> Path:
    """One real page under a page tree root that claims ``/Count 1000000``."""
    objects = _page_with(stream(b"", b"BT /F1 10 Tf 72 700 Td (A short letter) Tj ET"))
    objects[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>"
    return write_objects(path, objects)


def encrypted(path: Path) -> Path:
    """The synthetic filing locked with a user password (RC4, standard handler)."""
    return write_pdf(path, synthetic_pages(), user_password="secret")


def truncated(path: Path) -> Path:
    """The synthetic filing cut at two thirds (a download that stopped)."""
    whole = write_pdf(path, synthetic_pages()).read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])
    return path


def corrupt(path: Path) -> Path:
    """A PDF header and an end marker around bytes that are no PDF objects."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def no_statements(path: Path) -> Path:
    """A three-page shareholder letter: text, but no financial statement."""
    lines = ["Dear shareholders,", "2023 was a year of progress.", "Revenue grew 25%."]
    return write_pdf(path, [prose_page(lines)] * 3)


def image_of_something_else(path: Path) -> Path:
    """Two image-only pages of a drawing (a house, a sun, a tree): a scan with no statement."""
    pages = []
    for shift in (0, 40):
        image = Image.new("L", (1700, 2200), 255)
        draw = ImageDraw.Draw(image)
        draw.rectangle((400 + shift, 1100, 1200 + shift, 1800), outline=0, width=12)
        draw.polygon([(350 + shift, 1100), (800 + shift, 600), (1250 + shift, 1100)], outline=0)
        draw.ellipse((1300, 200, 1600, 500), fill=90)
        draw.rectangle((200, 1400, 260, 1800), fill=60)
        draw.ellipse((100, 1100, 360, 1420), fill=140)
        pages.append(image)
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=200.0)
    return path


def huge_jpeg(path: Path, side: int = 60_000) -> Path:
    """An image-only page whose 1 KB JPEG declares ``side`` x ``side`` pixels (3.6 GB of grey).

    The JPEG is a real 16 x 16 one whose frame header (SOF0) is rewritten; the
    missing scan data is what a decoder pads with.
    """
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 200).save(buffer, format="JPEG")
    jpeg = bytearray(buffer.getvalue())
    frame = jpeg.find(b"\xff\xc0")
    jpeg[frame + 5 : frame + 9] = side.to_bytes(2, "big") + side.to_bytes(2, "big")
    objects = _page_with(
        stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q"), b"/XObject << /Im0 10 0 R >>"
    )
    objects[10] = stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode" % (side, side),
        bytes(jpeg),
    )
    return write_objects(path, objects)


def page_tree_loop(path: Path) -> Path:
    """A page tree node that lists itself among its kids (a cycle)."""
    objects = _page_with(stream(b"", b"BT /F1 10 Tf 72 700 Td (Looping) Tj ET"))
    objects[2] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    return write_objects(path, objects)


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "encrypted": encrypted,
    "corrupt": corrupt,
    "truncated": truncated,
    "no_statements": no_statements,
    "image_of_something_else": image_of_something_else,
    "content_bomb_5gb": content_bomb,
    "hex_wrapped_bomb_5gb": hex_wrapped_bomb,
    "nested_form_bomb_5gb": nested_form_bomb,
    "form_drawn_10000_times": drawn_ten_thousand_times,
    "million_pages_shared_kids": shared_kids_million_pages,
    "million_pages_count_lie": count_lie_million_pages,
    "page_tree_loop": page_tree_loop,
    "huge_jpeg": huge_jpeg,
}

