"""Who hears about what. Messages are stored as a kind with parameters and worded
in the reader's language when shown."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, update

from ..auth.models import User
from ..auth.roles import ORGANISATION_ROLES
from ..engine.clock import utcnow
from ..extensions import db
from .models import Notification


def notify(user_ids, kind: str, params: dict, *, case_id=None, link=None) -> None:
    now = utcnow()
    rows = [dict(user_id=uid, kind=kind, params=params, case_id=case_id, link=link, created_at=now)
            for uid in sorted(set(user_ids))]
    if rows:
        db.session.execute(insert(Notification), rows)


def notify_task_offered(task, candidate_ids: list[int], case_title: str) -> None:
    """Tell the people who may do a new task that it is waiting for them."""
    if candidate_ids:
        ids = candidate_ids
    else:
        query = select(User.id).where(User.role == task.role, User.active.is_(True))
        if task.role in ORGANISATION_ROLES or task.candidate_org_id:
            query = query.where(User.organisation_id == task.candidate_org_id)
        ids = list(db.session.scalars(query))
    notify(ids, "task_offered", {"task": task.name, "case": case_title},
           case_id=task.case_id, link=f"/tasks/{task.id}")


def on_task_created(_form_key, *, case, task, candidates, **_) -> None:
    """Subscribed to ``events.task_created``."""
    notify_task_offered(task, candidates, case.title)


def organisation_members(org_id: int | None) -> list[int]:
    if not org_id:
        return []
    return list(db.session.scalars(select(User.id).where(User.organisation_id == org_id,
                                                         User.role.in_(list(ORGANISATION_ROLES)),
                                                         User.active.is_(True))))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def for_user(user, limit=50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


def message(n: Notification) -> str:
    p = n.params or {}
    if n.kind == "task_offered":
        return _("New task: %(task)s (%(case)s)", task=p.get("task", ""), case=p.get("case", ""))
    if n.kind == "case_update":
        from ..engine.registry import status_label
        return _("%(case)s: %(status)s", case=p.get("case", ""),
                 status=status_label(p.get("process", ""), p.get("status", "")))
    return n.kind
