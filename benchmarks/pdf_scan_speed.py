"""Scanned 10-Q: time to extract a 40-page scan beside its text original (issue 11: at most 60 s).

The scan is made as the corpus README says: the first ``--pages`` pages of a
corpus 10-Q rasterised with ``pdftoppm -r DPI -gray -png`` and the images
joined into an image-only PDF with Pillow. The text original is the same
pages copied out of the filing with PDFium, so both runs read the same
document. Both are extracted in the same run (median of ``--runs``), and the
scan's figures are compared with the original's: how many of the original's
canonical statement values (statement, item, period end, period length) the
scan gives exactly.

Usage: ``.venv/bin/python benchmarks/pdf_scan_speed.py [--filing FOOTLOCKER_2022Q3_10Q]
[--pages 40] [--dpi 200] [--runs 3]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from portfolio_kit.pdf import extract_statements

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run by path, so the repository root is not on sys.path yet.
sys.path.insert(0, str(REPO_ROOT))

from tests.support.corpus import corpus_file  # noqa: E402

CORPUS = corpus_file("10q")


def text_original(filing: Path, pages: int, target: Path) -> Path:
    """The first ``pages`` pages of the filing as their own PDF (text layer kept)."""
    source = pdfium.PdfDocument(str(filing))
    copy = pdfium.PdfDocument.new()
    copy.import_pages(source, list(range(min(pages, len(source)))))
    copy.save(str(target))
    return target


def scanned_copy(original: Path, dpi: int, folder: Path) -> Path:
    """Rasterise every page (pdftoppm, greyscale PNG) and join the images into one PDF."""
    prefix = folder / "page"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(original), str(prefix)],
        check=True,
        timeout=600,
    )
    images = [Image.open(p) for p in sorted(folder.glob("page*.png"))]
    target = folder / f"{original.stem}_scanned.pdf"
    images[0].save(target, save_all=True, append_images=images[1:], resolution=float(dpi))
    return target


def timed(path: Path, runs: int) -> tuple[list[float], object]:
    times, found = [], None
    for _ in range(runs):
        started = time.perf_counter()
        found = extract_statements(path, time_budget=600)
        times.append(time.perf_counter() - started)
    return times, found


def keyed(found: object) -> dict[tuple[str, str, str, int], float]:
    frame = found.to_frame()  # type: ignore[attr-defined]
    known = frame[frame["item"].notna()]
    return {
        (r.statement, r.item, r.period_end.isoformat(), int(r.period_months)): r.value
        for r in known.itertuples(index=False)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filing", default="FOOTLOCKER_2022Q3_10Q")
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    filing = CORPUS / f"{args.filing}.pdf"
    print(f"uptime before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        original = text_original(filing, args.pages, folder / f"{filing.stem}_{args.pages}p.pdf")
        started = time.perf_counter()
        scan = scanned_copy(original, args.dpi, folder)
        making = time.perf_counter() - started
        print(
            f"{filing.name}: first {args.pages} pages; scan at {args.dpi} dpi made in "
            f"{making:.1f} s ({scan.stat().st_size / 2**20:.1f} MiB)"
        )
        text_times, text_found = timed(original, args.runs)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        scan_times, scan_found = timed(scan, args.runs)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tesseract_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) / args.runs
    expected, got = keyed(text_found), keyed(scan_found)
    same = [k for k, v in expected.items() if got.get(k) == v]
    differ = [k for k, v in expected.items() if k in got and got[k] != v]
    absent = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    print(f"text original: median {statistics.median(text_times):.2f} s of {args.runs}")
    print(
        f"scan:          median {statistics.median(scan_times):.2f} s of {args.runs} "
        f"(runs {', '.join(f'{t:.1f}' for t in scan_times)}; Tesseract CPU {tesseract_cpu:.1f} s "
        f"a run)"
    )
    print(
        f"figures: the scan gives {len(same)} of the original's {len(expected)} canonical values "
        f"exactly; {len(differ)} differ, {len(absent)} missing, {len(extra)} extra (the scan has "
        f"{len(got)} in all)"
    )
    print(
        f"counts: same {len(same)} / different {len(differ)} / missing {len(absent)} / extra "
        f"{len(extra)}"
    )
    for key in differ[:15]:
        print(f"  differs: {key}: original {expected[key]!r}, scan {got[key]!r}")
    for key in absent[:15]:
        print(f"  missing: {key}: original {expected[key]!r}")
    print(f"uptime after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
