"""Forms of the complaint lifecycle. Task forms are registered by formKey."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, IntegerField, MultipleFileField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..engine.forms import TaskForm, evidence_files, select_choices
from ..engine.registry import task_form
from .status import CATEGORIES, KINDS, MEASURES, RESULTS


_choices = select_choices


def _require(field, message) -> bool:
    """A conditionally required field: add ``message`` when it is empty."""
    value = field.data.strip() if isinstance(field.data, str) else field.data
    if value in (None, "") and not field.errors:
        field.errors = list(field.errors) + [message]
        return False
    return True


class ComplaintForm(FlaskForm):
    """Filing a complaint or report (public or enterprise)."""
    kind = RadioField(_l("Type"), choices=_choices(KINDS), default="complaint", validators=[InputRequired()])
    agency_id = SelectField(_l("Agency concerned"), coerce=int, validators=[InputRequired()])
    category = SelectField(_l("Category"), choices=_choices(CATEGORIES), validators=[InputRequired()])
    facts = TextAreaField(_l("Facts"), validators=[DataRequired(), Length(min=10, max=5000)],
                          description=_l("What happened, when, and who was involved."))
    evidence = MultipleFileField(_l("Evidence files"), validators=[evidence_files])
    complainant_name = StringField(_l("Your name"), validators=[Optional(), Length(max=120)])
    complainant_contact = StringField(_l("Contact (phone or e-mail)"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, anonymous=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.anonymous = anonymous

    def validate(self, extra_validators=None):
        # Checked here, not in Optional() fields' chains (Optional stops them when empty).
        ok = super().validate(extra_validators)
        if self.anonymous:
            ok &= _require(self.complainant_name, _l("Please give your name."))
            ok &= _require(self.complainant_contact, _l("Please give a phone number or e-mail address."))
        return ok


@task_form("complaint.triage", title=_l("Triage"))
class TriageForm(TaskForm):
    triage_decision = RadioField(_l("Decision"), choices=_choices([("accept", _l("Accept")), ("reject", _l("Reject"))]),
                                 validators=[InputRequired()])
    triage_reason = TextAreaField(_l("Reason (shown to the complainant when rejected)"),
                                  validators=[Length(max=2000)])

    def validate_triage_reason(self, field):
        if self.triage_decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("A rejection needs a reason."))


@task_form("complaint.agency_response", title=_l("Agency response"))
class AgencyResponseForm(TaskForm):
    response_text = TextAreaField(_l("Your account"), validators=[DataRequired(), Length(min=2, max=5000)])
    response_evidence = MultipleFileField(_l("Evidence files"), validators=[evidence_files])


@task_form("complaint.escalation", title=_l("Overdue response"))
class EscalationForm(TaskForm):
    escalation_action = RadioField(_l("Action"), choices=_choices([("extend", _l("Extend the deadline")),
                                                           ("proceed", _l("Proceed without a response"))]),
                                   validators=[InputRequired()])
    extend_days = IntegerField(_l("Extension (working days)"), validators=[Optional(), NumberRange(min=1, max=30)])
    escalation_note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.escalation_action.data == "extend":
            ok &= _require(self.extend_days, _l("Give the number of working days to extend by."))
        return ok


@task_form("complaint.mediation", title=_l("Mediation"))
class MediationForm(TaskForm):
    mediation_outcome = RadioField(_l("Outcome"), choices=_choices([("resolved", _l("Resolved")),
                                                            ("failed", _l("Not resolved: go to arbitration"))]),
                                   validators=[InputRequired()])
    mediation_summary = TextAreaField(_l("Summary of the mediation (agreed outcome if resolved)"),
                                      validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("complaint.arbitration_opinion", title=_l("Arbitration opinion"))
class ArbitrationOpinionForm(TaskForm):
    opinion = RadioField(_l("Opinion"), choices=_choices(RESULTS), validators=[InputRequired()])
    opinion_reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(min=2, max=5000)])


@task_form("complaint.arbitration_decision", title=_l("Arbitration decision"))
class ArbitrationDecisionForm(TaskForm):
    arbitration_result = RadioField(_l("Decision"), choices=_choices(RESULTS), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(min=2, max=5000)])
    serious = BooleanField(_l("Serious (情节严重)"))
    measure = SelectField(_l("Recommended measure"), choices=_choices(MEASURES), default="none",
                          validators=[InputRequired()])


@task_form("complaint.publication", title=_l("Publication"))
class PublicationForm(TaskForm):
    publish = RadioField(_l("Publish the decision?"), choices=_choices([("approve", _l("Publish")),
                                                                ("decline", _l("Do not publish"))]),
                         validators=[InputRequired()])
    publication_summary = TextAreaField(_l("Text to publish"), validators=[Length(max=5000)])

    def validate_publication_summary(self, field):
        if self.publish.data == "approve" and not (field.data or "").strip():
            raise ValidationError(_l("Write the text to publish."))
