"""Errors: JSON for the API, pages for people; never a 500 for user input."""
from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .engine.errors import EngineError

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You are not allowed to do this."),
    404: _l("The page or record was not found, or you may not see it."),
    405: _l("This action is not available here."),
    409: _l("Someone else changed this meanwhile."),
    413: _l("The upload is too large."),
    422: _l("Please correct the marked fields."),
    429: _l("Too many requests; try again later."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message, errors: dict | None = None):
    message = str(message)
    if wants_json():
        return jsonify({"error": {"status": status, "message": message,
                                  "fields": {k: [str(e) for e in v] for k, v in (errors or {}).items()}}}), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app):
    @app.errorhandler(EngineError)
    def engine_error(exc):
        from .extensions import db
        db.session.rollback()
        from .engine.incidents import ProcessFailure, record_failure
        if isinstance(exc, ProcessFailure):
            record_failure(exc, "action")  # once, after the rollback, in its own transaction
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, _l("The form expired or is missing its security token; "
                                      "reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def too_many_attempts(exc):
        from .auth.throttle import retry_after_minutes, retry_after_seconds
        message = _l("Too many failed login attempts. Please wait %(minutes)d minutes and try again.",
                     minutes=retry_after_minutes())
        if request.endpoint == "auth.login":
            from .auth.forms import LoginForm
            response = app.make_response((render_template("auth/login.html", form=LoginForm(), throttled=message),
                                          429))
        else:
            response = app.make_response(error_response(429, message))
        response.headers["Retry-After"] = str(retry_after_seconds())
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = exc.code or 500
        return error_response(code, HTTP_MESSAGES.get(code, exc.description or exc.name))
