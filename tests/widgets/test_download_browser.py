"""A download link really downloads, in a Voila page opened by Chromium.

The unit tests prove what the link holds; this one proves a browser honours
it inside a Voila-rendered ipywidget (the same HTML widget view JupyterLab
uses): Voila serves a one-cell notebook showing ``download_link``, headless
Chromium clicks the link, and the saved file must equal the bytes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tests.support.components import require

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
PAYLOAD_EXPRESSION = "bytes(range(256)) * 40"
PAYLOAD = bytes(range(256)) * 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def voila_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Voila server showing one download link; yields the page URL."""
    if not CHROMIUM.exists():
        require("chromium", f"{CHROMIUM} not found: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
        import voila  # noqa: F401
    except ImportError as exc:
        require("chromium", f"{exc.name} is not installed: pip install 'portfolio_kit[test]'")
    folder = tmp_path_factory.mktemp("voila_download")
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from portfolio_kit.widgets import download_link\n"
                f'download_link({PAYLOAD_EXPRESSION}, "probe.xlsx", label="Probe")'
            )
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = folder / "download.ipynb"
    nbformat.write(notebook, path)
    port = _free_port()
    log = (folder / "voila.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            str(path),
            f"--port={port}",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
        ],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "voila/static/", timeout=2):
                    break
            except OSError as exc:
                if getattr(exc, "code", None) is not None:
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"voila did not start: {(folder / 'voila.log').read_text()[-2000:]}"
                    )
                time.sleep(0.25)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def test_clicking_the_link_in_voila_saves_the_bytes(voila_page: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_context(accept_downloads=True).new_page()
            page.goto(voila_page, wait_until="domcontentloaded", timeout=120_000)
            link = page.wait_for_selector("a[download]", timeout=120_000)
            assert link is not None
            assert link.get_attribute("download") == "probe.xlsx"
            assert (link.get_attribute("href") or "").startswith("data:")
            with page.expect_download(timeout=30_000) as download_info:
                link.click()
            download = download_info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
        finally:
            browser.close()
    assert download.suggested_filename == "probe.xlsx"
    assert saved.read_bytes() == PAYLOAD
