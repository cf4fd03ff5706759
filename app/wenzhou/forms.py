"""Forms of the Wenzhou programme: the registration form of 附件1 (征集表)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, EmailField, MultipleFileField, SelectField, SelectMultipleField, \
    StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..engine.forms import evidence_files, select_choices
from . import rules

OWNERSHIP = [("state", _l("State-owned")), ("private", _l("Private")), ("joint_venture", _l("Joint venture")),
             ("other", _l("Other"))]
DIRECTION_LABELS = [("consulting", _l("Diagnosis and consulting")), ("training", _l("Training and promotion"))]


def credit_code(form, field):
    """统一社会信用代码 with its check digit."""
    if not rules.valid_credit_code((field.data or "").strip().upper()):
        raise ValidationError(_l("Not a valid unified social credit code (18 characters; check digit wrong?)."))


class RegistrationForm(FlaskForm):
    """附件1 温州市智能化技改咨询（培训）服务机构征集表."""
    filled_on = DateField(_l("Date filled in"), validators=[InputRequired()])
    name = StringField(_l("Name of the organisation (sealed)"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[DataRequired(), credit_code])
    founded_on = DateField(_l("Founded on"), validators=[InputRequired()])
    registered_province = StringField(_l("Registered address: province"), validators=[DataRequired(), Length(max=40)])
    registered_city = StringField(_l("Registered address: city"), validators=[DataRequired(), Length(max=40)])
    registered_district = StringField(_l("Registered address: district"), validators=[DataRequired(), Length(max=40)])
    office_address = StringField(_l("Office address"), validators=[DataRequired(), Length(max=300)])
    ownership = SelectField(_l("Ownership"), choices=select_choices(OWNERSHIP), validators=[InputRequired()])
    revenue = DecimalField(_l("Main business revenue last year (10,000 yuan)"), places=2,
                           validators=[InputRequired(), NumberRange(min=0)])
    directions = SelectMultipleField(_l("Service direction (at least one)"), choices=select_choices(DIRECTION_LABELS),
                                     validators=[DataRequired(_l("Choose at least one service direction."))])
    legal_name = StringField(_l("Legal representative: name"), validators=[DataRequired(), Length(max=60)])
    legal_phone = StringField(_l("Legal representative: phone and mobile"), validators=[DataRequired(), Length(max=60)])
    legal_title = StringField(_l("Legal representative: position"), validators=[DataRequired(), Length(max=60)])
    legal_email = EmailField(_l("Legal representative: e-mail"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person: name"), validators=[DataRequired(), Length(max=60)])
    contact_phone = StringField(_l("Contact person: phone and mobile"), validators=[DataRequired(), Length(max=60)])
    contact_title = StringField(_l("Contact person: position"), validators=[DataRequired(), Length(max=60)])
    contact_email = EmailField(_l("Contact person: e-mail"), validators=[DataRequired(), Length(max=200)])
    recommended_lists = TextAreaField(_l("Recommended lists of the ministry or the province (if any, with proof)"),
                                      validators=[Optional(), Length(max=2000)])
    recommended_proof = MultipleFileField(_l("Proof of the recommended lists"), validators=[evidence_files])
    standards_work = TextAreaField(_l("National, provincial or city standards you took part in (if any)"),
                                   validators=[Optional(), Length(max=2000)])
    pilot_projects = TextAreaField(_l("Pilot and demonstration projects undertaken (if any)"),
                                   validators=[Optional(), Length(max=2000)])
    pilot_proof = MultipleFileField(_l("Proof of the pilot projects"), validators=[evidence_files])
    strengths = TextAreaField(_l("Smart-manufacturing services and strengths (at most 300 characters)"),
                              validators=[DataRequired(), Length(max=rules.STRENGTHS_MAX_CHARS,
                                          message=_l("At most %(max)d characters.", max=rules.STRENGTHS_MAX_CHARS))])
    key_industries = StringField(_l("Key industries served"), validators=[DataRequired(), Length(max=300)])
