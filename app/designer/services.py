"""The designer's services: drafts, validation, deployment, versions, diff, rollback,
case diagrams and bulk migration of running cases. Every function that changes
something checks that the user is an administrator and writes audit events."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.task import TaskState

from ..auth.permissions import is_signed_in
from ..engine import clock, migration, serializer
from ..engine.audit import record
from ..engine.definitions import (DefinitionError, Problem, deploy, engine_problems, latest,
                                  parse_definition, parse_xml)
from ..engine.models import Case, ProcessDefinition, WorkTask
from ..engine.errors import Conflict, EngineError, Forbidden, NotFound
from ..engine.runtime import load_workflow
from ..engine.transactions import transaction
from ..extensions import db
from . import rules
from .models import ProcessDraft

log = logging.getLogger(__name__)


class DesignerError(EngineError):
    """Bad input to the designer: a message and, for diagrams, problems per element."""
    status = 422

    def __init__(self, message, problems: list[Problem] | None = None):
        super().__init__(str(message))
        self.problems = problems or []


def require_admin(user) -> None:
    if not is_signed_in(user):
        raise Forbidden(_l("Please log in."))
    if not user.is_admin:
        raise Forbidden(_l("Only administrators may design processes."))


# --- versions ------------------------------------------------------------------------------

@dataclass
class VersionRow:
    definition: ProcessDefinition
    running: int = 0
    completed: int = 0
    other: int = 0

    @property
    def total(self):
        return self.running + self.completed + self.other


def processes(user) -> dict[str, list[VersionRow]]:
    """Every process key with its versions (newest first) and case counts per version."""
    require_admin(user)
    counts: dict[int, dict[str, int]] = {}
    for definition_id, status, n in db.session.execute(
            select(Case.definition_id, Case.status, func.count()).group_by(Case.definition_id, Case.status)):
        counts.setdefault(definition_id, {})[status] = n
    out: dict[str, list[VersionRow]] = {}
    for d in db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key,
                                                                     ProcessDefinition.version.desc())):
        c = counts.get(d.id, {})
        out.setdefault(d.key, []).append(VersionRow(d, c.get("running", 0), c.get("completed", 0),
                                                    sum(v for k, v in c.items() if k not in ("running", "completed"))))
    return out


def get_definition(user, definition_id: int) -> ProcessDefinition:
    require_admin(user)
    definition = db.session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(_l("process version not found"))
    return definition


def previous_version(definition: ProcessDefinition) -> ProcessDefinition | None:
    return db.session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.key == definition.key,
                                        ProcessDefinition.version < definition.version)
        .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def version_diff(definition: ProcessDefinition) -> rules.Diff | None:
    """What changed against the previous version (None for version 1)."""
    prev = previous_version(definition)
    return rules.diff(prev.content, definition.content) if prev else None


def diff_markers(diff: rules.Diff | None) -> tuple[dict, dict]:
    """Colour markers for the viewer: added green, changed orange (removed elements are
    not on the new diagram; they are listed beside it)."""
    if diff is None:
        return {}, {}
    markers = {i: ["jp-added"] for i in diff.added}
    markers.update({i: ["jp-changed"] for i in diff.changed})
    return markers, {}


def removed_markers(diff: rules.Diff | None) -> dict:
    """On the previous version's diagram: removed elements red, changed ones orange."""
    if diff is None:
        return {}
    markers = {i: ["jp-removed"] for i in diff.removed}
    markers.update({i: ["jp-changed"] for i in diff.changed})
    return markers


# --- drafts --------------------------------------------------------------------------------

def _check_xml(content: str | bytes) -> tuple[str, str | None, str]:
    """Untrusted XML in: size limit, no DTD or entities, well-formed BPMN. Returns (text, key, name)."""
    try:
        root = parse_xml(content)
    except DefinitionError as exc:
        raise DesignerError(exc.problems[0].message if exc.problems else str(exc), exc.problems) from exc
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    from ..engine.definitions import BPMN_NS
    process = root.find(f".//{{{BPMN_NS}}}process[@isExecutable='true']")
    if process is None:
        process = root.find(f".//{{{BPMN_NS}}}process")
    key = process.get("id") if process is not None else None
    name = (process.get("name") if process is not None else None) or key or ""
    return text, key, name[:200]


def create_draft(user, content: str | bytes, *, source: str | None = None,
                 base: ProcessDefinition | None = None) -> ProcessDraft:
    require_admin(user)
    try:
        if isinstance(content, bytes):
            content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DesignerError(_l("The file is not UTF-8 text.")) from exc
    text, key, name = _check_xml(content)
    draft = ProcessDraft(key=key, name=name, content=text, source=(source or "")[:255] or None,
                         base_definition_id=base.id if base else None, author_id=user.id,
                         created_at=clock.utcnow(), updated_at=clock.utcnow())
    db.session.add(draft)
    db.session.flush()
    record("draft.created", f"{key or '?'} ({source or (f'v{base.version}' if base else 'new')})",
           actor_id=user.id, detail={"draft": draft.id, "key": key, "source": source,
                                     "base": base.id if base else None})
    db.session.commit()
    return draft


def new_draft(user, key: str, name: str, lane_role: str = "handler") -> ProcessDraft:
    require_admin(user)
    if not rules.valid_key(key):
        raise DesignerError(_l("The process key must start with a letter and contain only letters, digits, "
                               "'_', '-' and '.'."))
    return create_draft(user, rules.blank_diagram(key, name or key, lane_role))


def get_draft(user, draft_id: int) -> ProcessDraft:
    require_admin(user)
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(_l("draft not found"))
    return draft


def drafts(user) -> list[ProcessDraft]:
    require_admin(user)
    return list(db.session.scalars(select(ProcessDraft).order_by(ProcessDraft.updated_at.desc())))


def save_draft(user, draft_id: int, content: str) -> ProcessDraft:
    """Store the diagram as it is, problems and all: a draft never affects running cases."""
    draft = get_draft(user, draft_id)
    text, key, name = _check_xml(content)
    text = _keep_shapes(draft.content, text)
    draft.content, draft.key, draft.name = text, key, name
    draft.updated_at = clock.utcnow()
    record("draft.saved", f"{key or '?'} (#{draft.id})", actor_id=user.id, detail={"draft": draft.id})
    db.session.commit()
    return draft


def delete_draft(user, draft_id: int) -> None:
    draft = get_draft(user, draft_id)
    record("draft.deleted", f"{draft.key or '?'} (#{draft.id})", actor_id=user.id, detail={"draft": draft.id})
    db.session.delete(draft)
    db.session.commit()


# --- validation and deployment -------------------------------------------------------------

def validate_content(content: str | bytes) -> list[Problem]:
    """Every problem that stops deployment, per element. Never raises for bad input."""
    try:
        parsed = parse_definition(content)
    except DefinitionError as exc:
        return _with_element_ids(content, exc.problems)
    except Exception as exc:  # noqa: BLE001 - untrusted diagrams must never cause a 500
        log.warning("diagram could not be parsed", exc_info=True)
        return [Problem(None, f"cannot parse the diagram: {exc}")]
    try:
        problems = engine_problems(parsed)
    except Exception as exc:  # noqa: BLE001
        log.warning("diagram could not be checked", exc_info=True)
        return [Problem(None, f"cannot check the diagram: {exc}")]
    return _with_element_ids(parsed.root, problems)


_NAMED = re.compile(r"with name (.+?) has no implementation")


def _with_element_ids(content, problems: list[Problem]) -> list[Problem]:
    """Problems name real element ids or none: SpiffWorkflow sometimes names a task spec
    or nothing; a data store it cannot run is found by its name."""
    try:
        els = rules.elements(content)
    except DefinitionError:
        return problems
    by_name = {}
    for info in els.values():
        if info.name:
            by_name.setdefault(info.name, info.id)
    out = []
    for p in problems:
        if p.element_id and p.element_id in els:
            out.append(p)
            continue
        match = _NAMED.search(p.message)
        element = by_name.get(match.group(1)) if match else None
        out.append(Problem(element, p.message.strip()))
    return out


def deploy_content(user, content: str, comment: str | None, *, source: str | None = None,
                   draft: ProcessDraft | None = None) -> tuple[ProcessDefinition, bool]:
    """Validate, then store as version n+1 (author, time, comment). New cases use it;
    running cases keep their version."""
    require_admin(user)
    text, _key, _name = _check_xml(content)
    problems = validate_content(text)
    if problems:
        raise DesignerError(_l("The diagram has problems; nothing was deployed."), problems)
    comment = (comment or "").strip()[:500] or None
    try:
        definition, created = deploy(text, source=source, author_id=user.id, comment=comment)
    except DefinitionError as exc:
        db.session.rollback()
        raise DesignerError(_l("The diagram has problems; nothing was deployed."), exc.problems) from exc
    if draft is not None:
        draft.content, draft.updated_at = text, clock.utcnow()
        if created:
            draft.deployed_definition_id = definition.id
    db.session.commit()
    return definition, created


def deploy_draft(user, draft_id: int, content: str | None, comment: str | None):
    draft = get_draft(user, draft_id)
    if content is not None:
        _check_xml(content)
        content = _keep_shapes(draft.content, content)
    return deploy_content(user, content if content is not None else draft.content, comment,
                          source=draft.source, draft=draft)


def _keep_shapes(previous: str, new: str) -> str:
    """Diagram shapes the modeler could not show are kept from the draft's last content."""
    try:
        return rules.keep_lost_shapes(previous, new)
    except DefinitionError:
        return new


def rollback(user, definition_id: int, comment: str | None = None) -> ProcessDefinition:
    """Redeploy an older version's content as the newest version (回滚)."""
    old = get_definition(user, definition_id)
    current = latest(old.key)
    if current is not None and current.content_hash == old.content_hash:
        raise DesignerError(_l("This version's content is already the newest version."))
    note = (comment or "").strip() or f"rollback to v{old.version}"
    definition, _created = deploy_content(user, old.content, note, source=old.source)
    record("definition.rolled_back", f"{old.key} v{old.version} → v{definition.version}", actor_id=user.id,
           detail={"key": old.key, "from_version": old.version, "new_version": definition.version})
    db.session.commit()
    return definition


# --- a case's diagram ----------------------------------------------------------------------

def _flow_index(definition) -> dict[tuple[str, str], str]:
    from ..engine.definitions import BPMN_NS
    root = parse_xml(definition.content)
    return {(f.get("sourceRef"), f.get("targetRef")): f.get("id")
            for f in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}


def _bpmn_id(task):
    return getattr(task.task_spec, "bpmn_id", None)


def case_diagram(case: Case, user) -> dict:
    """The case's own version with markers: completed path (green), current tasks (blue),
    waiting timers (purple), and the task history per element. The caller has checked
    that ``user`` may see the case."""
    definition = case.definition
    workflow = load_workflow(case)
    flows = _flow_index(definition)
    markers: dict[str, set] = {}
    overlays: dict[str, dict] = {}
    history: dict[str, list[str]] = {}

    def mark(element_id, cls):
        if element_id:
            markers.setdefault(element_id, set()).add(cls)

    def reached_from(task):
        parent = task.parent
        while parent is not None and _bpmn_id(parent) is None:
            parent = parent.parent
        return parent

    for task in workflow.get_tasks():
        bid = _bpmn_id(task)
        if bid is None:
            continue
        if task.has_state(TaskState.COMPLETED):
            mark(bid, "jp-completed")
        elif task.has_state(TaskState.READY | TaskState.STARTED):
            mark(bid, "jp-current")
        elif task.has_state(TaskState.WAITING):
            ev = getattr(task.task_spec, "event_definition", None)
            if isinstance(task.task_spec, CatchingEvent) and isinstance(ev, TimerEventDefinition):
                mark(bid, "jp-waiting")
                due = task._get_internal_data("event_value")
                overlays[bid] = {"text": "⏱", "kind": "timer", "title": str(due or "")}
                if due:
                    history.setdefault(bid, []).append(f"⏱ {due}")
            else:
                mark(bid, "jp-current")
        else:
            continue
        if task.has_state(TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            parent = reached_from(task)
            if parent is not None and parent.has_state(TaskState.COMPLETED):
                mark(flows.get((_bpmn_id(parent), bid)), "jp-completed")
    staff = getattr(user, "is_staff", False)
    for row in db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id).order_by(WorkTask.id)):
        line = f"{row.name}: {row.status} · {row.created_at:%Y-%m-%d %H:%M}"
        if row.completed_at:
            line += f" → {row.completed_at:%Y-%m-%d %H:%M}"
        if staff and row.completed_by is not None:
            line += f" · {row.completed_by.display_name}"
        history.setdefault(row.spec_name, []).append(line)
    return {"xml": definition.content, "version": definition.version,
            "markers": {k: sorted(v) for k, v in markers.items()}, "overlays": overlays, "history": history}


# --- migration of running cases ------------------------------------------------------------

def check_migration(user, source_id: int, target_id: int) -> tuple[ProcessDefinition, ProcessDefinition,
                                                                    list[migration.MigrationPlan]]:
    """Dry run: for each running case of ``source``, may it move to ``target``? It may when
    every task the case has reached (completed, current, waiting) exists in the target."""
    source, target = get_definition(user, source_id), get_definition(user, target_id)
    if source.key != target.key:
        raise DesignerError(_l("Cases can only move between versions of the same process."))
    if source.id == target.id:
        raise DesignerError(_l("Choose two different versions."))
    cases = db.session.scalars(select(Case).where(Case.definition_id == source.id, Case.status == "running")
                               .order_by(Case.id))
    return source, target, [migration.plan(case, target) for case in cases]


@dataclass
class MigrationReport:
    migrated: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (case id, why)


def migrate(user, source_id: int, target_id: int, case_ids: list[int] | None = None) -> MigrationReport:
    """Move every eligible running case (or those in ``case_ids``) from source to target,
    each in its own transaction with an audit event; report what was skipped and why."""
    source, target, checks = check_migration(user, source_id, target_id)
    db.session.rollback()
    wanted = set(case_ids) if case_ids else None
    report = MigrationReport()
    for check in checks:
        case_id = check.case.id
        if wanted is not None and case_id not in wanted:
            continue
        if not check.eligible:
            report.skipped.append((case_id, "missing in target: " + ", ".join(check.missing)))
            continue
        try:
            with transaction(_l("the case changed during migration")):
                case = db.session.get(Case, case_id)
                if case is None or case.definition_id != source.id or case.status != "running":
                    report.skipped.append((case_id, "no longer running on the source version"))
                    continue
                migration.migrate_case(case, db.session.get(ProcessDefinition, target.id), user.id)
            report.migrated.append(case_id)
        except Conflict:
            report.skipped.append((case_id, "changed by someone else meanwhile; try again"))
        except Exception as exc:  # noqa: BLE001 - one case's failure must not stop the others
            db.session.rollback()
            log.exception("migration of case %s failed", case_id)
            report.skipped.append((case_id, f"could not be migrated: {exc}"))
    if report.migrated or report.skipped:
        record("definition.migrated", f"{source.key} v{source.version} → v{target.version}", actor_id=user.id,
               detail={"migrated": report.migrated, "skipped": [list(s) for s in report.skipped]})
        db.session.commit()
    return report


def latest_version(definition: ProcessDefinition) -> ProcessDefinition:
    return latest(definition.key)
