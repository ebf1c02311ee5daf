"""LTM from figures of mixed length, against Salesforce's filings (USD millions).

Hand calculation, from the corpus (../shared/corpus):

* 10-K for fiscal 2023 (SALESFORCE_2023_10K.pdf, PDF page 61, Consolidated
  Statements of Operations, "Fiscal Year Ended January 31"): fiscal 2022
  (12 months to 31 Jan 2022) total revenues 26,492; net income 1,444.
* 10-Q for the quarter ended 31 Oct 2022 (SALESFORCE_2023Q3_10Q.pdf, PDF
  page 4, Condensed Consolidated Statements of Operations): nine months to
  31 Oct 2022 total revenues 22,968, to 31 Oct 2021 19,166; three months to
  31 Oct 2022 7,837; net income nine months 306 (2022) and 1,472 (2021).

LTM revenue to 31 Oct 2022 = 26,492 + 22,968 - 19,166 = 30,294.
LTM net income = 1,444 + 306 - 1,472 = 278.

Four quarters: Q4 fiscal 2022 = 26,492 - 19,166 = 7,326 (from the two
documents above); Q1 and Q2 fiscal 2023 are 7,411 and 7,720 as Salesforce
published them; the check Q1 + Q2 + Q3 = 7,411 + 7,720 + 7,837 = 22,968
equals the nine months printed on the 10-Q page 4. Sum: 7,326 + 7,411 +
7,720 + 7,837 = 30,294, the same LTM by the other route.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from portfolio_kit.analytics import ltm_from_periods


def _frame(rows):
    return pd.DataFrame(rows, columns=["period_end", "period_months", "line_item", "value"]).assign(
        period_end=lambda f: pd.to_datetime(f["period_end"])
    )


FILINGS = _frame([
    ("2022-01-31", 12, "revenue", 26_492.0),
    ("2022-01-31", 12, "net_income", 1_444.0),
    ("2022-10-31", 9, "revenue", 22_968.0),
    ("2021-10-31", 9, "revenue", 19_166.0),
    ("2022-10-31", 3, "revenue", 7_837.0),
    ("2022-10-31", 9, "net_income", 306.0),
    ("2021-10-31", 9, "net_income", 1_472.0),
    ("2022-10-31", 0, "cash_and_equivalents", 5_000.0),
])


def test_fiscal_year_plus_year_to_date_matches_the_hand_calculation() -> None:
    result = ltm_from_periods(FILINGS, as_of="2022-10-31")
    assert result.loc["revenue", "value"] == 30_294.0
    assert result.loc["net_income", "value"] == 278.0
    assert result.loc["revenue", "basis"].startswith("12 months to 2022-01-31 + 9 months to 2022-10-31")
    assert result.loc["cash_and_equivalents", "value"] == 5_000.0


def test_four_quarters_give_the_same_ltm() -> None:
    quarters = _frame([
        ("2022-01-31", 3, "revenue", 7_326.0),
        ("2022-04-30", 3, "revenue", 7_411.0),
        ("2022-07-31", 3, "revenue", 7_720.0),
        ("2022-10-31", 3, "revenue", 7_837.0),
    ])
    result = ltm_from_periods(quarters)
    assert result.loc["revenue", "value"] == 30_294.0
    assert result.loc["revenue", "basis"] == "sum of 4 3-month periods"


def test_a_reported_twelve_months_wins() -> None:
    result = ltm_from_periods(_frame([("2023-01-31", 12, "revenue", 31_352.0)]))
    assert result.loc["revenue", "value"] == 31_352.0


def test_without_twelve_months_the_item_is_nan_with_the_reason() -> None:
    # The 10-Q alone: no fiscal year, only three quarters' worth of 3-month figures.
    alone = FILINGS[FILINGS["period_months"] != 12]
    result = ltm_from_periods(alone, as_of="2022-10-31")
    assert math.isnan(result.loc["revenue", "value"])
    assert result.loc["revenue", "basis"].startswith("no twelve months to 2022-10-31")
    assert result.loc["cash_and_equivalents", "value"] == 5_000.0


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([("2022-10-31", 3, "cash_and_equivalents", 1.0)], "a balance is 0"),
        ([("2022-10-31", 0, "revenue", 1.0)], "a flow needs"),
        ([("2022-10-31", 3, "revenue", 1.0), ("2022-10-31", 3, "revenue", 2.0)], "is both"),
        ([("2022-10-31", 13, "revenue", 1.0)], "0 to 12"),
    ],
)
def test_inconsistent_figures_are_refused(rows, words) -> None:
    with pytest.raises(ValueError, match=words):
        ltm_from_periods(_frame(rows))


def test_as_of_without_figures_is_refused() -> None:
    with pytest.raises(ValueError, match="as_of: no figure ends 2022-12-31"):
        ltm_from_periods(FILINGS, as_of="2022-12-31")
