"""Forms bound to tasks: one WTForms class validates the HTML form and the JSON API."""
from __future__ import annotations

import datetime as _dt
import decimal

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import fields as f
from wtforms.fields.choices import SelectChoice


class TaskForm(FlaskForm):
    """Base class of task forms. CSRF is enforced app-wide by CSRFProtect for HTML
    posts (the API uses tokens), so the form itself does not add a token field."""

    class Meta:
        csrf = False


def select_choices(pairs) -> list[SelectChoice]:
    """Choices for select and radio fields from a {value: label} mapping or (value, label) pairs."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


FILE_FIELDS = (f.FileField, f.MultipleFileField)
SKIP_FIELDS = (f.SubmitField, f.HiddenField)


def payload_to_formdata(payload: dict | None) -> MultiDict:
    """A JSON object as form data: lists become repeated keys, booleans 'y' or absent."""
    md = MultiDict()
    for key, value in (payload or {}).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None or v is False:
                continue
            md.add(key, "y" if v is True else str(v))
    return md


def json_value(value):
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def form_values(form) -> dict:
    """The submitted values, JSON-safe, without files or buttons."""
    return {field.name: json_value(field.data) for field in form
            if not isinstance(field, SKIP_FIELDS + FILE_FIELDS)}


def uploaded_files(form) -> dict[str, list[FileStorage]]:
    files = {}
    for field in form:
        if isinstance(field, FILE_FIELDS):
            data = field.data if isinstance(field.data, list) else [field.data]
            files[field.name] = [d for d in data if isinstance(d, FileStorage) and d.filename]
    return files


_TYPES = [
    (f.BooleanField, "boolean"), (f.IntegerField, "integer"), (f.DecimalField, "number"),
    (f.FloatField, "number"), (f.DateTimeLocalField, "date-time"), (f.DateField, "date"),
    (f.SelectMultipleField, "array"), (f.SelectField, "string"), (f.RadioField, "string"),
    (f.MultipleFileField, "files"), (f.FileField, "file"), (f.TextAreaField, "text"),
]


def field_schema(form) -> list[dict]:
    """The fields of a form instance for API clients: name, type, label, required, choices."""
    out = []
    for field in form:
        if isinstance(field, SKIP_FIELDS):
            continue
        kind = next((name for cls, name in _TYPES if isinstance(field, cls)), "string")
        item = {
            "name": field.name, "type": kind, "label": str(field.label.text),
            "required": bool(field.flags.required),
            "description": str(field.description or ""),
        }
        if getattr(field, "choices", None) is not None:
            item["choices"] = [{"value": v, "label": str(lbl)} for v, lbl in _choices(field)]
        out.append(item)
    return out


def _choices(field):
    for choice in field.choices:
        if isinstance(choice, SelectChoice):
            yield choice.value, choice.label
        elif isinstance(choice, (list, tuple)):
            yield choice[0], choice[1]
        else:
            yield choice, choice


def evidence_files(form, field):
    """A WTForms validator for a file field: every uploaded file passes the upload checks
    (app/engine/documents.check_upload), else the field's error names the file."""
    from wtforms.validators import ValidationError
    from .documents import check_upload
    for storage in field.data or []:
        if getattr(storage, "filename", None):
            error = check_upload(storage)
            if error:
                raise ValidationError(f"{storage.filename}: {error}")
