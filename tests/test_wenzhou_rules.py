"""The Wenzhou rules at their edges: eligibility (第五条), 附件3 scoring and the top 10,
training filing 10 working days ahead across a holiday, trainee satisfaction, exclusion."""
from datetime import date
from decimal import Decimal

import pytest
from stdnum.cn import uscc

from app.engine.calendar import WorkingDayCalendar
from app.scoring.bands import BandError
from app.wenzhou import rules
from app.wenzhou.rules import Applicant, EvaluationInput, Project, Staff, TrainingEvent

STD = rules.standard()


def qualified(n, **kw):
    return tuple(Staff(f"p{i}", title="intermediate", based_in_wenzhou=True, **kw) for i in range(n))


def applicant(**kw):
    base = dict(organisation_form="legal_person", directions=frozenset({"consulting"}),
                consulting_projects_last_year=2, staff=qualified(3),
                quality_control="人员、流程、标准、成果四方面的内部质量管控措施，含抽查和复核制度。")
    base.update(kw)
    return Applicant(**base)


# --- eligibility --------------------------------------------------------------------------

def test_credit_code_check_digit():
    body = "91330300MA2ABCDE1"
    good = body + uscc.calc_check_digit(body)
    assert rules.valid_credit_code(good)
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert not rules.valid_credit_code(wrong)
    assert not rules.valid_credit_code("")


@pytest.mark.parametrize("person, counts", [
    (Staff("a", title="intermediate"), True),
    (Staff("b", title="senior"), True),
    (Staff("c", title="junior"), False),
    (Staff("d", degree="bachelor", relevant_major=True, years_of_work=5), True),
    (Staff("e", degree="bachelor", relevant_major=True, years_of_work=4), False),
    (Staff("f", degree="bachelor", relevant_major=False, years_of_work=20), False),
    (Staff("g", degree="master", relevant_major=True, years_of_work=1), True),
    (Staff("h", degree="master", relevant_major=True, years_of_work=0), False),
    (Staff("i", degree="doctor", relevant_major=True, years_of_work=1), True),
    (Staff("j", degree="college", relevant_major=True, years_of_work=30), False),
])
def test_intermediate_title_equivalence(person, counts):
    assert rules.counts_as_intermediate(person) is counts


def test_counts_are_derived_from_the_staff_list():
    staff = (Staff("a", title="senior", based_in_wenzhou=True),
             Staff("b", title="intermediate", based_in_wenzhou=False),
             Staff("c", degree="master", relevant_major=True, years_of_work=2, based_in_wenzhou=True),
             Staff("d", title="junior", based_in_wenzhou=True))
    assert rules.staff_counts(staff) == {"based_in_wenzhou": 3, "intermediate_titles": 1, "senior_titles": 1,
                                         "qualified_in_wenzhou": 2}


def test_eligible_and_each_unmet_condition():
    assert rules.eligibility(applicant()) == []
    assert rules.eligibility(applicant(staff=qualified(2))) == ["professionals"]
    assert rules.eligibility(applicant(staff=qualified(2) + (Staff("x", title="senior"),))) == ["professionals"]
    assert rules.eligibility(applicant(consulting_projects_last_year=1)) == ["consulting_projects"]
    assert rules.eligibility(applicant(directions=frozenset())) == ["directions"]
    both = applicant(directions=frozenset({"consulting", "training"}), training_events_last_year=1)
    assert rules.eligibility(both) == ["training_events"]
    assert rules.eligibility(applicant(quality_control="有")) == ["quality_control"]
    assert rules.eligibility(applicant(organisation_form="branch_or_association")) == ["exception_reason"]
    assert rules.eligibility(applicant(organisation_form="branch_or_association",
                                       exception_reason="全国性行业协会温州分会，服务能力突出")) == []
    assert rules.eligibility(applicant(organisation_form="consortium")) == []


def test_the_years_thresholds_apply():
    strict = rules.Thresholds(consulting_projects=5)
    assert rules.eligibility(applicant(consulting_projects_last_year=4), strict) == ["consulting_projects"]
    assert rules.eligibility(applicant(consulting_projects_last_year=5), strict) == []


# --- 附件3 -----------------------------------------------------------------------------------

def projects(diagnosis=0, design=0, failed=0):
    return ([Project("diagnosis", True)] * diagnosis + [Project("design", True)] * design
            + [Project("diagnosis", False)] * failed)


@pytest.mark.parametrize("diag, design, points", [(0, 0, 0), (1, 0, 1), (0, 1, 2), (10, 10, 30), (29, 0, 29),
                                                  (28, 1, 30), (29, 1, 30), (0, 20, 30)])
def test_project_points_capped_at_30(diag, design, points):
    item = rules.project_points(projects(diag, design, failed=3), STD)
    assert item.points == points and item.detail["diagnosis"] == diag and item.detail["design"] == design


@pytest.mark.parametrize("approved, submitted, points", [
    (0, 1, 0), (49, 100, 0), (50, 100, 2), (60, 100, 2), (605, 1000, 4), (61, 100, 4), (70, 100, 4),
    (71, 100, 6), (80, 100, 6), (81, 100, 8), (90, 100, 8), (901, 1000, 10), (91, 100, 10), (1, 1, 10),
    (2, 3, 4),  # 66.67 %
])
def test_pass_rate_bands(approved, submitted, points):
    ps = [Project("diagnosis", True)] * approved + [Project("diagnosis", False)] * (submitted - approved)
    assert rules.pass_rate_points(ps, STD).points == points


def test_no_submitted_project_gives_no_pass_rate_points():
    item = rules.pass_rate_points([], STD)
    assert item.points == 0 and item.detail["rate"] is None


@pytest.mark.parametrize("score, points", [(None, 0), (0, 0), (85, Decimal("8.5")), (100, 10), (77.5, Decimal("7.75")),
                                           (120, 10)])
def test_test_score_scaled_to_10(score, points):
    assert rules.test_points(score, STD).points == points


def test_satisfaction_levels_and_their_average():
    assert rules.satisfaction_points(["very_satisfied"], "content", STD).points == 10
    assert rules.satisfaction_points(["satisfied"], "content", STD).points == 8
    assert rules.satisfaction_points(["neutral"], "content", STD).points == 5
    assert rules.satisfaction_points(["dissatisfied"], "content", STD).points == 0
    assert rules.satisfaction_points(["very_satisfied", "satisfied", "neutral"], "content", STD).points == \
        Decimal("7.67")
    assert rules.satisfaction_points([], "result", STD).points == 0
    with pytest.raises(ValueError):
        rules.satisfaction_points(["happy"], "content", STD)


@pytest.mark.parametrize("score, points", [(None, 0), (0, 0), (59.9, 0), (60, 15), (70, 15), (70.5, 20), (80, 20),
                                           (81, 25), (90, 25), (90.1, 30), (91, 30), (100, 30)])
def test_defence_bands(score, points):
    assert rules.defence_points(score, STD).points == points


def test_defence_outside_0_100_is_refused():
    with pytest.raises(ValueError):
        rules.defence_points(101, STD)


def test_total_is_50_20_30():
    best = EvaluationInput(projects=tuple(projects(0, 15)), test_score=100, content_levels=("very_satisfied",),
                           result_levels=("very_satisfied",), defence_score=95)
    total, items = rules.evaluate(best, STD)
    assert total == 100
    assert [i.key for i in items] == ["projects", "pass_rate", "test", "content", "result", "defence"]
    assert sum(i.maximum for i in items) == 100
    some = EvaluationInput(projects=tuple(projects(5, 2, failed=3)), test_score=80, content_levels=("satisfied",),
                           result_levels=("neutral",), defence_score=75)
    total, _ = rules.evaluate(some, STD)
    assert total == 9 + 4 + 8 + 8 + 5 + 20  # 7 of 10 approved: 70 % -> 4


def test_a_standard_with_a_gap_is_refused():
    data = dict(rules.STANDARDS[rules.CURRENT_STANDARD])
    data["defence_bands"] = [[None, 60, False, False, 0], [61, 100, True, True, 30]]
    with pytest.raises(BandError):
        rules.Standard.from_data("bad", data)


def test_top_10_with_ties():
    totals = {f"a{i:02d}": 100 - i for i in range(12)}
    assert rules.excellent(totals) == [f"a{i:02d}" for i in range(10)]
    totals["a10"] = totals["a09"]  # tied at 10th place
    assert len(rules.excellent(totals)) == 11
    assert rules.excellent(totals, ties="exclude") == [f"a{i:02d}" for i in range(9)]
    assert rules.excellent({"x": 1, "y": 2}) == ["y", "x"]
    totals = {f"a{i:02d}": 100 - i for i in range(12)}  # the 10th alone: excluding ties changes nothing
    assert rules.excellent(totals, ties="exclude") == [f"a{i:02d}" for i in range(10)]


# --- training events ------------------------------------------------------------------------

def event(**kw):
    base = dict(kind="training", length="half_day", participants=50, industries=("pumps_valves",))
    base.update(kw)
    return TrainingEvent(**base)


def test_event_conditions():
    assert rules.event_problems(event()) == []
    assert rules.event_problems(event(participants=49)) == ["audience"]
    assert rules.event_problems(event(participants=30, firms_same_industry=10, people_same_industry=30)) == []
    assert rules.event_problems(event(participants=30, firms_same_industry=9, people_same_industry=30)) == ["audience"]
    assert rules.event_problems(event(kind="lecture_forum", participants=99)) == ["audience"]
    assert rules.event_problems(event(kind="lecture_forum", participants=100)) == []
    assert rules.event_problems(event(length="full_day")) == ["length_reason"]
    assert rules.event_problems(event(length="full_day", length_reason="含现场参观")) == []
    assert rules.event_problems(event(fee=True)) == ["fee"]
    assert rules.event_problems(event(industries=())) == ["industries"]
    assert rules.event_problems(event(kind="agency_training", participants=5, industries=())) == []


def test_filing_10_working_days_ahead_across_the_national_day_holiday():
    cal = WorkingDayCalendar()  # chinesecalendar 2026: 10-01..10-07 off, 10-10 (Sat) a make-up working day
    event_day = date(2026, 10, 16)
    assert rules.last_filing_day(event_day, cal) == date(2026, 9, 27)
    assert rules.filed_in_time(date(2026, 9, 27), event_day, cal)
    assert not rules.filed_in_time(date(2026, 9, 28), event_day, cal)  # 9 working days ahead


def test_filing_without_holidays_counts_weekdays():
    cal = WorkingDayCalendar(fallback="weekends")
    # 2027: outside chinesecalendar; Monday 2027-03-15 -> ten weekdays back is Monday 03-01
    assert rules.last_filing_day(date(2027, 3, 15), cal) == date(2027, 2, 28)


@pytest.mark.parametrize("answers, rate, eligible", [
    ([], None, False),
    (["very_satisfied"] * 4 + ["neutral"], Decimal("80.00"), True),
    (["satisfied"] * 79 + ["dissatisfied"] * 21, Decimal("79.00"), False),
    (["very_satisfied"] * 81 + ["neutral"] * 19, Decimal("81.00"), True),
])
def test_trainee_satisfaction_80_percent(answers, rate, eligible):
    assert rules.satisfaction_rate(answers) == rate
    assert rules.subsidy_eligible(answers) is eligible


# --- exclusion ------------------------------------------------------------------------------

def test_three_enterprises_exclude_for_three_years():
    c = [(1, date(2026, 1, 5)), (2, date(2026, 3, 1)), (3, date(2026, 6, 30))]
    periods = rules.exclusions(c)
    assert len(periods) == 1
    assert periods[0].starts == date(2026, 6, 30) and periods[0].ends == date(2029, 6, 29)
    assert rules.excluded_on(date(2029, 6, 29), periods) and not rules.excluded_on(date(2029, 6, 30), periods)
    assert not rules.excluded_on(date(2026, 6, 29), periods)


def test_two_enterprises_do_not_exclude_but_three_from_one_do():
    assert rules.exclusions([(1, date(2026, 1, 5)), (2, date(2026, 3, 1)), (2, date(2026, 4, 1))]) == []
    periods = rules.exclusions([(7, date(2026, 1, 5)), (7, date(2026, 3, 1)), (7, date(2026, 4, 1))])
    assert periods[0].starts == date(2026, 4, 1) and periods[0].complaints == 3


def test_complaints_during_an_exclusion_do_not_extend_it():
    c = [(1, date(2026, 1, 1)), (2, date(2026, 1, 2)), (3, date(2026, 1, 3)),
         (4, date(2026, 5, 1)), (5, date(2026, 5, 2)), (6, date(2026, 5, 3))]
    assert len(rules.exclusions(c)) == 1


def test_plagiarism_loses_this_years_eligibility_only():
    assert not rules.eligible_in_year(2026, [2026], date(2026, 5, 1), [])
    assert rules.eligible_in_year(2027, [2026], date(2027, 5, 1), [])


# --- the registration form of 附件1 keeps what was typed ---------------------------------------

def _form_data(**kw):
    from werkzeug.datastructures import MultiDict
    body = "91330300MA2ABCDE1"
    data = dict(filled_on="2026-12-02", name="温州智造咨询有限公司", credit_code=body + uscc.calc_check_digit(body),
                founded_on="2015-03-01", registered_province="浙江", registered_city="温州", registered_district="鹿城",
                office_address="温州市鹿城区车站大道1号", ownership="private", revenue="1234.5",
                legal_name="张三", legal_phone="0577-88880000", legal_title="总经理", legal_email="zs@example.cn",
                contact_name="李四", contact_phone="13800000000", contact_title="经理", contact_email="ls@example.cn",
                strengths="诊断咨询" * 10, key_industries="泵阀、电气")
    data.update(kw)
    md = MultiDict(data)
    md.setlist("directions", ["consulting"])
    return md


def test_registration_form_errors_keep_what_was_typed(app):
    from app.wenzhou.forms import RegistrationForm
    with app.test_request_context(method="POST"):
        app.config["WTF_CSRF_ENABLED"] = False
        assert RegistrationForm(formdata=_form_data()).validate()
        long_text = "优" * 301
        form = RegistrationForm(formdata=_form_data(credit_code="91330300MA2ABCDE1X", strengths=long_text))
        assert not form.validate()
        assert set(form.errors) == {"credit_code", "strengths"}
        assert form.credit_code.data == "91330300MA2ABCDE1X" and form.strengths.data == long_text
        assert form.name.data == "温州智造咨询有限公司"
        assert RegistrationForm(formdata=_form_data(strengths="优" * 300)).validate()
