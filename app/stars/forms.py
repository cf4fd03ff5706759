"""Forms of the star rating: applying, the task forms of the upgrade and supervision
lifecycles (registered by formKey). The long per-indicator scoring happens on the domain's
scoring pages (drafts saved per dimension); the task forms submit what was saved."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..engine.forms import TaskForm, select_choices
from ..engine.registry import task_form
from . import rules

TYPE_LABELS = {code: f"{zh}" for code, (zh, _en, _app) in rules.ENTERPRISE_TYPES.items()}
OUTCOMES = {"keep": _l("Keep the star level"), "lower": _l("Lower the star level"),
            "remove": _l("Remove the star"), "blacklist": _l("Remove the star and put on the blacklist")}
# Not a review outcome: an administrator's later decision, published with the outcomes.
OUTCOME_LABELS = {**OUTCOMES, "lift_blacklist": _l("Taken off the blacklist")}


class ApplicationForm(FlaskForm):
    """Applying for a composite star level (综合星级申请)."""
    enterprise_type = SelectField(_l("Enterprise type"), choices=select_choices(TYPE_LABELS),
                                  validators=[InputRequired()])
    target_level = IntegerField(_l("Star level applied for"), validators=[InputRequired(), NumberRange(min=1, max=5)])


class _Checked(TaskForm):
    """A task form whose completeness depends on the application's saved scores: the
    domain sets ``missing`` (a message or None) in ``prepare`` before validation."""
    missing = None

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.missing and self._requires_complete():
            first = next(iter(self))
            first.errors = list(first.errors) + [self.missing]
            return False
        return ok

    def _requires_complete(self):
        return True


@task_form("stars.self_assessment", title=_l("Submit the self-assessment"))
class SelfAssessmentForm(_Checked):
    confirm = BooleanField(_l("The self-assessment and its evidence are complete and true"),
                           validators=[DataRequired(_l("Confirm the self-assessment to submit it."))])


@task_form("stars.verification", title=_l("Verify the online scores"))
class VerificationForm(_Checked):
    verification = RadioField(_l("Result"), choices=select_choices([
        ("verified", _l("Verified against platform or third-party data")),
        ("returned", _l("Return to the enterprise for correction"))]), validators=[InputRequired()])
    certifier_org_id = SelectField(_l("Certification body for the on-site review"), coerce=int,
                                   validators=[Optional()], validate_choice=False)
    verification_note = TextAreaField(_l("Note"), validators=[Length(max=3000)])
    needs_certifier = False

    def _requires_complete(self):
        return self.verification.data == "verified"

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.verification.data == "returned" and not (self.verification_note.data or "").strip():
            self.verification_note.errors = list(self.verification_note.errors) + [
                _l("Say what the enterprise must correct.")]
            ok = False
        field = getattr(self, "certifier_org_id", None)
        if field is None:  # no on-site review in this application
            return ok
        if self.verification.data == "verified" and self.needs_certifier and not field.data:
            field.errors = list(field.errors) + [_l("Choose the certification body for the on-site review.")]
            ok = False
        valid = {c.value if hasattr(c, "value") else c[0] for c in (field.choices or [])}
        if field.data and field.data not in valid:
            field.errors = list(field.errors) + [_l("Not a certification body.")]
            ok = False
        return ok


@task_form("stars.onsite_review", title=_l("Submit the on-site review"))
class OnsiteReviewForm(_Checked):
    onsite_summary = TextAreaField(_l("Summary of the on-site review"),
                                   validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("stars.award", title=_l("Star decision"))
class AwardForm(TaskForm):
    award_decision = RadioField(_l("Decision"), choices=select_choices([
        ("award", _l("Award the star level")), ("refuse", _l("Do not award"))]), validators=[InputRequired()])
    award_note = TextAreaField(_l("Reasons"), validators=[Length(max=3000)])
    rule_met = None  # set by prepare: whether the target level's rule holds

    def validate_award_decision(self, field):
        if field.data == "award" and self.rule_met is False:
            raise ValidationError(_l("The scores do not meet the rule of the star level applied for."))

    def validate_award_note(self, field):
        if self.award_decision.data == "refuse" and not (field.data or "").strip():
            raise ValidationError(_l("A refusal needs reasons."))


@task_form("stars.supervision_review", title=_l("Supervision review"))
class SupervisionReviewForm(TaskForm):
    outcome = RadioField(_l("Outcome"), choices=select_choices(OUTCOMES), validators=[InputRequired()])
    new_level = IntegerField(_l("New star level (when lowering)"), validators=[Optional(), NumberRange(min=1, max=4)])
    reasons = TextAreaField(_l("Reasons (published)"), validators=[DataRequired(), Length(min=2, max=5000)])
    current_level = None

    def validate_new_level(self, field):
        if self.outcome.data != "lower":
            return
        if field.data is None:
            raise ValidationError(_l("Give the new, lower star level."))
        if self.current_level is not None and field.data >= self.current_level:
            raise ValidationError(_l("The new level must be below the current level."))


class SpecialRequestForm(FlaskForm):
    """Requesting a special-capability evaluation (专项能力评价申请)."""
    enterprise_type = SelectField(_l("Enterprise type"), choices=select_choices(TYPE_LABELS),
                                  validators=[InputRequired()])
    stages = SelectMultipleField(_l("Stages to evaluate"), coerce=int, validate_choice=False,
                                 validators=[DataRequired(_l("Choose at least one stage."))])


@task_form("stars.special_assign", title=_l("Assign a certification body"))
class SpecialAssignForm(TaskForm):
    certifier_org_id = SelectField(_l("Certification body for the on-site review"), coerce=int,
                                   validators=[InputRequired()])


@task_form("stars.special_review", title=_l("Submit the special-capability report"))
class SpecialReviewForm(_Checked):
    special_summary = TextAreaField(_l("Summary of the on-site review"),
                                    validators=[DataRequired(), Length(min=2, max=5000)])
