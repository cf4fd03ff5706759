"""The JSON API under /api/v1. Every view calls the same engine and domain services as
the HTML pages, so permissions are the same; errors are JSON (app/errors.py):
``{"error": {"status", "message", "fields"}}``."""
from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, selectinload

from ..auth.models import User
from ..auth import services as auth_services
from ..auth.services import authenticate, issue_token
from ..auth.throttle import password_checks
from ..engine import cases, registry, runtime
from ..engine.forms import payload_to_formdata
from ..engine.inbox import InboxFilter, inbox
from ..engine.models import Case, ProcessDefinition, WorkTask, task_candidate_user
from ..extensions import db
from ..engine.guards import page_number
from .blueprint import bp
from .auth import ApiError, check_field_values, json_object, token_optional, token_required
from .openapi import document
from .serializers import (case_detail_json, case_json, definition_json, iso, task_detail_json,
                          task_json)

MAX_PER_PAGE = 100


@bp.after_request
def _headers(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="jianping"'
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _paging(default_per_page: int = 20) -> tuple[int, int]:
    page = page_number(request.args.get("page"))
    try:
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        per_page = default_per_page
    per_page = min(MAX_PER_PAGE, max(1, per_page))
    return page, per_page


def _page_json(items, total, page, per_page) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page))}


# --- tokens ------------------------------------------------------------------------------

def _token_refused(response) -> bool:
    return response.status_code == 401


@bp.post("/tokens")
@password_checks(_token_refused)
def create_token():
    body = json_object()
    username, password = body.get("username"), body.get("password")
    errors = {name: ["required (a string)"] for name, value in (("username", username), ("password", password))
              if not isinstance(value, str) or not value}
    if errors:
        raise ApiError(422, "username and password are required", errors)
    user = authenticate(username, password)
    if user is None:
        raise ApiError(401, "wrong username or password")
    token, row = issue_token(user)
    return jsonify({"token": token, "token_type": "Bearer", "expires_at": iso(row.expires_at),
                    "user": {"id": user.id, "username": user.username, "name": user.display_name,
                             "role": user.role, "organisation_id": user.organisation_id}}), 201


def _token_json(row, current_id) -> dict:
    return {"id": row.id, "created_at": iso(row.created_at), "expires_at": iso(row.expires_at),
            "current": row.id == current_id}


@bp.get("/tokens")
@token_required
def list_tokens():
    """The caller's own unexpired tokens (never the token strings: only their hashes are kept)."""
    current = g.get("api_token_id")
    return jsonify({"items": [_token_json(row, current) for row in auth_services.tokens_of(g.api_user)]})


@bp.delete("/tokens/<int:token_id>")
@token_required
def revoke_token(token_id):
    if not auth_services.revoke_token(g.api_user, token_id):
        raise ApiError(404, "no such token of yours")
    return "", 204


# --- process definitions (staff) ---------------------------------------------------------

def _require_staff():
    if not g.api_user.is_staff:
        raise ApiError(403, "only staff may read process definitions")


@bp.get("/process-definitions")
@token_required
def list_definitions():
    _require_staff()
    newest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    rows = db.session.scalars(select(ProcessDefinition).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))
        .order_by(ProcessDefinition.key))
    return jsonify({"items": [definition_json(d) for d in rows]})


@bp.get("/process-definitions/<key>")
@token_required
def definition_versions(key):
    _require_staff()
    rows = list(db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                   .order_by(ProcessDefinition.version.desc())))
    if not rows:
        raise ApiError(404, f"no process {key!r}")
    return jsonify({"key": key, "name": rows[0].name, "versions": [definition_json(d) for d in rows]})


# --- cases -------------------------------------------------------------------------------

@bp.post("/cases")
@token_optional
def start_case():
    body = json_object()
    process, data = body.get("process"), body.get("data", {})
    if not isinstance(process, str) or not process:
        raise ApiError(422, "say which process to start", {"process": ["required (a process key)"]})
    if not isinstance(data, dict):
        raise ApiError(422, "data must be an object of field values", {"data": ["must be an object"]})
    errors = check_field_values(data)
    if errors:
        raise ApiError(422, "some field values have the wrong type", errors)
    starter = registry.case_starter_for(process)
    if starter is None:
        raise ApiError(404, f"no process {process!r} can be started through the API")
    user = g.api_user
    case = starter(payload_to_formdata(data), user)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    if runtime.can_view_case(case, user):
        out = case_detail_json(case, user)
        return jsonify(out | _receipt(case)), 201, {"Location": url_for("api.get_case", case_id=case.id)}
    out = case_json(case)  # e.g. an anonymous filer: not the case itself, but a receipt
    return jsonify(out | _receipt(case)), 201


def _receipt(case) -> dict:
    """How the filer follows a case they may not be able to open (e.g. a public complaint)."""
    fn = registry.case_receipt_for(case.process_key)
    return fn(case) if fn else {}


def _candidate_cases(user):
    """A superset of the cases a non-staff user may see, as SQL; ``runtime.can_view_case``
    decides for each one. (Cases the user worked on or is offered, cases about or
    started from the user's organisation, cases the user started.)"""
    uid = user.id
    involved = select(WorkTask.case_id).where(or_(
        WorkTask.completed_by_id == uid, WorkTask.assignee_id == uid,
        WorkTask.id.in_(select(task_candidate_user.c.task_id).where(task_candidate_user.c.user_id == uid)),
        runtime.eligible_clause(user)))
    conditions = [Case.id.in_(involved), Case.started_by_id == uid]
    if user.organisation_id:
        conditions.append(Case.subject_org_id == user.organisation_id)
        conditions.append(Case.started_by_id.in_(select(User.id).where(User.organisation_id == user.organisation_id)))
    return or_(*conditions)


@bp.get("/cases")
@token_required
def list_cases():
    user = g.api_user
    page, per_page = _paging()
    query = select(Case).options(defer(Case.state), selectinload(Case.definition), selectinload(Case.subject_org))
    if request.args.get("process"):
        query = query.where(Case.process_key == request.args["process"])
    if request.args.get("status"):
        query = query.where(Case.status == request.args["status"])
    query = query.order_by(Case.id.desc())
    if user.is_staff:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    else:
        visible = [c for c in db.session.scalars(query.where(_candidate_cases(user)))
                   if runtime.can_view_case(c, user)]
        total = len(visible)
        items = visible[(page - 1) * per_page:page * per_page]
    return jsonify(_page_json([case_json(c) for c in items], total, page, per_page))


@bp.get("/cases/<int:case_id>")
@token_required
def get_case(case_id):
    case = runtime.get_case(case_id, g.api_user)
    return jsonify(case_detail_json(case, g.api_user))


def _case_operation(case_id, operation):
    body = json_object()
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise ApiError(422, "the reason must be a string", {"reason": ["must be a string"]})
    operation(case_id, g.api_user, reason)
    db.session.expire_all()
    return jsonify(case_detail_json(db.session.get(Case, case_id), g.api_user))


@bp.post("/cases/<int:case_id>/cancel")
@token_required
def cancel_case(case_id):
    return _case_operation(case_id, cases.cancel_case)


@bp.post("/cases/<int:case_id>/suspend")
@token_required
def suspend_case(case_id):
    return _case_operation(case_id, cases.suspend_case)


@bp.post("/cases/<int:case_id>/resume")
@token_required
def resume_case(case_id):
    return _case_operation(case_id, cases.resume_case)


# --- tasks -------------------------------------------------------------------------------

@bp.get("/tasks")
@token_required
def list_tasks():
    flt = InboxFilter.from_args(request.args, per_page=current_app.config["INBOX_PAGE_SIZE"])
    result = inbox(g.api_user, flt)
    return jsonify({"items": [task_json(t) for t in result.items], "total": result.total, "page": result.page,
                    "per_page": result.per_page, "pages": result.pages})


@bp.get("/tasks/<int:task_id>")
@token_required
def get_task(task_id):
    task = runtime.get_task(task_id, g.api_user)
    return jsonify(task_detail_json(task, g.api_user))


@bp.post("/tasks/<int:task_id>/claim")
@token_required
def claim_task(task_id):
    task = runtime.claim_task(task_id, g.api_user)
    return jsonify(task_json(task, g.api_user))


@bp.post("/tasks/<int:task_id>/release")
@token_required
def release_task(task_id):
    task = runtime.release_task(task_id, g.api_user)
    return jsonify(task_json(task, g.api_user))


@bp.post("/tasks/<int:task_id>/complete")
@token_required
def complete_task(task_id):
    body = json_object()
    errors = check_field_values(body)
    if errors:
        raise ApiError(422, "some field values have the wrong type", errors)
    user = g.api_user
    case = runtime.complete_task(task_id, user, payload=body)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    return jsonify(case_detail_json(case, user) if runtime.can_view_case(case, user) else case_json(case))


# --- public ------------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi():
    return jsonify(document(server_url=request.host_url.rstrip("/") + bp.url_prefix))
