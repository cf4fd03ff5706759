from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.clock import utcnow
from ..extensions import db


class Complaint(db.Model):
    """A complaint (投诉) or report (举报) about a registered agency."""
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_instance.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # complaint | report
    category: Mapped[str] = mapped_column(String(40))
    facts: Mapped[str] = mapped_column(Text)
    # Who filed it: a logged-in enterprise user, or a member of the public.
    complainant_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    complainant_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    complainant_name: Mapped[str] = mapped_column(String(120))
    complainant_contact: Mapped[str] = mapped_column(String(200))
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(40), default="submitted", index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    agency_response: Mapped[str | None] = mapped_column(Text)
    mediation_summary: Mapped[str | None] = mapped_column(Text)
    arbitration_result: Mapped[str | None] = mapped_column(String(20))  # upheld | partly_upheld | rejected
    findings: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(String(40))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)  # 经核实属实
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    publication_summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    case = relationship("Case")
    agency = relationship("Organisation", foreign_keys=[agency_id])
    complainant_org = relationship("Organisation", foreign_keys=[complainant_org_id])
    complainant_user = relationship("User")


class ArbitrationOpinion(db.Model):
    """One panel expert's opinion (仲裁意见)."""
    __tablename__ = "arbitration_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opinion: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    expert = relationship("User")
