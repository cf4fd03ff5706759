"""Rule values from the seeds, as plain functions."""
from datetime import date, datetime

import pytest

from app.panels import rules as panel_rules
from app.rating import rules
from app.engine.calendar import WorkingDayCalendar, end_of_day
from app.engine.deadlines import DurationError, parse_duration


# --- working days (工作日) ------------------------------------------------------------------

def test_ten_working_days_across_national_day_2026():
    cal = WorkingDayCalendar()
    # Oct 1-7 are holidays, Sat Oct 10 is a make-up working day (chinesecalendar).
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 9, 28), 10) == date(2026, 10, 16)
    assert cal.is_working_day(date(2026, 10, 10)) and not cal.is_working_day(date(2026, 10, 5))
    assert cal.decide(date(2026, 10, 5)) == (False, "chinesecalendar")


def test_years_beyond_chinesecalendar_fall_back_without_crashing():
    cal = WorkingDayCalendar(fallback="holidays")
    # 2026-12-25 + 10 working days crosses New Year 2027 (statutory holiday from `holidays`).
    assert cal.add_working_days(date(2026, 12, 25), 10) == date(2027, 1, 11)
    assert cal.decide(date(2027, 1, 1)) == (False, "holidays")
    assert cal.decide(date(2027, 10, 4)) == (False, "holidays")
    weekends = WorkingDayCalendar(fallback="weekends")
    assert weekends.decide(date(2027, 1, 1)) == (True, "weekends")
    with pytest.raises(ValueError):
        WorkingDayCalendar(fallback="nope")


def test_administrator_overrides_win():
    cal = WorkingDayCalendar(overrides={date(2026, 10, 8): False, date(2027, 2, 20): True})
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)
    assert cal.decide(date(2027, 2, 20)) == (True, "override")


def test_zero_days_and_counting_between():
    cal = WorkingDayCalendar()
    assert cal.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert cal.working_days_between(date(2026, 9, 28), date(2026, 10, 16)) == 10
    assert end_of_day(date(2026, 10, 16), "Asia/Shanghai").isoformat() == "2026-10-16T16:00:00+00:00"


@pytest.mark.parametrize("text, amount, unit", [
    ("10 working days", 10, "working_days"), ("10个工作日", 10, "working_days"), ("10 工作日", 10, "working_days"),
    ("3 days", 3, "days"), ("3天", 3, "days"), ("P3D", 3, "days"), ("'P3D'", 3, "days"), ("48 hours", 48, "hours"),
    ("PT30M", 30, "minutes"),
])
def test_duration_phrases(text, amount, unit):
    d = parse_duration(text)
    assert (d.amount, d.unit) == (amount, unit)


@pytest.mark.parametrize("text", ["", "ten days", "P", "10 fortnights", "-3 days"])
def test_bad_durations_say_how_to_write_them(text):
    with pytest.raises(DurationError, match="working days"):
        parse_duration(text)


# --- complaints: 近三个月内被投诉或举报达3次以上 ------------------------------------------------

def test_three_verified_serious_complaints_within_three_months_trigger_review():
    now = datetime(2026, 11, 24, 12)
    two = [datetime(2026, 9, 1), datetime(2026, 11, 1)]
    assert not rules.rating_review_due(two, now)
    assert rules.rating_review_due(two + [datetime(2026, 8, 24, 12)], now)      # exactly three months back
    assert not rules.rating_review_due(two + [datetime(2026, 8, 24, 11, 59)], now)  # just outside
    assert rules.RATING_REVIEW_THRESHOLD == 3 and rules.RATING_REVIEW_WINDOW_MONTHS == 3


def test_panel_is_odd_drawn_without_conflicts_and_reproducible():
    experts = [1, 2, 3, 4, 5]
    panel = panel_rules.draw_panel(experts, {4}, 3, seed=7)
    assert len(panel) == 3 and 4 not in panel and len(set(panel)) == 3
    assert panel == panel_rules.draw_panel(experts, {4}, 3, seed=7)
    with pytest.raises(panel_rules.PanelError, match="odd"):
        panel_rules.draw_panel(experts, set(), 2)
    with pytest.raises(panel_rules.PanelError, match="only 2"):
        panel_rules.draw_panel([1, 2, 3], {3}, 3)
