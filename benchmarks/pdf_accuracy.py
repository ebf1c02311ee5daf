"""Score ``portfolio_kit.pdf.extract_statements`` against hand-keyed ground truth.

The expected values in ``benchmarks/pdf_expected/<FILESTEM>.csv`` were re-keyed by a
person reading each filing, independently of the extractor; ``docs/pdf_accuracy.md``
states the conventions (sign as printed, scale applied, 0-based pages, which row maps
to which canonical item).

For every filing with an expected file the script runs the extractor, takes
``StatementSet.to_frame()`` and compares on ``(statement, item, period_end)``:

- exactly right: ``abs(got - expected) <= 0.5`` of the last printed digit. The digit's
  size (the filing's *unit*) is the largest power of ten dividing every non-per-share
  expected value of the filing, e.g. 1,000,000 for "(In millions)" and 100,000 for
  McDonald's millions with one decimal. Per-share amounts (EPS) are printed to the cent,
  so their tolerance is 0.005.
- wrong: reported with another value. Wrong with confidence >= 0.9 is the worst kind,
  because a reviewer trusting the confidence would not look at it.
- missing: expected but not reported.
- extra: canonical rows reported that the expected file does not list (shown, not an
  error: the expected files only hold rows whose meaning is plain).

When the extractor reports several rows with different values for one key, the one
with the highest confidence is its answer, and the key is counted in ``duplicates``.

The script is a report: it exits 0 after scoring, whatever the result, and prints a
PASS/FAIL line against the targets (>= 97% exactly right, no wrong value with
confidence >= 0.9). It exits 1, with a message, only when it cannot score at all (no
extractor to import, no expected files).

Usage::

    python benchmarks/pdf_accuracy.py                      # all expected files
    python benchmarks/pdf_accuracy.py APPLE_2019_10K       # one filing
    python benchmarks/pdf_accuracy.py --corpus DIR --expected DIR --show-missing
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "10k"
DEFAULT_EXPECTED = Path(__file__).resolve().parent / "pdf_expected"

EXPECTED_COLUMNS = ("statement", "item", "label", "period_end", "value", "page")
REPORTED_COLUMNS = (
    "statement",
    "item",
    "label",
    "period_end",
    "value",
    "currency",
    "page",
    "bbox",
    "confidence",
)
STATEMENTS = ("income_statement", "balance_sheet", "cash_flow")
PER_SHARE_ITEMS = frozenset({"eps_basic", "eps_diluted"})

TARGET_ACCURACY = 0.97
HIGH_CONFIDENCE = 0.9
PER_SHARE_TOLERANCE = 0.005
# Binary floats make 11.975 - 11.97 come out a hair above 0.005; a few ulps absorb that
# without widening the tolerance by anything a printed digit could show.
_FLOAT_ULPS = 8

Key = tuple[str, str, str]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class WrongValue:
    """One expected value the extractor reported differently."""

    statement: str
    item: str
    period_end: str
    expected: float
    got: float
    confidence: float
    page: object
    expected_page: int


@dataclass(slots=True)
class FilingScore:
    """Counts for one filing; ``right + wrong + missing == expected``."""

    name: str
    expected: int = 0
    right: int = 0
    wrong: list[WrongValue] = field(default_factory=list)
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    duplicates: int = 0
    error: str | None = None
    seconds: float = 0.0

    @property
    def found(self) -> int:
        return self.right + len(self.wrong)

    @property
    def wrong_high_confidence(self) -> int:
        return sum(1 for w in self.wrong if w.confidence >= HIGH_CONFIDENCE)

    @property
    def accuracy(self) -> float:
        return self.right / self.expected if self.expected else 0.0


def load_expected(path: Path) -> pd.DataFrame:
    """Read and validate one expected-values CSV.

    Parameters
    ----------
    path : Path
        ``<FILESTEM>.csv`` with columns statement, item, label, period_end, value,
        page. ``value`` is in full currency units with the printed scale applied and
        the printed sign (parentheses negative); EPS is per share, unscaled.

    Returns
    -------
    DataFrame
        One row per expected value; ``period_end`` as an ISO ``YYYY-MM-DD`` string,
        ``value`` as float, ``exact_value`` as ``Decimal`` (for the unit inference),
        ``page`` as int (0-based).

    Raises
    ------
    ValueError
        Naming the file, the CSV line and the field, when a column is missing, a
        statement is unknown, a date is not ISO, a value is not a finite number, a
        page is not a non-negative integer, or a key repeats.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in EXPECTED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    exact_values: list[Decimal] = []
    pages: list[int] = []
    for index, row in frame.iterrows():
        where = f"{path.name} line {int(index) + 2}"
        if row["statement"] not in STATEMENTS:
            raise ValueError(
                f"{where}: statement {row['statement']!r} is not one of {', '.join(STATEMENTS)}"
            )
        if not row["item"]:
            raise ValueError(f"{where}: item is empty")
        if not _ISO_DATE.fullmatch(row["period_end"]):
            raise ValueError(f"{where}: period_end {row['period_end']!r} is not YYYY-MM-DD")
        try:
            dt.date.fromisoformat(row["period_end"])
        except ValueError:
            raise ValueError(f"{where}: period_end {row['period_end']!r} is not a date") from None
        try:
            exact = Decimal(row["value"])
        except InvalidOperation:
            raise ValueError(f"{where}: value {row['value']!r} is not a number") from None
        if not exact.is_finite():
            raise ValueError(f"{where}: value {row['value']!r} is not finite")
        if not row["page"].isdigit():
            raise ValueError(f"{where}: page {row['page']!r} is not a 0-based page index")
        exact_values.append(exact)
        pages.append(int(row["page"]))
    frame["exact_value"] = exact_values
    frame["value"] = [float(v) for v in exact_values]
    frame["page"] = pages
    repeated = frame.duplicated(["statement", "item", "period_end"], keep=False)
    if repeated.any():
        first = frame[repeated].iloc[0]
        raise ValueError(
            f"{path.name}: ({first['statement']}, {first['item']}, {first['period_end']}) "
            "appears more than once"
        )
    return frame


def value_unit(expected: pd.DataFrame) -> Decimal:
    """The size of the last printed digit of a filing's monetary values.

    The largest power of ten that divides every non-zero, non-per-share expected
    value: 10**6 when the statements print whole millions, 10**5 when they print
    millions with one decimal. A filing mixing scales gets the smaller unit, which
    makes the tolerance stricter, never looser. Returns 1 when there is nothing to
    infer from.
    """
    monetary = [
        abs(v)
        for v, item in zip(expected["exact_value"], expected["item"], strict=True)
        if item not in PER_SHARE_ITEMS and v != 0
    ]
    if not monetary:
        return Decimal(1)
    unit = Decimal(1)
    while all((v % (unit * 10)) == 0 for v in monetary):
        unit *= 10
    return unit


def reported_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise ``StatementSet.to_frame()`` for matching.

    Keeps canonical rows (``item`` not null), turns ``period_end`` into an ISO string
    and ``value``/``confidence`` into floats. Raises ``ValueError`` naming the
    columns the contract requires when the frame lacks them.
    """
    missing = [c for c in REPORTED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"StatementSet.to_frame() lacks column(s) {', '.join(missing)}; "
            f"the contract is {', '.join(REPORTED_COLUMNS)}"
        )
    rows = frame[frame["item"].notna()].copy()
    rows["statement"] = rows["statement"].map(str)
    rows["item"] = rows["item"].map(str)
    periods = pd.to_datetime(rows["period_end"], errors="coerce")
    rows["period_end"] = periods.dt.strftime("%Y-%m-%d")
    rows = rows[rows["period_end"].notna()]
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    rows["confidence"] = pd.to_numeric(rows["confidence"], errors="coerce").astype(float)
    return rows


def _is_right(expected: float, got: float, tolerance: float) -> bool:
    if math.isnan(got):
        return False
    slack = _FLOAT_ULPS * math.ulp(max(abs(expected), abs(got), tolerance))
    return abs(got - expected) <= tolerance + slack


def score_filing(name: str, expected: pd.DataFrame, reported: pd.DataFrame) -> FilingScore:
    """Compare one filing's reported rows with its expected rows.

    Parameters
    ----------
    name : str
        Shown in the report.
    expected : DataFrame
        From :func:`load_expected`.
    reported : DataFrame
        From :func:`reported_frame`; rows whose key is not expected count as extra.

    Returns
    -------
    FilingScore
    """
    score = FilingScore(name=name, expected=len(expected))
    unit = float(value_unit(expected))
    answers: dict[Key, pd.Series] = {}
    conflicting: set[Key] = set()
    ranked = reported.assign(
        _rank=reported["confidence"].fillna(-1.0),
        _page=pd.to_numeric(reported["page"], errors="coerce"),
    ).sort_values(["_rank", "_page"], ascending=[False, True], kind="stable")
    for _, row in ranked.iterrows():
        key = (row["statement"], row["item"], row["period_end"])
        if key in answers:
            if not _is_right(answers[key]["value"], row["value"], 0.0):
                conflicting.add(key)
            continue
        answers[key] = row
    expected_keys: set[Key] = set()
    for row in expected.itertuples(index=False):
        key = (row.statement, row.item, row.period_end)
        expected_keys.add(key)
        answer = answers.get(key)
        if answer is None:
            score.missing.append(key)
            continue
        tolerance = PER_SHARE_TOLERANCE if row.item in PER_SHARE_ITEMS else 0.5 * unit
        if _is_right(row.value, answer["value"], tolerance):
            score.right += 1
        else:
            score.wrong.append(
                WrongValue(
                    statement=row.statement,
                    item=row.item,
                    period_end=row.period_end,
                    expected=row.value,
                    got=answer["value"],
                    confidence=answer["confidence"],
                    page=answer["page"],
                    expected_page=row.page,
                )
            )
    score.extra = sorted(k for k in answers if k not in expected_keys)
    score.duplicates = len(conflicting)
    return score


def _keys(expected: pd.DataFrame) -> list[Key]:
    return list(zip(expected["statement"], expected["item"], expected["period_end"], strict=True))


def _load_extractor() -> Callable[[Path], object]:
    try:
        from portfolio_kit.pdf import extract_statements
    except ImportError as exc:
        raise SystemExit(
            "pdf_accuracy: cannot score: portfolio_kit.pdf.extract_statements is not "
            f"importable ({exc}). FAIL: no extractor to measure."
        ) from None
    return extract_statements


def run_filing(extract: Callable[[Path], object], pdf: Path, expected: pd.DataFrame) -> FilingScore:
    """Extract one filing and score it; an extractor exception becomes ``error``."""
    name = pdf.stem
    if not pdf.is_file():
        score = FilingScore(name=name, expected=len(expected), error=f"no PDF at {pdf}")
        score.missing = _keys(expected)
        return score
    started = time.perf_counter()
    try:
        frame = extract(pdf).to_frame()
        reported = reported_frame(frame)
    except Exception as exc:  # a crash on one filing is a finding, not the end of the report
        score = FilingScore(name=name, expected=len(expected), error=f"{type(exc).__name__}: {exc}")
        score.missing = _keys(expected)
        score.seconds = time.perf_counter() - started
        return score
    score = score_filing(name, expected, reported)
    score.seconds = time.perf_counter() - started
    return score


def _money(value: float, item: str) -> str:
    if math.isnan(value):
        return "NaN"
    if item in PER_SHARE_ITEMS:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def format_report(scores: Sequence[FilingScore], show_missing: bool, show_extra: bool) -> str:
    """The printed report: a table per filing and overall, the wrong values, the verdict."""
    lines: list[str] = []
    header = (
        f"{'filing':<28}{'expected':>9}{'found':>7}{'right':>7}{'wrong':>7}"
        f"{'missing':>9}{'wrong>=0.9':>12}{'accuracy':>10}{'extra':>7}{'dup':>5}{'seconds':>9}"
    )
    lines += [header, "-" * len(header)]
    total = FilingScore(name="OVERALL")
    for s in scores:
        lines.append(
            f"{s.name:<28}{s.expected:>9}{s.found:>7}{s.right:>7}{len(s.wrong):>7}"
            f"{len(s.missing):>9}{s.wrong_high_confidence:>12}{s.accuracy:>9.1%} "
            f"{len(s.extra):>6}{s.duplicates:>5}{s.seconds:>9.2f}"
        )
        total.expected += s.expected
        total.right += s.right
        total.wrong += s.wrong
        total.missing += s.missing
        total.extra += s.extra
        total.duplicates += s.duplicates
        total.seconds += s.seconds
    lines += [
        "-" * len(header),
        f"{total.name:<28}{total.expected:>9}{total.found:>7}{total.right:>7}"
        f"{len(total.wrong):>7}{len(total.missing):>9}{total.wrong_high_confidence:>12}"
        f"{total.accuracy:>9.1%} {len(total.extra):>6}{total.duplicates:>5}{total.seconds:>9.2f}",
    ]
    for s in scores:
        if s.error:
            lines.append(f"\n{s.name}: extraction failed: {s.error}")
        if s.wrong:
            lines.append(f"\n{s.name}: wrong values")
            lines.append(
                f"  {'statement':<17}{'item':<30}{'period':<12}{'expected':>18}{'got':>18}"
                f"{'conf':>6}{'page':>6}{'exp.page':>9}  note"
            )
            for w in s.wrong:
                note = ""
                if (
                    not math.isnan(w.got)
                    and w.got != 0
                    and math.isclose(abs(w.got), abs(w.expected), rel_tol=1e-9)
                ):
                    note = "sign differs"
                lines.append(
                    f"  {w.statement:<17}{w.item:<30}{w.period_end:<12}"
                    f"{_money(w.expected, w.item):>18}{_money(w.got, w.item):>18}"
                    f"{w.confidence:>6.2f}{w.page!s:>6}{w.expected_page:>9}  {note}".rstrip()
                )
        if show_missing and s.missing:
            lines.append(f"\n{s.name}: missing")
            lines += [f"  {st:<17}{it:<30}{pe}" for st, it, pe in s.missing]
        if show_extra and s.extra:
            lines.append(f"\n{s.name}: extra canonical rows (not in the expected file)")
            lines += [f"  {st:<17}{it:<30}{pe}" for st, it, pe in s.extra]
    passed = total.accuracy >= TARGET_ACCURACY and total.wrong_high_confidence == 0
    lines.append(
        f"\n{'PASS' if passed else 'FAIL'}: {total.accuracy:.1%} exactly right "
        f"(target >= {TARGET_ACCURACY:.0%}), {total.wrong_high_confidence} wrong with "
        f"confidence >= {HIGH_CONFIDENCE} (target 0), {len(total.missing)} missing, "
        f"over {total.expected} expected values in {len(scores)} filing(s)"
    )
    return "\n".join(lines)


def _expected_files(expected_dir: Path, names: Sequence[str]) -> list[Path]:
    if not expected_dir.is_dir():
        raise SystemExit(f"pdf_accuracy: --expected {expected_dir} is not a directory")
    files = sorted(expected_dir.glob("*.csv"))
    if names:
        wanted = {n.removesuffix(".pdf").removesuffix(".csv") for n in names}
        unknown = wanted - {f.stem for f in files}
        if unknown:
            raise SystemExit(
                f"pdf_accuracy: no expected file for {', '.join(sorted(unknown))} in {expected_dir}"
            )
        files = [f for f in files if f.stem in wanted]
    if not files:
        raise SystemExit(f"pdf_accuracy: no expected CSV files in {expected_dir}")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("filings", nargs="*", help="file stems to score (default: all)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of PDFs")
    parser.add_argument(
        "--expected", type=Path, default=DEFAULT_EXPECTED, help="folder of expected CSVs"
    )
    parser.add_argument("--show-missing", action="store_true", help="list missing values")
    parser.add_argument("--show-extra", action="store_true", help="list extra canonical rows")
    args = parser.parse_args(argv)

    files = _expected_files(args.expected, args.filings)
    expected = {f.stem: load_expected(f) for f in files}
    extract = _load_extractor()
    scores = []
    for stem, frame in expected.items():
        scores.append(run_filing(extract, args.corpus / f"{stem}.pdf", frame))
        print(f"scored {stem}", file=sys.stderr, flush=True)
    print(format_report(scores, args.show_missing, args.show_extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
