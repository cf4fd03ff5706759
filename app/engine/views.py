"""Thin views over the engine services: inbox, task, case page, documents, calendar."""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from sqlalchemy import inspect as sa_inspect

from .access import is_staff
from ..extensions import db
from . import audit, cases, documents, errors, incidents, registry, runtime
from . import doctor as engine_doctor
from .guards import safe_next
from .inbox import InboxFilter, facets, inbox as inbox_query
from .models import Document, HolidayOverride, WorkTask

bp = Blueprint("engine", __name__)

FILTER_KEYS = ("scope", "process", "task", "subject", "overdue", "sort", "per_page")


@bp.get("/inbox")
@login_required
def inbox():
    args = request.args
    if not any(k in args for k in FILTER_KEYS + ("page",)) and session.get("inbox_filter"):
        args = session["inbox_filter"]  # saved filters persist
    elif any(k in args for k in FILTER_KEYS):
        session["inbox_filter"] = {k: args[k] for k in FILTER_KEYS if args.get(k)}
    flt = InboxFilter.from_args(args, per_page=current_app.config["INBOX_PAGE_SIZE"])
    page = inbox_query(current_user, flt)
    return render_template("engine/inbox.html", page=page, flt=flt, facets=facets(current_user))


def _task_page(task, form, status=200):
    case = task.case
    summary_fn = registry.case_summary_for(case.process_key)
    return render_template(
        "engine/task.html", task=task, form=form, case=case,
        summary=summary_fn(case, current_user) if summary_fn else [],
        can_work=runtime.can_work(task, current_user),
        documents=documents.for_case(case.id) if runtime.can_view_case(case, current_user) else [],
        binding=registry.form_binding(task.form_key)), status


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id):
    task = runtime.get_task(task_id, current_user)
    return _task_page(task, runtime.build_form(task))


@bp.post("/tasks/<int:task_id>")
@login_required
def complete(task_id):
    try:
        case = runtime.complete_task(task_id, current_user, formdata=CombinedMultiDict([request.files, request.form]))
    except errors.InvalidSubmission as exc:
        task = runtime.get_task(task_id, current_user)
        return _task_page(task, exc.form, 422)
    except incidents.ProcessFailure as exc:
        # the diagram failed (recorded as an incident): nothing was saved; the form keeps
        # what the user typed
        db.session.rollback()
        flash(str(exc.message), "error")
        task = runtime.get_task(task_id, current_user)
        form = runtime.build_form(task, formdata=CombinedMultiDict([request.files, request.form]))
        return _task_page(task, form, exc.status)
    except errors.Conflict as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("engine.task", task_id=task_id)), 303
    flash(_("Task completed."), "success")
    # Whoever completed a task may see its case; the identity avoids reloading the expired row.
    return redirect(url_for("engine.case", case_id=sa_inspect(case).identity[0]))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id):
    runtime.claim_task(task_id, current_user)
    flash(_("Task claimed."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("engine.task", task_id=task_id)))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release(task_id):
    runtime.release_task(task_id, current_user)
    flash(_("Task released."), "success")
    return redirect(url_for("engine.inbox"))


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id):
    return _case_page(runtime.get_case(case_id, current_user))


def _case_page(case, status=200, action_error=None, reason=""):
    summary_fn = registry.case_summary_for(case.process_key)
    tasks = list(db.session.scalars(db.select(WorkTask).where(WorkTask.case_id == case.id)
                                    .order_by(WorkTask.id)))
    current = ("open", "suspended")
    return render_template(
        "engine/case.html", case=case, summary=summary_fn(case, current_user) if summary_fn else [],
        open_tasks=[t for t in tasks if t.status in current],
        done_tasks=[t for t in tasks if t.status not in current],
        events=audit.timeline(case.id, internal=is_staff(current_user)), documents=documents.for_case(case.id),
        incidents=incidents.for_case(case.id, current_user),
        can_work=lambda t: runtime.can_work(t, current_user),
        case_actions=cases.actions_for(case, current_user), action_error=action_error, reason=reason), status


CASE_OPERATIONS = {"cancel": cases.cancel_case, "suspend": cases.suspend_case, "resume": cases.resume_case}
DONE_MESSAGES = {"cancel": _l("Case cancelled."), "suspend": _l("Case suspended."), "resume": _l("Case resumed.")}


@bp.post("/cases/<int:case_id>/<any(cancel, suspend, resume):action>")
@login_required
def case_action(case_id, action):
    reason = request.form.get("reason", "")
    try:
        CASE_OPERATIONS[action](case_id, current_user, reason)
    except (cases.InvalidReason, errors.Conflict) as exc:
        db.session.rollback()
        case = runtime.get_case(case_id, current_user)
        return _case_page(case, exc.status, action_error=str(exc.message), reason=reason)
    flash(str(DONE_MESSAGES[action]), "success")
    return redirect(url_for("engine.case", case_id=case_id), 303)


@bp.get("/documents/<int:doc_id>")
@login_required
def document(doc_id):
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.case_id is None:
        abort(404)
    runtime.get_case(doc.case_id, current_user)  # 404 unless the user may see the case
    if not documents.path_of(doc).is_file():
        abort(404)
    kind, inline = documents.served_type(doc)  # from the bytes, never the uploader's claim
    response = send_file(documents.path_of(doc), mimetype=kind, as_attachment=not inline,
                         download_name=doc.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- working-day calendar overrides (administrators) ----------------------------------------

@bp.route("/admin/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    from .deadlines import current_calendar, require_calendar_admin, set_override
    require_calendar_admin(current_user)
    error = None
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            error = _("Give a date as YYYY-MM-DD.")
        else:
            working = None if request.form.get("action") == "delete" else request.form.get("kind") == "working"
            set_override(current_user, day, working=working, note=request.form.get("note", ""))
            return redirect(url_for("engine.calendar"))
    overrides = list(db.session.scalars(db.select(HolidayOverride).order_by(HolidayOverride.day)))
    return render_template("engine/calendar.html", overrides=overrides, error=error,
                           calendar=current_calendar(), today=date.today()), (400 if error else 200)


# --- the engine doctor (administrators) -----------------------------------------------------

@bp.get("/admin/engine/doctor")
@login_required
def doctor():
    return render_template("engine/doctor.html", stuck=engine_doctor.stuck_cases_for(current_user))


@bp.post("/admin/engine/doctor/<int:case_id>/rerun")
@login_required
def doctor_rerun(case_id):
    try:
        moved = engine_doctor.rerun_by(current_user, case_id)
    except errors.Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The case moved on.") if moved else _("The engine ran; the case is still stuck."),
              "success" if moved else "error")
    return redirect(url_for("engine.doctor")), 303


# --- incidents (administrators) ---------------------------------------------------------------

@bp.get("/admin/incidents")
@login_required
def incident_list():
    return render_template("engine/incidents.html", incidents=incidents.open_incidents(current_user),
                           resolved=incidents.recently_resolved(current_user))


@bp.post("/admin/incidents/<int:incident_id>/retry")
@login_required
def incident_retry(incident_id):
    try:
        engine_doctor.retry_incident(incident_id, current_user)
    except incidents.ProcessFailure as exc:
        db.session.rollback()
        flash(_("The retry failed again; the incident stays open: %(error)s", error=exc.detail), "error")
    else:
        flash(_("The case ran again; its incidents are resolved."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("engine.incident_list")))
