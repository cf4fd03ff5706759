"""Forms of the agency domain: registration, disclosure, team, projects and the
satisfaction-feedback task."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DecimalField, IntegerField, PasswordField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Regexp, InputRequired, Length, NumberRange, Optional, \
    ValidationError

from ..engine.forms import TaskForm, select_choices
from ..engine.registry import task_form
from . import rules

REVENUE_RANGES = {"<1m": _l("under 1 million yuan"), "1-5m": _l("1-5 million yuan"),
                  "5-10m": _l("5-10 million yuan"), "10-50m": _l("10-50 million yuan"),
                  ">50m": _l("over 50 million yuan")}

FIELD_LABELS = {
    "registered_capital": _l("Registered capital"), "province": _l("Province"), "city": _l("City"),
    "industries": _l("Main industries served"), "introduction": _l("Introduction"),
    "contact": _l("Contact (person, phone, e-mail)"), "address": _l("Address"),
    "service_system": _l("Service system, mechanisms, process and methods"),
    "years_in_consulting": _l("Years in this consulting"), "revenue_range": _l("Annual revenue range (this consulting)"),
    "related_years": _l("Years in related consulting"),
    "related_revenue_range": _l("3-year average revenue range (related consulting)"),
    "knowledge_sharing": _l("Knowledge, experience and results shared"), "citations": _l("How often cited or recognised"),
    "awards": _l("Awards and contributions"), "other_info": _l("Other information"),
}


class AgencyRegistrationForm(FlaskForm):
    """An agency registers itself and its first user (机构注册)."""
    agency_name = StringField(_l("Agency name"), validators=[DataRequired(), Length(min=2, max=200)])
    business_licence_no = StringField(_l("Unified social credit code (not public)"),
                                      validators=[DataRequired(), Length(min=6, max=60)])
    username = StringField(_l("User name"), validators=[DataRequired(), Length(min=3, max=80)])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=200),
                                                  Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Give a valid e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    password_again = PasswordField(_l("Password again"),
                                   validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])


class DisclosureForm(FlaskForm):
    """The agency's public information (信息公开)."""
    registered_capital = StringField(FIELD_LABELS["registered_capital"], validators=[DataRequired(), Length(max=60)])
    province = StringField(FIELD_LABELS["province"], validators=[DataRequired(), Length(max=40)])
    city = StringField(FIELD_LABELS["city"], validators=[DataRequired(), Length(max=40)])
    industries = StringField(FIELD_LABELS["industries"], validators=[DataRequired(), Length(max=300)])
    introduction = TextAreaField(FIELD_LABELS["introduction"], validators=[DataRequired(), Length(max=5000)])
    contact = StringField(FIELD_LABELS["contact"], validators=[DataRequired(), Length(max=200)])
    address = StringField(FIELD_LABELS["address"], validators=[DataRequired(), Length(max=300)])
    service_system = TextAreaField(FIELD_LABELS["service_system"], validators=[DataRequired(), Length(max=5000)])
    years_in_consulting = IntegerField(FIELD_LABELS["years_in_consulting"],
                                       validators=[InputRequired(), NumberRange(min=0, max=100)])
    revenue_range = SelectField(FIELD_LABELS["revenue_range"], choices=select_choices(REVENUE_RANGES),
                                validators=[InputRequired()])
    related_years = IntegerField(FIELD_LABELS["related_years"], validators=[Optional(), NumberRange(min=0, max=100)])
    related_revenue_range = SelectField(FIELD_LABELS["related_revenue_range"],
                                        choices=select_choices([("", "—")] + list(REVENUE_RANGES.items())),
                                        validators=[Optional()])
    knowledge_sharing = TextAreaField(FIELD_LABELS["knowledge_sharing"], validators=[Length(max=5000)])
    citations = StringField(FIELD_LABELS["citations"], validators=[Length(max=300)])
    awards = TextAreaField(FIELD_LABELS["awards"], validators=[Length(max=5000)])
    other_info = TextAreaField(FIELD_LABELS["other_info"], validators=[Length(max=5000)])


class ConsultantForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    certificate_no = StringField(_l("Exam certificate number"), validators=[Optional(), Length(max=60)])
    certificate_issued_on = DateField(_l("Certificate issued on"), validators=[Optional()])

    def validate(self, extra_validators=None):
        # Form level: Optional() would stop an inline validator of an empty field.
        ok = super().validate(extra_validators)
        if (self.certificate_no.data or "").strip() and not self.certificate_issued_on.data:
            self.certificate_issued_on.errors = list(self.certificate_issued_on.errors) + [
                _l("Give the date the certificate was issued.")]
            ok = False
        return ok


class ProjectForm(FlaskForm):
    enterprise_id = SelectField(_l("Enterprise"), coerce=int, validators=[InputRequired()])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("When the project ends the enterprise is asked for its feedback."))
    passed_on = DateField(_l("Enterprise passed assessment on"), validators=[Optional()])
    contract_amount = DecimalField(_l("Contract amount (yuan, never public)"), places=2,
                                   validators=[Optional(), NumberRange(min=0)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.end_date.data and self.start_date.data and self.end_date.data < self.start_date.data:
            self.end_date.errors = list(self.end_date.errors) + [_l("The end date is before the start date.")]
            ok = False
        return ok


class ProjectEndForm(FlaskForm):
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    passed_on = DateField(_l("Enterprise passed assessment on"), validators=[Optional()])


class AssessmentForm(FlaskForm):
    passed_on = DateField(_l("Enterprise passed assessment on"), validators=[InputRequired()])


class MemberForm(FlaskForm):
    consultant_id = SelectField(_l("Consultant"), coerce=int, validators=[InputRequired()])
    on_site_days = IntegerField(_l("On-site person-days"), validators=[InputRequired(), NumberRange(min=0, max=2000)])


SCALE = [("5", _l("5 very satisfied")), ("4", _l("4 satisfied")), ("3", _l("3 neutral")),
         ("2", _l("2 dissatisfied")), ("1", _l("1 very dissatisfied"))]

QUESTION_LABELS = {
    "overall": _l("Overall satisfaction with the consulting service"),
    "value": _l("Value for management improvement and capability"),
    "stage_survey": _l("Stage: survey and diagnosis"),
    "stage_planning": _l("Stage: system analysis and planning"),
    "stage_documents": _l("Stage: document writing"),
    "stage_operation": _l("Stage: system operation"),
    "training": _l("Training"),
    "attitude": _l("The consultants' attitude"),
    "competence": _l("The consultants' professional competence"),
}


def _scale(key):
    return RadioField(QUESTION_LABELS[key], choices=select_choices(SCALE), validators=[InputRequired()])


@task_form("agencies.satisfaction_feedback", title=_l("Satisfaction feedback"))
class SatisfactionFeedbackForm(TaskForm):
    """The nine questions of the seed (整体评价, 阶段评价, 服务评价)."""
    overall = _scale("overall")
    value = _scale("value")
    stage_survey = _scale("stage_survey")
    stage_planning = _scale("stage_planning")
    stage_documents = _scale("stage_documents")
    stage_operation = _scale("stage_operation")
    training = _scale("training")
    attitude = _scale("attitude")
    competence = _scale("competence")
    feedback_comment = TextAreaField(_l("Comment"), validators=[Length(max=3000)])


assert list(QUESTION_LABELS) == rules.FEEDBACK_QUESTIONS
