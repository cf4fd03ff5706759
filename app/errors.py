"""Errors: JSON for the API, pages for people; never a 500 for user input."""
from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .engine.errors import EngineError
from .engine.guards import BadInput

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


def is_api() -> bool:
    return request.path.startswith("/api/")


def wants_json() -> bool:
    """The API, and JSON endpoints elsewhere (the designer's): a JSON body was sent, or
    JSON is preferred over HTML."""
    if is_api() or request.is_json:
        return True
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" \
        and accept["application/json"] > accept["text/html"]


def error_response(status: int, message, errors: dict | None = None):
    message = str(message)
    fields = {k: [str(e) for e in v] for k, v in (errors or {}).items()}
    if is_api():
        return jsonify({"error": {"status": status, "message": message, "fields": fields}}), status
    if wants_json():  # the designer's shape: {"error": message, "problems": [...]}
        return jsonify({"error": message, "status": status, "fields": fields, "problems": []}), status
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

    @app.errorhandler(BadInput)
    def bad_input(exc):
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
