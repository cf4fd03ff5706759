"""Bearer-token authentication and request helpers for the JSON API.

The API never reads the browser session: the blueprint is exempt from CSRF, so a
session cookie must not authenticate it (a cross-site form could otherwise act as
the logged-in user). A request is either anonymous (no Authorization header) or
carries ``Authorization: Bearer <token>`` issued by POST /api/v1/tokens.
"""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_login import AnonymousUserMixin

from ..auth.services import token_row
from ..engine.errors import EngineError


class ApiError(EngineError):
    """An error answered as the API's JSON error (see app/errors.py)."""

    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message, errors)
        self.status = status


class Unauthenticated(ApiError):
    def __init__(self, message="authentication required: send 'Authorization: Bearer <token>'"):
        super().__init__(401, message)


def _bearer_token() -> str | None:
    """The token of the Authorization header; None without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token


def request_user(*, optional: bool = False):
    """The user of this request: a token's user, or (when ``optional``) an anonymous
    user if no token was sent. A token that was sent but is invalid is always a 401."""
    token = _bearer_token()
    if token is None:
        if optional:
            return AnonymousUserMixin()
        raise Unauthenticated()
    row = token_row(token)
    if row is None:
        raise Unauthenticated("the token is invalid or has expired")
    g.api_token_id = row.id
    return row.user


def token_required(fn):
    """The view needs a valid bearer token; the user is ``g.api_user``."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        g.api_user = request_user()
        return fn(*args, **kwargs)
    return wrapper


def token_optional(fn):
    """The view also answers anonymous requests (``g.api_user`` is then anonymous)."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        g.api_user = request_user(optional=True)
        return fn(*args, **kwargs)
    return wrapper


def json_object() -> dict:
    """The request body as a JSON object, or a 400 (malformed JSON, or not an object)."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


_SCALARS = (str, int, float, bool, type(None))


def check_field_values(values: dict) -> dict:
    """Per-field errors for values a form cannot take: only strings, numbers,
    booleans, null and lists of those map onto form fields."""
    errors = {}
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, _SCALARS) for v in items):
            errors[str(name)] = ["must be a string, number, boolean, null or a list of those"]
    return errors
