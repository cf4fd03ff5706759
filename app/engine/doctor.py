"""The engine doctor: running cases that wait for nothing, and re-running the engine on them.

A running case normally waits on something a person or the clock will bring: an open
task, a timer, a message. One that waits on none of these is stuck — typically state
written before an engine fix (a multi-instance whose last instance finished without its
parent noticing). After the fix, :func:`rerun` repairs what can be derived from the
state itself and lets the engine carry on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

from ..extensions import db
from . import clock
from .audit import record
from .errors import Conflict, Forbidden, NotFound
from .incidents import Incident, count_failed_retry, failure_from, require_admin
from .models import Case, WorkTask
from .runtime import _fire, _run, load_workflow, next_timer_at, persist
from .transactions import transaction

log = logging.getLogger(__name__)

TIMER_EVENT_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


@dataclass
class StuckCase:
    id: int
    process_key: str
    title: str
    updated_at: datetime
    waiting_for: list[str]  # what the engine reports it waits for (events it cannot be sent)


def _candidates():
    """Running cases with no open task and no stored timer: cheap SQL, before any load."""
    open_task = exists().where(WorkTask.case_id == Case.id, WorkTask.status == "open")
    return db.session.scalars(
        select(Case).where(Case.status == "running", Case.next_timer_at.is_(None), ~open_task)
        .order_by(Case.updated_at))


def _waits_for_message(workflow) -> list[str]:
    return [str(e.name) for e in workflow.waiting_events() if e.event_type not in TIMER_EVENT_TYPES]


def stuck_cases() -> list[StuckCase]:
    """Running cases with no open task, no waiting timer and no pending message."""
    out = []
    for case in _candidates():
        try:
            workflow = load_workflow(case)
        except Exception as exc:  # a state that cannot be loaded at all is stuck too
            out.append(StuckCase(case.id, case.process_key, case.title, case.updated_at, [f"load: {exc}"]))
            continue
        if _waits_for_message(workflow) or next_timer_at(workflow) is not None:
            continue
        if workflow.is_completed():
            waiting = ["completed in the engine, not in the case row"]
        else:
            waiting = sorted({t.task_spec.bpmn_name or t.task_spec.name
                              for t in workflow.get_tasks(state=TaskState.STARTED | TaskState.WAITING)})
        out.append(StuckCase(case.id, case.process_key, case.title, case.updated_at, waiting))
    return out


def _merge_unmerged_instances(workflow) -> int:
    """Loop and multi-instance parents whose finished instances were never merged (their
    completion fired before the link between the specs existed): merge them now, in the
    order they finished, exactly as SpiffWorkflow would have."""
    merged = 0
    for parent in workflow.get_tasks(state=TaskState.STARTED):
        spec = parent.task_spec
        if not isinstance(spec, LoopTask):
            continue
        done = set(parent.internal_data.get("merged", []))
        finished = sorted((c for c in spec._instances(parent)
                           if c.state == TaskState.COMPLETED and str(c.id) not in done),
                          key=lambda c: c.last_state_change)
        for child in finished:
            if parent.state != TaskState.STARTED:
                break
            spec.merge_child(workflow, child)
            merged += 1
    return merged


def rerun(case_id: int, actor_id: int | None = None) -> bool:
    """Re-run the engine on one case (one transaction): merge what a fixed engine would
    have merged, fire due timers, run engine steps, persist. True if the case moved on
    (it now has an open task, a timer, a pending message, or it completed)."""

    with transaction(_l("the case changed meanwhile")):
        case = db.session.get(Case, case_id)
        if case is None or case.status != "running":
            raise Conflict(_l("only running cases can be re-run"))
        workflow = load_workflow(case)
        merged = _merge_unmerged_instances(workflow)
        workflow.refresh_timers()
        _run(workflow)
        persist(case, workflow, actor_id)
        moved = (case.status == "completed" or case.next_timer_at is not None
                 or bool(workflow.get_tasks(state=TaskState.READY, manual=True))
                 or bool(_waits_for_message(workflow)))
        record("case.rerun", case.title, actor_id=actor_id, case_id=case.id,
               detail={"merged_instances": merged, "moved_on": moved, "at": clock.utcnow().isoformat()})
    log.info("engine doctor re-ran case %s: merged %s instance(s), moved on: %s", case_id, merged, moved)
    return moved


def _require_admin(user) -> None:
    from .cases import may_manage
    if not may_manage(user):
        raise Forbidden(_l("only an administrator may see and re-run stuck cases"))


def stuck_cases_for(user) -> list[StuckCase]:
    """:func:`stuck_cases`, for an administrator (the admin page)."""
    _require_admin(user)
    return stuck_cases()


def rerun_by(user, case_id: int) -> bool:
    """:func:`rerun` on behalf of an administrator (the admin page); the CLI is the operator's own."""
    _require_admin(user)
    return rerun(case_id, actor_id=user.id)


# --- incidents: retry after the diagram is fixed and the case migrated ---------------------------

def retry_incident(incident_id: int, user):
    """Run the case's engine again (refresh its timers, engine steps, persist) in one
    transaction. Success resolves the case's open incidents; a new failure rolls back and
    leaves the incident open with one more retry counted."""
    require_admin(user)
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(_l("incident not found"))
    if incident.resolved_at is not None:
        raise Conflict(_l("this incident has already been resolved"))
    case_id = incident.case_id
    try:
        with transaction(_l("the case changed during the retry; try again")):
            case = db.session.get(Case, case_id)
            if case.status == "running":
                _fire(case)
            now = clock.utcnow()
            incident = db.session.get(Incident, incident_id)
            incident.retried += 1
            for other in db.session.scalars(select(Incident).where(Incident.case_id == case_id,
                                                                   Incident.resolved_at.is_(None))):
                other.resolved_at = now
                other.resolved_by_id = user.id
            record("incident.resolved", f"{incident.element_name}", actor_id=user.id, case_id=case_id,
                   detail={"incident": incident_id, "retried": incident.retried})
    except Exception as exc:
        failure = failure_from(exc)
        if failure is None:
            raise
        failure.case_id = failure.case_id or case_id
        count_failed_retry(incident_id, failure, user)
        if failure is exc:
            raise
        raise failure from exc
    return incident
