"""Statement values and operating KPIs by company and period, long and wide.

These are the big tables (a million rows is an ordinary portfolio's history at
monthly granularity), so their queries join nothing (soft-deleted companies and
fund membership are tested with ``IN`` sub-queries) and ask for no order: rows
come in the order the database stores them, usually the order they were
written. On PostgreSQL an ``ORDER BY id`` turned the sequential scan of a
million rows into an index scan and cost about 15% of the load; sort the frame
(``sort_values``) where order matters. ``metrics_wide`` pivots in pandas, once,
after the single query, and is sorted.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pandas as pd

from portfolio_kit.db import Database
from portfolio_kit.frames._fields import as_float, select_fields
from portfolio_kit.frames._filters import (
    DateLike,
    Ids,
    as_date,
    company_conditions,
    id_list,
    name_list,
)
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column, enum_values
from portfolio_kit.models import CompanyKPI, FinancialMetric, MetricSource, PeriodType, Scenario
from portfolio_kit.vocabulary import KPI_UNITS, KPIS, LINE_ITEMS

WIDE_INDEX = ("company_id", "period_end", "period_type", "scenario")


@dataclass(frozen=True, slots=True)
class _PeriodTable:
    """What differs between the statement-value and the KPI loader: the model,
    its item column and argument, and the columns only one of them has."""

    model: type[FinancialMetric] | type[CompanyKPI]
    item: Column
    item_argument: str
    known_items: Collection[str] | None
    extra: tuple[Column, ...]


_METRICS = _PeriodTable(
    FinancialMetric,
    Column("line_item", "category", tuple(LINE_ITEMS), closed=False),
    "line_items",
    LINE_ITEMS,
    (),
)
_KPIS = _PeriodTable(
    CompanyKPI,
    Column("kpi", "category", tuple(KPIS), closed=False),
    "kpi_names",
    None,  # any snake_case KPI may be stored, so unknown names match nothing rather than fail
    (Column("unit", "category", tuple(sorted(KPI_UNITS))),),
)


def _load_period_values(
    db: Database,
    table: _PeriodTable,
    company_ids: Ids,
    fund_ids: Ids,
    item_names: str | Iterable[str] | None,
    period_types: str | Iterable[str] | None,
    scenarios: str | Iterable[str] | None,
    as_of: DateLike,
) -> pd.DataFrame:
    """The one query behind :func:`metrics` and :func:`kpis`: arguments checked,
    filters bound, dtypes from the column contract."""
    company_list = id_list("company_ids", company_ids)
    fund_list = id_list("fund_ids", fund_ids)
    names = name_list(table.item_argument, item_names, table.known_items)
    types = name_list("period_types", period_types, enum_values(PeriodType))
    chosen_scenarios = name_list("scenarios", scenarios, enum_values(Scenario))
    cutoff = as_date("as_of", as_of)
    model = table.model
    item = getattr(model, table.item.name)
    statement, columns = select_fields(
        [
            (Column("company_id", "int"), model.company_id),
            (Column("period_end", "date"), model.period_end),
            (Column("period_type", "category", enum_values(PeriodType)), model.period_type),
            (Column("period_months", "int"), model.period_months),
            (Column("scenario", "category", enum_values(Scenario)), model.scenario),
            (table.item, item),
            (Column("value", "float"), as_float(model.value)),
            *((column, getattr(model, column.name)) for column in table.extra),
            (Column("currency", "str"), model.currency),
            (Column("source", "category", enum_values(MetricSource)), model.source),
        ]
    )
    conditions = list(company_conditions(model.company_id, company_list, fund_list))
    if names is not None:
        conditions.append(item.in_(names))
    if types is not None:
        conditions.append(model.period_type.in_(types))
    if chosen_scenarios is not None:
        conditions.append(model.scenario.in_(chosen_scenarios))
    if cutoff is not None:
        conditions.append(model.period_end <= cutoff)
    return load_frame(db, statement.where(*conditions), columns)


def metrics(
    db: Database,
    company_ids: Ids = None,
    fund_ids: Ids = None,
    line_items: str | Iterable[str] | None = None,
    period_types: str | Iterable[str] | None = None,
    scenarios: str | Iterable[str] | None = None,
    as_of: DateLike = None,
) -> pd.DataFrame:
    """Financial statement values, one row per company, period, scenario and line item.

    Columns: ``company_id``, ``period_end`` (datetime64[ns]), ``period_type``
    (category of ``PeriodType``), ``period_months`` (int64: months the figure
    covers, 0 for a balance-sheet instant; a 10-Q's three-month and six-month
    revenue ending on one day are two rows, 'quarter' 3 and 'ytd' 6),
    ``scenario`` (category of ``Scenario``), ``line_item`` (category in the
    vocabulary's order: income statement, balance sheet, cash flow),
    ``value`` (float64, in ``currency`` units, as reported: a capital
    expenditure is negative), ``currency``, ``source`` (category of
    ``MetricSource``). Rows are in storage order, not sorted.

    Parameters
    ----------
    company_ids, fund_ids : int, list of int or None
        None for no restriction, ``[]`` for an empty frame.
    line_items : str or list of str, optional
        Canonical names from ``portfolio_kit.vocabulary.LINE_ITEMS``.
    period_types, scenarios : str or list of str, optional
        Values of ``PeriodType`` ('quarter', 'ytd', 'ltm', ...) and ``Scenario``
        ('actual', 'budget', 'forecast').
    as_of : date, optional
        Leave out periods ending after this day.

    Raises
    ------
    ValidationError
        For ids that are not integers, unknown line items, period types or
        scenarios, or an ``as_of`` that is not a date.
    """
    return _load_period_values(
        db, _METRICS, company_ids, fund_ids, line_items, period_types, scenarios, as_of
    )


def metrics_wide(
    db: Database,
    company_ids: Ids = None,
    fund_ids: Ids = None,
    line_items: str | Iterable[str] | None = None,
    period_types: str | Iterable[str] | None = None,
    scenarios: str | Iterable[str] | None = None,
    as_of: DateLike = None,
) -> pd.DataFrame:
    """Statement values with one column per line item (float64, NaN where not reported).

    The index is (``company_id``, ``period_end``), sorted, followed by
    ``period_type`` and ``scenario`` when the loaded rows hold more than one
    of them (ask for one, e.g. ``scenarios="actual"``, to keep the index
    short). Columns follow the vocabulary's order. The ``currency`` and
    ``source`` of each figure are dropped: use :func:`metrics` when they
    matter. Arguments and errors as for :func:`metrics`.
    """
    long = metrics(db, company_ids, fund_ids, line_items, period_types, scenarios, as_of)
    return pivot_wide(long, "line_item")


def kpis(
    db: Database,
    company_ids: Ids = None,
    fund_ids: Ids = None,
    kpi_names: str | Iterable[str] | None = None,
    period_types: str | Iterable[str] | None = None,
    scenarios: str | Iterable[str] | None = None,
    as_of: DateLike = None,
) -> pd.DataFrame:
    """Operating KPIs, one row per company, period, scenario and KPI.

    Columns: ``company_id``, ``period_end`` (datetime64[ns]), ``period_type``
    (category), ``period_months`` (int64, 0 for a stock such as ARR or
    headcount), ``scenario`` (category), ``kpi`` (category, known KPIs first
    in the vocabulary's order), ``value`` (float64, in ``unit``: a 'percent'
    is a fraction, 0.95 is 95%; a 'currency' amount is in ``currency``),
    ``unit`` (category of ``KPI_UNITS``), ``currency`` (NaN unless the unit is
    currency), ``source`` (category). Rows are in storage order, not sorted.

    Parameters
    ----------
    kpi_names : str or list of str, optional
        KPI names ('arr', 'net_revenue_retention', ...); any snake_case name
        may be stored, so unknown names are not refused (they match nothing).
    Others as for :func:`metrics`.

    Raises
    ------
    ValidationError
        As for :func:`metrics`.
    """
    return _load_period_values(
        db, _KPIS, company_ids, fund_ids, kpi_names, period_types, scenarios, as_of
    )


def pivot_wide(long: pd.DataFrame, item_column: str) -> pd.DataFrame:
    """A long metrics or KPI frame with one column per item (see :func:`metrics_wide`).

    ``period_type`` and ``scenario`` join the index only when the frame holds
    more than one value of them, since otherwise they would add a constant
    level to every row. ``period_months`` is never a level: under one period
    type a flow has one length (``portfolio_kit.period_length``), and a
    balance (0 months) belongs on the row of the flows it was reported with,
    so a quarter's cash sits beside its revenue.

    Raises
    ------
    ValueError
        When one item has two lengths ending on one day under one period type
        (year-to-date figures of two lengths): the message names it.
    """
    index = [
        level
        for level in WIDE_INDEX
        if level in ("company_id", "period_end") or long[level].nunique() > 1
    ]
    observed = set(long[item_column].dropna().unique())
    order = [item for item in long[item_column].cat.categories if item in observed]
    keyed = long[[*index, item_column, "value"]].astype({item_column: str})
    clash = keyed.duplicated([*index, item_column])
    if clash.any():
        first = keyed[clash].iloc[0]
        raise ValueError(
            f"{item_column}: {first[item_column]} ending {first['period_end'].date()} is stored for "
            "more than one period length; load one period_type at a time"
        )
    wide = keyed.pivot(index=index, columns=item_column, values="value")
    wide = wide.reindex(columns=order).sort_index()
    wide.columns.name = item_column
    return wide
