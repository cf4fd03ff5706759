"""The scoring rules of T11/AII 001-2020 at their boundaries (pure functions, no database)."""
from decimal import Decimal as D

import pytest

from app.stars import rules
from app.stars.rules import DimensionResult

NAMES = rules.DIMENSIONS  # 企业信用, 质量保证能力, 市场实力, 需求匹配能力, 云能力


# --- points and weights ----------------------------------------------------------------------

@pytest.mark.parametrize("n,expected", [(1, [1000]), (3, [334, 333, 333]), (7, [143] * 6 + [142]),
                                        (61, [17] * 24 + [16] * 37), (8, [125] * 8)])
def test_even_points_largest_remainder_sums_to_1000(n, expected):
    assert rules.even_points(n) == expected and sum(expected) == 1000


def test_weights_must_name_the_five_dimensions_and_sum_to_100():
    good = {"企业信用": D(30), "质量保证能力": D(20), "市场实力": D(10), "需求匹配能力": D(15), "云能力": D(25)}
    assert rules.weight_problems(good) == []
    assert rules.weight_problems({**good, "云能力": D("24.99")}) == ["weights add up to 99.99 %, not 100 %"]
    assert "missing dimensions: 云能力" in rules.weight_problems({k: v for k, v in good.items() if k != "云能力"})
    assert rules.points_problems([500, 499]) == ["points add up to 999, not 1000"]


# --- Table 4 bands ----------------------------------------------------------------------------

@pytest.mark.parametrize("c,band", [(0, 1), (20, 1), ("20.01", 2), (40, 2), ("40.01", 3), (60, 3),
                                    (80, 4), ("80.01", 5), (100, 5)])
def test_coefficient_bands(c, band):
    assert rules.band_of(c).number == band


@pytest.mark.parametrize("c", ["-0.01", "100.01"])
def test_coefficient_outside_0_to_100_is_refused(c):
    with pytest.raises(rules.CoefficientError):
        rules.band_of(c)


def test_points_are_coefficient_times_indicator_points():
    assert rules.earned(75, 40) == D(30)
    assert rules.earned("33.33", 17) == D("5.6661")


# --- Table 1: single-item stars -------------------------------------------------------------

@pytest.mark.parametrize("score,stars", [("499.99", 0), (500, 1), ("599.99", 1), (600, 2), ("699.99", 2),
                                         (700, 3), ("799.99", 3), (800, 4), ("899.99", 4), (900, 5), (1000, 5), (0, 0)])
def test_single_item_stars(score, stars):
    assert rules.single_item_star(D(str(score))) == stars


def test_single_item_score_from_indicators():
    # one indicator of 1,000 points scored 49.99 % gives 499.9: no star; 50 % gives 500: one star
    assert rules.dimension_result("企业信用", 20, [("x", "online", 1000, D("49.99"))]).single_star == 0
    assert rules.dimension_result("企业信用", 20, [("x", "online", 1000, D(50))]).single_star == 1


# --- Table 2: composite score -------------------------------------------------------------------

def test_composite_score_is_weighted_sum_bound_by_name():
    weights = {"企业信用": D(30), "质量保证能力": D(20), "市场实力": D(10), "需求匹配能力": D(15), "云能力": D(25)}
    scores = {"企业信用": D(900), "质量保证能力": D(800), "市场实力": D(700), "需求匹配能力": D(600), "云能力": D(500)}
    # 900×.30 + 800×.20 + 700×.10 + 600×.15 + 500×.25 = 270 + 160 + 70 + 90 + 125
    assert rules.composite_score(scores, weights) == D(715)
    # the same numbers listed in appendix order (需求匹配能力 before 市场实力) give the same S
    reordered = {k: weights[k] for k in ("云能力", "需求匹配能力", "市场实力", "质量保证能力", "企业信用")}
    assert rules.composite_score(scores, reordered) == D(715)


# --- Table 3: composite stars -------------------------------------------------------------------

def dims(online_shares=None, scores=None, weight=D(20)):
    """Five dimensions, each with an online maximum of 500 points."""
    out = []
    for i, name in enumerate(NAMES):
        share = D(str((online_shares or [100] * 5)[i]))
        score = D(str((scores or [1000] * 5)[i]))
        out.append(DimensionResult(name, weight, score, share * 5, 500))
    return out


@pytest.mark.parametrize("level,share", [(1, 60), (2, 65), (3, 70)])
def test_one_to_three_stars_need_the_online_share_in_all_five_dimensions(level, share):
    below = D(share) - D("0.1")
    assert rules.check_level(level, dims([share] * 5), D(0)).met
    assert not rules.check_level(level, dims([100, 100, 100, 100, below]), D(0)).met
    assert not rules.check_level(level, dims([below] * 5), D(0)).met


def test_59_9_percent_is_not_60():
    result = rules.evaluate(dims([100, 100, "59.9", 100, 100]), 1, with_onsite=False)
    assert result.awarded_level is None
    assert result.deciding_rule == "1★ ✗ 市场实力: 299.50 / 500 = 59.90 % < 60 %"
    result = rules.evaluate(dims([100, 100, 60, 100, 100]), 1, with_onsite=False)
    assert result.awarded_level == 1 and result.single_item_stars is None


def test_online_share_counts_only_online_indicators():
    d = rules.dimension_result("企业信用", 20, [("a", "online", 500, D(60)), ("b", "offline", 300, D(0)),
                                                ("c", "combined", 200, D(0))])
    assert d.online_maximum == 500 and d.online_share == D(60) and d.score == D(300)


def test_dimension_without_online_indicators_sets_no_condition():
    five = dims([70] * 5)
    five[1] = DimensionResult("质量保证能力", D(20), D(0), D(0), 0)  # like C1.2: only offline indicators
    assert rules.check_level(3, five, D(0)).met


def test_four_stars_s_800_with_one_dimension_at_799_is_not_enough():
    # 4 × 800.25 + 799 = 4000 → S = 800 with equal weights
    result = rules.evaluate(dims(scores=["800.25"] * 4 + [799]), 4, with_onsite=True)
    assert result.composite == D(800)
    assert result.awarded_level is None
    assert result.deciding_rule == "4★ ✗ 云能力: S_i = 799.00 < 800"
    assert result.single_item_stars["云能力"] == 3 and result.single_item_stars["企业信用"] == 4
    assert rules.evaluate(dims(scores=[800] * 5), 4, with_onsite=True).awarded_level == 4


def test_799_99_everywhere_is_not_four_stars():
    result = rules.evaluate(dims(scores=["799.99"] * 5), 4, with_onsite=True)
    assert result.composite == D("799.99") and result.awarded_level is None


def test_five_stars_s_900_and_every_dimension_900():
    assert rules.evaluate(dims(scores=[900] * 5), 5, with_onsite=True).awarded_level == 5
    result = rules.evaluate(dims(scores=["900.25"] * 4 + [899]), 5, with_onsite=True)
    assert result.composite == D(900) and result.awarded_level is None
    assert rules.evaluate(dims(scores=[950] * 5), 4, with_onsite=True).checks[4].met  # 5★ rule holds too


# --- clause 6: who may apply for what ---------------------------------------------------------

@pytest.mark.parametrize("current,target,problem", [
    (0, 1, None), (0, 2, "first_one_star"), (0, 4, "first_one_star"), (1, 2, None), (1, 3, "no_skipping"),
    (2, 3, None), (3, 4, None), (3, 5, "no_skipping"), (4, 5, None), (2, 2, "not_an_upgrade"),
    (5, 6, "no_such_level")])
def test_no_skipping(current, target, problem):
    assert rules.application_problem(current, target, blacklisted=False) == problem


def test_skipping_setting_allows_one_to_three_and_three_to_five_only():
    assert rules.application_problem(1, 3, blacklisted=False, allow_skipping=True) is None
    assert rules.application_problem(3, 5, blacklisted=False, allow_skipping=True) is None
    assert rules.application_problem(2, 4, blacklisted=False, allow_skipping=True) == "no_skipping"
    assert rules.application_problem(0, 2, blacklisted=False, allow_skipping=True) == "first_one_star"


def test_blacklist_blocks_applying():
    assert rules.application_problem(0, 1, blacklisted=True) == "blacklisted"


def test_on_site_review_from_four_stars():
    assert [rules.needs_onsite(level) for level in range(1, 6)] == [False, False, False, True, True]


def test_explanation_names_indicators_points_and_rule():
    d = [rules.dimension_result(n, 20, [(f"{n}-1", "online", 600, D(80)), (f"{n}-2", "offline", 400, None)])
         for n in NAMES]
    result = rules.evaluate(d, 2, with_onsite=False).as_dict()
    first = result["dimensions"][0]
    assert first["lines"][0] == {"code": "企业信用-1", "category": "online", "points": 600, "coefficient": "80.00",
                                 "earned": "480.00", "band": 4, "text": ""}
    assert first["online_share"] == "80.00" and first["score"] == "480.00"
    assert result["awarded_level"] == 2 and result["deciding_rule"] == "2★ ✓"


def test_supervision_due_on_award_anniversaries():
    from datetime import datetime
    award = datetime(2026, 3, 2, 2, 0)
    assert rules.next_supervision_due(award, datetime(2026, 3, 5)) == datetime(2027, 3, 2, 2, 0)
    assert rules.next_supervision_due(award, datetime(2027, 3, 2, 1, 59)) == datetime(2027, 3, 2, 2, 0)
    assert rules.next_supervision_due(award, datetime(2027, 3, 2, 2, 0)) == datetime(2028, 3, 1, 2, 0)  # 2028 is leap
    assert rules.next_supervision_due(award, datetime(2026, 3, 5), interval_days=180) == datetime(2026, 8, 29, 2, 0)
