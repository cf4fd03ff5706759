"""Thin views of the process designer (administrators only)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import select_locale
from ..auth.roles import ROLES
from ..engine import registry, runtime
from ..engine.errors import EngineError
from ..extensions import db
from . import rules, services

bp = Blueprint("designer", __name__, url_prefix="/admin/designer")


@bp.before_request
@login_required
def _admins_only():
    services.require_admin(current_user)


def _json_error(exc: EngineError):
    db.session.rollback()
    problems = [p.as_dict() for p in getattr(exc, "problems", [])]
    return jsonify({"error": exc.message, "problems": problems}), exc.status


def _json_body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


# --- the list ------------------------------------------------------------------------------

@bp.get("/")
def index(error=None, status=200):
    return render_template("designer/index.html", processes=services.processes(current_user),
                           drafts=services.drafts(current_user), roles=ROLES, error=error,
                           form=request.form), status


@bp.post("/new")
def new():
    try:
        draft = services.new_draft(current_user, (request.form.get("key") or "").strip(),
                                   (request.form.get("name") or "").strip(), request.form.get("lane") or "handler")
    except services.DesignerError as exc:
        db.session.rollback()
        return index(error=exc.message, status=422)
    return redirect(url_for("designer.edit", draft_id=draft.id))


@bp.post("/upload")
def upload():
    file = request.files.get("file")
    if file is None or not file.filename:
        return index(error=_("Choose a .bpmn file."), status=422)
    from ..engine.definitions import max_bytes
    content = file.read(max_bytes() + 1)
    try:
        draft = services.create_draft(current_user, content, source=file.filename)
    except services.DesignerError as exc:
        db.session.rollback()
        return index(error=_("The file cannot be opened: %(error)s", error=exc.message), status=422)
    flash(_("Uploaded; check the diagram, then deploy it."), "success")
    return redirect(url_for("designer.edit", draft_id=draft.id))


# --- drafts --------------------------------------------------------------------------------

@bp.get("/drafts/<int:draft_id>")
def edit(draft_id):
    draft = services.get_draft(current_user, draft_id)
    config = {
        "xmlUrl": url_for("designer.draft_xml", draft_id=draft.id),
        "saveUrl": url_for("designer.save", draft_id=draft.id),
        "validateUrl": url_for("designer.validate"),
        "deployUrl": url_for("designer.deploy", draft_id=draft.id),
        "downloadName": f"{draft.key or 'diagram'}.bpmn",
        "forms": [[k, f"{k} · {registry.form_binding(k).title}" if registry.form_binding(k).title else k]
                  for k in registry.form_keys()],
        "roles": [[code, f"{code} · {label}"] for code, label in ROLES.items()],
        "lang": str(select_locale()),
        "labels": _labels(),
        "types": _type_labels(),
    }
    return render_template("designer/edit.html", draft=draft, config=config)


def _type_labels() -> dict:
    """BPMN element types as the properties form names them."""
    return {
        "UserTask": _("User task"), "ScriptTask": _("Script task"), "ServiceTask": _("Service task"),
        "ManualTask": _("Manual task"), "Task": _("Task"), "SequenceFlow": _("Sequence flow"),
        "ExclusiveGateway": _("Exclusive gateway"), "ParallelGateway": _("Parallel gateway"),
        "InclusiveGateway": _("Inclusive gateway"), "EventBasedGateway": _("Event-based gateway"),
        "StartEvent": _("Start event"), "EndEvent": _("End event"), "BoundaryEvent": _("Boundary event"),
        "IntermediateCatchEvent": _("Intermediate catch event"),
        "IntermediateThrowEvent": _("Intermediate throw event"), "Lane": _("Lane"),
        "Participant": _("Pool"), "Process": _("Process"), "SubProcess": _("Sub-process"),
        "CallActivity": _("Call activity"),
    }


def _labels() -> dict:
    """The designer's own texts, in the page's language."""
    return {
        "Select an element to edit its properties.": _("Select an element to edit its properties."),
        "Role (lane name)": _("Role (lane name)"),
        "Name": _("Name"),
        "Form": _("Form"),
        "Lane (role)": _("Lane (role)"),
        "none — put the task in a lane": _("none — put the task in a lane"),
        "Due in (e.g. 10 working days)": _("Due in (e.g. 10 working days)"),
        "Due date (expression)": _("Due date (expression)"),
        "Candidate organisation (expression)": _("Candidate organisation (expression)"),
        "Candidate users (expression)": _("Candidate users (expression)"),
        "Assignee (expression)": _("Assignee (expression)"),
        "Script (Python)": _("Script (Python)"),
        "Condition (expression)": _("Condition (expression)"),
        "Default flow of the gateway": _("Default flow of the gateway"),
        "Timer": _("Timer"),
        "Timer value": _("Timer value"),
        "Duration (e.g. 10 working days, 3 days)": _("Duration (e.g. 10 working days, 3 days)"),
        "Date (expression → ISO date-time)": _("Date (expression → ISO date-time)"),
        "Cycle": _("Cycle"),
        "The diagram has problems; see the list.": _("The diagram has problems; see the list."),
        "No problems found.": _("No problems found."),
        "Draft saved.": _("Draft saved."),
        "Could not save the draft.": _("Could not save the draft."),
        "Open the version": _("Open the version"),
        "Opened with warnings:": _("Opened with warnings:"),
    }


@bp.get("/drafts/<int:draft_id>/xml")
def draft_xml(draft_id):
    draft = services.get_draft(current_user, draft_id)
    return Response(draft.content, mimetype="application/xml")


@bp.get("/drafts/<int:draft_id>/download")
def draft_download(draft_id):
    draft = services.get_draft(current_user, draft_id)
    return _attachment(draft.content, f"{draft.key or 'diagram'}-draft{draft.id}.bpmn")


@bp.post("/drafts/<int:draft_id>")
def save(draft_id):
    body = _json_body()
    if not isinstance(body.get("xml"), str):
        return jsonify({"error": _("No diagram was sent."), "problems": []}), 422
    try:
        draft = services.save_draft(current_user, draft_id, body["xml"])
    except EngineError as exc:
        return _json_error(exc)
    return jsonify({"ok": True, "draft": draft.id, "key": draft.key})


@bp.post("/drafts/<int:draft_id>/delete")
def delete(draft_id):
    services.delete_draft(current_user, draft_id)
    flash(_("Draft deleted."), "success")
    return redirect(url_for("designer.index"))


@bp.post("/validate")
def validate():
    body = _json_body()
    if not isinstance(body.get("xml"), str):
        return jsonify({"error": _("No diagram was sent."), "problems": []}), 422
    problems = services.validate_content(body["xml"])
    return jsonify({"ok": not problems, "problems": [p.as_dict() for p in problems]})


@bp.post("/drafts/<int:draft_id>/deploy")
def deploy(draft_id):
    body = _json_body()
    xml = body.get("xml") if isinstance(body.get("xml"), str) else None
    comment = body.get("comment") if isinstance(body.get("comment"), str) else None
    try:
        definition, created = services.deploy_draft(current_user, draft_id, xml, comment)
    except EngineError as exc:
        return _json_error(exc)
    message = (_("Deployed as version %(version)s.", version=definition.version) if created
               else _("Unchanged: the newest version %(version)s already has this content.",
                      version=definition.version))
    return jsonify({"ok": True, "created": created, "version": definition.version, "message": message,
                    "url": url_for("designer.version", definition_id=definition.id)}), (201 if created else 200)


# --- versions ------------------------------------------------------------------------------

@bp.get("/versions/<int:definition_id>")
def version(definition_id):
    definition = services.get_definition(current_user, definition_id)
    rows = services.processes(current_user).get(definition.key, [])
    return render_template("designer/version.html", definition=definition, rows=rows,
                           previous=services.previous_version(definition),
                           diff=services.version_diff(definition))


@bp.get("/versions/<int:definition_id>/diagram.json")
def version_diagram(definition_id):
    definition = services.get_definition(current_user, definition_id)
    diff = services.version_diff(definition)
    if request.args.get("side") == "previous":
        previous = services.previous_version(definition)
        if previous is None:
            return jsonify({"error": _("First version.")}), 404
        return jsonify({"xml": previous.content, "markers": services.removed_markers(diff), "overlays": {}})
    markers, overlays = services.diff_markers(diff)
    return jsonify({"xml": definition.content, "markers": markers, "overlays": overlays})


@bp.get("/versions/<int:definition_id>/download")
def version_download(definition_id):
    definition = services.get_definition(current_user, definition_id)
    return _attachment(definition.content, f"{definition.key}-v{definition.version}.bpmn")


@bp.post("/versions/<int:definition_id>/edit")
def edit_version(definition_id):
    definition = services.get_definition(current_user, definition_id)
    draft = services.create_draft(current_user, definition.content, source=definition.source, base=definition)
    return redirect(url_for("designer.edit", draft_id=draft.id))


@bp.post("/versions/<int:definition_id>/rollback")
def rollback(definition_id):
    try:
        definition = services.rollback(current_user, definition_id, request.form.get("comment"))
    except services.DesignerError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("designer.version", definition_id=definition_id)), 303
    flash(_("Deployed as version %(version)s.", version=definition.version), "success")
    return redirect(url_for("designer.version", definition_id=definition.id))


# --- migration -----------------------------------------------------------------------------

@bp.get("/versions/<int:definition_id>/migrate")
def migration(definition_id):
    target_id = request.args.get("to", type=int)
    source = services.get_definition(current_user, definition_id)
    target = services.latest_version(source) if target_id is None else services.get_definition(current_user, target_id)
    try:
        source, target, checks = services.check_migration(current_user, source.id, target.id)
    except services.DesignerError as exc:
        flash(exc.message, "error")
        return redirect(url_for("designer.version", definition_id=definition_id)), 303
    return render_template("designer/migrate.html", source=source, target=target, checks=checks, report=None)


@bp.post("/versions/<int:definition_id>/migrate")
def migrate(definition_id):
    target_id = request.form.get("to", type=int)
    ids = [int(i) for i in request.form.getlist("case") if i.isdigit()]
    try:
        report = services.migrate(current_user, definition_id, target_id or 0, ids or None)
    except services.DesignerError as exc:
        flash(exc.message, "error")
        return redirect(url_for("designer.version", definition_id=definition_id)), 303
    source, target, checks = services.check_migration(current_user, definition_id, target_id)
    return render_template("designer/migrate.html", source=source, target=target, checks=checks, report=report)


def _attachment(content: str, filename: str) -> Response:
    return Response(content, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- a case's diagram (anyone who may see the case) ----------------------------------------

case_bp = Blueprint("case_diagram", __name__)


@case_bp.get("/cases/<int:case_id>/diagram.json")
@login_required
def case_diagram(case_id):
    case = runtime.get_case(case_id, current_user)
    return jsonify(services.case_diagram(case, current_user))
