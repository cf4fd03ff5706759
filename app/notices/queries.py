"""Reads of public notices."""
from __future__ import annotations

from sqlalchemy import select

from ..engine import clock
from ..engine.errors import NotFound
from ..extensions import db
from . import rules
from .models import Notice, Objection, current_notice  # noqa: F401


def subject_key(subject) -> tuple[str, int]:
    return type(subject).__tablename__, subject.id


def in_notice(subject_type: str | None = None):
    """A select of the notices running now (public), by end then id; narrowed to one kind of subject."""
    q = select(Notice).where(Notice.status == rules.OPEN)
    if subject_type:
        q = q.where(Notice.subject_type == subject_type)
    return q.order_by(Notice.ends_at, Notice.id)


def public_notices(subject_type: str | None = None) -> list[Notice]:
    return list(db.session.scalars(in_notice(subject_type)))


def get_notice(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.status != rules.OPEN:
        raise NotFound("no result under public notice")
    return notice


def accepts_objections(notice: Notice | None) -> bool:
    return notice is not None and rules.accepts_objections(notice.status, notice.ends_at, clock.utcnow())


def objections_of(subject) -> list[Objection]:
    """Every objection to every notice of the subject, oldest first."""
    kind, sid = subject_key(subject)
    return list(db.session.scalars(select(Objection).join(Notice).where(
        Notice.subject_type == kind, Notice.subject_id == sid).order_by(Objection.id)))
