"""Agency and rating rules with the seed's values, at their boundaries."""
from datetime import date, datetime, timezone

import pytest

from app.agencies import rules as ar
from app.agencies.rules import Service
from app.engine.calendar import WorkingDayCalendar
from app.rating import rules as rr


def svc(enterprise, end, passed, days=20):
    return Service(enterprise, end, passed, days)


# --- certificates (注1, 注2): three years, renewed after 3 passed enterprises ------------------

def test_certificate_valid_three_years_then_lapses_without_three_enterprises():
    issued = date(2020, 1, 1)
    two = [svc(1, date(2021, 5, 1), date(2021, 8, 1)), svc(2, date(2022, 3, 1), date(2022, 6, 1))]
    assert ar.certificate_valid_until(issued, two, date(2022, 12, 31)) == date(2022, 12, 31)
    assert ar.certificate_is_valid(issued, two, date(2022, 12, 31))
    assert not ar.certificate_is_valid(issued, two, date(2023, 1, 1))


def test_certificate_renewed_at_expiry_after_three_enterprises_that_passed():
    issued = date(2020, 1, 1)
    three = [svc(1, date(2021, 5, 1), date(2021, 8, 1)), svc(2, date(2022, 3, 1), date(2022, 6, 1)),
             svc(3, date(2022, 12, 1), date(2022, 12, 31))]
    assert ar.certificate_valid_until(issued, three, date(2023, 1, 1)) == date(2025, 12, 31)
    # The same enterprise twice is one enterprise; a pass after expiry is too late.
    assert ar.certificate_valid_until(issued, three[:2] + [svc(2, date(2022, 9, 1), date(2022, 10, 1))],
                                      date(2023, 1, 1)) is None
    assert ar.certificate_valid_until(issued, three[:2] + [svc(3, date(2022, 12, 1), date(2023, 1, 1))],
                                      date(2023, 1, 1)) is None
    # Not a main member (on-site days below the requirement) does not count.
    assert ar.certificate_valid_until(issued, three[:2] + [svc(3, date(2022, 12, 1), date(2022, 12, 31), days=2)],
                                      date(2023, 1, 1)) is None
    # The renewed period needs its own three enterprises.
    assert ar.certificate_valid_until(issued, three, date(2026, 1, 1)) is None


# --- full-time consultants (专职人员): 2 passed enterprises within the last year --------------

def test_full_time_needs_two_passed_enterprises_within_the_last_year():
    today = date(2026, 11, 24)
    inside = [svc(1, date(2025, 11, 25), date(2026, 1, 10)), svc(2, date(2026, 5, 1), date(2026, 7, 1))]
    assert ar.is_full_time(inside, today)
    assert not ar.is_full_time([svc(1, date(2025, 11, 24), date(2026, 1, 10)), inside[1]], today)
    assert not ar.is_full_time([inside[0], svc(2, date(2026, 5, 1), None)], today)
    assert not ar.is_full_time([inside[0], svc(1, date(2026, 5, 1), date(2026, 7, 1))], today)
    assert not ar.is_full_time([inside[0], svc(2, date(2026, 5, 1), date(2026, 7, 1), days=9)], today)
    assert ar.is_full_time([inside[0], svc(2, date(2026, 5, 1), date(2026, 7, 1), days=10)], today)


def test_feedback_due_within_three_months_of_the_project_end():
    assert ar.feedback_due(date(2026, 8, 31)) == date(2026, 11, 30)
    assert not ar.feedback_overdue(date(2026, 8, 31), date(2026, 11, 30), answered=False)
    assert ar.feedback_overdue(date(2026, 8, 31), date(2026, 12, 1), answered=False)
    assert not ar.feedback_overdue(date(2026, 8, 31), date(2027, 1, 1), answered=True)
    assert len(ar.FEEDBACK_QUESTIONS) == 9
    assert ar.average_satisfaction([{q: 5 for q in ar.FEEDBACK_QUESTIONS},
                                    {q: 4 for q in ar.FEEDBACK_QUESTIONS}]) == 4.5
    assert ar.average_satisfaction([]) is None


def test_public_view_drops_business_secrets():
    data = {k: "x" for k in ar.DISCLOSURE_FIELDS} | {"contract_amount": "800000", "business_licence_no": "91"}
    public = ar.public_view(data)
    assert "contract_amount" not in public and "business_licence_no" not in public
    assert set(public) == set(ar.DISCLOSURE_FIELDS)
    assert ar.changed_fields({"city": "上海"}, {"city": "杭州"}) == ["city"]


# --- public notice: 10 working days over the Chinese calendar -----------------------------

def test_notice_of_ten_working_days_across_national_day():
    cal = WorkingDayCalendar()
    # Published Mon 2026-09-28; Oct 1-7 holidays, Sat Oct 10 a make-up working day.
    assert rr.notice_last_day(date(2026, 9, 28), cal) == date(2026, 10, 16)
    assert rr.notice_last_day(date(2026, 9, 28), cal, count_publication_day=True) == date(2026, 10, 15)
    # Published on a holiday: that day cannot count even when the setting says so.
    assert rr.notice_last_day(date(2026, 10, 3), cal, count_publication_day=True) == \
        rr.notice_last_day(date(2026, 10, 3), cal) == date(2026, 10, 20)


def test_notice_into_2027_uses_the_fallback_calendar():
    cal = WorkingDayCalendar(fallback="holidays")
    assert rr.notice_last_day(date(2026, 12, 25), cal) == date(2027, 1, 11)
    assert rr.notice_last_day(date(2026, 12, 25), cal, count_publication_day=True) == date(2027, 1, 8)
    with pytest.raises(rr.RuleError):
        rr.notice_last_day(date(2026, 12, 25), cal, working_days=0)


# --- grades -----------------------------------------------------------------------------

def test_grade_boundaries_are_lower_bounds_and_ties_go_up():
    assert [rr.grade_for(s) for s in (100, 90, 89.99, 80, 70, 60, 59.99, 0)] == \
        ["A", "A", "B", "B", "C", "D", "none", "none"]
    assert rr.grade_for(89.995) == "A"  # rounded to two decimals first
    custom = {"A": 85, "B": 75, "C": 65, "D": 50}
    assert rr.grade_for(85, custom) == "A" and rr.grade_for(50, custom) == "D"
    with pytest.raises(rr.RuleError):
        rr.grade_for(70, {"A": 80, "B": 80, "C": 65, "D": 50})
    with pytest.raises(rr.RuleError):
        rr.grade_for(70, {"A": 80, "B": 70})


def test_weighted_score_from_the_panel_with_cycle_weights():
    sheets = [dict.fromkeys(rr.CRITERIA, 90), dict.fromkeys(rr.CRITERIA, 80)]
    assert rr.proposed_grade(sheets, rr.DEFAULT_WEIGHTS, rr.DEFAULT_BOUNDARIES) == (85.0, "B")
    only_team = dict.fromkeys(rr.CRITERIA, 0) | {"team": 1}
    sheet = dict.fromkeys(rr.CRITERIA, 50) | {"team": 95}
    assert rr.weighted_score(sheet, only_team) == 95.0
    with pytest.raises(rr.RuleError):
        rr.weighted_score(sheet | {"team": 101})
    with pytest.raises(rr.RuleError):
        rr.weighted_score(sheet, dict.fromkeys(rr.CRITERIA, 0))


def test_spot_check_sample_is_reproducible_from_seed_and_rate():
    ids = list(range(1, 21))
    first = rr.spot_check_sample(ids, 0.3, seed=20261124)
    assert len(first) == 6 and first == rr.spot_check_sample(list(reversed(ids)), 0.3, seed=20261124)
    assert rr.spot_check_sample(ids, 0.3, seed=1) != first or rr.spot_check_sample(ids, 0.3, seed=2) != first
    assert rr.spot_check_sample([7], 0.01, seed=5) == [7]  # at least one
    assert rr.spot_check_sample(ids, 0, seed=5) == [] and rr.spot_check_sample(ids, 1, seed=5) == ids
    with pytest.raises(rr.RuleError):
        rr.spot_check_sample(ids, 1.5, seed=5)


def test_the_five_adjustment_triggers():
    now = datetime(2026, 9, 15, tzinfo=timezone.utc)
    recent = [datetime(2026, 7, 1, tzinfo=timezone.utc), datetime(2026, 8, 1, tzinfo=timezone.utc)]
    assert rr.adjustment_triggers(verified_serious_complaints=recent, now=now) == []
    assert rr.adjustment_triggers(verified_serious_complaints=recent + [now], now=now) == ["complaints"]
    assert rr.adjustment_triggers(separation_breach=True, formalism=True, false_information=True,
                                  major_negative_impact=True) == \
        ["separation", "formalism", "false_information", "major_negative_impact"]
    assert len(rr.TRIGGERS) == 5
    assert rr.adjusted_grade("B", "keep") == "B" and rr.adjusted_grade("B", "cancel") is None
    assert rr.adjusted_grade("B", "downgrade", "D") == "D"
    with pytest.raises(rr.RuleError):
        rr.adjusted_grade("B", "downgrade", "A")
