"""Thin views over the engine services: inbox, task, case page, documents, calendar."""
from __future__ import annotations

from datetime import date

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from sqlalchemy import inspect as sa_inspect

from ..extensions import db
from . import audit, documents, registry, runtime
from .inbox import InboxFilter, facets, inbox as inbox_query
from .models import Document, HolidayOverride, WorkTask

bp = Blueprint("engine", __name__)

FILTER_KEYS = ("scope", "process", "task", "agency", "overdue", "sort", "per_page")


@bp.get("/inbox")
@login_required
def inbox():
    args = request.args
    if not any(k in args for k in FILTER_KEYS + ("page",)) and session.get("inbox_filter"):
        args = session["inbox_filter"]  # saved filters persist
    elif any(k in args for k in FILTER_KEYS):
        session["inbox_filter"] = {k: args[k] for k in FILTER_KEYS if args.get(k)}
    flt = InboxFilter.from_args(args, per_page=20)
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
    except runtime.InvalidSubmission as exc:
        task = runtime.get_task(task_id, current_user)
        return _task_page(task, exc.form, 422)
    except runtime.Conflict as exc:
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
    return redirect(request.form.get("next") or url_for("engine.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release(task_id):
    runtime.release_task(task_id, current_user)
    flash(_("Task released."), "success")
    return redirect(url_for("engine.inbox"))


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id):
    case = runtime.get_case(case_id, current_user)
    summary_fn = registry.case_summary_for(case.process_key)
    tasks = list(db.session.scalars(db.select(WorkTask).where(WorkTask.case_id == case.id)
                                    .order_by(WorkTask.id)))
    return render_template(
        "engine/case.html", case=case, summary=summary_fn(case, current_user) if summary_fn else [],
        open_tasks=[t for t in tasks if t.status == "open"], done_tasks=[t for t in tasks if t.status != "open"],
        events=audit.timeline(case.id), documents=documents.for_case(case.id),
        can_work=lambda t: runtime.can_work(t, current_user))


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
    if not current_user.is_admin:
        abort(403)
    from .deadlines import current_calendar, set_override
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
