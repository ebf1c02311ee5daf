"""Download links: the bytes travel in a data URI on an ``<a download>`` element."""

from __future__ import annotations

import base64
import re

import pytest

from portfolio_kit.widgets.download import (
    MAX_DOWNLOAD_BYTES,
    XLSX_MIME,
    download_html,
    download_link,
    mime_type,
)


def parse(link: str) -> tuple[str, str, bytes]:
    match = re.search(r'<a download="([^"]*)" href="data:([^;]+);base64,([A-Za-z0-9+/=]*)"', link)
    assert match is not None, link
    name, mime, payload = match.groups()
    return name, mime, base64.b64decode(payload)


def test_the_link_carries_the_exact_bytes_name_and_type() -> None:
    data = bytes(range(256)) * 4
    name, mime, decoded = parse(download_html(data, "model.xlsx"))
    assert (name, mime, decoded) == ("model.xlsx", XLSX_MIME, data)


def test_names_are_escaped_and_must_be_plain() -> None:
    name, _mime, _data = parse(download_html(b"x", 'Q4 "final".csv'))
    assert name == "Q4 &quot;final&quot;.csv"
    with pytest.raises(ValueError, match="file_name: must be a plain file name"):
        download_html(b"x", "../etc/passwd")
    with pytest.raises(ValueError, match="file_name"):
        download_html(b"x", "  ")


def test_empty_and_oversized_files_are_refused_with_a_sentence() -> None:
    with pytest.raises(ValueError, match=r"data: report\.xlsx is empty"):
        download_html(b"", "report.xlsx")
    with pytest.raises(
        ValueError, match=r"data: big.xlsx is 1\.5 MB; a download link holds at most 1\.5 MB"
    ):
        download_html(b"\0" * (MAX_DOWNLOAD_BYTES + 1), "big.xlsx")


def test_mime_types_for_the_files_the_workspace_offers() -> None:
    assert mime_type("a.xlsx") == XLSX_MIME
    assert mime_type("a.csv") == "text/csv"
    assert mime_type("a.unknownext") == "application/octet-stream"


def test_the_widget_is_an_html_widget_with_the_link() -> None:
    widget = download_link(b"hello", "hello.txt", label="Get it")
    name, mime, data = parse(widget.value)
    assert (name, mime, data) == ("hello.txt", "text/plain", b"hello")
    assert "Get it" in widget.value
    # No script and no external URL: the link works offline in JupyterLab and Voila.
    assert "<script" not in widget.value and "http" not in widget.value
