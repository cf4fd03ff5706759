"""Authentication: passwords, sessions and API tokens."""
from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..engine import audit
from ..engine.clock import utcnow
from ..engine.errors import EngineError
from ..extensions import db, login_manager
from .models import ApiToken, Organisation, User

_DUMMY_HASH: str | None = None


@login_manager.user_loader
def _load_user(session_id):
    """The user of a session id ``"<user id>:<nonce>"``; None when the nonce is no longer the
    user's (logged out, password changed) or the cookie predates session nonces."""
    user_id, sep, nonce = str(session_id).partition(":")
    if not sep or not nonce or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_nonce or "", nonce):
        return None
    return user


def _dummy_hash() -> str:
    """A hash of a random password, made the same way as real ones: checking a password of an
    unknown user costs as much as checking a wrong one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    # Always one password hash check, also for unknown users: same work, same time.
    matches = check_password_hash(user.password_hash if user is not None else _dummy_hash(), password or "")
    if user is None or not matches or not user.active:
        return None
    return user


def start_session(user: User) -> None:
    """Log ``user`` in in this browser session (with the user's current session nonce)."""
    if not user.session_nonce:
        user.rotate_session_nonce()
        db.session.commit()
    login_user(user)


def end_session(user) -> None:
    """Log out: a new session nonce makes every copy of this session's cookie worthless."""
    if getattr(user, "is_authenticated", False):
        user.rotate_session_nonce()
        audit.record("auth.logout", "logged out", actor_id=user.id, actor_label=user.display_name)
        db.session.commit()
    logout_user()


class PasswordError(EngineError):
    """A password change that cannot be made; ``errors`` by field."""

    def __init__(self, errors: dict):
        super().__init__(_l("Please correct the marked fields."), errors)
        self.status = 422


def password_problems(password: str) -> list:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        return [_l("The new password needs at least %(n)d characters.", n=minimum)]
    return []


def change_password(user: User, current: str, new: str) -> int:
    """Set a new password after checking the current one and the policy; revokes every API
    token of the user and ends the user's other sessions. Returns the number of revoked tokens."""
    errors = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current_password"] = [_l("The current password is wrong.")]
    problems = password_problems(new)
    if problems:
        errors["new_password"] = problems
    elif not errors and check_password_hash(user.password_hash, new):
        errors["new_password"] = [_l("The new password must differ from the current one.")]
    if errors:
        raise PasswordError(errors)
    user.set_password(new)
    user.rotate_session_nonce()
    revoked = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount or 0
    audit.record("auth.password_changed", f"password changed; {revoked} API token(s) revoked",
                 actor_id=user.id, actor_label=user.display_name)
    db.session.commit()
    return revoked


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), created_at=utcnow(),
                   expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.commit()
    return token, row


def token_row(token: str) -> ApiToken | None:
    """The valid (unexpired, active user's) token row of ``token``."""
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    return row


def user_for_token(token: str) -> User | None:
    row = token_row(token)
    return row.user if row is not None else None


def tokens_of(user: User) -> list[ApiToken]:
    """The user's unexpired tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.expires_at >= utcnow())
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when the user has no such token."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    db.session.delete(row)
    audit.record("auth.token_revoked", f"API token {token_id} revoked", actor_id=user.id,
                 actor_label=user.display_name, detail={"token_id": token_id})
    db.session.commit()
    return True


def create_user(username, password, role, display_name, organisation: Organisation | None = None,
                email=None) -> User:
    from .roles import ORGANISATION_ROLES, ROLES
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role in ORGANISATION_ROLES and (organisation is None or organisation.kind != ORGANISATION_ROLES[role]):
        raise ValueError(f"a {role} user belongs to one {ORGANISATION_ROLES[role]}")
    user = User(username=username, role=role, display_name=display_name, email=email,
                organisation_id=organisation.id if organisation else None, created_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
