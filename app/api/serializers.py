"""JSON shapes of the API's resources. Times are ISO 8601 UTC ending in "Z"."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..auth.permissions import is_reviewer, is_staff
from ..engine import audit, clock, registry, runtime
from ..engine.forms import FILE_FIELDS, SKIP_FIELDS, field_schema, json_value
from ..engine.models import WorkTask
from ..extensions import db


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return clock.as_aware(dt).isoformat().replace("+00:00", "Z")


def org_json(org) -> dict | None:
    return {"id": org.id, "name": org.name} if org is not None else None


_org = org_json


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.display_name} if user is not None else None


def definition_json(d) -> dict:
    return {"key": d.key, "version": d.version, "name": d.name, "created_at": iso(d.created_at),
            "content_hash": d.content_hash, "source": d.source, "comment": d.comment}


def case_json(case) -> dict:
    """What anyone who may see the case may know about it, without related rows."""
    return {
        "id": case.id, "process": case.process_key, "process_version": case.definition.version,
        "title": case.title, "status": case.status, "subject_org": _org(case.subject_org),
        "started_at": iso(case.started_at), "updated_at": iso(case.updated_at),
        "completed_at": iso(case.completed_at), "next_timer_at": iso(case.next_timer_at),
    }


def summary_json(case, user) -> list[dict]:
    """The rows the case page shows this user: (label, value), in the reader's language."""
    fn = registry.case_summary_for(case.process_key)
    rows = fn(case, user) if fn else []
    return [{"label": str(label), "value": None if value is None else str(value)} for label, value in rows]


def event_json(event, user, process_key: str) -> dict:
    if event.actor is not None:
        actor = {"type": "user", "id": event.actor.id, "name": event.actor.display_name}
    elif event.actor_label:
        # A member of the public (an anonymous complainant): the name is the complainant's
        # identity; like the case page (templates/engine/case.html) only staff and experts see it.
        named = is_reviewer(user)
        actor = {"type": "public", "id": None, "name": event.actor_label if named else None}
    else:
        actor = {"type": "system", "id": None, "name": None}
    summary = event.summary
    if event.kind.endswith(".status"):
        summary = registry.status_label(process_key, summary)
    return {"id": event.id, "at": iso(event.at), "kind": event.kind, "label": registry.event_label(event.kind),
            "summary": summary,
            "task_id": event.task_id, "actor": actor}


def task_json(task, user=None) -> dict:
    out = {
        "id": task.id, "case_id": task.case_id, "case_title": task.case.title if task.case else None,
        "process": task.process_key, "task": task.spec_name, "name": task.name, "form_key": task.form_key,
        "role": task.role, "status": task.status, "subject_org": _org(task.subject_org),
        "candidate_org_id": task.candidate_org_id, "assignee": _person(task.assignee),
        "created_at": iso(task.created_at), "due_at": iso(task.due_at), "overdue": task.is_overdue,
        "completed_at": iso(task.completed_at),
    }
    if user is not None:
        out["can_work"] = runtime.can_work(task, user)
    return out


def form_json(task) -> dict | None:
    """The task's form for API clients: the field schema and any prefilled values."""
    if not registry.has_form(task.form_key):
        return None
    binding = registry.form_binding(task.form_key)
    form = runtime.build_form(task)
    values = {field.name: json_value(field.data) for field in form
              if not isinstance(field, SKIP_FIELDS + FILE_FIELDS) and field.data not in (None, "", [])}
    return {"key": task.form_key, "title": str(binding.title) if binding.title else task.name,
            "fields": field_schema(form), "values": values}


def task_detail_json(task, user) -> dict:
    out = task_json(task, user)
    out["form"] = form_json(task)
    return out


def case_detail_json(case, user) -> dict:
    out = case_json(case)
    out["summary"] = summary_json(case, user)
    tasks = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id, WorkTask.status == "open")
                               .order_by(WorkTask.id))
    out["open_tasks"] = [task_json(t, user) for t in tasks]
    out["events"] = [event_json(e, user, case.process_key) for e in audit.timeline(case.id, internal=is_staff(user))]
    return out
