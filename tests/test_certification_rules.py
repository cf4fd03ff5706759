"""Certification tracking rules at their boundaries (app/certification/rules.py)."""
from datetime import date

from app.certification import rules


def test_certificate_valid_three_years_to_the_day_before():
    assert rules.valid_until(date(2026, 3, 1)) == date(2029, 2, 28)
    assert rules.valid_until(date(2024, 2, 29)) == date(2027, 2, 27)


def test_two_surveillances_counted_in_months_from_issue():
    assert rules.surveillance_due_dates(date(2026, 1, 31)) == [date(2027, 1, 31), date(2028, 1, 31)]
    assert rules.surveillance_due_dates(date(2026, 1, 31), (6, 18)) == [date(2026, 7, 31), date(2027, 7, 31)]


def test_surveillance_missed_only_after_grace():
    due = date(2027, 3, 1)
    assert not rules.surveillance_overdue(due, date(2027, 5, 30), grace_days=90)
    assert rules.surveillance_overdue(due, date(2027, 5, 31), grace_days=90)


def test_recertification_reminders_by_days_before_expiry():
    exp = date(2029, 2, 28)
    assert rules.reminders_due(exp, date(2028, 8, 31)) == []
    assert rules.reminders_due(exp, date(2028, 9, 1), (180,)) == [180]  # 2028-09-01 is 180 days before
    assert rules.reminders_due(exp, date(2029, 1, 29)) == [180, 90, 30]


def test_certificate_status_order():
    base = dict(today=date(2027, 1, 1), expires=date(2029, 1, 1), withdrawn=False, suspended=False,
                surveillance_open=False)
    assert rules.certificate_status(**base) == "valid"
    assert rules.certificate_status(**{**base, "surveillance_open": True}) == "under_surveillance"
    assert rules.certificate_status(**{**base, "today": date(2029, 1, 1)}) == "valid"
    assert rules.certificate_status(**{**base, "today": date(2029, 1, 2)}) == "expired"
    assert rules.certificate_status(**{**base, "suspended": True}) == "suspended"
    assert rules.certificate_status(**{**base, "suspended": True, "withdrawn": True}) == "withdrawn"


def test_pass_rate():
    assert rules.pass_rate(0, 0) is None
    assert rules.pass_rate(0, 3) == 0
    assert rules.pass_rate(3, 4) == 0.75


def test_criterion_facts_count_enterprises_once_and_last_year():
    P = rules.TrackedProject
    today = date(2026, 12, 1)
    projects = [P(date(2025, 12, 1), date(2026, 6, 1), date(2026, 8, 1), 1),   # started exactly a year ago: not last year
                P(date(2025, 12, 2), date(2025, 11, 30), None, 2),
                P(date(2024, 1, 1), None, None, 3),
                P(date(2026, 2, 1), date(2026, 9, 1), None, 1)]                  # same enterprise again
    f = rules.criterion_facts(projects, today)
    assert f == {"total": 4, "last_year": 2, "submitted": 2, "submitted_last_year": 1, "passed": 1,
                 "pass_rate": 0.5}


def test_stage_closes_only_with_its_records():
    assert rules.missing_records("kickoff", ["kickoff_meeting", "leadership_group"]) == ["working_group"]
    assert rules.missing_records("kickoff", ["kickoff_meeting", "leadership_group", "working_group"]) == []
    five = ["training"] * 5 + ["survey_report"]
    assert rules.missing_records("survey", five) == ["training"]
    assert rules.missing_records("survey", five + ["training"]) == []
    assert rules.missing_records("survey", five, min_trainings=5) == []
    assert rules.missing_records("kickoff", [], required={"kickoff": ["kickoff_meeting"]}) == ["kickoff_meeting"]


def test_stage_order():
    assert rules.next_stage("consulting", "kickoff") == "survey"
    assert rules.next_stage("consulting", "pilot") is None
    assert len(rules.ASSESSMENT_STAGES) == 9 and len(rules.COMMITTEE_STAGES) == 4
    assert rules.next_stage("committee", "public_notice") == "certificate_issued"


def test_conformity_auditor_must_not_have_worked_on_the_project():
    assert rules.auditor_is_independent(9, {1, 2})
    assert not rules.auditor_is_independent(2, {1, 2})
    assert not rules.auditor_is_independent(9, {1, 2}, {9})


def test_self_assessment_level_thresholds():
    qs = [{"key": "a", "weight": 1}, {"key": "b", "weight": 1}]
    th = {"foundation": 0, "single_application": 25, "integration": 50, "innovation": 75}
    assert rules.self_assessment_level({"a": 0, "b": 0}, qs, th) == (0.0, "foundation")
    assert rules.self_assessment_level({"a": 2, "b": 0}, qs, th) == (25.0, "single_application")
    assert rules.self_assessment_level({"a": 1, "b": 0}, qs, th) == (12.5, "foundation")
    assert rules.self_assessment_level({"a": 4, "b": 2}, qs, th) == (75.0, "innovation")
    assert rules.self_assessment_level({"a": 9, "b": -1}, qs, th) == (50.0, "integration")
