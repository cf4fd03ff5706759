"""The public objection form (异议)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..engine.forms import evidence_files


class ObjectionForm(FlaskForm):
    """Anyone may object to a result under public notice (异议), with evidence."""
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    contact = StringField(_l("Contact (phone or e-mail)"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(min=10, max=5000)])
    evidence = MultipleFileField(_l("Evidence files"), validators=[evidence_files])
