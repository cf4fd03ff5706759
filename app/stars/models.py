"""Star rating of cloud enterprises (上云企业星级评价): evaluation schemes, applications,
scores, awarded stars and supervision outcomes."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import false, true
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.permissions import Visibility, is_certifier, is_enterprise, is_staff
from ..engine.clock import utcnow
from ..extensions import db


class EvaluationScheme(db.Model):
    """One version of the evaluation scheme (评价方案) of an enterprise type: the catalogue's
    indicators with the administrator's weights and points. Frozen once an application uses it;
    a change then makes a new version."""
    __tablename__ = "star_scheme"
    __table_args__ = (UniqueConstraint("enterprise_type", "version", name="uq_star_scheme_type_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_type: Mapped[str] = mapped_column(String(40), index=True)  # rules.ENTERPRISE_TYPES key
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(String(500))
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    dimensions = relationship("SchemeDimension", back_populates="scheme", order_by="SchemeDimension.position",
                              cascade="all, delete-orphan")


class SchemeDimension(db.Model):
    """A dimension (大项, e.g. 企业信用) or special-capability stage (专项, e.g. 研发): one table of the appendix."""
    __tablename__ = "star_dimension"
    __table_args__ = (UniqueConstraint("scheme_id", "name", "kind", name="uq_star_dimension_scheme_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("star_scheme.id", ondelete="CASCADE"), index=True)
    table_id: Mapped[str] = mapped_column(String(10))   # A.1 ...
    title: Mapped[str] = mapped_column(String(100))     # 企业信用评价指标
    name: Mapped[str] = mapped_column(String(40))       # 企业信用
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))       # performance | special
    position: Mapped[int] = mapped_column(Integer)
    weight: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # percent; performance dimensions only
    note: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list | None] = mapped_column(JSON)

    scheme = relationship(EvaluationScheme, back_populates="dimensions")
    indicators = relationship("Indicator", back_populates="dimension", order_by="Indicator.seq",
                              cascade="all, delete-orphan")


class Indicator(db.Model):
    """An evaluation indicator (评价指标) with its three levels, content, category and points."""
    __tablename__ = "star_indicator"
    __table_args__ = (UniqueConstraint("dimension_id", "code", name="uq_star_indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("star_dimension.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))          # A.1-01
    serial: Mapped[int | None] = mapped_column(Integer)    # 序号 as printed; None for unnumbered rows
    seq: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str | None] = mapped_column(String(200))
    level2: Mapped[str | None] = mapped_column(String(200))
    level3: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))  # online | offline | combined | None (D2.x)
    points: Mapped[int] = mapped_column(Integer)
    notes: Mapped[list | None] = mapped_column(JSON)
    source_line: Mapped[int | None] = mapped_column(Integer)

    dimension = relationship(SchemeDimension, back_populates="indicators")


def _enterprise_or_its_certifier(cls, user):
    """Who sees a star application or a special-capability evaluation: staff, the enterprise's
    users, and the users of the certification body named for it."""
    org = getattr(user, "organisation_id", None)
    if is_staff(user):
        return true()
    if is_enterprise(user) and org is not None:
        return cls.enterprise_id == org
    if is_certifier(user) and org is not None:
        return cls.certifier_org_id == org
    return false()


class StarApplication(Visibility, db.Model):
    """An application for a composite star level (综合星级申请), one upgrade case."""
    __tablename__ = "star_application"
    visible_clause = classmethod(_enterprise_or_its_certifier)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("star_scheme.id"), index=True)
    current_level: Mapped[int] = mapped_column(Integer)
    target_level: Mapped[int] = mapped_column(Integer)
    with_onsite: Mapped[bool] = mapped_column(Boolean, default=False)
    certifier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(30), default="self_assessment", index=True)
    composite_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    awarded_level: Mapped[int | None] = mapped_column(Integer)
    explanation: Mapped[dict | None] = mapped_column(JSON)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    case = relationship("Case")
    enterprise = relationship("Organisation", foreign_keys=[enterprise_id])
    certifier = relationship("Organisation", foreign_keys=[certifier_org_id])
    scheme = relationship(EvaluationScheme)


class IndicatorScore(db.Model):
    """The scores of one indicator in one application: the enterprise's self-assessment, the
    reviewer's verified value (online indicators) and the on-site reviewer's (offline, combined)."""
    __tablename__ = "star_indicator_score"
    __table_args__ = (UniqueConstraint("application_id", "indicator_id", name="uq_star_score_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("star_application.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("star_indicator.id"), index=True)
    self_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    self_note: Mapped[str | None] = mapped_column(Text)
    verified_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    verification_note: Mapped[str | None] = mapped_column(Text)
    onsite_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    finding: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    indicator = relationship(Indicator)


class EnterpriseStar(db.Model):
    """An enterprise's current star standing (星级动态管理): level, single-item stars, blacklist."""
    __tablename__ = "enterprise_star"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    enterprise_type: Mapped[str] = mapped_column(String(40))
    level: Mapped[int] = mapped_column(Integer, default=0)
    single_item_stars: Mapped[dict | None] = mapped_column(JSON)
    composite_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    awarded_at: Mapped[datetime | None] = mapped_column(DateTime)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("star_application.id"))
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False)
    blacklisted_at: Mapped[datetime | None] = mapped_column(DateTime)
    supervision_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"))

    enterprise = relationship("Organisation")


class SupervisionOutcome(db.Model):
    """The outcome of a supervision review (监督审查) or spot-check (抽查), published with reasons."""
    __tablename__ = "star_supervision_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))      # annual | spot
    outcome: Mapped[str] = mapped_column(String(20))   # keep | lower | remove | blacklist
    level_before: Mapped[int] = mapped_column(Integer)
    level_after: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    enterprise = relationship("Organisation")


class SpecialEvaluation(Visibility, db.Model):
    """A special-capability evaluation (专项能力评价, 4.2.3 and 6.3): an on-site review of chosen
    stages (研发, 采购, ...) by a certification body; it yields a report per stage, no star."""
    __tablename__ = "star_special_evaluation"
    visible_clause = classmethod(_enterprise_or_its_certifier)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("star_scheme.id"), index=True)
    stage_ids: Mapped[list] = mapped_column(JSON)  # SchemeDimension ids of the requested stages
    certifier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(30), default="assignment", index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict | None] = mapped_column(JSON)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    case = relationship("Case")
    enterprise = relationship("Organisation", foreign_keys=[enterprise_id])
    certifier = relationship("Organisation", foreign_keys=[certifier_org_id])
    scheme = relationship(EvaluationScheme)


class SpecialScore(db.Model):
    """The certification body's score and finding for one indicator of a special-capability evaluation."""
    __tablename__ = "star_special_score"
    __table_args__ = (UniqueConstraint("evaluation_id", "indicator_id", name="uq_star_special_score_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("star_special_evaluation.id", ondelete="CASCADE"),
                                               index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("star_indicator.id"), index=True)
    coefficient: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    finding: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    indicator = relationship(Indicator)
