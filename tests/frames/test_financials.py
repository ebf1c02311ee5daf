"""Statement values and KPIs, long and wide."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_kit import frames
from portfolio_kit.errors import ValidationError
from tests.frames.dtypes import dtype_names

METRIC_COLUMNS = {
    "company_id": "int64",
    "period_end": "datetime64[ns]",
    "period_type": "category",
    "period_months": "int64",
    "scenario": "category",
    "line_item": "category",
    "value": "float64",
    "currency": "str",
    "source": "category",
}
KPI_COLUMNS = {
    "company_id": "int64",
    "period_end": "datetime64[ns]",
    "period_type": "category",
    "period_months": "int64",
    "scenario": "category",
    "kpi": "category",
    "value": "float64",
    "unit": "category",
    "currency": "str",
    "source": "category",
}


@pytest.mark.parametrize("fund_ids", [None, []], ids=["all", "none"])
def test_columns_and_dtypes_hold_for_full_and_empty_frames(hand_db, fund_ids):
    assert dtype_names(frames.metrics(hand_db.db, fund_ids=fund_ids)) == METRIC_COLUMNS
    assert dtype_names(frames.kpis(hand_db.db, fund_ids=fund_ids)) == KPI_COLUMNS


def test_metrics_hold_the_stored_values_without_deleted_companies(hand_db):
    ids = hand_db.ids
    table = frames.metrics(hand_db.db)
    assert ids.deleted not in set(table["company_id"])
    assert len(table) == 7
    acme = table[(table["company_id"] == ids.acme) & (table["scenario"] == "actual")]
    by_key = acme.set_index(["period_end", "line_item"])["value"]
    # SQLite's NUMERIC affinity stores 100 as an integer, 1000000.5 as a real: both load as float.
    assert by_key[(pd.Timestamp("2021-12-31"), "net_income")] == 100.0
    assert by_key[(pd.Timestamp("2021-12-31"), "revenue")] == 1_000_000.5
    assert list(table["line_item"].cat.categories[:3]) == [
        "revenue",
        "cost_of_revenue",
        "gross_profit",
    ]


def test_metric_filters_combine(hand_db):
    ids = hand_db.ids
    db = hand_db.db
    assert len(frames.metrics(db, line_items="net_income")) == 1
    assert set(frames.metrics(db, scenarios=["budget"])["value"]) == {1_200_000.0}
    assert frames.metrics(db, period_types="ltm").empty
    fund_ii = frames.metrics(db, fund_ids=ids.fund_ii)
    assert set(fund_ii["company_id"]) == {ids.borealis, ids.cobalt}
    acme = frames.metrics(db, company_ids=[ids.acme], scenarios="actual", as_of="2022-03-31")
    assert acme["period_end"].max() == pd.Timestamp("2022-03-31")
    assert sorted(acme["value"]) == [100.0, 1_000_000.5, 1_100_000.0]


def test_metrics_wide_has_one_column_per_line_item(hand_db):
    ids = hand_db.ids
    wide = frames.metrics_wide(hand_db.db, company_ids=ids.acme, scenarios="actual")
    assert list(wide.index.names) == ["company_id", "period_end"]
    assert list(wide.columns) == ["revenue", "net_income"]
    assert wide.loc[(ids.acme, pd.Timestamp("2021-12-31")), "revenue"] == 1_000_000.5
    assert wide.loc[(ids.acme, pd.Timestamp("2021-12-31")), "net_income"] == 100.0
    assert pd.isna(wide.loc[(ids.acme, pd.Timestamp("2022-03-31")), "net_income"])
    both = frames.metrics_wide(hand_db.db, company_ids=ids.acme)
    assert list(both.index.names) == ["company_id", "period_end", "scenario"]
    assert both.loc[(ids.acme, pd.Timestamp("2022-03-31"), "budget"), "revenue"] == 1_200_000.0
    empty = frames.metrics_wide(hand_db.db, fund_ids=[])
    assert empty.empty
    assert list(empty.index.names) == ["company_id", "period_end"]


def test_kpis_carry_their_units(hand_db):
    ids = hand_db.ids
    table = frames.kpis(hand_db.db).set_index("kpi")
    assert set(table["company_id"]) == {ids.acme}
    assert table.loc["arr", "value"] == 4_000_000.0
    assert table.loc["arr", "unit"] == "currency"
    assert table.loc["arr", "currency"] == "USD"
    assert table.loc["customers", "unit"] == "count"
    assert pd.isna(table.loc["customers", "currency"])
    assert frames.kpis(hand_db.db, kpi_names=["customers"])["value"].tolist() == [120.0]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"line_items": ["revnue"]}, "line_items"),
        ({"scenarios": "actuals"}, "scenarios"),
        ({"period_types": [3]}, "period_types"),
        ({"company_ids": 1.5}, "company_ids"),
    ],
)
def test_unknown_names_are_refused_by_argument(hand_db, arguments, field):
    with pytest.raises(ValidationError) as caught:
        frames.metrics(hand_db.db, **arguments)
    assert caught.value.field == field


def test_period_months_tell_a_quarter_from_a_half_year_ending_on_one_day(any_db):
    """A 10-Q's three-month and six-month revenue and its balance-sheet cash,
    all at 30 June 2024: three rows, lengths 3, 6 and 0, and in the wide frame
    the cash sits on the quarter's row, the six months on its own."""
    from datetime import date
    from decimal import Decimal

    from portfolio_kit.models import FinancialMetric
    from tests.support.portfolio import seed_small_portfolio

    portfolio = seed_small_portfolio(any_db)
    june = date(2024, 6, 30)
    with any_db.session(portfolio.analyst) as session:
        for period_type, months, item, value in [
            ("quarter", None, "revenue", "10"),
            ("ytd", 6, "revenue", "19"),
            ("quarter", None, "cash_and_equivalents", "7"),
        ]:
            session.add(FinancialMetric(company_id=portfolio.company_id, period_end=june,
                                        period_type=period_type, period_months=months,
                                        line_item=item, value=Decimal(value), currency="USD"))
    table = frames.metrics(any_db)
    stored = sorted(zip(table["period_type"].astype(str), table["period_months"], table["line_item"].astype(str), table["value"]))
    assert stored == [("quarter", 0, "cash_and_equivalents", 7.0), ("quarter", 3, "revenue", 10.0), ("ytd", 6, "revenue", 19.0)]
    assert table["period_months"].dtype == "int64"
    wide = frames.metrics_wide(any_db)
    assert list(wide.index.names) == ["company_id", "period_end", "period_type"]
    quarter = wide.loc[(portfolio.company_id, pd.Timestamp(june), "quarter")]
    assert (quarter["revenue"], quarter["cash_and_equivalents"]) == (10.0, 7.0)
    half = wide.loc[(portfolio.company_id, pd.Timestamp(june), "ytd")]
    assert half["revenue"] == 19.0 and pd.isna(half["cash_and_equivalents"])
    assert frames.metrics(any_db, period_types="ytd")["period_months"].tolist() == [6]
