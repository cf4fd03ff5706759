"""Throttling of password checks (Flask-Limiter): failed attempts are counted per account and
per client address, shared by the login page and POST /api/v1/tokens. Successful logins do not
count. Limits: LOGIN_LIMIT_PER_ACCOUNT, LOGIN_LIMIT_PER_ADDRESS; storage: RATELIMIT_STORAGE_URI."""
from __future__ import annotations

import math
import time
from typing import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter


def _username() -> str:
    if request.path.startswith("/api/"):
        body = request.get_json(force=True, silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return name.strip().lower() if isinstance(name, str) else ""


def _account_key() -> str:
    return "account:" + _username()


def _address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def password_checks(failed: Callable) -> Callable:
    """Limit a view that checks a password; ``failed(response)`` tells a failed attempt."""
    def decorate(view):
        view = limiter.shared_limit(_setting("LOGIN_LIMIT_PER_ADDRESS"), scope="password-address",
                                    key_func=_address_key, deduct_when=failed,
                                    methods=["POST"])(view)
        view = limiter.shared_limit(_setting("LOGIN_LIMIT_PER_ACCOUNT"), scope="password-account",
                                    key_func=_account_key, deduct_when=failed,
                                    methods=["POST"])(view)
        return view
    return decorate


def retry_after_seconds() -> int:
    """Seconds until the breached limit of this request resets (at least one minute's worth is
    shown to people)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def retry_after_minutes() -> int:
    return max(1, math.ceil(retry_after_seconds() / 60))
