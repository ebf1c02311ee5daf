"""Accounting identities: footings, named identities and the confidence they earn."""

from __future__ import annotations

import pytest

from portfolio_kit.pdf._identities import (
    Evidence,
    check_equal,
    check_sum,
    confirm_per_share,
    find_footings,
    tolerance,
)
from portfolio_kit.pdf._statement import _confidence

# Apple's 2019 income statement (10-K page index 31), as printed, three columns:
# 2019, 2018, 2017. The sums are checked by hand in the comments.
APPLE_INCOME = [
    [213_883, 225_847, 196_534],  # 0 Products
    [46_291, 39_748, 32_700],  # 1 Services
    [260_174, 265_595, 229_234],  # 2 Total net sales = 0 + 1 (213,883 + 46,291 = 260,174)
    [144_996, 148_164, 126_337],  # 3 Products
    [16_786, 15_592, 14_711],  # 4 Services
    [161_782, 163_756, 141_048],  # 5 Total cost of sales = 3 + 4 (144,996 + 16,786 = 161,782)
    [98_392, 101_839, 88_186],  # 6 Gross margin = 2 - 5 (260,174 - 161,782 = 98,392)
    [16_217, 14_236, 11_581],  # 7 Research and development
    [18_245, 16_705, 15_261],  # 8 Selling, general and administrative
    [34_462, 30_941, 26_842],  # 9 Total operating expenses = 7 + 8 (16,217 + 18,245 = 34,462)
    [63_930, 70_898, 61_344],  # 10 Operating income = 6 - 9 (98,392 - 34,462 = 63,930)
    [1_807, 2_005, 2_745],  # 11 Other income/(expense), net
    [65_737, 72_903, 64_089],  # 12 Income before taxes = 10 + 11 (63,930 + 1,807 = 65,737)
    [10_481, 13_372, 15_738],  # 13 Provision for income taxes
    [55_256, 59_531, 48_351],  # 14 Net income = 12 - 13 (65,737 - 10,481 = 55,256)
]


def test_the_subtotal_structure_of_an_income_statement() -> None:
    footings = find_footings(APPLE_INCOME, [False] * 15, unit=1.0, allow_difference=True)
    found = {f.total: f.parts for f in footings}
    assert found == {
        2: (0, 1),
        5: (3, 4),
        6: (2, 5),
        9: (7, 8),
        10: (6, 9),
        12: (10, 11),
        14: (12, 13),
    }
    assert all(f.columns == (0, 1, 2) and not f.failed for f in footings)


def test_without_differences_expense_deductions_do_not_foot() -> None:
    footings = find_footings(APPLE_INCOME, [False] * 15, unit=1.0, allow_difference=False)
    assert 6 not in {f.total for f in footings}


def test_deductions_printed_positive_or_negative() -> None:
    # J&J 2020 equity (page index 44): 3,120 - 15,242 + 113,890 = 101,768; then
    # "Less: common stock held in treasury, at cost" printed 38,490 (positive) is
    # deducted: 101,768 - 38,490 = 63,278. Foot Locker prints its treasury stock
    # "(88)" under "Less:"; it is deducted once, not added back.
    rows = [[3_120], [-15_242], [113_890], [101_768], [38_490], [63_278]]
    footings = find_footings(
        rows, [False, False, False, False, True, False], unit=1.0, allow_difference=False
    )
    assert [(f.total, f.parts) for f in footings] == [(3, (0, 1, 2)), (5, (3, 4))]
    rows = [[770], [2_900], [-343], [-88], [3_239]]  # 770 + 2,900 - 343 - 88 = 3,239
    footings = find_footings(
        rows, [False, False, False, True, False], unit=1.0, allow_difference=False
    )
    assert [(f.total, f.parts) for f in footings] == [(4, (0, 1, 2, 3))]


def test_a_misprinted_total_is_a_near_miss_in_its_column() -> None:
    # Three columns: the parts foot in 2018 and 2017 but 2019 prints 34,562 for 34,462.
    rows = [[16_217, 14_236, 11_581], [18_245, 16_705, 15_261], [34_562, 30_941, 26_842]]
    (footing,) = find_footings(rows, [False] * 3, unit=1.0)
    assert (footing.total, footing.columns, footing.failed) == (2, (1, 2), (0,))
    assert find_footings(rows, [False] * 3, unit=1.0, allow_near_miss=False) == []


def test_a_two_column_total_near_miss_needs_a_total_label_and_three_parts() -> None:
    rows = [
        [3_000, 2_000],
        [1_500, 1_200],
        [800, 700],
        [5_400, 3_900],
    ]  # 3,000 + 1,500 + 800 = 5,300
    assert find_footings(rows, [False] * 4, unit=1.0, totals=[False] * 4) == []
    (footing,) = find_footings(rows, [False] * 4, unit=1.0, totals=[False, False, False, True])
    assert (footing.columns, footing.failed) == ((1,), (0,))


def test_the_exact_run_wins_over_a_shorter_near_miss() -> None:
    # Foot Locker 2021 investing activities (page index 45): the total includes the
    # first row only in 2021; a near miss over the last four rows must not win.
    rows = [
        [-1_056, 0, 0],
        [-209, -159, -187],
        [-118, -9, -50],
        [3, 0, 2],
        [4, 0, 0],
        [-1_376, -168, -235],  # -1,056 - 209 - 118 + 3 + 4 = -1,376
    ]
    (footing,) = find_footings(rows, [False] * 6, unit=1.0, allow_difference=False)
    assert (footing.parts, footing.failed) == ((0, 1, 2, 3, 4), ())


def test_rounding_tolerance_grows_with_the_number_of_parts() -> None:
    assert tolerance(1.0, 1) == pytest.approx(1.0)
    assert tolerance(1.0, 5) == pytest.approx(3.0)
    assert tolerance(0.1, 3) == pytest.approx(0.2)
    rows = [[1.2], [2.3], [3.6]]  # 1.2 + 2.3 = 3.5, printed 3.6: within one unit of 0.1
    assert [f.total for f in find_footings(rows, [False] * 3, unit=0.1)] == [2]


def test_named_identities_confirm_and_fail_per_column() -> None:
    values = [[338_516, 365_725], [338_516, 365_726]]  # total assets vs liabilities and equity
    evidence = Evidence()
    check_equal(evidence, 0, 1, values, unit=1.0, what="unbalanced")
    assert (0, 0) in evidence.confirmed and (1, 0) in evidence.confirmed
    assert (0, 1) not in evidence.failed  # off by 1, within one printed unit
    values = [[338_516, 365_725], [338_516, 365_925]]
    evidence = Evidence()
    check_equal(evidence, 0, 1, values, unit=1.0, what="unbalanced")
    assert evidence.failed[(1, 1)][0].startswith("unbalanced")


def test_net_change_in_cash_with_the_exchange_rate_effect() -> None:
    # eBay 2019 (page index 67): 3,114 + 2,787 - 7,091 - 33 = -1,223.
    values = [[3_114], [2_787], [-7_091], [-33], [-1_223]]
    evidence = Evidence()
    check_sum(evidence, 4, [0, 1, 2], [1, 1, 1], values, 1.0, "cash", optional=[3])
    assert {(r, 0) for r in range(5)} <= evidence.confirmed
    evidence = Evidence()
    check_sum(evidence, 4, [0, 1, 2], [1, 1, 1], values, 1.0, "cash")
    assert evidence.failed[(4, 0)] == ["cash: parts sum to -1,190.00, printed -1,223.00"]


def test_per_share_only_confirms() -> None:
    # Foot Locker 2021 (page index 41): 893 / 102.5 = 8.712; printed EPS 8.72 is within
    # rounding of the printed income (to $1 million) and share count (to 0.1 million).
    values = [[8.72], [893.0], [102.5]]
    evidence = Evidence()
    confirm_per_share(evidence, 0, 1, 2, values, 1e6, 1e6, 1.0, 0.1)
    assert (0, 0) in evidence.confirmed
    values = [[9.50], [893.0], [102.5]]
    evidence = Evidence()
    confirm_per_share(evidence, 0, 1, 2, values, 1e6, 1e6, 1.0, 0.1)
    assert not evidence.confirmed and not evidence.failed


def test_high_confidence_needs_a_clean_label_and_a_confirming_identity() -> None:
    assert _confidence(1.0, confirmed=True, failed=False, estimated=False) >= 0.9
    assert _confidence(0.9, confirmed=True, failed=False, estimated=False) >= 0.9
    assert _confidence(1.0, confirmed=False, failed=False, estimated=False) < 0.9
    assert _confidence(0.8, confirmed=True, failed=False, estimated=False) < 0.9
    assert _confidence(None, confirmed=True, failed=False, estimated=False) < 0.9
    assert _confidence(1.0, confirmed=True, failed=True, estimated=False) <= 0.3
    assert _confidence(1.0, confirmed=True, failed=False, estimated=True) < 0.9
