"""Forms of the rating domain: cycles, applications, objections and the task forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FloatField, IntegerField, MultipleFileField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..engine.forms import TaskForm, evidence_files, select_choices
from ..engine.registry import task_form
from . import rules

CRITERIA_LABELS = {
    "team": _l("1) Staff and team strength"),
    "projects": _l("2) Number and quality of projects"),
    "satisfaction": _l("3) Client satisfaction"),
    "complaints": _l("4) Complaints, reports and their handling"),
    "awards": _l("5) Awards and contributions"),
    "knowledge": _l("6) Knowledge, experience and results shared"),
    "other": _l("7) Other aspects of service quality"),
}
GRADE_LABELS = {"A": _l("A (excellent, 卓越)"), "B": _l("B (very good, 优秀)"), "C": _l("C (good, 良好)"),
                "D": _l("D (qualified, 合格)"), "none": _l("Not rated")}
TRIGGER_LABELS = {
    "separation": _l("Broke the separation of consulting and assessment"),
    "formalism": _l("Formalism instead of substantive implementation"),
    "false_information": _l("False information disclosed or in rating materials"),
    "complaints": _l("3 or more verified serious complaints or reports within three months"),
    "major_negative_impact": _l("Other major negative impact on the consulting market"),
}
OUTCOME_LABELS = {"keep": _l("Keep the grade"), "downgrade": _l("Lower the grade"), "cancel": _l("Cancel the grade")}


class CycleForm(FlaskForm):
    """An administrator opens a rating cycle with its settings."""
    name = StringField(_l("Cycle"), validators=[DataRequired(), Length(max=60)], description=_l("e.g. 2026 H2"))
    deadline = DateField(_l("Applications until (inclusive)"), validators=[InputRequired()])
    spot_check_rate = FloatField(_l("Spot-check sample rate (0-1)"), default=rules.DEFAULT_SPOT_CHECK_RATE,
                                 validators=[InputRequired(), NumberRange(min=0, max=1)])
    spot_check_seed = IntegerField(_l("Random seed (empty: drawn and recorded)"),
                                   validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])
    notice_working_days = IntegerField(_l("Public notice (working days)"), default=rules.NOTICE_WORKING_DAYS,
                                       validators=[InputRequired(), NumberRange(min=1, max=60)])
    count_publication_day = BooleanField(_l("Count the publication day as day 1"))
    validity_months = IntegerField(_l("Grade valid for (months)"), default=rules.DEFAULT_VALIDITY_MONTHS,
                                   validators=[InputRequired(), NumberRange(min=1, max=36)])


for _c in rules.CRITERIA:
    setattr(CycleForm, f"weight_{_c}", IntegerField(_l("Weight: %(criterion)s", criterion=CRITERIA_LABELS[_c]),
                                                    default=rules.DEFAULT_WEIGHTS[_c],
                                                    validators=[InputRequired(), NumberRange(min=0, max=100)]))
for _g in rules.GRADES:
    setattr(CycleForm, f"bound_{_g}", FloatField(_l("Lowest score for %(grade)s", grade=GRADE_LABELS[_g]),
                                                 default=rules.DEFAULT_BOUNDARIES[_g],
                                                 validators=[InputRequired(), NumberRange(min=0.01, max=100)]))


def _cycle_validate(self, extra_validators=None):
    ok = FlaskForm.validate(self, extra_validators)
    if not ok:
        return False
    try:
        rules.check_weights({c: getattr(self, f"weight_{c}").data for c in rules.CRITERIA})
    except rules.RuleError:
        self.weight_team.errors = list(self.weight_team.errors) + [_l("Weights must not all be zero.")]
        return False
    try:
        rules.check_boundaries({g: getattr(self, f"bound_{g}").data for g in rules.GRADES})
    except rules.RuleError:
        self.bound_A.errors = list(self.bound_A.errors) + [_l("Lowest scores must fall strictly from A to D.")]
        return False
    return True


CycleForm.validate = _cycle_validate


class ApplicationForm(FlaskForm):
    materials = TextAreaField(_l("Other materials for the rating"), validators=[DataRequired(), Length(max=10000)],
                              description=_l("What the cycle asks for beyond your disclosed information."))
    material_files = MultipleFileField(_l("Supporting files"), validators=[evidence_files])
    truthful = BooleanField(_l("I confirm the disclosed information and these materials are true."),
                            validators=[DataRequired(_l("Confirm that the information is true."))])


class OpenReviewForm(FlaskForm):
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[InputRequired()])
    trigger = SelectField(_l("Case"), choices=select_choices(TRIGGER_LABELS), validators=[InputRequired()])
    grounds = TextAreaField(_l("Grounds"), validators=[DataRequired(), Length(min=5, max=5000)])


@task_form("rating.spot_check", title=_l("Authenticity spot-check"))
class SpotCheckForm(TaskForm):
    spot_check_result = RadioField(_l("Result"), choices=select_choices([
        ("verified", _l("Checked item by item: true")), ("false_information", _l("False information found"))]),
        validators=[InputRequired()])
    spot_check_findings = TextAreaField(_l("Findings, item by item, with the evidence checked"),
                                        validators=[DataRequired(), Length(min=2, max=5000)])
    spot_check_evidence = MultipleFileField(_l("Evidence files"), validators=[evidence_files])


class _ScoreBase(TaskForm):
    score_comment = TextAreaField(_l("Comment"), validators=[Length(max=3000)])


for _c in rules.CRITERIA:
    setattr(_ScoreBase, f"score_{_c}", IntegerField(CRITERIA_LABELS[_c], description=_l("0-100"),
                                                    validators=[InputRequired(), NumberRange(min=0, max=100)]))


@task_form("rating.expert_score", title=_l("Score sheet"))
class ExpertScoreForm(_ScoreBase):
    pass


@task_form("rating.review_conclusion", title=_l("Review conclusion"))
class ReviewConclusionForm(TaskForm):
    conclusion_remarks = TextAreaField(_l("The panel's remarks (published with the result)"),
                                       validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("rating.objection_review", title=_l("Objection review"))
class ObjectionReviewForm(TaskForm):
    objection_decision = RadioField(_l("Decision on the open objections"), choices=select_choices([
        ("dismissed", _l("Not founded: the notice continues")),
        ("upheld", _l("Founded: the panel reviews the application again"))]), validators=[InputRequired()])
    objection_reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("rating.adjustment_assessment", title=_l("Adjustment review"))
class AdjustmentAssessmentForm(TaskForm):
    assessment = RadioField(_l("Decision"), choices=select_choices([
        ("refer", _l("Refer to expert arbitration")), ("dismiss", _l("No adjustment"))]),
        validators=[InputRequired()])
    assessment_reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("rating.adjustment_decision", title=_l("Arbitration on the grade"))
class AdjustmentDecisionForm(TaskForm):
    outcome = RadioField(_l("Outcome"), choices=select_choices(OUTCOME_LABELS), validators=[InputRequired()])
    new_grade = SelectField(_l("New grade (when lowered)"),
                            choices=select_choices([("", "—")] + [(g, GRADE_LABELS[g]) for g in rules.GRADES]),
                            validate_choice=False)
    adjustment_reasons = TextAreaField(_l("Reasons (published)"), validators=[DataRequired(), Length(min=2, max=5000)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.new_grade.data not in (None, "", *rules.GRADES) or \
                (self.outcome.data == "downgrade" and self.new_grade.data not in rules.GRADES):
            self.new_grade.errors = list(self.new_grade.errors) + [_l("Choose the lower grade.")]
            ok = False
        return ok
