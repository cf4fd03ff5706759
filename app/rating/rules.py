"""Rating rules as plain functions (no HTTP, no database), with the seed's values.

Grades (评级): A 卓越, B 优秀, C 良好, D 合格; below D an agency is not rated (未获得评级).
A grade comes from a weighted mean of the panel's scores on the seven criteria (评级依据 1-7);
weights and grade boundaries are settings of each cycle.

Boundaries are *lower bounds* (score >= bound), so the bands have no gaps by construction;
a score exactly on a boundary gets the higher grade; scores are compared after rounding
to two decimals, so 89.995 is 90.00 (A with the default bounds).
"""
from __future__ import annotations

import math
import random
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from ..engine.calendar import WorkingDayCalendar
from ..notices import rules as notice_rules
from ..scoring.bands import Band, BandTable

GRADES = ["A", "B", "C", "D"]
NOT_RATED = "none"
GRADE_NAMES = {"A": "卓越", "B": "优秀", "C": "良好", "D": "合格"}

# 评级依据 1)-7)
CRITERIA = ["team", "projects", "satisfaction", "complaints", "awards", "knowledge", "other"]
DEFAULT_WEIGHTS = {"team": 20, "projects": 25, "satisfaction": 20, "complaints": 15, "awards": 5,
                   "knowledge": 10, "other": 5}
DEFAULT_BOUNDARIES = {"A": 90, "B": 80, "C": 70, "D": 60}
SCORE_MAX = 100

NOTICE_WORKING_DAYS = 10           # 进行为期10个工作日的公示
DEFAULT_VALIDITY_MONTHS = 6        # 以半年为周期: a grade holds until the next cycle's result
DEFAULT_SPOT_CHECK_RATE = 0.3

# 评级调整或取消: the five cases.
TRIGGERS = ["separation", "formalism", "false_information", "complaints", "major_negative_impact"]
ADJUSTMENT_OUTCOMES = ["keep", "downgrade", "cancel"]


class RuleError(ValueError):
    pass


def check_weights(weights: dict) -> dict:
    missing = [c for c in CRITERIA if c not in weights]
    if missing:
        raise RuleError(f"weights missing for {missing}")
    clean = {c: float(weights[c]) for c in CRITERIA}
    if any(w < 0 for w in clean.values()) or sum(clean.values()) <= 0:
        raise RuleError("weights must be non-negative and not all zero")
    return clean


def check_boundaries(boundaries: dict) -> dict:
    """A > B > C > D, each in (0, 100]."""
    try:
        values = [float(boundaries[g]) for g in GRADES]
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError("a boundary for each of A, B, C, D is needed") from exc
    if any(not 0 < v <= SCORE_MAX for v in values):
        raise RuleError("boundaries must lie in (0, 100]")
    if any(values[i] <= values[i + 1] for i in range(len(values) - 1)):
        raise RuleError("boundaries must fall strictly from A to D")
    return dict(zip(GRADES, values))


def weighted_score(scores: dict, weights: dict = DEFAULT_WEIGHTS) -> float:
    """Weighted mean of the criteria scores (0-100 each), on 0-100, two decimals."""
    w = check_weights(weights)
    for c in CRITERIA:
        if not 0 <= float(scores[c]) <= SCORE_MAX:
            raise RuleError(f"score for {c} out of range")
    return round(sum(w[c] * float(scores[c]) for c in CRITERIA) / sum(w.values()), 2)


def panel_scores(sheets: list[dict]) -> dict:
    """Per-criterion mean of the panel's score sheets."""
    if not sheets:
        raise RuleError("no score sheets")
    return {c: sum(float(s[c]) for s in sheets) / len(sheets) for c in CRITERIA}


def grade_table(boundaries: dict = DEFAULT_BOUNDARIES) -> BandTable:
    """The grades as bands: each boundary is the closed lower edge of its grade and the open upper
    edge of the grade below ([90, +inf) A, [80, 90) B, [70, 80) C, [60, 70) D, (-inf, 60) not rated)."""
    b = check_boundaries(boundaries)
    uppers = [None] + [b[g] for g in GRADES[:-1]]
    return BandTable([Band(None, b[GRADES[-1]], False, False, NOT_RATED)]
                     + [Band(b[g], upper, True, False, g) for g, upper in zip(GRADES, uppers)])


def grade_for(score: float, boundaries: dict = DEFAULT_BOUNDARIES) -> str:
    """The grade of a total score: the highest grade whose lower bound it reaches, else not rated."""
    table = grade_table(boundaries)
    return table.lookup(round(float(score), 2))


def proposed_grade(sheets: list[dict], weights: dict, boundaries: dict) -> tuple[float, str]:
    total = weighted_score(panel_scores(sheets), weights)
    return total, grade_for(total, boundaries)


def notice_last_day(published: date, calendar: WorkingDayCalendar, working_days: int = NOTICE_WORKING_DAYS,
                    count_publication_day: bool = False) -> date:
    """The last day of a rating notice (app.notices.rules.last_day, 10 working days by default)."""
    try:
        return notice_rules.last_day(published, calendar, working_days, count_publication_day)
    except notice_rules.NoticeError as exc:
        raise RuleError(str(exc)) from exc


def spot_check_sample(application_ids: list[int], rate: float, seed: int) -> list[int]:
    """A reproducible random sample: ceil(rate * n) applications (at least one when rate > 0),
    drawn with ``seed`` from the ids in ascending order. Same ids, rate and seed, same sample."""
    if not 0 <= rate <= 1:
        raise RuleError("the sample rate lies between 0 and 1")
    ids = sorted(set(application_ids))
    if not ids or rate == 0:
        return []
    size = min(len(ids), max(1, math.ceil(round(rate * len(ids), 9))))
    return sorted(random.Random(seed).sample(ids, size))


def adjustment_triggers(*, separation_breach: bool = False, formalism: bool = False,
                        false_information: bool = False, verified_serious_complaints: list[datetime] = (),
                        now: datetime | None = None, major_negative_impact: bool = False) -> list[str]:
    """Which of the five cases apply (评级调整或取消的情形 1-5)."""
    found = []
    if separation_breach:
        found.append("separation")
    if formalism:
        found.append("formalism")
    if false_information:
        found.append("false_information")
    if now is not None and rating_review_due(list(verified_serious_complaints), now):
        found.append("complaints")
    if major_negative_impact:
        found.append("major_negative_impact")
    return found


def adjusted_grade(current: str, outcome: str, new_grade: str | None = None) -> str | None:
    """The grade after an adjustment review: kept, lowered to ``new_grade``, or cancelled (None)."""
    if outcome == "keep":
        return current
    if outcome == "cancel":
        return None
    if outcome == "downgrade":
        if new_grade not in GRADES or GRADES.index(new_grade) <= GRADES.index(current):
            raise RuleError("a downgrade needs a lower grade")
        return new_grade
    raise RuleError(f"unknown outcome {outcome!r}")


# 近三个月内被投诉或举报达3次以上，经核实情况属实且情节严重 → rating adjustment review (case 4).
RATING_REVIEW_THRESHOLD = 3
RATING_REVIEW_WINDOW_MONTHS = 3


def window_start(today: date | datetime, months: int = RATING_REVIEW_WINDOW_MONTHS):
    """The first moment counted in "the last three months" before ``today``."""
    return today - relativedelta(months=months)


def count_in_window(verified: list[datetime], now: datetime, months: int = RATING_REVIEW_WINDOW_MONTHS) -> int:
    start = window_start(now, months)
    return sum(1 for v in verified if start <= v <= now)


def rating_review_due(verified_serious: list[datetime], now: datetime,
                      threshold: int = RATING_REVIEW_THRESHOLD,
                      months: int = RATING_REVIEW_WINDOW_MONTHS) -> bool:
    """3 or more verified serious complaints or reports within three months."""
    return count_in_window(verified_serious, now, months) >= threshold
