"""Agency tables: the 1:1 profile of an agency Organisation, versioned disclosures,
consultants, projects with their members, and the enterprises' satisfaction feedback."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import false, or_, true
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.permissions import Visibility, is_agency, is_enterprise, is_enterprise_user, is_reviewer
from ..engine.clock import utcnow
from ..extensions import db


class AgencyProfile(db.Model):
    """An agency's platform profile (机构注册信息); the Organisation stays the identity."""
    __tablename__ = "agency_profile"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    business_licence_no: Mapped[str | None] = mapped_column(String(60))  # non-public
    registered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    disclosed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the current disclosure was made

    organisation = relationship("Organisation")


class DisclosureVersion(db.Model):
    """One version of an agency's disclosed information (信息公开); never changed afterwards."""
    __tablename__ = "disclosure_version"
    __table_args__ = (UniqueConstraint("organisation_id", "version", name="uq_disclosure_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    changed: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by = relationship("User")


class Consultant(db.Model):
    """A member of the agency's team; certificate validity and full-time status are computed."""
    __tablename__ = "consultant"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    certificate_issued_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Project(Visibility, db.Model):
    """A consulting project (贯标咨询服务项目) for an enterprise."""
    __tablename__ = "consulting_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    passed_on: Mapped[date | None] = mapped_column(Date)  # the enterprise passed assessment (通过评定)
    contract_amount: Mapped[float | None] = mapped_column(Numeric(14, 2))  # business secret: never public
    feedback_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"))
    feedback_due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agency = relationship("Organisation", foreign_keys=[organisation_id])
    enterprise = relationship("Organisation", foreign_keys=[enterprise_id])
    members = relationship("ProjectMember", back_populates="project", cascade="all, delete-orphan")
    feedback = relationship("SatisfactionFeedback", uselist=False, back_populates="project")

    @classmethod
    def visible_clause(cls, user):
        """Who sees a project beyond its public facts, and its satisfaction-feedback case:
        reviewers, and the users of its agency and of the enterprise it served."""
        org = getattr(user, "organisation_id", None)
        if is_reviewer(user):
            return true()
        if (is_agency(user) or is_enterprise(user)) and org is not None:
            return or_(cls.enterprise_id == org, cls.organisation_id == org)
        return false()

    def can_act(self, user) -> bool:
        """Who gives the satisfaction feedback: the users of the enterprise served."""
        return is_enterprise_user(user) and user.organisation_id == self.enterprise_id


class ProjectMember(db.Model):
    """A consultant on a project with on-site person-days (现场工作人日)."""
    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "consultant_id", name="uq_project_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("consulting_project.id"), index=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultant.id"), index=True)
    on_site_days: Mapped[int] = mapped_column(Integer, default=0)

    project = relationship(Project, back_populates="members")
    consultant = relationship(Consultant)


class SatisfactionFeedback(db.Model):
    """The enterprise's feedback on a project (满意度反馈): nine answers, 1 (poor) to 5 (very satisfied)."""
    __tablename__ = "satisfaction_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("consulting_project.id"), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    project = relationship(Project, back_populates="feedback")
