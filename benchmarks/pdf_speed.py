"""How long ``extract_statements`` takes on each corpus filing, beside a naive baseline.

The baseline is what a first attempt would do: open the filing with pdfplumber
and ``extract_text()`` every page (no table reading at all). The extractor
does much more (finds the statements, rebuilds their tables, maps and checks
them) and should still be far faster, because it reads every page's text with
PDFium and lays out only the few statement pages.

For each filing the script prints the median of ``--runs`` end-to-end runs of
the extractor, the median of ``--baseline-runs`` runs of the baseline, and
their ratio; then the medians over all filings. Timings are wall-clock on
whatever else the machine is doing, so run it on a quiet machine.

Usage::

    python benchmarks/pdf_speed.py                        # every corpus filing
    python benchmarks/pdf_speed.py APPLE_2019_10K --runs 5
    python benchmarks/pdf_speed.py --no-baseline          # extractor only (seconds)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run by path, so the repository root is not on sys.path yet.
sys.path.insert(0, str(REPO_ROOT))

from tests.support.corpus import corpus_file  # noqa: E402

DEFAULT_CORPUS = corpus_file("10k")
TARGET_SECONDS = 3.0


def time_extractor(path: Path, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of ``extract_statements(path)``, and the figures found.

    CPU time is shown beside wall time because on a shared machine the wall
    time also measures the other processes; the CPU time does not.
    """
    from portfolio_kit.pdf import extract_statements

    walls, cpus = [], []
    figures = 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = extract_statements(path)
        figures = len(found.to_frame())
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus), figures


def time_baseline(path: Path, runs: int) -> tuple[float, int]:
    """Median seconds of pdfplumber ``extract_text()`` on every page, and the page count."""
    import pdfplumber

    times = []
    pages = 0
    for _ in range(runs):
        started = time.perf_counter()
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                page.extract_text()
                page.close()
        times.append(time.perf_counter() - started)
    return statistics.median(times), pages


def _load() -> str:
    """The 1-minute load average (the machine has 2 cores): context for the timings."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("filings", nargs="*", help="file stems (default: every PDF in the corpus)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="extractor runs per filing (median)")
    parser.add_argument("--baseline-runs", type=int, default=1, help="baseline runs per filing")
    parser.add_argument("--no-baseline", action="store_true", help="skip the slow baseline")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"pdf_speed: no corpus folder at {args.corpus}", file=sys.stderr)
        return 1
    paths = (
        [args.corpus / f"{stem}.pdf" for stem in args.filings]
        if args.filings
        else sorted(args.corpus.glob("*.pdf"))
    )
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"pdf_speed: no such filing: {', '.join(str(p) for p in missing)}", file=sys.stderr)
        return 1
    print(f"load average at start: {_load()} (2 cores)")
    header = (
        f"{'filing':<28}{'pages':>6}{'figures':>9}{'extract s':>11}{'(cpu s)':>9}"
        f"{'baseline s':>12}{'ratio':>8}"
    )
    print(header)
    print("-" * len(header))
    ours, cpus, theirs, ratios = [], [], [], []
    for path in paths:
        seconds, cpu, figures = time_extractor(path, args.runs)
        ours.append(seconds)
        cpus.append(cpu)
        line = f"{path.stem:<28}{_page_count(path):>6}{figures:>9}{seconds:>11.2f}{cpu:>9.2f}"
        if args.no_baseline:
            print(f"{line}{'-':>12}{'-':>8}", flush=True)
            continue
        baseline, _ = time_baseline(path, args.baseline_runs)
        theirs.append(baseline)
        ratios.append(baseline / seconds)
        print(f"{line}{baseline:>12.2f}{baseline / seconds:>7.1f}x", flush=True)
    print("-" * len(header))
    medians = f"{'median':<28}{'':>6}{'':>9}{statistics.median(ours):>11.2f}"
    medians += f"{statistics.median(cpus):>9.2f}"
    if theirs:
        medians += f"{statistics.median(theirs):>12.2f}{statistics.median(ratios):>7.1f}x"
    print(medians)
    print(f"load average at end: {_load()}")
    slowest = max(ours)
    verdict = "PASS" if slowest < TARGET_SECONDS else "FAIL"
    print(
        f"{verdict}: slowest filing {slowest:.2f} s end to end, {max(cpus):.2f} s of CPU "
        f"(target < {TARGET_SECONDS:g} s for a 150-page 10-K)"
    )
    cores = os.cpu_count() or 1
    if _busy(cores):
        print(
            f"note: the load average was above the {cores} cores during the run, so wall "
            "times include waiting for a CPU; the cpu column is what the extraction costs"
        )
    return 0


def _busy(cores: int) -> bool:
    try:
        return os.getloadavg()[0] > cores
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
