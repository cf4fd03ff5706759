"""The mail outbox: a message exists only when its action committed, is sent once, and a failed
delivery is retried with a growing pause until it is given up (MAIL_MAX_ATTEMPTS)."""
from datetime import timedelta

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

from app.engine import clock
from app.engine.scheduler import run_jobs
from app.extensions import db
from app.mail import backends, services
from app.mail.models import OutboxMessage
from tests.conftest import at


@pytest.fixture(autouse=True)
def empty_memory_backend():
    backends.SENT.clear()
    yield
    backends.SENT.clear()


def test_mail_of_a_rolled_back_action_is_never_sent(app):
    with app.app_context():
        services.queue("a@example.org", "subject", "body", kind="notification")
        db.session.rollback()
        assert services.drain() == 0
        assert db.session.scalar(select(OutboxMessage.id)) is None
        assert backends.SENT == []


def test_committed_mail_is_sent_once(app):
    with app.app_context():
        services.queue("a@example.org", "您有新的待办", "正文", kind="notification")
        db.session.commit()
        assert services.drain() == 1
        assert services.drain() == 0  # a second drain (another process) sends nothing again
        (msg,) = backends.SENT
        assert msg["To"] == "a@example.org" and msg["Subject"] == "您有新的待办"
        row = db.session.scalar(select(OutboxMessage))
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None


def test_failed_delivery_is_retried_later_then_given_up(app, monkeypatch):
    def refuse(self, msg):
        raise ConnectionRefusedError("smtp down")
    monkeypatch.setattr(backends.MemoryBackend, "send", refuse)
    clock.travel_to(at("2026-12-02T09:00"))
    with app.app_context():
        services.queue("a@example.org", "s", "b", kind="notification")
        db.session.commit()
        assert services.drain() == 0
        row = db.session.scalar(select(OutboxMessage))
        assert (row.status, row.attempts) == ("pending", 1) and "smtp down" in row.last_error
        assert services.drain() == 0 and row.attempts == 1  # not due again yet: the pause runs
        for attempt in range(2, app.config["MAIL_MAX_ATTEMPTS"] + 1):
            clock.travel_to(clock.now() + timedelta(hours=5))
            services.drain()
            db.session.refresh(row)
            assert row.attempts == attempt
        assert row.status == "failed"
        clock.travel_to(clock.now() + timedelta(days=1))
        assert services.drain() == 0 and row.attempts == app.config["MAIL_MAX_ATTEMPTS"]


def test_the_scheduler_tick_drains_the_outbox(app):
    with app.app_context():
        services.queue("a@example.org", "s", "b", kind="notification")
        db.session.commit()
    with app.app_context():
        run_jobs()
    assert len(backends.SENT) == 1


def test_a_message_is_worded_in_its_recipients_language(app, users):
    with app.app_context():
        user = db.session.merge(users["handler"])
        user.email, user.locale = "h@example.org", "en"
        services.queue_for_user(user, "notification", lambda: (_("Log in"), _("Log in")))
        user.locale = "zh_Hans_CN"
        services.queue_for_user(user, "notification", lambda: (_("Log in"), _("Log in")))
        user.email = None
        assert services.queue_for_user(user, "notification", lambda: ("s", "b")) is None
        db.session.commit()
        services.drain()
    subjects = [m["Subject"] for m in backends.SENT]
    assert subjects[0] == "Log in" and subjects[1] != "Log in"
