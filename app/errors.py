"""Errors: JSON for the API, pages for people; never a 500 for user input."""
from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .engine.runtime import EngineError


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, errors: dict | None = None):
    if wants_json():
        return jsonify({"error": {"status": status, "message": message, "fields": errors or {}}}), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app):
    @app.errorhandler(EngineError)
    def engine_error(exc):
        from .extensions import db
        db.session.rollback()
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, "The form expired or is missing its security token; reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return error_response(exc.code or 500, exc.description or exc.name)
