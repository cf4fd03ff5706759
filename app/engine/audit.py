"""Audit events: every state change writes one (who, when, case, task, what)."""
from __future__ import annotations

from ..extensions import db
from .clock import utcnow
from .models import AuditEvent


def record(kind: str, summary: str, *, actor_id: int | None = None, actor_label: str | None = None,
           case_id: int | None = None, task_id: int | None = None, detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(kind=kind, summary=summary[:500], actor_id=actor_id, actor_label=actor_label,
                       case_id=case_id, task_id=task_id, detail=detail, at=utcnow())
    db.session.add(event)
    return event


def timeline(case_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.at, AuditEvent.id)))
