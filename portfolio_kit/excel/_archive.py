"""Checking an uploaded .xlsx before openpyxl opens it: size, inflation and integrity.

An .xlsx is a zip archive. openpyxl inflates every sheet it reads, so a file
of a few megabytes whose member inflates to 6 GB of zeros (a decompression
bomb) used to end in a MemoryError traceback. ``check_xlsx`` reads only the
archive's central directory first (``ZipFile.infolist()``: names, declared
sizes) and refuses, before anything is inflated:

* a member that inflates more than ``xlsx_max_compression_ratio`` times
  (default 200) and is over 1 MiB (a tiny member's ratio means nothing);
* members that together declare more than ``xlsx_max_uncompressed_mb``
  (default 256 MB);
* more than ``MAX_MEMBERS`` members.

Then it reads every member once, in 1 MiB pieces, so a damaged member
(bad CRC, broken deflate stream, encryption) is named here rather than
surfacing as an XML error. The declared sizes are trustworthy bounds:
Python's ``zipfile`` never returns more bytes than a member's declared
``file_size`` (it cuts the stream there and then fails the CRC check), so a
member that lies about its size cannot inflate past the limit either.

Why these defaults (measured on files the toolkit writes, 2026-12):

============================================  ========  ==========  ===========
file                                          zipped    unzipped    worst ratio
============================================  ========  ==========  ===========
KPI template, demo company, 4 quarters        0.01 MB   0.04 MB     7
same, saved again by LibreOffice              0.01 MB   0.06 MB     10
KPI template with 20,000 KPI rows             0.58 MB   6.0 MB      11
KPI template with 100,000 KPI rows            2.84 MB   30.3 MB     11
quarterly report (demo fund), LibreOffice     0.03 MB   0.20 MB     12
DCF / LBO model                               0.02 MB   0.09 MB     8
100,000 styled empty cells (repetitive XML)   0.52 MB   5.1 MB      10
============================================  ========  ==========  ===========

Real sheets inflate at most about 12-fold, because every cell carries its
own coordinate; a run of zeros inflates about 1,030-fold (deflate's
ceiling). 200 leaves 16x headroom over the most repetitive real sheet and
sits 5x under a bomb. 256 MB is over 8x the largest template benchmarked
(100,000 rows, 30.3 MB; about 300 bytes of XML a row, so room for about
850,000 rows) while keeping what openpyxl builds from it inside a 2-core,
few-GiB machine.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from portfolio_kit.errors import PortfolioKitError
from portfolio_kit.settings import get_settings

MAX_MEMBERS = 10_000
"""Workbooks have tens of members (one per sheet, style, relation); ten
thousand is a directory built to exhaust memory, not a workbook."""

RATIO_FLOOR_BYTES = 1 << 20
"""Members smaller than this are not ratio-checked: a few hundred kilobytes
of anything is harmless, and small XML parts legitimately compress well."""

_PIECE = 1 << 20


class UnsafeArchiveError(PortfolioKitError):
    """An uploaded .xlsx was refused before it was opened; nothing was read or stored.

    ``file_name`` is the upload's name, ``member`` the archive member at
    fault (None when the archive as a whole is), ``reason`` what is wrong.
    """

    def __init__(self, file_name: str, member: str | None, reason: str) -> None:
        self.file_name = file_name
        self.member = member
        self.reason = reason
        super().__init__(f"{file_name}: {reason}")


class ArchiveTooLargeError(UnsafeArchiveError):
    """The .xlsx would inflate beyond the configured limits (a decompression bomb?)."""


class DamagedArchiveError(UnsafeArchiveError):
    """Not a zip archive at all, truncated, or a member that cannot be read."""


def check_xlsx(
    data: bytes,
    file_name: str,
    *,
    max_uncompressed_bytes: int | None = None,
    max_ratio: float | None = None,
) -> None:
    """Refuse ``data`` unless it is a readable zip within the size limits.

    Parameters
    ----------
    data
        The uploaded file's bytes.
    file_name
        Shown in the error.
    max_uncompressed_bytes, max_ratio
        Override ``xlsx_max_uncompressed_mb`` (in bytes) and
        ``xlsx_max_compression_ratio`` from the settings.

    Raises
    ------
    ArchiveTooLargeError
        A member inflates too much, or all together are too large.
    DamagedArchiveError
        Not a zip, truncated, or a member is damaged or encrypted.
    """
    settings = get_settings()
    limit = (
        max_uncompressed_bytes
        if max_uncompressed_bytes is not None
        else settings.xlsx_max_uncompressed_mb * 1_000_000
    )
    ratio_limit = max_ratio if max_ratio is not None else settings.xlsx_max_compression_ratio
    if not data.startswith(b"PK"):
        raise DamagedArchiveError(
            file_name, None, "is not an .xlsx file (an .xlsx is a zip archive; this is not one)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DamagedArchiveError(
            file_name, None, f"is truncated or damaged: its zip directory cannot be read ({exc})"
        ) from None
    with archive:
        members = archive.infolist()
        _check_sizes(members, file_name, limit, ratio_limit)
        for info in members:
            _read_through(archive, info, file_name)


def _check_sizes(
    members: list[zipfile.ZipInfo], file_name: str, limit: int, ratio_limit: float
) -> None:
    if len(members) > MAX_MEMBERS:
        raise ArchiveTooLargeError(
            file_name,
            None,
            f"holds {len(members):,} archive members; a workbook has tens (limit {MAX_MEMBERS:,})",
        )
    total = 0
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > ratio_limit:
            raise ArchiveTooLargeError(
                file_name,
                info.filename,
                f"member {info.filename} inflates {ratio:,.0f}-fold "
                f"({info.compress_size:,} bytes to {info.file_size:,}); workbooks inflate "
                f"about 10-fold and the limit is {ratio_limit:g} "
                "(PORTFOLIO_KIT_XLSX_MAX_COMPRESSION_RATIO): not opened",
            )
        total += info.file_size
        if total > limit:
            raise ArchiveTooLargeError(
                file_name,
                info.filename,
                f"unpacks to more than {limit / 1e6:g} MB (reached at member "
                f"{info.filename}, {info.file_size / 1e6:,.1f} MB); the limit is "
                "PORTFOLIO_KIT_XLSX_MAX_UNCOMPRESSED_MB: not opened",
            )


def _read_through(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str) -> None:
    """Inflate one member piece by piece (CRC checked at its end), keeping nothing."""
    try:
        with archive.open(info) as member:
            while member.read(_PIECE):
                pass
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise DamagedArchiveError(
            file_name, info.filename, f"is damaged: member {info.filename} cannot be read ({exc})"
        ) from None
