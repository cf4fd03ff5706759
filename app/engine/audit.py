"""Audit events: every state change writes one (who, when, case, task, what).

Events of a transaction are collected and written with one INSERT just before it
commits, and dropped if it rolls back: an event exists exactly when its change does.
"""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ..extensions import db
from .clock import utcnow
from .models import AuditEvent

_KEY = "jianping_audit"


def record(kind: str, summary: str, *, actor_id: int | None = None, actor_label: str | None = None,
           case_id: int | None = None, task_id: int | None = None, detail: dict | None = None) -> None:
    db.session.info.setdefault(_KEY, []).append(dict(
        kind=kind, summary=str(summary)[:500], actor_id=actor_id, actor_label=actor_label,
        case_id=case_id, task_id=task_id, detail=detail, at=utcnow()))


@event.listens_for(Session, "before_commit")
def _write_events(session):
    pending = session.info.pop(_KEY, None)
    if pending:
        session.execute(insert(AuditEvent), pending)


@event.listens_for(Session, "after_rollback")
def _drop_events(session):
    session.info.pop(_KEY, None)


INTERNAL_PREFIXES = ("incident.",)  # shown to staff only


def timeline(case_id: int, *, internal: bool = True) -> list[AuditEvent]:
    """The case's events; ``internal=False`` leaves out the staff-only ones (incidents)."""
    query = db.select(AuditEvent).where(AuditEvent.case_id == case_id)
    if not internal:
        query = query.where(*[~AuditEvent.kind.startswith(p) for p in INTERNAL_PREFIXES])
    return list(db.session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))
