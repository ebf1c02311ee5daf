"""From rows of printed figures to a statement of canonical, dated, scaled figures.

Order of work for one statement: resolve each column's period end, read the
units, find the subtotal structure (footings), derive each row's section and
the meaning of unlabelled subtotals, map labels to canonical items, check the
named identities, and only then score every figure's confidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from portfolio_kit.pdf._dating import DocumentContext, resolve_periods
from portfolio_kit.pdf._duration import period_start
from portfolio_kit.pdf._identities import (
    Evidence,
    tolerance,
    check_equal,
    check_sum,
    confirm_per_share,
    find_footings,
)
from portfolio_kit.pdf._layout import RawStatement, Row
from portfolio_kit.pdf._mapping import (
    Candidate,
    assign,
    match_label,
    normalise_label,
    row_nature,
)
from portfolio_kit.pdf._model import ExtractedStatement, Figure
from portfolio_kit.pdf._periods import Units, detect_currency, parse_units
from portfolio_kit.vocabulary import Statement

_LESS = re.compile(r"^(?:less|deduct)\b")
_TOTAL_LABEL = re.compile(r"^(?:total|net cash|net (?:increase|decrease|change))\b")
_GENERIC_TOTAL = re.compile(r"^(?:total|totals|net)?$")
_FX_EFFECT = re.compile(r"effect of .*(?:exchange|currency)|exchange rate")
_STOP_WORDS = frozenset({"total", "and", "the", "of", "&", "net", "for", "in"})
_SCALE_IN_LABEL = re.compile(r"\(in (thousands|millions|billions)\)")


@dataclass(slots=True)
class _RowView:
    row: Row
    index: int
    label: str
    section: str = ""
    nature: str = "money"
    claimed: str | None = None


def build_statement(raw: RawStatement, context: DocumentContext) -> ExtractedStatement:
    """Date, scale, map and score the rows of one statement.

    Parameters
    ----------
    raw : RawStatement
        Rows and column headers read from the statement's pages.
    context : DocumentContext

    Returns
    -------
    ExtractedStatement
        Figures only for columns whose period end could be resolved; a note
        says when a column was skipped or its date estimated.
    """
    first = raw.pages[0]
    notes: list[str] = []
    periods, estimated = resolve_periods(first, context)
    months, starts = _period_lengths(raw, periods, context, notes)
    units = parse_units(first.heading_text)
    currency = units.currency or _currency_from_headings(raw) or context.default_currency
    if not units.stated:
        notes.append("no units stated in the heading: figures taken as whole currency units")
    rows = _aligned_rows(raw, len(periods), notes)
    views = [_RowView(row=r, index=i, label=normalise_label(r.label)) for i, r in enumerate(rows)]
    evidence = Evidence()
    _assign_sections(views)
    for view in views:
        view.nature = row_nature(view.label, view.section, raw.kind)
    money = [v for v in views if not v.row.is_heading and v.nature == "money"]
    per_share = [v for v in views if not v.row.is_heading and v.nature == "per_share"]
    footings = _footings(money, raw.kind, evidence, near_miss=True)
    footings += _footings(per_share, raw.kind, evidence, near_miss=False)
    _name_subtotals(views, footings)
    mapped = _map_items(views, raw.kind, evidence)
    _items_from_identities(views, mapped, raw.kind, evidence)
    _named_identities(views, mapped, raw.kind, units, evidence)
    figures = _figures(
        views, mapped, evidence, periods, (months, starts), estimated, units, currency, raw.kind
    )
    for column, period in enumerate(periods):
        if period is None:
            notes.append(
                f"column {column + 1}: no period end could be read; its figures are left out"
            )
        elif estimated[column]:
            notes.append(
                f"column {column + 1}: period end {period.isoformat()} estimated "
                "from the fiscal year end"
            )
    return ExtractedStatement(
        kind=raw.kind,
        title=raw.title,
        pages=tuple(p.page for p in raw.pages),
        periods=tuple(periods),
        period_estimated=tuple(estimated),
        scale=units.scale,
        currency=currency,
        figures=figures,
        notes=notes,
        period_months=tuple(months),
        period_starts=tuple(starts),
    )


def _period_lengths(
    raw: RawStatement, periods: list[date | None], context: DocumentContext, notes: list[str]
) -> tuple[list[int], list[date | None]]:
    """Each column's length in months (0 for a balance sheet) and first day.

    The header's phrase decides ("Three Months Ended", "39 Weeks Ended");
    a flow column with none is a quarter in a 10-Q and a year otherwise,
    and a note says so.
    """
    headers = raw.pages[0].headers
    if raw.kind is Statement.BALANCE:
        return [0] * len(headers), [None] * len(headers)
    months: list[int] = []
    starts: list[date | None] = []
    known = context.known_dates + Counter(p for p in periods if p is not None)
    for column, (header, end) in enumerate(zip(headers, periods, strict=True)):
        length = header.months
        if length is None:
            length = 3 if context.quarterly else 12
            if end is not None:
                notes.append(
                    f"column {column + 1}: no period length printed; taken as {length} months "
                    f"({'a 10-Q' if context.quarterly else 'not a 10-Q'})"
                )
        months.append(length)
        starts.append(period_start(end, length, header.weeks, known) if end else None)
    return months, starts


def _currency_from_headings(raw: RawStatement) -> str | None:
    for page in raw.pages:
        code = detect_currency(page.heading_text)
        if code:
            return code
    return None


def _aligned_rows(raw: RawStatement, count: int, notes: list[str]) -> list[Row]:
    """Rows of all pages with cells in the first page's column order."""
    rows: list[Row] = []
    for page in raw.pages:
        if len(page.columns) != count:
            notes.append(
                f"page {page.page + 1}: {len(page.columns)} columns instead of {count}; "
                "rows skipped"
            )
            continue
        rows.extend(page.rows)
    for index, row in enumerate(rows):
        row.index = index
    return rows


def _footings(
    views: list[_RowView], kind: Statement, evidence: Evidence, near_miss: bool
) -> list[tuple[int, tuple[int, ...]]]:
    """Footings among ``views`` (rows of one kind), recorded as evidence."""
    values = [[c.value if c else None for c in v.row.cells] for v in views]
    negated = [bool(_LESS.match(v.label)) for v in views]
    decimals = max(
        (c.decimals for v in views for c in v.row.cells if c and not c.is_dash), default=0
    )
    unit = 10.0 ** (-decimals)
    totals = [bool(_TOTAL_LABEL.match(v.label)) for v in views]
    # Only income statements print deductions as positive numbers under what they
    # are deducted from; elsewhere "first minus the rest" finds coincidences
    # (total assets - total liabilities - equity components = noncontrolling interest).
    found = find_footings(
        values,
        negated,
        unit,
        allow_difference=kind is Statement.INCOME,
        allow_near_miss=near_miss,
        totals=totals,
    )
    remapped = []
    for footing in found:
        total = views[footing.total].index
        parts = tuple(views[p].index for p in footing.parts)
        evidence.confirm([total, *parts], footing.columns)
        if footing.failed:
            evidence.fail(
                [total],
                footing.failed,
                "does not equal the sum of the rows above it in this column",
            )
        remapped.append((total, parts))
    return remapped


def _assign_sections(views: list[_RowView]) -> None:
    """Each row's section: the nearest heading above it (refined once subtotals are known)."""
    current = ""
    for view in views:
        if view.row.is_heading:
            if view.label:
                current = view.label
            continue
        view.section = current


def _name_subtotals(views: list[_RowView], footings: list[tuple[int, tuple[int, ...]]]) -> None:
    """Give subtotals the heading they close, and re-derive sections after each closes.

    A subtotal printed without a label (Foot Locker prints total current
    assets as a bare number) or as a bare "Total" takes the innermost heading
    above its first part that no other subtotal has claimed: "Current assets"
    becomes "total current assets". A labelled subtotal claims a heading when
    its words include the heading's words ("Total current liabilities" closes
    "Current liabilities:"). Rows after a closed heading belong to the
    heading around it, so "Long-term debt" after "Total current liabilities"
    is no longer in the current section.
    """
    by_total = dict(footings)
    start: dict[int, int] = {}

    def block_start(row: int) -> int:
        if row not in start:
            parts = by_total.get(row)
            start[row] = min(block_start(p) for p in parts) if parts else row
        return start[row]

    claimed: set[int] = set()
    closes: dict[int, int] = {}
    for total in sorted(by_total):
        first = block_start(total)
        run = []
        cursor = first - 1
        while cursor >= 0 and views[cursor].row.is_heading:
            if views[cursor].label:
                run.append(cursor)
            cursor -= 1
        view = views[total]
        generic = bool(_GENERIC_TOTAL.match(view.label))
        for heading in run:
            if heading in claimed:
                continue
            if generic or _words(views[heading].label) <= _words(view.label):
                claimed.add(heading)
                closes[total] = heading
                if generic:
                    view.claimed = f"total {views[heading].label}"
                break
    open_headings: list[int] = []
    for view in views:
        if view.row.is_heading:
            if view.label:
                open_headings.append(view.index)
            continue
        closing = closes.get(view.index)
        if closing is not None:
            view.section = views[closing].label
            open_headings = [h for h in open_headings if h < closing]
        else:
            view.section = views[open_headings[-1]].label if open_headings else ""


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.replace("'s", "")) if w not in _STOP_WORDS}


def _map_items(views: list[_RowView], kind: Statement, evidence: Evidence) -> dict[int, Candidate]:
    candidates = []
    for view in views:
        if view.row.is_heading:
            continue
        label = view.claimed or view.label
        columns = [c for c, cell in enumerate(view.row.cells) if cell is not None]
        confirmed = sum((view.index, c) in evidence.confirmed for c in columns)
        share = confirmed / len(columns) if columns else 0.0
        for item, weight in match_label(kind, label, view.section, view.nature):
            candidates.append(Candidate(view.index, item, weight, share))
    return {c.item: c for c in assign(candidates).values()}


_BY_IDENTITY_WEIGHT = 0.9
_LIABILITIES_HEADING = re.compile(r"liabilities")


def _items_from_identities(
    views: list[_RowView], mapped: dict[str, Candidate], kind: Statement, evidence: Evidence
) -> None:
    """Items whose caption the table did not recognise, found by what they must equal.

    The caption may be in a filer's own words, in small capitals read as one
    word ("TOTALASSETS"), or lose a ligature ("Gross pro t", "Net cash used
    in  nancing activities"); the arithmetic still says what the row is:

    * balance sheet: total assets = total liabilities and equity (the last
      equal row before the liabilities, or after the known total);
    * income statement: gross profit = revenue - cost of revenue (a row after
      cost of revenue); income tax is the row right after pretax income that
      takes it to the next row (pretax -/+ tax = income after tax);
    * cash flow: with three of operating, investing, financing and net change
      in cash known, the fourth is the row, in its place in print order, that
      makes them add up (with or without the exchange-rate effect).

    Only unmapped money rows qualify, every printed column must agree, and
    the row is marked confirmed, since the identity is what found it.
    """
    taken = {c.row for c in mapped.values()}
    free = [v for v in views if not v.row.is_heading and v.nature == "money" and v.index not in taken]
    unit = _unit(views)

    def values(index: int) -> list[float | None]:
        return [c.value if c else None for c in views[index].row.cells]

    def take(item: str, view: _RowView, others: list[int]) -> None:
        columns = [c for c, cell in enumerate(view.row.cells) if cell is not None]
        evidence.confirm([view.index, *others], columns)
        mapped[item] = Candidate(view.index, item, _BY_IDENTITY_WEIGHT, 1.0)
        taken.add(view.index)

    def row(item: str) -> int | None:
        found = mapped.get(item)
        return found.row if found else None

    if kind is Statement.BALANCE:
        _balance_totals(views, mapped, free, values, take, unit)
    elif kind is Statement.INCOME:
        revenue, cost = row("revenue"), row("cost_of_revenue")
        if row("gross_profit") is None and revenue is not None and cost is not None:
            target = _combine([values(revenue), values(cost)], [1, -1])
            for view in free:
                if cost < view.index <= cost + 3 and _equal(values(view.index), target, unit, 3):
                    take("gross_profit", view, [revenue, cost])
                    break
        pretax = row("pretax_income")
        if row("income_tax") is None and pretax is not None and pretax + 2 < len(views):
            tax, after = views[pretax + 1], views[pretax + 2]
            if tax.index not in taken and not tax.row.is_heading and not after.row.is_heading:
                for sign in (-1, 1):
                    target = _combine([values(pretax), values(tax.index)], [1, sign])
                    if _equal(values(after.index), target, unit, 3):
                        take("income_tax", tax, [pretax, after.index])
                        break
    else:
        _cash_flow_totals(views, mapped, free, values, take, unit)


def _balance_totals(views, mapped, free, values, take, unit) -> None:  # type: ignore[no-untyped-def]
    assets = mapped.get("total_assets")
    other = mapped.get("total_liabilities_and_equity")
    if (assets is None) == (other is None):
        return
    known = (assets or other).row
    target = values(known)
    if assets is None:
        first_liability = next(
            (v.index for v in views if v.row.is_heading and _LIABILITIES_HEADING.search(v.label)),
            known,
        )
        pool = [v for v in free if v.index < min(first_liability, known)]
        item = "total_assets"
    else:
        pool = [v for v in free if v.index > known]
        item = "total_liabilities_and_equity"
    for view in reversed(pool):  # the closing total is the last equal row
        if _equal(values(view.index), target, unit, 1):
            take(item, view, [known])
            return


_CASH_FLOW_ORDER = (
    "operating_cash_flow",
    "investing_cash_flow",
    "financing_cash_flow",
    "net_change_in_cash",
)


def _cash_flow_totals(views, mapped, free, values, take, unit) -> None:  # type: ignore[no-untyped-def]
    rows = {item: (mapped[item].row if item in mapped else None) for item in _CASH_FLOW_ORDER}
    missing = [item for item, r in rows.items() if r is None]
    if len(missing) != 1:
        return
    item = missing[0]
    position = _CASH_FLOW_ORDER.index(item)
    before = [rows[i] for i in _CASH_FLOW_ORDER[:position]]
    after = [rows[i] for i in _CASH_FLOW_ORDER[position + 1 :]]
    low = max((r for r in before if r is not None), default=-1)
    high = min((r for r in after if r is not None), default=len(views))
    known = [rows[i] for i in _CASH_FLOW_ORDER if i != item]
    fx = [v.index for v in free if _FX_EFFECT.search(v.label)]
    for extra in ([], fx[:1]):
        if item == "net_change_in_cash":
            parts, signs = [*known, *extra], [1] * (len(known) + len(extra))
        else:
            # the missing flow = net change - the other two flows - exchange effect
            parts = [rows["net_change_in_cash"], *[r for r in known[:-1]], *extra]
            signs = [1, *[-1] * (len(parts) - 1)]
        target = _combine([values(p) for p in parts], signs)
        for view in free:
            if low < view.index < high and view.index not in extra:
                if _equal(values(view.index), target, unit, len(parts)):
                    take(item, view, [p for p in parts if p is not None])
                    return


def _combine(rows: list[list[float | None]], signs: list[int]) -> list[float | None]:
    out: list[float | None] = []
    for column in range(len(rows[0])):
        cells = [r[column] for r in rows]
        out.append(None if any(c is None for c in cells) else sum(s * c for s, c in zip(signs, cells)))  # type: ignore[misc]
    return out


def _equal(got: list[float | None], target: list[float | None], unit: float, terms: int) -> bool:
    """Equal in every column both print (at least one), within rounding of ``terms`` figures."""
    if any((g is None) != (t is None) for g, t in zip(got, target, strict=True)):
        return False
    pairs = [(g, t) for g, t in zip(got, target, strict=True) if g is not None and t is not None]
    if not pairs or all(t == 0 for _, t in pairs):
        return False
    return all(abs(g - t) <= tolerance(unit, terms) for g, t in pairs)


def _unit(views: list[_RowView]) -> float:
    decimals = max(
        (c.decimals for v in views if v.nature == "money" for c in v.row.cells if c and not c.is_dash),
        default=0,
    )
    return 10.0 ** (-decimals)


def _named_identities(
    views: list[_RowView],
    mapped: dict[str, Candidate],
    kind: Statement,
    units: Units,
    evidence: Evidence,
) -> None:
    values = [[c.value if c else None for c in v.row.cells] for v in views]
    decimals = max(
        (
            c.decimals
            for v in views
            if v.nature == "money"
            for c in v.row.cells
            if c and not c.is_dash
        ),
        default=0,
    )
    unit = 10.0 ** (-decimals)

    def row(item: str) -> int | None:
        found = mapped.get(item)
        return found.row if found else None

    if kind is Statement.BALANCE:
        check_equal(
            evidence, row("total_assets"), row("total_liabilities_and_equity"), values, unit,
            "total assets differ from total liabilities and equity",
        )  # fmt: skip
    elif kind is Statement.INCOME:
        check_sum(
            evidence, row("gross_profit"), [row("revenue"), row("cost_of_revenue")], [1, -1],
            values, unit, "gross profit is not revenue minus cost of revenue",
        )  # fmt: skip
        _per_share_evidence(views, values, unit, row, units, evidence)
    else:
        fx = next(
            (v.index for v in views if not v.row.is_heading and _FX_EFFECT.search(v.label)), None
        )
        check_sum(
            evidence,
            row("net_change_in_cash"),
            [row("operating_cash_flow"), row("investing_cash_flow"), row("financing_cash_flow")],
            [1, 1, 1],
            values,
            unit,
            "net change in cash is not the sum of operating, investing and financing cash flows",
            optional=[fx],
        )


def _per_share_evidence(
    views: list[_RowView],
    values: list[list[float | None]],
    unit: float,
    row: Callable[[str], int | None],
    units: Units,
    evidence: Evidence,
) -> None:
    """EPS against income over the weighted share count of the same kind (basic, diluted)."""
    income = row("net_income_attributable")
    if income is None:
        income = row("net_income")
    share_rows = [v for v in views if v.nature == "shares" and not v.row.is_heading]
    if income is None or not share_rows:
        return
    diluted = [v for v in share_rows if "dilut" in f"{v.section} {v.label}"]
    basic = [v for v in share_rows if "dilut" not in f"{v.section} {v.label}"]
    for item, candidates in (("eps_basic", basic), ("eps_diluted", diluted)):
        if not candidates:
            continue
        shares = candidates[0]
        decimals = max((c.decimals for c in shares.row.cells if c and not c.is_dash), default=0)
        confirm_per_share(
            evidence,
            row(item),
            income,
            shares.index,
            values,
            units.scale,
            _factor(shares, units),
            unit,
            10.0 ** (-decimals),
        )


def _figures(
    views: list[_RowView],
    mapped: dict[str, Candidate],
    evidence: Evidence,
    periods: list[date | None],
    lengths: tuple[list[int], list[date | None]],
    estimated: list[bool],
    units: Units,
    currency: str,
    kind: Statement,
) -> list[Figure]:
    by_row = {c.row: c for c in mapped.values()}
    figures = []
    for view in views:
        if view.row.is_heading:
            continue
        candidate = by_row.get(view.index)
        factor = _factor(view, units)
        for column, cell in enumerate(view.row.cells):
            period = periods[column] if column < len(periods) else None
            if cell is None or period is None:
                continue
            key = (view.index, column)
            failed = tuple(evidence.failed.get(key, ()))
            confidence = _confidence(
                candidate.weight if candidate else None,
                confirmed=key in evidence.confirmed and not failed,
                failed=bool(failed),
                estimated=estimated[column],
            )
            figures.append(
                Figure(
                    statement=kind,
                    item=candidate.item if candidate else None,
                    label=view.row.label,
                    period_end=period,
                    period_months=lengths[0][column],
                    period_start=lengths[1][column],
                    value=cell.value * factor,
                    currency=currency,
                    page=view.row.page,
                    bbox=cell.bbox,
                    confidence=confidence,
                    flags=failed,
                    row=view.index,
                    raw=cell.raw,
                )
            )
    return figures


def _factor(view: _RowView, units: Units) -> float:
    if view.nature == "per_share":
        return 1.0
    if view.nature == "shares":
        stated = _SCALE_IN_LABEL.search(view.label)
        if stated:
            return {"thousands": 1e3, "millions": 1e6, "billions": 1e9}[stated.group(1)]
        return units.share_scale
    return units.scale


def _confidence(weight: float | None, *, confirmed: bool, failed: bool, estimated: bool) -> float:
    """Evidence-based confidence for one figure.

    High confidence (0.9 and above) needs both a clean label match (weight of
    at least 0.9) and an identity that confirms the figure. A figure that
    contradicts an identity is capped at 0.3 whatever its label.
    """
    if failed:
        score = 0.3 if weight is None else 0.2 + 0.1 * weight
    elif weight is None:
        score = 0.85 if confirmed else 0.7
    elif confirmed and weight >= 0.9:
        score = 0.9 + 0.8 * (weight - 0.9)
    elif confirmed:
        score = 0.55 + 0.3 * weight
    else:
        score = 0.5 + 0.3 * weight
    if estimated:
        score = min(score, 0.85)
    return round(min(score, 0.98), 3)
