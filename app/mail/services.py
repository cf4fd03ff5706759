"""Queue e-mail in the caller's transaction; send it after the commit.

``queue()`` adds an outbox row to the session: the message exists exactly when the action that
wrote it committed. After a commit that queued mail, the request drains the outbox (in a thread
by default, so SMTP never blocks the response); the scheduler drains it too and retries failures
with a growing pause. Each message is claimed by one process (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a conditional update everywhere)."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app, g, has_request_context
from flask_babel import force_locale
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from ..engine.clock import utcnow
from ..extensions import db
from .backends import backend_for, build_message
from .models import OutboxMessage

log = logging.getLogger("jianping.mail")
_KEY = "jianping_mail_queued"


def default_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue(recipient: str, subject, body, *, kind: str, user_id: int | None = None,
          locale: str | None = None) -> OutboxMessage:
    """Put a message in the outbox (sent after the surrounding transaction commits)."""
    row = OutboxMessage(recipient=recipient, subject=str(subject)[:300], body=str(body), kind=kind,
                        user_id=user_id, locale=locale, status="pending", attempts=0,
                        created_at=utcnow(), next_attempt_at=utcnow())
    db.session.add(row)
    db.session.info[_KEY] = True
    return row


def queue_for_user(user, kind: str, render) -> OutboxMessage | None:
    """Queue ``render() -> (subject, body)`` worded in the user's language; None without an address."""
    if not user.email:
        return None
    locale = user.locale or default_locale()
    with force_locale(locale):
        subject, body = render()
        subject, body = str(subject), str(body)
    return queue(user.email, subject, body, kind=kind, user_id=user.id, locale=locale)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.info.pop(_KEY, False) and has_request_context():
        g.mail_to_send = True


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop(_KEY, None)


def after_request(response):
    if g.pop("mail_to_send", False):
        mode = current_app.config["MAIL_DRAIN"]
        if mode == "inline":
            drain()
        elif mode == "thread":
            app = current_app._get_current_object()
            threading.Thread(target=_drain_in, args=(app,), daemon=True).start()
    return response


def _drain_in(app):
    with app.app_context():
        try:
            drain()
        finally:
            db.session.remove()


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 240))


def drain(limit: int = 100) -> int:
    """Send due outbox messages; returns how many were sent."""
    now = utcnow()
    ids = list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)))
    db.session.rollback()
    backend = backend_for(current_app.config)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    sent = 0
    for msg_id in ids:
        # Claim: lock the row (others skip it) and push its next attempt ahead, so a process that
        # dies mid-send leaves it to be retried later rather than sent twice at once.
        row = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.id == msg_id, OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now).with_for_update(skip_locked=True)).first()
        if row is None:
            db.session.rollback()
            continue
        claimed = db.session.execute(update(OutboxMessage).where(
            OutboxMessage.id == msg_id, OutboxMessage.attempts == row.attempts)
            .values(attempts=row.attempts + 1, next_attempt_at=now + _backoff(row.attempts + 1))).rowcount
        db.session.commit()
        if not claimed:
            continue
        db.session.refresh(row)
        try:
            backend.send(build_message(sender, row.recipient, row.subject, row.body))
        except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
            log.warning("e-mail %s to %s failed: %s", row.id, row.recipient, exc)
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                row.status = "failed"
        else:
            row.status, row.sent_at, row.last_error = "sent", utcnow(), None
            sent += 1
        db.session.commit()
    return sent


def retry(message_id: int) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status="pending", next_attempt_at=utcnow()))


def outbox(limit: int = 200, status: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))
