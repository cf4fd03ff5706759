"""The engine's errors. Each carries the HTTP status it maps to (app/errors.py turns
them into a page or a JSON error) and, for bad input, messages per field."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class EngineError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(EngineError):
    status = 404


class Forbidden(EngineError):
    status = 403


class Conflict(EngineError):
    status = 409


class InvalidSubmission(EngineError):
    """The form did not validate; ``form`` keeps what the user typed."""
    status = 422

    def __init__(self, form, message=_l("Please correct the marked fields.")):
        super().__init__(message, {k: [str(e) for e in v] for k, v in form.errors.items()})
        self.form = form
