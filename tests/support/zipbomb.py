"""Building real decompression bombs for tests, streaming, in a few seconds.

A run of zeros deflates about 1,030-fold, so a 6 GiB member fits in about
6 MB. Compressing 6 GiB with zlib takes about 16 s of CPU; instead, each
1 MiB block of zeros is deflated once and ended with a full flush, which
byte-aligns the stream and resets the compressor, so every later block's
deflate output is exactly the same bytes. ``zipfile`` writes the member
(zip64 headers, CRC of all 6 GiB) with that one block's output repeated:
the file is a genuine deflate bomb that any unzip tool inflates to zeros
(``test_the_bomb_builder_makes_a_real_archive`` reads a small one back
through ``zipfile``, CRC checked). Nothing large is ever held in memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

BLOCK = 1 << 20
_ZEROS = bytes(BLOCK)
_END_OF_STREAM = b"\x03\x00"
"""A final, empty fixed-Huffman deflate block: what a fresh raw compressor's flush() emits."""


def _deflated_zero_block() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(_ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    second = compressor.compress(_ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first == second, "deflate output after a full flush was expected to repeat"
    assert zlib.compressobj(9, zlib.DEFLATED, -15).flush() == _END_OF_STREAM
    return first


class _RepeatingZeroCompressor:
    """Stands in for zlib's compressor while zipfile writes a member of zero blocks."""

    def __init__(self) -> None:
        self._block = _deflated_zero_block()

    def compress(self, data: bytes) -> bytes:
        if data != _ZEROS:
            raise ValueError("only whole 1 MiB blocks of zeros can be written this way")
        return self._block

    def flush(self) -> bytes:
        return _END_OF_STREAM


@contextmanager
def _zero_block_deflate() -> Iterator[None]:
    with mock.patch.object(zipfile, "_get_compressor", lambda *_: _RepeatingZeroCompressor()):
        yield


def write_zero_bomb(path: Path, workbook: bytes, member: str, size_bytes: int) -> Path:
    """A copy of ``workbook`` whose ``member`` holds ``size_bytes`` of zeros (whole MiB)."""
    if size_bytes % BLOCK:
        raise ValueError("size_bytes must be a whole number of MiB")
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info.filename, source.read(info))
        bomb = zipfile.ZipInfo(member)
        bomb.compress_type = zipfile.ZIP_DEFLATED
        with _zero_block_deflate(), target.open(bomb, "w", force_zip64=True) as handle:
            for _ in range(size_bytes // BLOCK):
                handle.write(_ZEROS)
    return path
