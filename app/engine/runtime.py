"""Running cases: start, complete, claim, release and the timer sweep.

Each public function here is one user action and one transaction: permission check,
validation, data, engine run, persisted state, refreshed task rows, audit events.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID
from flask_babel import lazy_gettext as _l

from sqlalchemy import exists, false, insert, or_, select, union_all, update
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .access import is_admin, is_staff
from ..extensions import db
from . import clock, documents, events, registry, serializer
from .audit import record
from .deadlines import DurationError, due_after
from .definitions import latest, spec_for, task_properties
from .errors import Conflict, EngineError, Forbidden, InvalidSubmission, NotFound
from .forms import form_values, payload_to_formdata, uploaded_files
from .models import RUNNING, SUSPENDED, Case, Document, WorkTask, task_candidate_user
from .transactions import transaction

log = logging.getLogger(__name__)


# --- who may do what -----------------------------------------------------------------------

def _user_id(user):
    """The id of a signed-in user, else None (anonymous visitors, system actions)."""
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def is_candidate(task: WorkTask, user) -> bool:
    """May ``user`` work on this open task (ignoring who claimed it)?"""
    uid = _user_id(user)
    if uid is None:
        return False
    candidates = candidate_ids(task)
    if candidates:
        return uid in candidates
    if user.role != task.role:
        return False
    if registry.is_organisation_role(user.role) or task.candidate_org_id is not None:
        return task.candidate_org_id is not None and user.organisation_id == task.candidate_org_id
    return True


_CANDIDATES = "jianping_candidate_ids"


def candidate_ids(task: WorkTask) -> frozenset:
    """The ids of the task's named candidate users, memoised in the session (one request):
    they are fixed when the task row is created, so a permission check, the completion and
    the response need not reload them after each commit expires the row."""
    memo = db.session.info.setdefault(_CANDIDATES, {})
    if task.id not in memo:
        memo[task.id] = frozenset(db.session.scalars(
            select(task_candidate_user.c.user_id).where(task_candidate_user.c.task_id == task.id)))
    return memo[task.id]


def can_work(task: WorkTask, user) -> bool:
    if task.status != "open" or not is_candidate(task, user):
        return False
    return task.assignee_id in (None, _user_id(user))


def eligible_clause(user):
    """SQL condition: open tasks ``user`` may claim or has claimed (the inbox).

    Three branches, each served by an index, so the cost follows the user's own tasks
    rather than every open task: assigned to me; naming me as a candidate; offered to
    my role (and organisation) without named candidates."""
    if registry.is_organisation_role(user.role):
        org_ok = WorkTask.candidate_org_id == user.organisation_id if user.organisation_id else false()
    else:
        org_ok = or_(WorkTask.candidate_org_id.is_(None), WorkTask.candidate_org_id == user.organisation_id)
    named = select(task_candidate_user.c.task_id).where(task_candidate_user.c.user_id == user.id)
    has_any = exists().where(task_candidate_user.c.task_id == WorkTask.id)
    mine = select(WorkTask.id).where(WorkTask.status == "open", WorkTask.assignee_id == user.id)
    as_candidate = select(WorkTask.id).where(WorkTask.id.in_(named), WorkTask.status == "open",
                                             WorkTask.assignee_id.is_(None))
    by_role = select(WorkTask.id).where(WorkTask.status == "open", WorkTask.role == user.role, org_ok,
                                        WorkTask.assignee_id.is_(None), ~has_any)
    return WorkTask.id.in_(union_all(mine, as_candidate, by_role).scalar_subquery())


def can_view_case(case: Case, user) -> bool:
    uid = _user_id(user)
    if uid is not None and is_staff(user):
        return True
    policy = registry.case_access_policy(case.process_key)
    if policy and policy(case, user):
        return True
    if uid is None:
        return False
    involved = db.session.scalar(
        select(WorkTask.id).where(WorkTask.case_id == case.id,
                                  or_(WorkTask.completed_by_id == uid, WorkTask.assignee_id == uid,
                                      WorkTask.id.in_(select(task_candidate_user.c.task_id)
                                                      .where(task_candidate_user.c.user_id == uid)))).limit(1))
    if involved:
        return True
    open_tasks = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id, WorkTask.status == "open"))
    return any(is_candidate(t, user) for t in open_tasks)


def get_case(case_id: int, user) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(case, user):
        raise NotFound(_l("case not found"))
    return case


def get_task(task_id: int, user) -> WorkTask:
    """A task the user may see: staff see all, others the ones offered to them or in cases they see."""
    task = db.session.get(WorkTask, task_id)
    if task is None:
        raise NotFound(_l("task not found"))
    uid = _user_id(user)
    if uid is not None and (is_staff(user) or is_candidate(task, user) or task.completed_by_id == uid):
        return task
    if can_view_case(task.case, user):
        return task
    raise NotFound(_l("task not found"))


# --- loading and saving --------------------------------------------------------------------

def load_workflow(case: Case):
    spec, subprocess_specs = spec_for(case.definition)
    return serializer.loads(case.state, spec, subprocess_specs)


TIMER_EVENT_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def next_timer_at(workflow) -> datetime | None:
    """When the earliest waiting timer of the workflow is due (naive UTC)."""
    due = []
    for event in workflow.waiting_events():
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if not isinstance(value, str) or event.event_type not in TIMER_EVENT_TYPES:
            continue
        try:
            due.append(TimerEventDefinition.get_datetime(value))
        except ValueError:
            continue
    due.extend(_gateway_timers(workflow))
    return clock.as_naive(min(due)) if due else None


def _gateway_timers(workflow) -> list[datetime]:
    """Timers behind an event-based gateway: the gateway waits on a MultipleEventDefinition
    (reported without a value) and keeps the evaluated timer value in its own task data."""
    from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
    out = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if not isinstance(definition, MultipleEventDefinition) or not any(
                isinstance(d, TimerEventDefinition) for d in definition.event_definitions):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(value, str):
            try:
                out.append(TimerEventDefinition.get_datetime(value))
            except ValueError:
                pass
    return out


def _evaluate(workflow, spiff_task, expression):
    try:
        return workflow.script_engine.evaluate(spiff_task, expression)
    except WorkflowException as exc:
        raise _failure(exc) from exc


def _failure(exc: WorkflowException, case_id: int | None = None) -> EngineError:
    """The error for a failure of the diagram (incidents.ProcessFailure, recorded as an
    incident once the transaction is rolled back)."""
    from .incidents import as_failure
    return as_failure(exc, case_id)


def _materialize(case: Case, workflow, spiff_task, actor_id) -> WorkTask:
    props = task_properties(spiff_task.task_spec)
    ts = spiff_task.task_spec
    row = WorkTask(
        case_id=case.id, spiff_task_id=str(spiff_task.id), spec_name=ts.name,
        name=(ts.bpmn_name or ts.name)[:300], form_key=props.get("formKey", ""),
        role=ts.lane or "", process_key=case.process_key, subject_org_id=case.subject_org_id,
        created_at=clock.utcnow(), status="open")
    if props.get("candidateOrg"):
        value = _evaluate(workflow, spiff_task, props["candidateOrg"])
        row.candidate_org_id = int(value) if value not in (None, "") else None
    candidates = []
    if props.get("candidateUsers"):
        candidates = [int(v) for v in (_evaluate(workflow, spiff_task, props["candidateUsers"]) or [])]
    if props.get("assignee"):
        value = _evaluate(workflow, spiff_task, props["assignee"])
        if value not in (None, ""):
            row.assignee_id = int(value)
            candidates.append(int(value))
    candidates = sorted(set(candidates))
    if props.get("dueDate"):
        value = _evaluate(workflow, spiff_task, props["dueDate"])
        if value:
            row.due_at = clock.as_naive(datetime.fromisoformat(str(value)) if isinstance(value, str)
                                        else value)
    elif props.get("dueIn"):
        row.due_at = clock.as_naive(due_after(props["dueIn"]))
    db.session.add(row)
    db.session.flush()
    if candidates:
        db.session.execute(insert(task_candidate_user), [{"task_id": row.id, "user_id": u} for u in candidates])
    record("task.created", row.name, actor_id=actor_id, case_id=case.id, task_id=row.id,
           detail={"role": row.role, "due_at": row.due_at.isoformat() if row.due_at else None})
    events.task_created.send(row.form_key, case=case, task=row, candidates=candidates)
    return row


def persist(case: Case, workflow, actor_id: int | None) -> None:
    """Write the state, status, next timer and task rows of ``case`` (no commit).
    The case row is written once, at the end, where its version is checked."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    with db.session.no_autoflush:
        # In-memory status wins: the task being completed is still "open" in the database.
        open_rows = {r.spiff_task_id: r for r in db.session.scalars(
            select(WorkTask).where(WorkTask.case_id == case.id, WorkTask.status == "open")) if r.status == "open"}
    for sid, row in open_rows.items():
        if sid not in ready:
            row.status = "cancelled"
            row.completed_at = clock.utcnow()
            record("task.cancelled", row.name, actor_id=actor_id, case_id=case.id, task_id=row.id)
    for sid, spiff_task in ready.items():
        if sid not in open_rows:
            _materialize(case, workflow, spiff_task, actor_id)
    case.state = serializer.dumps(workflow)
    case.updated_at = clock.utcnow()
    if workflow.is_completed():
        if case.status != "completed":
            case.status = "completed"
            case.completed_at = clock.utcnow()
            record("case.completed", case.title, actor_id=actor_id, case_id=case.id,
                   detail={"end": _end_event_name(workflow)})
            events.case_completed.send(case.process_key, case=case, end_event_id=_end_event_id(workflow))
        case.next_timer_at = None
    else:
        case.next_timer_at = next_timer_at(workflow)


def _end_event_id(workflow) -> str | None:
    """The id of the end event the case reached last (not SpiffWorkflow's implicit End task)."""
    from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
    return max(ends, key=lambda t: t.last_state_change).task_spec.name if ends else None


def _end_event_name(workflow) -> str | None:
    last = workflow.last_task
    return (last.task_spec.bpmn_name or last.task_spec.name) if last else None


# --- starting ------------------------------------------------------------------------------

def start_case(process_key: str, *, user=None, actor_label: str | None = None, data: dict | None = None,
               title: str = "", subject_org_id: int | None = None, commit: bool = True) -> Case:
    definition = latest(process_key)
    if definition is None:
        raise NotFound(_l("no process %(key)s", key=process_key))
    with (transaction(_l("could not start the case")) if commit else nullcontext()):
        return _start(definition, user, actor_label, data, title, subject_org_id)


def _start(definition, user, actor_label, data, title, subject_org_id) -> Case:
    spec, subprocess_specs = spec_for(definition)
    workflow = serializer.new_workflow(spec, subprocess_specs)
    case = Case(definition_id=definition.id, process_key=definition.key, title=title[:300],
                subject_org_id=subject_org_id, started_by_id=_user_id(user), state="{}",
                started_at=clock.utcnow(), updated_at=clock.utcnow())
    case.definition = definition
    db.session.add(case)
    db.session.flush()
    start_data = dict(data or {})
    start_data["case_id"] = case.id
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(start_data)
    actor_id = _user_id(user)
    record("case.started", title or definition.name, actor_id=actor_id, actor_label=actor_label,
           case_id=case.id, detail={"process": definition.key, "version": definition.version})
    _run(workflow)
    persist(case, workflow, actor_id)
    return case


def _run(workflow, case_id: int | None = None) -> None:
    try:
        workflow.do_engine_steps()
    except WorkflowException as exc:
        raise _failure(exc, case_id) from exc


# --- completing ----------------------------------------------------------------------------

@dataclass
class CompletionContext:
    """What a domain's completion hook sees and may change."""
    case: Case
    task: WorkTask
    user: object
    data: dict
    documents: dict = field(default_factory=dict)  # field -> [Document]
    workflow_data: dict = field(default_factory=dict)  # the task's data before the submission


def _check_not_suspended(task: WorkTask) -> None:
    if task.status == "suspended" or task.case.status == SUSPENDED:
        raise Conflict(_l("this case is suspended; its tasks wait until an administrator resumes it"))


def build_form(task: WorkTask, *, formdata=None, payload=None):
    binding = registry.form_binding(task.form_key)
    if payload is not None:
        formdata = payload_to_formdata(payload)
    form = binding.form_class(formdata=formdata) if formdata is not None else binding.form_class(formdata=None)
    if binding.prepare:
        binding.prepare(form, task.case, task, formdata is not None)
    return form


def complete_task(task_id: int, user, *, formdata=None, payload=None) -> Case:
    """Complete an open task with a submission (HTML form data or a JSON object)."""
    task = get_task(task_id, user)
    _check_not_suspended(task)
    if task.status != "open":
        raise Conflict(_l("this task has already been completed"))
    if not is_candidate(task, user):
        raise Forbidden(_l("you may not complete this task"))
    if task.assignee_id not in (None, user.id):
        raise Conflict(_l("this task has been claimed by someone else"))
    form = build_form(task, formdata=formdata, payload=payload)
    valid = form.validate()
    if not _uploads_acceptable(form) or not valid:
        raise InvalidSubmission(form)

    from .incidents import recorded
    with recorded(task.case_id, "task", user.id):
        with transaction(_l("someone else completed this task first; nothing you entered was applied")):
            return _complete(task, user, form)


def _uploads_acceptable(form) -> bool:
    """Every uploaded file within the size and type limits; otherwise an error on its field
    (forms may check this themselves; the engine checks every form's files)."""
    ok = True
    for name, files in uploaded_files(form).items():
        for storage in files:
            error = documents.check_upload(storage)
            if error:
                field = form[name]
                message = f"{storage.filename}: {error}"
                if message not in field.errors:
                    field.errors = [*field.errors, message]
                ok = False
    return ok


def _complete(task: WorkTask, user, form) -> Case:
    case = task.case
    workflow = load_workflow(case)
    spiff_task = workflow.get_task_from_id(UUID(task.spiff_task_id))
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict(_l("this task is no longer waiting for input"))

    data = form_values(form)
    ctx = CompletionContext(case=case, task=task, user=user, data=data, workflow_data=dict(spiff_task.data))
    for name, files in uploaded_files(form).items():
        docs = [documents.store(fs, case_id=case.id, task_id=task.id, field=name, user_id=user.id) for fs in files]
        ctx.documents[name] = docs
        data[name] = [d.id for d in docs]
    for hook in registry.form_binding(task.form_key).on_complete:
        hook(ctx)

    spiff_task.data.update(data)
    try:
        spiff_task.run()
    except WorkflowException as exc:
        raise _failure(exc, case.id) from exc
    _run(workflow, case.id)
    task.status = "completed"
    task.assignee_id = task.assignee_id or user.id
    task.completed_by_id = user.id
    task.completed_at = clock.utcnow()
    record("task.completed", task.name, actor_id=user.id, case_id=case.id, task_id=task.id,
           detail={"form": task.form_key, "data": data})
    events.task_completed.send(task.form_key, case=case, task=task, user=user, data=data)
    persist(case, workflow, user.id)
    return case


# --- claiming ------------------------------------------------------------------------------

def claim_task(task_id: int, user) -> WorkTask:
    task = get_task(task_id, user)
    _check_not_suspended(task)
    if task.status != "open":
        raise Conflict(_l("this task is no longer open"))
    if not is_candidate(task, user):
        raise Forbidden(_l("you may not claim this task"))
    if task.assignee_id == user.id:
        return task
    with transaction(_l("this task has been claimed by someone else")):
        result = db.session.execute(
            update(WorkTask).where(WorkTask.id == task.id, WorkTask.status == "open",
                                   WorkTask.assignee_id.is_(None)).values(assignee_id=user.id))
        if result.rowcount != 1:
            raise Conflict(_l("this task has been claimed by someone else"))
        record("task.claimed", task.name, actor_id=user.id, case_id=task.case_id, task_id=task.id)
    db.session.refresh(task)
    return task


def release_task(task_id: int, user) -> WorkTask:
    task = get_task(task_id, user)
    _check_not_suspended(task)
    if task.status != "open":
        raise Conflict(_l("this task is no longer open"))
    if task.assignee_id != user.id and not is_admin(user):
        raise Forbidden(_l("only the assignee or an administrator may release this task"))
    with transaction(_l("the task changed meanwhile")):
        task.assignee_id = None
        record("task.released", task.name, actor_id=user.id, case_id=task.case_id, task_id=task.id)
    return task


# --- messages ------------------------------------------------------------------------------

def send_message(case: Case, name: str, payload: dict | None = None, actor_id: int | None = None) -> bool:
    """Deliver message ``name`` to a running case in the caller's transaction (no commit).
    False when the case is not waiting for it (nothing changes then)."""
    from SpiffWorkflow.bpmn.util.event import BpmnEvent
    from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
    if case.status != "running":
        return False
    workflow = load_workflow(case)
    try:
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=dict(payload or {})))
    except WorkflowException:
        return False
    _run(workflow, case.id)
    record("message.received", name, actor_id=actor_id, case_id=case.id)
    persist(case, workflow, actor_id)
    return True


# --- timers --------------------------------------------------------------------------------

def sweep_timers(at: datetime | None = None, limit: int = 500) -> int:
    """Fire the timers that are due at ``at`` (default now). Loads only running cases whose
    stored next-timer time has passed, each claimed in its own transaction (on PostgreSQL
    ``FOR UPDATE SKIP LOCKED``: a case another sweeper holds is left to it). A case another
    process advanced first is skipped quietly. Returns the number of cases advanced."""
    from .incidents import ProcessFailure, blocks_timers
    moment = clock.as_aware(at) if at else clock.now()
    advanced = 0
    with clock.frozen(moment):
        due = clock.as_naive(moment)
        ids = list(db.session.scalars(select(Case.id).where(*_due(due), ~blocks_timers()).order_by(Case.next_timer_at).limit(limit)))
        db.session.rollback()
        for case_id in ids:
            try:
                if _fire_case_timers(case_id, due):
                    advanced += 1
            except Conflict:
                log.info("case %s was advanced by someone else during the timer sweep; skipped", case_id)
            except ProcessFailure:
                pass  # recorded as an incident (and logged); the sweep skips the case until retried
            except Exception:
                db.session.rollback()
                log.exception("timer sweep failed for case %s", case_id)
    return advanced


def _due(due: datetime) -> tuple:
    return (Case.status == RUNNING, Case.next_timer_at.is_not(None), Case.next_timer_at <= due)


def _fire_case_timers(case_id: int, due: datetime) -> bool:
    from .incidents import recorded
    with recorded(case_id, "timer_sweep"), transaction(_l("case changed during the timer sweep")):
        # Claim the case: still due (not fired by another sweeper meanwhile) and not locked by one.
        case = db.session.scalars(
            select(Case).where(Case.id == case_id, *_due(due))
            .with_for_update(skip_locked=True, of=Case)
            .execution_options(populate_existing=True)).first()
        if case is None:
            return False
        return _fire(case)


def _timers_caught(workflow) -> dict:
    """Completed timer catch events of the workflow: task id -> timer name."""
    return {t.id: str(t.task_spec.event_definition.name)
            for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)}


def _fire(case: Case) -> bool:
    workflow = load_workflow(case)
    before = {str(e.name) for e in workflow.waiting_events()}
    done_before = _timers_caught(workflow)
    try:
        workflow.refresh_timers()
    except WorkflowException as exc:
        raise _failure(exc, case.id) from exc
    _run(workflow, case.id)
    after = {str(e.name) for e in workflow.waiting_events()}
    # Timers that were waiting and are no longer, and any timer caught during this run that
    # was not waiting before it (a case migrated or repaired while its timer was due).
    caught = _timers_caught(workflow)
    fired = sorted((before - after) | {caught[i] for i in caught.keys() - done_before.keys()} - after)
    if fired:
        record("timer.fired", ", ".join(fired), case_id=case.id, detail={"timers": fired})
    persist(case, workflow, None)
    return bool(fired)
