"""Request guards: user input the database or the parser cannot take is refused before
any view runs, with a 4xx and a message (never a 500).

- ids in URLs: the ``int`` URL converter is bounded to the database's INTEGER range
  (PostgreSQL's int4); a larger id matches no route, so it is a 404.
- ids and page numbers in query strings and forms: ``parse_id`` / ``db_int`` (use as
  ``request.args.get("x", type=db_int)``) give None/the default for out-of-range values.
- NUL characters (PostgreSQL refuses them in text) in the path, the query string, form
  fields, file names and JSON bodies: 400, or 422 with field errors for a JSON body.
- JSON bodies: parsed once here with a depth limit (``JSON_MAX_DEPTH``); too deep is a 400.
- bodies over ``MAX_CONTENT_LENGTH``: Werkzeug's 413, answered as JSON on the API and
  on JSON endpoints (app/errors.py decides the format).
"""
from __future__ import annotations

import json

from urllib.parse import urlparse

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER (int4); SQLite's is wider
JSON_MAX_DEPTH = 32
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def db_int(value) -> int:
    """An integer the database can store (|n| <= 2**31 - 1); ValueError otherwise.
    Usable as ``type=`` of ``request.args.get``."""
    if isinstance(value, bool):
        raise ValueError("not an integer")
    number = int(str(value).strip()) if not isinstance(value, int) else value
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError("out of range")
    return number


def parse_id(value, default=None):
    """A record id (1..2**31 - 1) from untrusted text, or ``default``: an id no row can
    have is simply not found."""
    try:
        number = db_int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


class DbIntConverter(IntegerConverter):
    """``<int:...>`` bounded to the database's integer range: a larger id is a 404 for
    every method. (A plain ValidationError would let Werkzeug answer a POST with 405,
    because the GET rule of the same path matched first.) No two routes differ only by
    an int segment, so answering 404 here hides no other route."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


class BadInput(Exception):
    """Refused input: status, message and (for JSON bodies) per-field errors."""

    def __init__(self, status: int, message, errors: dict | None = None):
        super().__init__(str(message))
        self.status, self.message, self.errors = status, message, errors or {}


NUL_MESSAGE = _l("The request contains a NUL character, which is not allowed.")


def _has_nul(text) -> bool:
    return isinstance(text, str) and "\x00" in text


def _json_problems(value, path: str, depth: int, errors: dict) -> None:
    """Walk a parsed JSON value (iteratively bounded by JSON_MAX_DEPTH) for NUL characters."""
    if depth > current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH):
        raise BadInput(400, _l("The JSON body is nested too deeply (at most %(n)s levels).",
                               n=current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)))
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _has_nul(key):
                errors.setdefault(where.replace("\x00", "\\0"), []).append(str(NUL_MESSAGE))
            _json_problems(item, where, depth + 1, errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_problems(item, f"{path}[{i}]" if path else f"[{i}]", depth + 1, errors)
    elif _has_nul(value):
        errors.setdefault((path or "body").replace("\x00", "\\0"), []).append(str(NUL_MESSAGE))


def _check_json_body() -> None:
    if request.method not in BODY_METHODS:
        return
    if not (request.is_json or request.path.startswith("/api/")):
        return
    data = request.get_data(cache=True)  # Werkzeug raises 413 beyond MAX_CONTENT_LENGTH
    if not data:
        return
    try:
        body = json.loads(data)
    except RecursionError:
        raise BadInput(400, _l("The JSON body is nested too deeply (at most %(n)s levels).",
                               n=current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH))) from None
    except ValueError:
        return  # malformed: the view answers it as it always has
    errors: dict = {}
    _json_problems(body, "", 1, errors)
    if errors:
        raise BadInput(422, NUL_MESSAGE, errors)


def check_request() -> None:
    """before_request: refuse what no view can take (see the module docstring)."""
    if any(_has_nul(v) for v in (request.view_args or {}).values()) or "\x00" in request.path:
        raise BadInput(400, NUL_MESSAGE)
    for key, value in request.args.items(multi=True):
        if _has_nul(key) or _has_nul(value):
            raise BadInput(400, NUL_MESSAGE)
    if request.method in BODY_METHODS and request.mimetype in ("application/x-www-form-urlencoded",
                                                               "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if _has_nul(key) or _has_nul(value):
                raise BadInput(400, NUL_MESSAGE)
        for key, storage in request.files.items(multi=True):
            if _has_nul(key) or _has_nul(storage.filename):
                raise BadInput(400, NUL_MESSAGE)
    _check_json_body()


def register(app) -> None:
    """Install the bounded int converter (before any blueprint is registered) and the guard."""
    app.url_map.converters["int"] = DbIntConverter
    app.config.setdefault("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
    app.before_request(check_request)


MAX_PAGE = 1_000_000


def page_number(value, default: int = 1, *, name: str = "page") -> int:
    """A page number from the query string. Not a number or below 1: ``default`` (as the
    lists always did); above ``MAX_PAGE`` (no list is that long, and the offset would not
    fit the database): a 422 with a field error on the API, a 404 on pages."""
    try:
        number = int(str(value).strip()) if value is not None else default
    except ValueError:
        return default
    if number < 1:
        return default
    if number > MAX_PAGE:
        message = _l("%(name)s must be a whole number from 1 to %(max)s", name=name, max=MAX_PAGE)
        if request.path.startswith("/api/"):
            raise BadInput(422, _l("Please correct the marked fields."), {name: [str(message)]})
        raise BadInput(404, message)
    return number


# --- redirect targets ------------------------------------------------------------------------

def is_safe_next(target: str | None) -> bool:
    """A path on this site: starts with one "/", no scheme or host, no backslash (browsers
    read "\\" as "/", so "/\\evil" is "//evil"), no control characters."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parsed = urlparse(target)
    return not parsed.scheme and not parsed.netloc


def safe_next(target: str | None, default: str | None = None) -> str:
    return target if is_safe_next(target) else (default or url_for("engine.inbox"))
