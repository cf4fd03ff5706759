"""Engine tables: process definitions, cases, the task table, audit events,
documents and working-day overrides."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .clock import utcnow


class ProcessDefinition(db.Model):
    """One version of a BPMN process (流程定义). Running cases stay on their version."""
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)  # the BPMN process id
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, deferred=True)  # loaded only to parse a version once
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(String(255))  # file name it came from
    comment: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author = relationship("User")


# Case statuses. A suspended case keeps its state and timers but runs nothing until resumed.
RUNNING, SUSPENDED, COMPLETED, CANCELLED = "running", "suspended", "completed", "cancelled"
CASE_STATUSES = (RUNNING, SUSPENDED, COMPLETED, CANCELLED)
# Task statuses: open (in the inbox), suspended (its case is), completed, cancelled (withdrawn).
TASK_STATUSES = ("open", "suspended", "completed", "cancelled")


class Case(db.Model):
    """A running or finished process instance (案件). ``state`` is the SpiffWorkflow
    state *without* the process spec; ``version`` is the optimistic lock."""
    __tablename__ = "case_instance"
    # The timer sweep: running cases whose next timer is due, without scanning the others.
    __table_args__ = (Index("ix_case_instance_timer_due", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RUNNING, index=True)  # CASE_STATUSES
    title: Mapped[str] = mapped_column(String(300), default="")
    # The organisation the case is about; inbox filter.
    subject_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)

    definition = relationship(ProcessDefinition, lazy="joined", innerjoin=True)
    subject_org = relationship("Organisation")
    started_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}


task_candidate_user = db.Table(
    "task_candidate_user",
    db.Column("task_id", ForeignKey("work_task.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("user_account.id"), primary_key=True, index=True),
)


class WorkTask(db.Model):
    """A READY manual task, materialized for the inbox (待办). Written in the same
    transaction as the case state, so the inbox never deserializes a workflow."""
    __tablename__ = "work_task"
    __table_args__ = (
        Index("ix_work_task_open_role", "status", "role", "candidate_org_id"),
        Index("ix_work_task_open_assignee", "status", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_instance.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36), unique=True)
    spec_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    form_key: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))  # the lane
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    subject_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    candidate_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")  # TASK_STATUSES
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case = relationship(Case, backref=db.backref("tasks", lazy="dynamic"))
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])
    candidate_users = relationship("User", secondary=task_candidate_user)
    candidate_org = relationship("Organisation", foreign_keys=[candidate_org_id])
    subject_org = relationship("Organisation", foreign_keys=[subject_org_id])

    @property
    def is_overdue(self) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at < utcnow()


class AuditEvent(db.Model):
    """Who did what, when, to which case (审计记录)."""
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str | None] = mapped_column(String(200))  # e.g. a public complainant's name
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("work_task.id"))
    kind: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")
    task = relationship(WorkTask)


class Document(db.Model):
    """An uploaded file attached to a case, stored outside the web root."""
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_instance.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("work_task.id"))
    field: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by = relationship("User")


class HolidayOverride(db.Model):
    """An administrator's correction of the working-day calendar (调休/节假日)."""
    __tablename__ = "holiday_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working_day: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Incident(db.Model):
    """A script, condition or timer of a case's diagram that failed (故障): what failed,
    where, when and the message. Written in its own transaction after the failed one was
    rolled back. While one raised by the timer sweep is open, the sweep skips its case."""
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_case_open", "case_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_instance.id"))
    kind: Mapped[str] = mapped_column(String(20))  # script | timer | expression
    origin: Mapped[str] = mapped_column(String(20))  # task | timer_sweep | action
    element_id: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    limit_exceeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    failures: Mapped[int] = mapped_column(Integer, default=1)
    retried: Mapped[int] = mapped_column(Integer, default=0)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    case = relationship(Case)
    resolved_by = relationship("User")

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
