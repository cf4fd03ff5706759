"""The complaint rules as plain functions (no HTTP, no database)."""
from __future__ import annotations

import random
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

# 近三个月内被投诉或举报达3次以上，经核实情况属实且情节严重 → rating adjustment review.
RATING_REVIEW_THRESHOLD = 3
RATING_REVIEW_WINDOW_MONTHS = 3
UPHELD_RESULTS = ("upheld", "partly_upheld")


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


class PanelError(ValueError):
    def __init__(self, message, available=None, needed=None):
        super().__init__(message)
        self.available, self.needed = available, needed


def draw_panel(expert_ids: list[int], conflicted_ids: set[int], size: int, seed: int | None = None) -> list[int]:
    """Draw ``size`` experts at random from those without a conflict of interest.
    The first drawn chairs the panel. The size must be odd."""
    if size < 1 or size % 2 == 0:
        raise PanelError(f"the panel size must be odd, not {size}", available=len(set(expert_ids)), needed=size)
    eligible = sorted(set(expert_ids) - set(conflicted_ids))
    if len(eligible) < size:
        raise PanelError(f"only {len(eligible)} experts without a conflict of interest; {size} needed",
                         available=len(eligible), needed=size)
    return random.Random(seed).sample(eligible, size)
