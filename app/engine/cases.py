"""Operations on a whole case that every process needs: cancel, suspend, resume.

``cancel_case`` / ``suspend_case`` / ``resume_case`` are user actions: an administrator's,
checked here; each is one transaction with an audit event and a signal (``events``).
``cancel`` is the same change as a step of another operation (a domain rule withdrawing a
case inside its own transaction, which has checked who may do it): no commit.

A suspended case keeps its workflow state and its next timer; its open tasks leave the
inbox (status ``suspended``) and cannot be claimed or completed; the timer sweep passes
it by. Resuming puts the tasks back and the next sweep fires timers that fell due meanwhile.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .access import is_admin
from ..extensions import db
from . import clock, events
from .audit import record
from .errors import Conflict, EngineError, Forbidden
from .models import CANCELLED, RUNNING, SUSPENDED, Case, WorkTask
from .runtime import get_case
from .transactions import transaction

REASON_MAX = 500


class InvalidReason(EngineError):
    status = 422


def may_manage(user) -> bool:
    """Who may cancel, suspend and resume cases: administrators."""
    return is_admin(user)


def _actor(user):
    return user.id if getattr(user, "is_authenticated", False) else None


def _reason(reason, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise InvalidReason(_l("Please give a reason."), {"reason": [str(_l("A reason is required."))]})
    if len(text) > REASON_MAX:
        raise InvalidReason(_l("Please give a shorter reason."),
                            {"reason": [str(_l("At most %(n)s characters.", n=REASON_MAX))]})
    return text


def _tasks(case: Case, *statuses: str) -> list[WorkTask]:
    return list(db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id,
                                                          WorkTask.status.in_(statuses)).order_by(WorkTask.id)))


def _managed(case_id: int, user) -> Case:
    if not may_manage(user):
        raise Forbidden(_l("only an administrator may cancel, suspend or resume a case"))
    return get_case(case_id, user)


# --- steps (no commit) -------------------------------------------------------------------

def cancel(case: Case, *, actor_id: int | None = None, reason: str = "") -> None:
    """Withdraw a running or suspended case: its open tasks are withdrawn, its timers stop
    (no commit; the caller's transaction, whose operation has checked the permission)."""
    if case.status not in (RUNNING, SUSPENDED):
        raise Conflict(_l("this case has already ended"))
    now = clock.utcnow()
    for task in _tasks(case, "open", "suspended"):
        task.status = "cancelled"
        task.completed_at = now
        record("task.cancelled", task.name, actor_id=actor_id, case_id=case.id, task_id=task.id)
    case.status = CANCELLED
    case.next_timer_at = None
    case.completed_at = now
    case.updated_at = now
    record("case.cancelled", reason[:200], actor_id=actor_id, case_id=case.id, detail={"reason": reason})
    events.case_cancelled.send(case.process_key, case=case, actor_id=actor_id, reason=reason)


def _suspend(case: Case, actor_id, reason: str) -> None:
    if case.status != RUNNING:
        raise Conflict(_l("only a running case can be suspended"))
    for task in _tasks(case, "open"):
        task.status = "suspended"
    case.status = SUSPENDED
    case.updated_at = clock.utcnow()  # next_timer_at stays: resuming keeps every deadline
    record("case.suspended", reason[:200], actor_id=actor_id, case_id=case.id, detail={"reason": reason})
    events.case_suspended.send(case.process_key, case=case, actor_id=actor_id, reason=reason)


def _resume(case: Case, actor_id, reason: str) -> None:
    if case.status != SUSPENDED:
        raise Conflict(_l("only a suspended case can be resumed"))
    for task in _tasks(case, "suspended"):
        task.status = "open"
    case.status = RUNNING
    case.updated_at = clock.utcnow()
    record("case.resumed", reason[:200], actor_id=actor_id, case_id=case.id, detail={"reason": reason})
    events.case_resumed.send(case.process_key, case=case, actor_id=actor_id, reason=reason)


# --- user actions (one transaction each) -------------------------------------------------

_CHANGED = _l("the case changed meanwhile; nothing was done. Try again.")


def cancel_case(case_id: int, user, reason: str) -> Case:
    case = _managed(case_id, user)
    text = _reason(reason, required=True)
    with transaction(_CHANGED):
        cancel(case, actor_id=_actor(user), reason=text)
    return case


def suspend_case(case_id: int, user, reason: str) -> Case:
    case = _managed(case_id, user)
    text = _reason(reason, required=True)
    with transaction(_CHANGED):
        _suspend(case, _actor(user), text)
    return case


def resume_case(case_id: int, user, reason: str = "") -> Case:
    case = _managed(case_id, user)
    text = _reason(reason, required=False)
    with transaction(_CHANGED):
        _resume(case, _actor(user), text)
    return case


def actions_for(case: Case, user) -> list[str]:
    """The case operations ``user`` may apply to ``case`` now (for the case page)."""
    if not may_manage(user):
        return []
    return {RUNNING: ["suspend", "cancel"], SUSPENDED: ["resume", "cancel"]}.get(case.status, [])
