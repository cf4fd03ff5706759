"""The inbox: one indexed query over the task table, never a workflow load."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .guards import page_number, parse_id
from .clock import utcnow
from .models import Case, WorkTask
from .runtime import eligible_clause

SORTS = {
    "due": (WorkTask.due_at.is_(None), WorkTask.due_at, WorkTask.id),
    "-due": (WorkTask.due_at.is_(None), WorkTask.due_at.desc(), WorkTask.id),
    "created": (WorkTask.created_at, WorkTask.id),
    "-created": (WorkTask.created_at.desc(), WorkTask.id.desc()),
}


@dataclass
class InboxFilter:
    scope: str = "all"          # all | mine | group
    process: str | None = None
    task: str | None = None     # task spec name
    subject: int | None = None  # the organisation the case is about (Case.subject_org_id)
    overdue: bool = False
    sort: str = "due"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args, per_page=20) -> "InboxFilter":
        def as_int(v, default=None):
            try:
                return int(v)
            except (TypeError, ValueError):
                return default
        sort = args.get("sort", "due")
        return cls(scope=args.get("scope", "all") if args.get("scope") in ("all", "mine", "group") else "all",
                   process=args.get("process") or None, task=args.get("task") or None,
                   subject=parse_id(args.get("subject", args.get("agency"))),  # "agency": its former name
                   overdue=args.get("overdue") in ("1", "true", "y", "on"),
                   sort=sort if sort in SORTS else "due", page=page_number(args.get("page")),
                   per_page=min(100, max(1, as_int(args.get("per_page"), per_page))))


@dataclass
class InboxPage:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def inbox(user, flt: InboxFilter) -> InboxPage:
    where = [eligible_clause(user)]
    if flt.scope == "mine":
        where.append(WorkTask.assignee_id == user.id)
    elif flt.scope == "group":
        where.append(WorkTask.assignee_id.is_(None))
    if flt.process:
        where.append(WorkTask.process_key == flt.process)
    if flt.task:
        where.append(WorkTask.spec_name == flt.task)
    if flt.subject:
        where.append(WorkTask.subject_org_id == flt.subject)
    if flt.overdue:
        where.append(WorkTask.due_at < utcnow())
    total = db.session.scalar(select(func.count()).select_from(WorkTask).where(*where))
    items = list(db.session.scalars(
        select(WorkTask).where(*where).order_by(*SORTS[flt.sort])
        .options(selectinload(WorkTask.case), selectinload(WorkTask.assignee), selectinload(WorkTask.subject_org))
        .offset((flt.page - 1) * flt.per_page).limit(flt.per_page)))
    return InboxPage(items, total, flt.page, flt.per_page)


def facets(user) -> dict:
    """Values the filters can take for this user (processes, task names, the organisations
    the cases are about)."""
    base = select(WorkTask).where(eligible_clause(user)).subquery()
    processes = list(db.session.scalars(select(base.c.process_key).distinct()))
    tasks = list(db.session.execute(select(base.c.spec_name, base.c.name).distinct()))
    Organisation = Case.subject_org.property.mapper.class_  # the engine names no user package
    orgs = list(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(select(base.c.subject_org_id))).order_by(Organisation.name)))
    return {"processes": processes, "tasks": tasks, "subjects": orgs}
