"""Decode a PDF stream's filter chain one chunk at a time, to count what it inflates to.

A stream can stack filters (``/Filter [/ASCII85Decode /FlateDecode]``): the
stored bytes are text-encoded, the text decodes to Flate data, and only that
inflates a thousand times. Counting only the first filter's output lets the
bomb through, so every stage here is a generator that turns chunks into
chunks of at most ``CHUNK`` bytes; the caller stops pulling once the count
passes its budget, and memory stays at a few chunks however large the stream
claims to be.

Image codecs (DCT, JPX, CCITT fax, JBIG2) end the chain: their output is
pixels, which PDFium decodes only to draw, and what reaches them is counted
as stored.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable, Iterable, Iterator

CHUNK = 2**20
_WHITESPACE = b" \t\r\n\f\x00"
Chunks = Iterator[bytes]


def decoded_size(raw: bytes, filters: Iterable[str], budget: int) -> int:
    """Bytes ``raw`` decodes to through ``filters`` (in order), counting at most ``budget + 1``.

    A stage that meets damaged data stops there and the count so far is
    returned: PDFium reports (or tolerates) the damage itself; this count only
    decides whether the stream is too large.
    """
    total = 0
    for chunk in decoded_chunks(raw, filters):
        total += len(chunk)
        if total > budget:
            break
    return total


def decodes(name: str) -> bool:
    """True for a filter decoded here (the ones that can hide a bomb), False for image codecs."""
    return name in _STAGES


def decoded_chunks(raw: bytes, filters: Iterable[str]) -> Chunks:
    """``raw`` decoded through ``filters`` (in order), as chunks of at most ``CHUNK`` bytes.

    Damaged data ends the chunks quietly (see ``decoded_size``).
    """
    chunks: Chunks = (raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK))
    for name in filters:
        stage = _STAGES.get(name)
        if stage is None:
            break
        chunks = stage(chunks)
    try:
        yield from chunks
    except (zlib.error, ValueError, binascii.Error, EOFError):
        return


def _flate(chunks: Chunks) -> Chunks:
    inflater = zlib.decompressobj()
    for data in chunks:
        while data:
            out = inflater.decompress(data, CHUNK)
            data = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return


def _ascii_hex(chunks: Chunks) -> Chunks:
    pending = b""
    for data in chunks:
        end = data.find(b">")
        digits = pending + (data if end < 0 else data[:end]).translate(None, _WHITESPACE)
        cut = len(digits) - len(digits) % 2
        yield binascii.unhexlify(digits[:cut])
        pending = digits[cut:]
        if end >= 0:
            break
    if pending:
        yield binascii.unhexlify(pending + b"0")


def _ascii85(chunks: Chunks) -> Chunks:
    pending = b""
    for data in chunks:
        end = data.find(b"~")
        text = (data if end < 0 else data[:end]).translate(None, _WHITESPACE)
        # "z" stands for four zero bytes; spelt out it is five "!" (still at most 5x the input).
        digits = pending + text.replace(b"z", b"!!!!!")
        cut = len(digits) - len(digits) % 5
        yield base64.a85decode(digits[:cut])
        pending = digits[cut:]
        if end >= 0:
            break
    if pending:
        yield base64.a85decode(pending)


def _run_length(chunks: Chunks) -> Chunks:
    reader = _Reader(chunks)
    out = bytearray()
    while True:
        head = reader.read(1)
        if not head or head[0] == 128:
            break
        length = head[0]
        out += reader.read(length + 1) if length < 128 else reader.read(1) * (257 - length)
        if len(out) >= CHUNK:
            yield bytes(out)
            out.clear()
    if out:
        yield bytes(out)


def _lzw(chunks: Chunks) -> Chunks:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for piece in LZWDecoder(_Reader(chunks)).run():  # type: ignore[arg-type]
        out += piece
        if len(out) >= CHUNK:
            yield bytes(out)
            out.clear()
    if out:
        yield bytes(out)


class _Reader:
    """A file-like ``read(n)`` over an iterator of chunks (what pdfminer's LZW decoder reads)."""

    def __init__(self, chunks: Chunks) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size
        while wanted != 0:
            if self._at >= len(self._buffer):
                self._buffer = next(self._chunks, b"")
                self._at = 0
                if not self._buffer:
                    break
            piece = self._buffer[self._at : self._at + wanted if wanted > 0 else None]
            self._at += len(piece)
            parts.append(piece)
            wanted = wanted - len(piece) if wanted > 0 else wanted
        return b"".join(parts)


_STAGES: dict[str, Callable[[Chunks], Chunks]] = {
    "FlateDecode": _flate,
    "Fl": _flate,
    "ASCIIHexDecode": _ascii_hex,
    "AHx": _ascii_hex,
    "ASCII85Decode": _ascii85,
    "A85": _ascii85,
    "RunLengthDecode": _run_length,
    "RL": _run_length,
    "LZWDecode": _lzw,
    "LZW": _lzw,
}
