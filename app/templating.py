"""Template filters and helpers: local times and labels in the reader's language."""
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from .auth.roles import ROLES
from .complaints.status import CATEGORIES, MEASURES, RESULTS, label, status_label
from .engine.clock import as_aware

SUMMARY_LABELS = {
    "type": _l("Type"), "agency": _l("Agency"), "category": _l("Category"), "status": _l("Status"),
    "facts": _l("Facts"), "complainant": _l("Complainant"), "rejection_reason": _l("Reason for rejection"),
    "agency_response": _l("Agency response"), "mediation_summary": _l("Mediation"),
    "arbitration_result": _l("Arbitration decision"), "findings": _l("Findings"), "measure": _l("Measure"),
}

EVENT_LABELS = {
    "case.started": _l("Case started"), "case.completed": _l("Case completed"),
    "task.created": _l("Task ready"), "task.completed": _l("Task completed"), "task.claimed": _l("Task claimed"),
    "task.released": _l("Task released"), "task.cancelled": _l("Task withdrawn"),
    "timer.fired": _l("Deadline passed"), "complaint.status": _l("Status"),
    "arbitration.panel_drawn": _l("Arbitration panel drawn"),
    "agency.rating_review_due": _l("Rating review due"), "definition.deployed": _l("Process deployed"),
    "calendar.override": _l("Calendar changed"),
}


def localdt(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai"))
    return as_aware(value).astimezone(tz).strftime(fmt)


def event_text(event) -> str:
    if event.kind == "complaint.status":
        return status_label(event.summary)
    return event.summary


def register(app):
    app.add_template_filter(localdt, "localdt")
    app.add_template_global(lambda s: status_label(s), "status_label")
    app.add_template_global(lambda k: label(CATEGORIES, k), "category_label")
    app.add_template_global(lambda k: label(RESULTS, k), "result_label")
    app.add_template_global(lambda k: label(MEASURES, k), "measure_label")
    app.add_template_global(lambda r: str(ROLES.get(r, r)), "role_label")
    app.add_template_global(lambda k: str(EVENT_LABELS.get(k, k)), "event_label")
    app.add_template_global(event_text, "event_text")
    app.add_template_global(SUMMARY_LABELS, "summary_labels")
