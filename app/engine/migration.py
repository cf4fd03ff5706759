"""Moving a running case to another version of its process, on SpiffWorkflow's own
``diff_workflow`` / ``migrate_workflow`` (``SpiffWorkflow.bpmn.util.diff``).

A case may move when every task it has reached (completed, current or waiting) has a
counterpart in the target version. Moving it keeps those tasks (ids, data), resets the
current ones so that their predicted future is the target's, and keeps the deadline of
every timer the case is already waiting on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from . import serializer
from .audit import record
from .definitions import spec_for, task_properties
from .errors import Conflict
from .models import Case, ProcessDefinition, WorkTask
from .runtime import load_workflow, persist

_PREDICTED = TaskState.MAYBE | TaskState.LIKELY | TaskState.FUTURE
_CURRENT = TaskState.READY | TaskState.WAITING


@dataclass
class MigrationPlan:
    """What moving one case to ``target`` means: its current tasks and the reached ones
    the target lacks (the case may move when there are none)."""
    case: Case
    target: ProcessDefinition
    current: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.missing


def _diff(workflow, target: ProcessDefinition):
    spec, subprocess_specs = spec_for(target)
    top, subs = diff_workflow(serializer._serializer.registry, workflow, spec, subprocess_specs)
    return spec, subprocess_specs, top, subs


def _missing(workflow, top, subs) -> list[str]:
    removed = list(top.removed)
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        removed.extend(sub.get_tasks(skip_subprocesses=True) if sub_diff is None else sub_diff.removed)
    return sorted({t.task_spec.name for t in removed if not t.has_state(_PREDICTED)})


def _find(workflow, task_id):
    try:
        return workflow.get_task_from_id(task_id)
    except TaskNotFoundException:
        return None


def plan(case: Case, target: ProcessDefinition) -> MigrationPlan:
    workflow = load_workflow(case)
    _spec, _subs, top, subs = _diff(workflow, target)
    current = sorted({t.task_spec.name for t in workflow.get_tasks(state=_CURRENT)})
    return MigrationPlan(case, target, current=current, missing=_missing(workflow, top, subs))


def migrate_case(case: Case, target: ProcessDefinition, actor_id: int | None) -> None:
    """Re-point one running case to ``target`` (no commit; the caller's transaction).
    Conflict when a task the case reached has no counterpart in the target."""
    source = case.definition
    workflow = load_workflow(case)
    spec, subprocess_specs, top, subs = _diff(workflow, target)
    missing = _missing(workflow, top, subs)
    if missing:
        raise Conflict(_l("missing in target: %(names)s", names=", ".join(missing)))
    # migrate_workflow resets the waiting tasks too; their timers keep the deadline they had.
    waiting = {t.id: dict(t.internal_data) for t in workflow.get_tasks(state=TaskState.WAITING)}
    migrate_workflow(top, workflow, spec)
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses.get(sp_id)
        if sub is not None and sub_diff is not None:
            migrate_workflow(sub_diff, sub, subprocess_specs[sub.spec.name])
    for task_id, internal in waiting.items():
        task = _find(workflow, task_id)
        if task is not None and task.has_state(TaskState.WAITING):
            task.internal_data.update(internal)
    case.definition_id = target.id
    case.definition = target
    # Open task rows follow the new version's properties (form, lane, name).
    for row in db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id, WorkTask.status == "open")):
        spiff_task = _find(workflow, UUID(row.spiff_task_id))
        if spiff_task is None:
            continue
        ts = spiff_task.task_spec
        row.form_key = task_properties(ts).get("formKey", row.form_key)
        row.role = ts.lane or row.role
        row.name = (ts.bpmn_name or ts.name)[:300]
    persist(case, workflow, actor_id)
    record("case.migrated", f"{source.key} v{source.version} → v{target.version}", actor_id=actor_id,
           case_id=case.id, detail={"from": source.id, "to": target.id,
                                    "from_version": source.version, "to_version": target.version})
