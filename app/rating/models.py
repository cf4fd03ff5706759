"""Rating tables: cycles, applications, expert score sheets and adjustment reviews (public
notices and objections: app/notices)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.clock import utcnow
from ..extensions import db
from ..notices.models import NoticeSubject, Objection  # noqa: F401  (objections live in app/notices)


class RatingCycle(db.Model):
    """A half-year rating cycle (评级周期), e.g. 2026 H2, with its settings."""
    __tablename__ = "rating_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    deadline: Mapped[datetime] = mapped_column(DateTime)  # applications until (naive UTC)
    weights: Mapped[dict] = mapped_column(JSON)
    boundaries: Mapped[dict] = mapped_column(JSON)
    spot_check_rate: Mapped[float] = mapped_column(Float)
    spot_check_seed: Mapped[int | None] = mapped_column(Integer)
    sample: Mapped[list | None] = mapped_column(JSON)  # application ids drawn
    notice_working_days: Mapped[int] = mapped_column(Integer, default=10)
    count_publication_day: Mapped[bool] = mapped_column(Boolean, default=False)
    validity_months: Mapped[int] = mapped_column(Integer, default=6)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    applications = relationship("RatingApplication", back_populates="cycle", order_by="RatingApplication.id")


class RatingApplication(NoticeSubject, db.Model):
    """An agency's application in a cycle (评级申请) and, once confirmed, its grade; its public
    notice and objections are in app/notices (``notice``, ``notice_start``, ``notice_ends``)."""
    __tablename__ = "rating_application"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id", name="uq_rating_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("rating_cycle.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"))
    disclosure_version: Mapped[int] = mapped_column(Integer)
    materials: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="submitted", index=True)
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    spot_check_findings: Mapped[str | None] = mapped_column(Text)
    false_information: Mapped[bool] = mapped_column(Boolean, default=False)
    review_round: Mapped[int] = mapped_column(Integer, default=1)
    total_score: Mapped[float | None] = mapped_column(Float)
    proposed_grade: Mapped[str | None] = mapped_column(String(10))
    conclusion_remarks: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[str | None] = mapped_column(String(10))  # confirmed (and possibly adjusted) grade
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cycle = relationship(RatingCycle, back_populates="applications")
    agency = relationship("Organisation")


class ExpertScore(db.Model):
    """One panel expert's score sheet (评分表) on the seven criteria, per review round."""
    __tablename__ = "expert_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("rating_application.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    review_round: Mapped[int] = mapped_column(Integer, default=1)
    scores: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    expert = relationship("User")


class RatingReview(db.Model):
    """A rating adjustment or cancellation review (评级调整、取消) opened by one of the five triggers."""
    __tablename__ = "rating_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("rating_application.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"))
    trigger: Mapped[str] = mapped_column(String(30))
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | dismissed | decided
    outcome: Mapped[str | None] = mapped_column(String(20))  # keep | downgrade | cancel
    grade_before: Mapped[str | None] = mapped_column(String(10))
    grade_after: Mapped[str | None] = mapped_column(String(10))
    reasons: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agency = relationship("Organisation")
    application = relationship(RatingApplication)
