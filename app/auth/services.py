"""Authentication: passwords and API tokens."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..engine.clock import utcnow
from ..extensions import db, login_manager
from .models import ApiToken, Organisation, User


@login_manager.user_loader
def _load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), created_at=utcnow(),
                   expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.commit()
    return token, row


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    return row.user


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
