"""Template filters and helpers shared by every page: local times, role and audit-event labels."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from .auth import permissions
from .auth.roles import ROLES
from .engine import registry
from .engine.clock import as_aware

registry.event_labels({
    "case.started": _l("Case started"), "case.completed": _l("Case completed"),
    "task.created": _l("Task ready"), "task.completed": _l("Task completed"), "task.claimed": _l("Task claimed"),
    "task.released": _l("Task released"), "task.cancelled": _l("Task withdrawn"),
    "timer.fired": _l("Deadline passed"), "definition.deployed": _l("Process deployed"),
    "calendar.override": _l("Calendar changed"),
    "case.cancelled": _l("Case cancelled"), "case.suspended": _l("Case suspended"), "case.resumed": _l("Case resumed"),
    "incident.opened": _l("Incident recorded"), "incident.resolved": _l("Incident resolved"),
    "incident.retry_failed": _l("Incident retry failed"),
})


def localdt(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai"))
    return as_aware(value).astimezone(tz).strftime(fmt)


def localdue(value, fmt="%Y-%m-%d %H:%M"):
    """A deadline: the end of a day (next day 00:00 local) reads as that day's 23:59."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai"))
    local = as_aware(value).astimezone(tz)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        local -= timedelta(minutes=1)
    return local.strftime(fmt)


def event_text(event) -> str:
    """A status event shows the domain's words for the status."""
    if event.kind.endswith(".status") and event.case_id:
        from .engine.models import Case
        from .extensions import db
        case = db.session.get(Case, event.case_id)
        return registry.status_label(case.process_key, event.summary) if case else event.summary
    return event.summary


def register(app):
    app.add_template_filter(localdt, "localdt")
    app.add_template_filter(localdue, "localdue")
    app.add_template_global(lambda r: str(ROLES.get(r, r)), "role_label")
    app.add_template_global(registry.event_label, "event_label")
    app.add_template_global(event_text, "event_text")
    # Templates ask these (or the model), never compare role names.
    app.add_template_global(permissions.nav_items, "nav_items")
    for name in ("is_signed_in", "is_admin", "is_staff", "is_expert", "is_reviewer", "is_agency",
                 "is_enterprise", "is_certifier"):
        app.add_template_global(getattr(permissions, name), name)
