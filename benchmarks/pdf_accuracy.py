"""Score ``portfolio_kit.pdf.extract_statements`` against hand-keyed ground truth.

The expected values in ``benchmarks/pdf_expected/<FILESTEM>.csv`` were keyed by a
person reading each filing, independently of the extractor; ``docs/pdf_accuracy.md``
states the conventions (sign as printed, scale applied, 0-based pages, which row maps
to which canonical item, period lengths). ``benchmarks/pdf_expected/_split.csv`` says
for every filing its document type (``10k``, ``10q``, ``release``) and whether it is a
development filing (the extractor's rules may be tuned on it) or held out (never
tuned on, so its score is the honest one). The two splits are always reported
separately: a headline mixing them would hide exactly what the held-out set is for.

For every filing with an expected file the script runs the extractor, takes
``StatementSet.to_frame()`` and compares on ``(statement, item, period_end,
period_months)``, so a quarter and a half-year ending on the same day are different
values:

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
A frame without a ``period_months`` column (an extractor older than the contract)
is announced loudly; its balance-sheet rows (instants by definition) are still
matched, its flow rows are not, because guessing their length would score a
half-year figure as a quarter.

The script is a report: it exits 0 after scoring, whatever the result, and prints a
PASS/FAIL line per split against the targets (>= 97% exactly right, no wrong value
with confidence >= 0.9). It exits 1, with a message, only when it cannot score at all
(no extractor to import, no expected files, a malformed expected or split file).

Usage::

    python benchmarks/pdf_accuracy.py                        # every keyed filing
    python benchmarks/pdf_accuracy.py --split dev --doc-type 10q
    python benchmarks/pdf_accuracy.py EBAY_2023Q2_10Q        # one filing
    python benchmarks/pdf_accuracy.py --corpus DIR --expected DIR --show-missing --show-extra
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run by path, so the repository root is not on sys.path yet.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.corpus import corpus_root  # noqa: E402

DEFAULT_CORPUS = corpus_root()
DEFAULT_EXPECTED = Path(__file__).resolve().parent / "pdf_expected"
SPLIT_FILE = "_split.csv"

EXPECTED_COLUMNS = (
    "statement",
    "item",
    "label",
    "period_end",
    "period_months",
    "value",
    "page",
)
SPLIT_COLUMNS = ("stem", "doc_type", "split")
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
FLOW_MONTHS = frozenset({3, 6, 9, 12})
PER_SHARE_ITEMS = frozenset({"eps_basic", "eps_diluted"})
# Corpus sub-folder of each document type (the corpus README's layout).
DOC_TYPE_FOLDERS = {"10k": "10k", "10q": "10q", "release": "releases"}
SPLITS = ("dev", "held_out")

TARGET_ACCURACY = 0.97
HIGH_CONFIDENCE = 0.9
PER_SHARE_TOLERANCE = 0.005
# Binary floats make 11.975 - 11.97 come out a hair above 0.005; a few ulps absorb that
# without widening the tolerance by anything a printed digit could show.
_FLOAT_ULPS = 8
# Stands for "the extractor gave no period length": equal to no expected length.
UNKNOWN_MONTHS = -1

Key = tuple[str, str, str, int]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_PERIOD_MONTHS = (
    "WARNING: StatementSet.to_frame() has no period_months column: flow rows "
    "(income statement, cash flow) cannot be told apart by period length and are "
    "scored as unmatched; only balance-sheet rows are matched"
)


@dataclass(frozen=True, slots=True)
class WrongValue:
    """One expected value the extractor reported differently."""

    statement: str
    item: str
    period_end: str
    period_months: int
    expected: float
    got: float
    confidence: float
    page: object
    expected_page: int


@dataclass(slots=True)
class FilingScore:
    """Counts for one filing; ``right + wrong + missing == expected``."""

    name: str
    doc_type: str = ""
    split: str = ""
    expected: int = 0
    right_keys: list[Key] = field(default_factory=list)
    wrong: list[WrongValue] = field(default_factory=list)
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    duplicates: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def right(self) -> int:
        return len(self.right_keys)

    @property
    def found(self) -> int:
        return self.right + len(self.wrong)

    @property
    def wrong_high_confidence(self) -> int:
        return sum(1 for w in self.wrong if w.confidence >= HIGH_CONFIDENCE)

    @property
    def accuracy(self) -> float:
        return self.right / self.expected if self.expected else 0.0


@dataclass(frozen=True, slots=True)
class SplitEntry:
    """One row of ``_split.csv``."""

    stem: str
    doc_type: str
    split: str


def load_expected(path: Path) -> pd.DataFrame:
    """Read and validate one expected-values CSV.

    Parameters
    ----------
    path : Path
        ``<FILESTEM>.csv`` with columns statement, item, label, period_end,
        period_months, value, page. ``value`` is in full currency units with the printed
        scale applied and the printed sign (parentheses negative); EPS is per share,
        unscaled. ``period_months`` is 3, 6, 9 or 12 for a flow and 0 for a balance sheet.

    Returns
    -------
    DataFrame
        One row per expected value; ``period_end`` as an ISO ``YYYY-MM-DD`` string,
        ``period_months`` and ``page`` (0-based) as int, ``value`` as float,
        ``exact_value`` as ``Decimal`` (for the unit inference).

    Raises
    ------
    ValueError
        Naming the file, the CSV line and the field, when a column is missing, a
        statement is unknown, a date is not ISO, a period length does not fit the
        statement, a value is not a finite number, a page is not a non-negative
        integer, or a key repeats.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in EXPECTED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    exact_values: list[Decimal] = []
    pages: list[int] = []
    months: list[int] = []
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
        months.append(_period_months(row["period_months"], row["statement"], where))
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
    frame["period_months"] = months
    frame["exact_value"] = exact_values
    frame["value"] = [float(v) for v in exact_values]
    frame["page"] = pages
    repeated = frame.duplicated(["statement", "item", "period_end", "period_months"], keep=False)
    if repeated.any():
        first = frame[repeated].iloc[0]
        raise ValueError(
            f"{path.name}: ({first['statement']}, {first['item']}, {first['period_end']}, "
            f"{first['period_months']} months) appears more than once"
        )
    return frame


def _period_months(text: str, statement: str, where: str) -> int:
    """Validate one ``period_months`` field against its statement (flows vs instants)."""
    if not text.isdigit():
        raise ValueError(f"{where}: period_months {text!r} is not a whole number of months")
    months = int(text)
    if statement == "balance_sheet":
        if months != 0:
            raise ValueError(
                f"{where}: period_months {months} on the balance sheet; an instant has 0"
            )
    elif months not in FLOW_MONTHS:
        raise ValueError(
            f"{where}: period_months {months} for the {statement}; a flow column covers "
            f"{', '.join(str(m) for m in sorted(FLOW_MONTHS))} months"
        )
    return months


def load_split(path: Path) -> dict[str, SplitEntry]:
    """Read ``_split.csv``: each filing's document type and split, keyed by stem.

    Raises ``ValueError`` naming the file, line and field for an unknown document type
    or split, or a stem listed twice.
    """
    if not path.is_file():
        raise ValueError(f"{path}: no split file (columns {', '.join(SPLIT_COLUMNS)})")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in SPLIT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    entries: dict[str, SplitEntry] = {}
    for index, row in frame.iterrows():
        where = f"{path.name} line {int(index) + 2}"
        if not row["stem"]:
            raise ValueError(f"{where}: stem is empty")
        if row["doc_type"] not in DOC_TYPE_FOLDERS:
            raise ValueError(
                f"{where}: doc_type {row['doc_type']!r} is not one of {', '.join(DOC_TYPE_FOLDERS)}"
            )
        if row["split"] not in SPLITS:
            raise ValueError(f"{where}: split {row['split']!r} is not one of {', '.join(SPLITS)}")
        if row["stem"] in entries:
            raise ValueError(f"{where}: stem {row['stem']!r} is listed twice")
        entries[row["stem"]] = SplitEntry(row["stem"], row["doc_type"], row["split"])
    return entries


def find_pdf(corpus: Path, entry: SplitEntry) -> Path:
    """Where the filing's PDF is: ``<corpus>/<doc-type folder>/<stem>.pdf``.

    A flat folder (``<corpus>/<stem>.pdf``) is accepted too, so a single sub-folder
    can be passed as ``--corpus``. Returns the expected path even when absent, so the
    report can name it.
    """
    nested = corpus / DOC_TYPE_FOLDERS[entry.doc_type] / f"{entry.stem}.pdf"
    flat = corpus / f"{entry.stem}.pdf"
    if not nested.is_file() and flat.is_file():
        return flat
    return nested


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


def reported_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Normalise ``StatementSet.to_frame()`` for matching.

    Keeps canonical rows (``item`` not null), turns ``period_end`` into an ISO string,
    ``period_months`` into int and ``value``/``confidence`` into floats. A missing or
    null ``period_months`` becomes :data:`UNKNOWN_MONTHS` on flow rows, so they never
    match; on balance-sheet rows it becomes 0, since an instant has no length to guess.
    A balance-sheet row reported with another length keeps it and fails to match.

    Returns
    -------
    (DataFrame, list of str)
        The rows, and warnings to print (the missing ``period_months`` column).

    Raises
    ------
    ValueError
        Naming the columns the contract requires when the frame lacks them.
    """
    missing = [c for c in REPORTED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"StatementSet.to_frame() lacks column(s) {', '.join(missing)}; "
            f"the contract is {', '.join(REPORTED_COLUMNS)}, period_months"
        )
    warnings: list[str] = []
    rows = frame[frame["item"].notna()].copy()
    rows["statement"] = rows["statement"].map(str)
    rows["item"] = rows["item"].map(str)
    periods = pd.to_datetime(rows["period_end"], errors="coerce")
    rows["period_end"] = periods.dt.strftime("%Y-%m-%d")
    rows = rows[rows["period_end"].notna()]
    if "period_months" in rows.columns:
        months = pd.to_numeric(rows["period_months"], errors="coerce")
    else:
        warnings.append(NO_PERIOD_MONTHS)
        months = pd.Series(math.nan, index=rows.index)
    instant = rows["statement"] == "balance_sheet"
    months = months.where(~(instant & months.isna()), 0)
    rows["period_months"] = months.fillna(UNKNOWN_MONTHS).astype(int)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    rows["confidence"] = pd.to_numeric(rows["confidence"], errors="coerce").astype(float)
    return rows, warnings


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
        The first element of :func:`reported_frame`; rows whose key is not expected
        count as extra.

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
        key = (row["statement"], row["item"], row["period_end"], int(row["period_months"]))
        if key in answers:
            if not _is_right(answers[key]["value"], row["value"], 0.0):
                conflicting.add(key)
            continue
        answers[key] = row
    expected_keys: set[Key] = set()
    for row in expected.itertuples(index=False):
        key = (row.statement, row.item, row.period_end, int(row.period_months))
        expected_keys.add(key)
        answer = answers.get(key)
        if answer is None:
            score.missing.append(key)
            continue
        tolerance = PER_SHARE_TOLERANCE if row.item in PER_SHARE_ITEMS else 0.5 * unit
        if _is_right(row.value, answer["value"], tolerance):
            score.right_keys.append(key)
        else:
            score.wrong.append(
                WrongValue(
                    statement=row.statement,
                    item=row.item,
                    period_end=row.period_end,
                    period_months=int(row.period_months),
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
    return [
        (r.statement, r.item, r.period_end, int(r.period_months))
        for r in expected.itertuples(index=False)
    ]


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
        reported, warnings = reported_frame(frame)
    except Exception as exc:  # a crash on one filing is a finding, not the end of the report
        score = FilingScore(name=name, expected=len(expected), error=f"{type(exc).__name__}: {exc}")
        score.missing = _keys(expected)
        score.seconds = time.perf_counter() - started
        return score
    score = score_filing(name, expected, reported)
    score.warnings = warnings
    score.seconds = time.perf_counter() - started
    return score


def _money(value: float, item: str) -> str:
    if math.isnan(value):
        return "NaN"
    if item in PER_SHARE_ITEMS:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _period(period_end: str, months: int) -> str:
    """``2023-06-30 3m``; ``?m`` when the extractor gave no length."""
    return f"{period_end} {'?' if months == UNKNOWN_MONTHS else months}m"


@dataclass(slots=True)
class _Tally:
    """Right / wrong / missing counts of a group of values (a split, a type, an item)."""

    expected: int = 0
    right: int = 0
    wrong: int = 0
    wrong_high: int = 0
    missing: int = 0
    extra: int = 0
    filings: int = 0
    errors: int = 0
    seconds: float = 0.0

    def add(self, s: FilingScore) -> None:
        self.expected += s.expected
        self.right += s.right
        self.wrong += len(s.wrong)
        self.wrong_high += s.wrong_high_confidence
        self.missing += len(s.missing)
        self.extra += len(s.extra)
        self.filings += 1
        self.errors += 1 if s.error else 0
        self.seconds += s.seconds

    @property
    def accuracy(self) -> float:
        return self.right / self.expected if self.expected else 0.0

    @property
    def passed(self) -> bool:
        return self.accuracy >= TARGET_ACCURACY and self.wrong_high == 0


_FILING_HEADER = (
    f"{'filing':<34}{'type':<9}{'expected':>9}{'right':>7}{'wrong':>7}"
    f"{'missing':>9}{'wrong>=0.9':>12}{'accuracy':>10}{'extra':>7}{'dup':>5}{'seconds':>9}"
)


def _filing_line(s: FilingScore) -> str:
    return (
        f"{s.name:<34}{s.doc_type:<9}{s.expected:>9}{s.right:>7}{len(s.wrong):>7}"
        f"{len(s.missing):>9}{s.wrong_high_confidence:>12}{s.accuracy:>9.1%} "
        f"{len(s.extra):>6}{s.duplicates:>5}{s.seconds:>9.2f}"
    )


def _tally_line(name: str, t: _Tally, width: int = 34) -> str:
    return (
        f"{name:<{width}}{t.filings:>8}{t.expected:>9}{t.right:>7}{t.wrong:>7}"
        f"{t.missing:>9}{t.wrong_high:>12}{t.accuracy:>9.1%} {t.errors:>7}"
    )


def _item_table(scores: Iterable[FilingScore]) -> list[str]:
    """Per canonical item: right / wrong / missing, worst accuracy first."""
    items: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in scores:
        for statement, item, *_ in s.right_keys:
            items[(statement, item)][0] += 1
        for w in s.wrong:
            items[(w.statement, w.item)][1] += 1
        for statement, item, *_ in s.missing:
            items[(statement, item)][2] += 1
    lines = [
        f"  {'statement':<18}{'item':<32}{'right':>7}{'wrong':>7}{'missing':>9}{'accuracy':>10}"
    ]
    ordered = sorted(
        items.items(), key=lambda kv: (kv[1][0] / sum(kv[1]), STATEMENTS.index(kv[0][0]), kv[0][1])
    )
    for (statement, item), (right, wrong, missing) in ordered:
        total = right + wrong + missing
        lines.append(
            f"  {statement:<18}{item:<32}{right:>7}{wrong:>7}{missing:>9}{right / total:>9.1%}"
        )
    return lines


def _details(s: FilingScore, show_missing: bool, show_extra: bool) -> list[str]:
    lines: list[str] = []
    for warning in s.warnings:
        lines.append(f"\n{s.name}: {warning}")
    if s.error:
        lines.append(f"\n{s.name}: extraction failed, every value counted missing: {s.error}")
    if s.wrong:
        lines.append(f"\n{s.name}: wrong values")
        lines.append(
            f"  {'statement':<17}{'item':<30}{'period':<16}{'expected':>18}{'got':>18}"
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
                f"  {w.statement:<17}{w.item:<30}{_period(w.period_end, w.period_months):<16}"
                f"{_money(w.expected, w.item):>18}{_money(w.got, w.item):>18}"
                f"{w.confidence:>6.2f}{w.page!s:>6}{w.expected_page:>9}  {note}".rstrip()
            )
    if show_missing and s.missing:
        lines.append(f"\n{s.name}: missing")
        lines += [f"  {st:<17}{it:<30}{_period(pe, m)}" for st, it, pe, m in s.missing]
    if show_extra and s.extra:
        lines.append(f"\n{s.name}: extra canonical rows (not in the expected file)")
        lines += [f"  {st:<17}{it:<30}{_period(pe, m)}" for st, it, pe, m in s.extra]
    return lines


def format_report(
    scores: Sequence[FilingScore],
    show_missing: bool,
    show_extra: bool,
    not_keyed: Sequence[SplitEntry] = (),
) -> str:
    """The printed report, one section per split, never one headline over both.

    Each section: a line per filing, a line per document type, the split's total, the
    per-item counts, the wrong values (and on request missing and extra keys), and its
    PASS/FAIL verdict. ``not_keyed`` lists split entries without an expected file yet.
    """
    lines: list[str] = []
    verdicts: list[str] = []
    for split in SPLITS:
        in_split = [s for s in scores if s.split == split]
        waiting = [e.stem for e in not_keyed if e.split == split]
        if not in_split and not waiting:
            continue
        lines += [f"\n=== split: {split} ===", _FILING_HEADER, "-" * len(_FILING_HEADER)]
        lines += [_filing_line(s) for s in in_split]
        if waiting:
            lines.append(f"(listed in {SPLIT_FILE}, no expected file yet: {', '.join(waiting)})")
        if not in_split:
            continue
        total = _Tally()
        by_type: dict[str, _Tally] = defaultdict(_Tally)
        for s in in_split:
            total.add(s)
            by_type[s.doc_type].add(s)
        tally_header = (
            f"\n{'by document type':<34}{'filings':>8}{'expected':>9}{'right':>7}{'wrong':>7}"
            f"{'missing':>9}{'wrong>=0.9':>12}{'accuracy':>10}{'errors':>8}"
        )
        lines.append(tally_header)
        for doc_type in DOC_TYPE_FOLDERS:
            if doc_type in by_type:
                lines.append(_tally_line(f"{split} {doc_type}", by_type[doc_type]))
        lines.append(_tally_line(f"{split} ALL TYPES", total))
        lines.append(f"\nper item ({split})")
        lines += _item_table(in_split)
        for s in in_split:
            lines += _details(s, show_missing, show_extra)
        verdict = (
            f"{'PASS' if total.passed else 'FAIL'} [{split}]: {total.accuracy:.1%} exactly "
            f"right (target >= {TARGET_ACCURACY:.0%}), {total.wrong_high} wrong with "
            f"confidence >= {HIGH_CONFIDENCE} (target 0), {total.missing} missing, "
            f"over {total.expected} expected values in {total.filings} filing(s)"
        )
        if total.errors:
            verdict += f", {total.errors} extraction(s) failed"
        no_months = sum(1 for s in in_split if NO_PERIOD_MONTHS in s.warnings)
        if no_months:
            verdict += f", {no_months} filing(s) WITHOUT period_months (flows unmatched)"
        verdicts.append(verdict)
        lines.append("\n" + verdict)
    if verdicts:
        lines.append("\nverdicts (splits scored separately)")
        lines += verdicts
    return "\n".join(lines).lstrip("\n")


def select_filings(
    expected_dir: Path,
    names: Sequence[str],
    split: str = "all",
    doc_type: str | None = None,
) -> tuple[list[tuple[Path, SplitEntry]], list[SplitEntry]]:
    """The expected files to score, and the selected split entries not keyed yet.

    Every ``<stem>.csv`` (files starting with ``_`` are not filings) must be listed in
    ``_split.csv``, so no filing can slip into the wrong headline unnoticed.
    """
    if not expected_dir.is_dir():
        raise SystemExit(f"pdf_accuracy: --expected {expected_dir} is not a directory")
    try:
        entries = load_split(expected_dir / SPLIT_FILE)
    except ValueError as exc:
        raise SystemExit(f"pdf_accuracy: {exc}") from None
    files = {f.stem: f for f in sorted(expected_dir.glob("*.csv")) if not f.stem.startswith("_")}
    unlisted = sorted(set(files) - set(entries))
    if unlisted:
        raise SystemExit(
            f"pdf_accuracy: {', '.join(unlisted)} not listed in {expected_dir / SPLIT_FILE}; "
            "add a row (stem, doc_type, split) for each"
        )
    wanted = {n.removesuffix(".pdf").removesuffix(".csv") for n in names}
    unknown = wanted - set(files)
    if unknown:
        raise SystemExit(
            f"pdf_accuracy: no expected file for {', '.join(sorted(unknown))} in {expected_dir}"
        )

    def chosen(entry: SplitEntry) -> bool:
        return (
            (not wanted or entry.stem in wanted)
            and (split == "all" or entry.split == split)
            and (doc_type is None or entry.doc_type == doc_type)
        )

    selected = [(files[s], e) for s, e in entries.items() if s in files and chosen(e)]
    waiting = [e for s, e in entries.items() if s not in files and chosen(e) and not wanted]
    if not selected:
        raise SystemExit(
            f"pdf_accuracy: no expected CSV file in {expected_dir} matches "
            f"split={split} doc_type={doc_type or 'any'} {' '.join(names)}".rstrip()
        )
    return selected, waiting


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("filings", nargs="*", help="file stems to score (default: all)")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="corpus root with 10k/, 10q/, releases/ (or one flat folder of PDFs)",
    )
    parser.add_argument(
        "--expected",
        type=Path,
        default=DEFAULT_EXPECTED,
        help=f"folder of expected CSVs and {SPLIT_FILE}",
    )
    parser.add_argument(
        "--split",
        choices=(*SPLITS, "all"),
        default="all",
        help="dev, held_out, or all (each split still reported on its own; default all)",
    )
    parser.add_argument(
        "--doc-type", choices=tuple(DOC_TYPE_FOLDERS), default=None, help="only this type"
    )
    parser.add_argument("--show-missing", action="store_true", help="list missing values")
    parser.add_argument("--show-extra", action="store_true", help="list extra canonical rows")
    args = parser.parse_args(argv)

    selected, waiting = select_filings(args.expected, args.filings, args.split, args.doc_type)
    try:
        expected = [(load_expected(path), entry) for path, entry in selected]
    except ValueError as exc:
        raise SystemExit(f"pdf_accuracy: cannot score: {exc}") from None
    extract = _load_extractor()
    scores = []
    for frame, entry in expected:
        score = run_filing(extract, find_pdf(args.corpus, entry), frame)
        score.doc_type, score.split = entry.doc_type, entry.split
        scores.append(score)
        print(f"scored {entry.stem}", file=sys.stderr, flush=True)
        for warning in score.warnings:
            print(f"{entry.stem}: {warning}", file=sys.stderr, flush=True)
    print(format_report(scores, args.show_missing, args.show_extra, waiting))
    return 0


if __name__ == "__main__":
    sys.exit(main())
