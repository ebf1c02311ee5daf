"""Read one PDF in a fresh process and report the outcome, peak memory and wall time.

Peak RSS is only meaningful per process (a test process has already loaded
pandas, the corpus and whatever earlier tests allocated), so each hostile
file is read by ``python -m tests.pdf.measure MODE FILE ...`` and the parent
reads the JSON line it prints. The child's address space is capped
(``RLIMIT_AS``, 4 GiB) so that a regression makes it fail with a
MemoryError or an abort instead of taking the shared machine's memory; the
cap is far above the 1 GiB the tests assert, so it never decides a pass.

Modes, each the way a user reaches the extractor:

``api FILE ENGINE``
    ``extract_statements(FILE, engine=ENGINE)`` from a notebook.
``cli FILE``
    ``portfolio-kit extract FILE`` (stderr is what the user reads).
``render FILE``
    ``render_crop(FILE, 0, ...)``: the review screen drawing page 1.
``ingest FILE DB_URL``
    The PDF review screen's path: ``store_document`` then
    ``extract_document`` on the database at DB_URL (data dir from
    ``PORTFOLIO_KIT_DATA_DIR``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ADDRESS_SPACE_CAP = 4 * 2**30


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run in a child process gave."""

    error: str | None
    message: str
    seconds: float
    peak_rss_mib: float
    ocr_peak_rss_mib: float
    figures: int
    exit_code: int
    stderr: str


def measure(mode: str, *args: str, timeout: float = 300.0) -> Outcome:
    """Run ``python -m tests.pdf.measure MODE ARGS`` and return what it reported.

    ``peak_rss_mib`` is the child's own peak; ``ocr_peak_rss_mib`` the largest
    of its children's (Tesseract), each bounded separately.
    """
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tests.pdf.measure", mode, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - started
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise AssertionError(
            f"the child reading {args[0]} died (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    report = json.loads(lines[-1])
    return Outcome(
        error=report["error"],
        message=report["message"],
        seconds=wall,
        peak_rss_mib=report["peak_rss_mib"],
        ocr_peak_rss_mib=report["ocr_peak_rss_mib"],
        figures=report["figures"],
        exit_code=report["exit_code"],
        stderr=done.stderr,
    )


def _api(path: Path, engine: str) -> int:
    from portfolio_kit.pdf import extract_statements

    return len(extract_statements(path, engine=engine).figures)  # type: ignore[arg-type]


def _cli(path: Path) -> int:
    from portfolio_kit.cli import main

    try:
        main(["extract", str(path)])
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _render(path: Path) -> int:
    from portfolio_kit.pdf import render_crop

    return len(render_crop(path, 0, (40.0, 40.0, 300.0, 120.0)))


def _ingest(path: Path, url: str) -> int:
    from portfolio_kit import connect
    from portfolio_kit.audit import Actor
    from portfolio_kit.models import Document, Role
    from portfolio_kit.services.documents import extract_document, store_document

    analyst = Actor(email="analyst@example.com", role=Role.ANALYST)
    database = connect(url)
    try:
        with database.session(analyst) as session:
            document_id = store_document(
                session, path.read_bytes(), path.name, kind="quarterly_report"
            ).id
        with database.session(analyst) as session:
            document = session.get(Document, document_id)
            return len(extract_document(session, document))
    finally:
        database.dispose()


def _child(mode: str, argv: list[str]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_CAP, _ADDRESS_SPACE_CAP))
    path = Path(argv[0])
    error: str | None = None
    message = ""
    figures = exit_code = 0
    try:
        if mode == "api":
            figures = _api(path, argv[1])
        elif mode == "cli":
            exit_code = _cli(path)
        elif mode == "render":
            figures = _render(path)
        elif mode == "ingest":
            figures = _ingest(path, argv[1])
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    except Exception as err:  # noqa: BLE001 - the parent judges which errors are right
        error, message = type(err).__name__, str(err)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = {
        "error": error,
        "message": message,
        "peak_rss_mib": round(own, 1),
        "ocr_peak_rss_mib": round(children, 1),
        "figures": figures,
        "exit_code": exit_code,
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2:])
