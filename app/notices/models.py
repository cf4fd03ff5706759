"""A public notice (公示) about one subject and the objections (异议) to it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.clock import utcnow
from ..extensions import db


class Notice(db.Model):
    """A public notice (公示) of ``subject_type`` row ``subject_id`` (e.g. a rating application),
    from ``starts_at`` to the end of its last working day ``ends_at`` (naive UTC)."""
    __tablename__ = "public_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(60), index=True)  # the subject's table name
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"))
    title: Mapped[str] = mapped_column(String(300))
    working_days: Mapped[int] = mapped_column(Integer)
    count_publication_day: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | closed | withdrawn
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    objections = relationship("Objection", back_populates="notice", order_by="Objection.id")


class Objection(db.Model):
    """An objection (异议) to a notice, by anyone, with evidence; decided founded (upheld) or
    not founded (dismissed) with reasons."""
    __tablename__ = "notice_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notice.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list | None] = mapped_column(JSON)  # document ids
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | dismissed | upheld
    decision: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    notice = relationship(Notice, back_populates="objections")


class NoticeSubject:
    """Mixin for a model that goes on public notice: its current notice (the latest not
    withdrawn) and that notice's start and end."""

    @property
    def notice(self) -> Notice | None:
        return current_notice(self)

    @property
    def notice_start(self) -> datetime | None:
        n = self.notice
        return n.starts_at if n else None

    @property
    def notice_ends(self) -> datetime | None:
        n = self.notice
        return n.ends_at if n else None


def current_notice(subject) -> Notice | None:
    """The subject's latest notice that was not withdrawn."""
    from sqlalchemy import select
    return db.session.scalar(select(Notice).where(Notice.subject_type == type(subject).__tablename__,
                                                  Notice.subject_id == subject.id, Notice.status != "withdrawn")
                             .order_by(Notice.id.desc()).limit(1))
