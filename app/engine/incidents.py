"""Incidents (故障): a diagram's script, condition or timer that failed on a case.

A failure of the engine's evaluation (an error in a script, a gateway condition, a timer or
task expression, or a script stopped by its limits, see ``scripting``) rolls the failed
transaction back completely; the case stays exactly as it was. The failure is then recorded
here, in a transaction of its own: what failed (kind, element), when, the message. The user
who triggered it gets a clear error; the timer sweep logs it, skips the case while the
incident is open and carries on with the others. Administrators list open incidents, see
them on the case page and retry a case after fixing the diagram (deploy + migrate): the retry
refreshes the case's timers and runs its engine steps; if that fails again the incident stays
open and counts the retry.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from SpiffWorkflow.exceptions import WorkflowException

from .access import is_admin, is_staff
from ..extensions import db
from . import clock
from .audit import record
from .models import Case, Incident
from .errors import Conflict, EngineError, Forbidden, NotFound
from .scripting import ScriptLimitExceeded

log = logging.getLogger(__name__)

ORIGINS = ("task", "timer_sweep", "action")  # a task completion, the timer sweep, any other action


class ProcessFailure(EngineError):
    """The case's diagram failed while the engine ran it; nothing of the action was saved."""
    status = 409

    def __init__(self, message, *, kind: str, element_id: str | None, element_name: str | None,
                 detail: str, limit_exceeded: bool, case_id: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.element_id = element_id
        self.element_name = element_name
        self.detail = detail
        self.limit_exceeded = limit_exceeded
        self.case_id = case_id
        self.incident_id: int | None = None


def _chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _kind(task_spec, cause) -> str:
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
    from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
    if isinstance(task_spec, ScriptEngineTask):
        return "script"
    definition = getattr(task_spec, "event_definition", None)
    definitions = [definition] + list(getattr(definition, "event_definitions", []) or [])
    if any(isinstance(d, TimerEventDefinition) for d in definitions):
        return "timer"
    return "expression"


def failure_from(exc: BaseException) -> ProcessFailure | None:
    """The ProcessFailure behind ``exc`` (a WorkflowException of the engine, or an error the
    runtime made of one), or None when ``exc`` is no failure of the diagram."""
    if isinstance(exc, ProcessFailure):
        return exc
    chain = list(_chain(exc))
    spiff = next((e for e in chain if isinstance(e, WorkflowException)), None)
    if spiff is None:
        return None
    limit = next((e for e in chain if isinstance(e, ScriptLimitExceeded)), None)
    cause = limit or next((e for e in chain if not isinstance(e, (WorkflowException, EngineError))), None)
    task = getattr(spiff, "task", None)
    spec = task.task_spec if task is not None else getattr(spiff, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    element_name = getattr(spec, "bpmn_name", None) or element_id
    detail = f"{str(spiff).rstrip('. ')}: {limit}" if limit and str(spiff) else str(limit or spiff)
    if limit is None and cause is not None and str(cause) and str(cause) not in detail:
        detail = f"{detail}: {type(cause).__name__}: {cause}"
    reason = limit.user_message() if limit else detail
    message = _l("The process could not continue at “%(element)s”: %(reason)s. Nothing you entered was "
                 "saved; the failure has been recorded for an administrator.",
                 element=element_name or "?", reason=reason)
    return ProcessFailure(message, kind=_kind(spec, cause), element_id=element_id, element_name=element_name,
                          detail=detail[:4000], limit_exceeded=limit is not None)


def as_failure(exc: WorkflowException, case_id: int | None = None) -> EngineError:
    """What runtime raises for a WorkflowException of the engine."""
    failure = failure_from(exc) or EngineError(_l("the process could not continue: %(error)s", error=str(exc)))
    if isinstance(failure, ProcessFailure) and case_id is not None and failure.case_id is None:
        failure.case_id = case_id
    return failure


@contextmanager
def recorded(case_id: int, origin: str, actor_id: int | None = None):
    """Around one transaction (outside its ``transaction()``, which rolls it back): a failure of the
    diagram is recorded as an incident of ``case_id`` in its own transaction, then re-raised
    as ProcessFailure."""
    try:
        yield
    except Exception as exc:
        failure = failure_from(exc)
        if failure is None:
            raise
        if failure.case_id is None:
            failure.case_id = case_id
        record_failure(failure, origin, actor_id)
        if failure is exc:
            raise
        raise failure from exc


def record_failure(failure: ProcessFailure, origin: str, actor_id: int | None = None) -> Incident | None:
    """Record ``failure`` as an incident (or count it on the open one of the same element)
    in a transaction of its own; the failed transaction must already be rolled back."""
    if failure.incident_id is not None or failure.case_id is None:
        return None
    db.session.rollback()
    try:
        now = clock.utcnow()
        incident = db.session.scalar(select(Incident).where(
            Incident.case_id == failure.case_id, Incident.resolved_at.is_(None),
            Incident.kind == failure.kind, Incident.element_id == failure.element_id).limit(1))
        if incident is None:
            incident = Incident(case_id=failure.case_id, kind=failure.kind, origin=origin,
                                element_id=failure.element_id, element_name=failure.element_name,
                                message=failure.detail, limit_exceeded=failure.limit_exceeded,
                                created_at=now, last_failed_at=now, failures=1, retried=0)
            db.session.add(incident)
            db.session.flush()
            record("incident.opened", f"{failure.element_name}: {failure.detail}"[:500], actor_id=actor_id,
                   case_id=failure.case_id, detail={"incident": incident.id, "kind": failure.kind,
                                                    "element": failure.element_id, "origin": origin})
        else:
            incident.failures += 1
            incident.last_failed_at = now
            incident.message = failure.detail
            incident.limit_exceeded = failure.limit_exceeded
            if origin == "timer_sweep":
                incident.origin = origin  # from now on the sweep leaves the case alone
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record the incident of case %s", failure.case_id)
        return None
    failure.incident_id = incident.id
    log.warning("case %s: %s %r failed (%s); incident %s", failure.case_id, failure.kind, failure.element_id,
                failure.detail, incident.id)
    return incident


def blocks_timers():
    """SQL condition on Case: an open incident raised by the timer sweep holds its timers."""
    return exists().where(Incident.case_id == Case.id, Incident.resolved_at.is_(None),
                          Incident.origin == "timer_sweep")


# --- administrators ---------------------------------------------------------------------------

def require_admin(user) -> None:
    if not is_admin(user):
        raise Forbidden(_l("only administrators may see and retry incidents"))


def open_incidents(user) -> list[Incident]:
    require_admin(user)
    return list(db.session.scalars(select(Incident).where(Incident.resolved_at.is_(None))
                                   .order_by(Incident.created_at.desc(), Incident.id.desc())))


def recently_resolved(user, limit: int = 20) -> list[Incident]:
    require_admin(user)
    return list(db.session.scalars(select(Incident).where(Incident.resolved_at.is_not(None))
                                   .order_by(Incident.resolved_at.desc(), Incident.id.desc()).limit(limit)))


def for_case(case_id: int, user) -> list[Incident]:
    """The incidents of a case, for staff (empty for everyone else)."""
    if not is_staff(user):
        return []
    return list(db.session.scalars(select(Incident).where(Incident.case_id == case_id)
                                   .order_by(Incident.resolved_at.is_not(None), Incident.id.desc())))


def count_open() -> int:
    return db.session.scalar(select(db.func.count(Incident.id)).where(Incident.resolved_at.is_(None))) or 0


def count_failed_retry(incident_id: int, failure: ProcessFailure, user) -> None:
    db.session.rollback()
    incident = db.session.get(Incident, incident_id)
    incident.retried += 1
    incident.failures += 1
    incident.last_failed_at = clock.utcnow()
    incident.message = failure.detail
    incident.kind = failure.kind
    incident.element_id = failure.element_id
    incident.element_name = failure.element_name
    incident.limit_exceeded = failure.limit_exceeded
    record("incident.retry_failed", f"{failure.element_name}: {failure.detail}"[:500], actor_id=user.id,
           case_id=incident.case_id, detail={"incident": incident_id, "retried": incident.retried})
    db.session.commit()
    failure.incident_id = incident_id
    log.warning("case %s: retry of incident %s failed again (%s)", incident.case_id, incident_id, failure.detail)
