"""Complaint rules wired to the engine: filing, status, panel drawing, decisions,
publication and the agency's record. Views call these; these check who may act."""
from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth import roles
from ..auth.models import Organisation
from ..auth.permissions import is_anonymous, is_enterprise, is_reviewer, is_signed_in
from ..engine import clock, documents, registry, runtime
from ..engine.audit import record
from ..engine.forms import select_choices
from ..engine.runtime import CompletionContext
from ..engine.errors import EngineError, Forbidden, InvalidSubmission, NotFound
from ..events import complaint_verified
from ..extensions import db
from .. import facts
from ..notifications.services import notify, organisation_members
from ..panels import services as panels
from . import PROCESS_KEY, forms as _forms, rules  # forms first: it registers the task forms
from .models import ArbitrationOpinion, Complaint
from .status import status_label

registry.status_labels(PROCESS_KEY)(status_label)
registry.event_labels({
    "complaint.status": _l("Status changed"), "arbitration.panel_drawn": _l("Arbitration panel drawn (experts)"),
})


# --- queries -------------------------------------------------------------------------------

def registered_agencies() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == "agency",
                                                              Organisation.registered.is_(True))
                                   .order_by(Organisation.name)))


def complaint_for_case(case_id: int) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.case_id == case_id))


def by_tracking_token(token: str) -> Complaint:
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_token == token)) if token else None
    if complaint is None:
        raise NotFound(_l("complaint not found"))
    return complaint


def visible_to(user) -> list[Complaint]:
    """The complaints a user may list: staff all, an enterprise its own, an agency those about it."""
    query = select(Complaint).order_by(Complaint.id.desc())
    if user.is_staff:
        pass
    elif user.role == roles.ENTERPRISE:
        query = query.where((Complaint.complainant_user_id == user.id)
                            | (Complaint.complainant_org_id == user.organisation_id))
    elif user.role == roles.AGENCY:
        query = query.where(Complaint.agency_id == user.organisation_id)
    else:
        return []
    return list(db.session.scalars(query.limit(200)))


def published_decisions(limit: int = 100, offset: int = 0) -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(Complaint.published_at.is_not(None))
                                   .order_by(Complaint.published_at.desc()).offset(offset).limit(limit)))


@facts.provides("complaints.verified")
def verified_facts(agency_id: int) -> list[dict]:
    """The agency's verified complaints and reports, newest first (for the rating)."""
    return [{"verified_at": at, "serious": bool(serious)} for at, serious in db.session.execute(
        select(Complaint.verified_at, Complaint.serious).where(Complaint.agency_id == agency_id,
                                                               Complaint.verified_at.is_not(None))
        .order_by(Complaint.verified_at.desc()))]


@registry.case_access(PROCESS_KEY)
def may_view(case, user) -> bool:
    if not is_signed_in(user):
        return False
    complaint = complaint_for_case(case.id)
    if complaint is None:
        return False
    if user.role == roles.AGENCY:
        return user.organisation_id == complaint.agency_id
    if user.role == roles.ENTERPRISE:
        return complaint.complainant_user_id == user.id or (
            complaint.complainant_org_id is not None and complaint.complainant_org_id == user.organisation_id)
    return False


@registry.case_summary(PROCESS_KEY)
def summary(case, user):
    """(label, value) rows for the case page; the complainant's identity only for staff and experts."""
    from flask_babel import gettext as _
    from .status import CATEGORIES, KINDS, MEASURES, RESULTS, label
    c = complaint_for_case(case.id)
    if c is None:
        return []
    rows = [
        (_("Type"), label(KINDS, c.kind)), (_("Agency"), c.agency.name),
        (_("Category"), label(CATEGORIES, c.category)), (_("Status"), status_label(c.status)), (_("Facts"), c.facts),
    ]
    if is_reviewer(user):
        rows.append((_("Complainant"), f"{c.complainant_name} ({c.complainant_contact})"))
    optional = [(_("Reason for rejection"), c.rejection_reason), (_("Agency response"), c.agency_response),
                (_("Mediation"), c.mediation_summary)]
    if c.arbitration_result:
        optional += [(_("Arbitration decision"), label(RESULTS, c.arbitration_result)),
                     (_("Findings"), c.findings), (_("Measure"), label(MEASURES, c.measure))]
    rows.extend((k, v) for k, v in optional if v)
    return rows


# --- filing --------------------------------------------------------------------------------

def may_file(user) -> bool:
    """Who files complaints and reports: enterprises and the public (not signed in)."""
    return is_anonymous(user) or is_enterprise(user)


def require_filer(user) -> None:
    if not may_file(user):
        raise Forbidden(_l("only enterprises and the public file complaints"))


def file_complaint(form, user=None) -> Complaint:
    """File a validated ComplaintForm, start its case; one transaction."""
    agency = db.session.get(Organisation, form.agency_id.data)
    if agency is None or agency.kind != "agency" or not agency.registered:
        raise NotFound(_l("agency not found"))
    require_filer(user)
    authenticated = is_signed_in(user)
    if authenticated:
        name = (form.complainant_name.data or "").strip() or user.display_name
        contact = (form.complainant_contact.data or "").strip() or (user.email or user.username)
    else:
        name, contact = form.complainant_name.data.strip(), form.complainant_contact.data.strip()
    title = f"{'投诉' if form.kind.data == 'complaint' else '举报'}：{agency.name}"
    case = runtime.start_case(
        PROCESS_KEY, user=user if authenticated else None, actor_label=None if authenticated else name,
        title=title, subject_org_id=agency.id, commit=False,
        data={"agency_id": agency.id, "category": form.category.data, "kind": form.kind.data,
              "response_days": current_app.config["COMPLAINT_RESPONSE_WORKING_DAYS"]})
    complaint = Complaint(
        case_id=case.id, agency_id=agency.id, kind=form.kind.data, category=form.category.data,
        facts=form.facts.data.strip(), complainant_user_id=user.id if authenticated else None,
        complainant_org_id=user.organisation_id if authenticated else None,
        complainant_name=name, complainant_contact=contact, tracking_token=secrets.token_urlsafe(24),
        status="submitted", created_at=clock.utcnow())
    db.session.add(complaint)
    for storage in form.evidence.data or []:
        if getattr(storage, "filename", None):
            documents.store(storage, case_id=case.id, field="evidence", user_id=user.id if authenticated else None)
    db.session.commit()
    return complaint


def complaint_form(formdata, user):
    """The filing form with the registered agencies as choices."""
    from .forms import ComplaintForm
    anonymous = not is_signed_in(user)
    form = ComplaintForm(formdata=formdata, anonymous=anonymous, meta={"csrf": False}) if formdata is not None \
        else ComplaintForm(anonymous=anonymous)
    form.agency_id.choices = select_choices((a.id, a.name) for a in registered_agencies())
    return form


@registry.case_starter(PROCESS_KEY)
def start_from_submission(formdata, user):
    """Start a complaint case from form data (the API's POST /cases)."""
    form = complaint_form(formdata, user)
    if not form.validate():
        raise InvalidSubmission(form)
    return file_complaint(form, user).case


@registry.case_receipt(PROCESS_KEY)
def receipt(case) -> dict:
    from flask import url_for
    complaint = complaint_for_case(case.id)
    if complaint is None:
        return {}
    return {"tracking_token": complaint.tracking_token,
            "tracking_url": url_for("complaints.track", token=complaint.tracking_token, _external=True)}


# --- status and notifications --------------------------------------------------------------

def _set_status(complaint: Complaint, status: str, actor_id=None) -> None:
    if complaint.status == status:
        return
    record("complaint.status", status, actor_id=actor_id, case_id=complaint.case_id,
           detail={"from": complaint.status, "to": status})
    complaint.status = status
    params = {"case": complaint.case.title, "status": status, "process": PROCESS_KEY}
    link = f"/cases/{complaint.case_id}"
    recipients = organisation_members(complaint.agency_id)
    if complaint.complainant_user_id:
        recipients.append(complaint.complainant_user_id)
    notify(recipients, "case_update", params, case_id=complaint.case_id, link=link)


def _complaint(case) -> Complaint:
    complaint = complaint_for_case(case.id)
    if complaint is None:
        raise EngineError(_l("this case has no complaint"))
    return complaint


def _status_on_ready(status):
    def hook(case, task):
        _set_status(_complaint(case), status)
    return hook


for _key, _status in {
    "complaint.agency_response": "awaiting_response",
    "complaint.escalation": "response_overdue",
    "complaint.mediation": "in_mediation",
    "complaint.arbitration_opinion": "in_arbitration",
    "complaint.publication": "awaiting_publication",
}.items():
    registry.on_task_created(_key)(_status_on_ready(_status))


# --- completion hooks ----------------------------------------------------------------------

@registry.on_complete("complaint.triage")
def _triaged(ctx: CompletionContext):
    complaint = _complaint(ctx.case)
    if ctx.data["triage_decision"] == "reject":
        complaint.rejection_reason = ctx.data.get("triage_reason", "").strip()
        _set_status(complaint, "rejected", ctx.user.id)


@registry.on_complete("complaint.agency_response")
def _responded(ctx: CompletionContext):
    _complaint(ctx.case).agency_response = ctx.data["response_text"].strip()


@registry.on_complete("complaint.mediation")
def _mediated(ctx: CompletionContext):
    complaint = _complaint(ctx.case)
    complaint.mediation_summary = ctx.data["mediation_summary"].strip()
    if ctx.data["mediation_outcome"] == "resolved":
        _set_status(complaint, "resolved", ctx.user.id)
        return
    panels.seat(ctx, draw_arbitration_panel(complaint.agency_id))


def draw_arbitration_panel(agency_id: int, seed: int | None = None) -> panels.Draw:
    """The arbitration panel of a complaint about ``agency_id`` (see app/panels)."""
    return panels.draw_or_refuse(
        agency_id, current_app.config["ARBITRATION_PANEL_SIZE"],
        lambda **n: _l("Cannot form an arbitration panel: %(available)s experts without a conflict of "
                       "interest, %(needed)s needed.", **n), seed)


@registry.on_complete("complaint.arbitration_opinion")
def _opinion(ctx: CompletionContext):
    complaint = _complaint(ctx.case)
    panels.require_unconflicted(ctx.user, complaint.agency_id)
    db.session.add(ArbitrationOpinion(complaint_id=complaint.id, expert_id=ctx.user.id,
                                      opinion=ctx.data["opinion"], reasons=ctx.data["opinion_reasons"].strip(),
                                      created_at=clock.utcnow()))


@registry.on_complete("complaint.arbitration_decision")
def _decided(ctx: CompletionContext):
    complaint = _complaint(ctx.case)
    panels.require_unconflicted(ctx.user, complaint.agency_id)
    result = ctx.data["arbitration_result"]
    complaint.arbitration_result = result
    complaint.findings = ctx.data["findings"].strip()
    complaint.measure = ctx.data["measure"]
    complaint.serious = bool(ctx.data.get("serious"))
    if result in rules.UPHELD_RESULTS:
        complaint.verified_at = clock.utcnow()
        db.session.flush()
        complaint_verified.send(PROCESS_KEY, agency_id=complaint.agency_id, case_id=ctx.case.id,
                                actor_id=ctx.user.id, serious=complaint.serious)
    else:
        _set_status(complaint, "not_upheld", ctx.user.id)


@registry.on_complete("complaint.publication")
def _published(ctx: CompletionContext):
    complaint = _complaint(ctx.case)
    if ctx.data["publish"] == "approve":
        complaint.published_at = clock.utcnow()
        complaint.publication_summary = ctx.data["publication_summary"].strip()
        _set_status(complaint, "published", ctx.user.id)
    else:
        _set_status(complaint, "closed", ctx.user.id)


@registry.prepare_form("complaint.publication")
def _prefill_publication(form, case, task, submitted):
    if not submitted:
        complaint = complaint_for_case(case.id)
        if complaint is not None and complaint.findings:
            form.publication_summary.data = complaint.findings
