"""File downloads that work in JupyterLab and in a Voila page alike.

The file travels inside the page as a ``data:`` URI on an ``<a download>``
link, so no server route or file on disk is involved: the same widget works
in a notebook, in Voila and in an exported page. Browsers cap the length of
a URL (Chromium at 2 MB), and base64 makes a file a third larger, so files
above ``MAX_DOWNLOAD_BYTES`` are refused with a sentence instead of a link
that silently does nothing.
"""

from __future__ import annotations

import base64
import html
import mimetypes
from pathlib import PurePath

import ipywidgets as widgets

MAX_DOWNLOAD_BYTES = 1_500_000
"""Largest file offered as a link: 1.5 MB is 2 MB once base64-encoded."""

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_KNOWN_TYPES = {
    ".xlsx": XLSX_MIME,
    ".csv": "text/csv",
    ".pdf": "application/pdf",
    ".png": "image/png",
}


def mime_type(file_name: str) -> str:
    """The MIME type a browser expects for a file name (octet-stream if unknown)."""
    suffix = PurePath(file_name).suffix.lower()
    return (
        _KNOWN_TYPES.get(suffix) or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    )


def download_html(
    data: bytes, file_name: str, *, label: str | None = None, mime: str | None = None
) -> str:
    """The ``<a download>`` element carrying ``data`` (pure).

    Raises
    ------
    ValueError
        ``data`` is empty or larger than ``MAX_DOWNLOAD_BYTES``, or
        ``file_name`` is blank or has a path in it.
    """
    if not file_name or not file_name.strip() or PurePath(file_name).name != file_name:
        raise ValueError(
            f"file_name: must be a plain file name without folders (got {file_name!r})"
        )
    if not data:
        raise ValueError(f"data: {file_name} is empty; there is nothing to download")
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ValueError(
            f"data: {file_name} is {len(data) / 1e6:.1f} MB; a download link holds at most "
            f"{MAX_DOWNLOAD_BYTES / 1e6:.1f} MB: save the file to disk instead"
        )
    encoded = base64.b64encode(data).decode("ascii")
    text = label or f"Download {file_name}"
    return (
        f'<a download="{html.escape(file_name, quote=True)}" '
        f'href="data:{mime or mime_type(file_name)};base64,{encoded}" '
        'target="_blank" rel="noopener" '
        'style="display:inline-block;padding:4px 12px;border:1px solid #1976d2;border-radius:3px;'
        'color:#1976d2;text-decoration:none">'
        f"&#x2B07; {html.escape(text)} ({len(data) / 1024:,.0f} KB)</a>"
    )


def download_link(
    data: bytes, file_name: str, *, label: str | None = None, mime: str | None = None
) -> widgets.HTML:
    """An HTML widget holding a download link for ``data`` (see ``download_html``)."""
    return widgets.HTML(value=download_html(data, file_name, label=label, mime=mime))
