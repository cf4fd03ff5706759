"""Agency rules wired to the database and the engine: registration, disclosure versions,
team and projects with computed facts, and the satisfaction-feedback lifecycle.
Authorization is checked here."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth import roles
from ..auth.models import Organisation, User
from ..auth.permissions import is_admin, is_agency_user, is_reviewer, is_signed_in  # noqa: F401 (is_reviewer: views)
from ..auth.services import create_user
from ..engine import clock, registry, runtime
from ..engine.audit import record
from ..engine.calendar import end_of_day, local_date
from ..engine.deadlines import business_tz
from ..engine.runtime import CompletionContext
from ..engine.errors import Conflict, EngineError, Forbidden, InvalidSubmission, NotFound
from ..extensions import db
from ..notifications.services import notify, organisation_members
from . import FEEDBACK_PROCESS_KEY, forms as _forms, rules  # forms first: registers the task form
from .models import AgencyProfile, Consultant, DisclosureVersion, Project, ProjectMember, SatisfactionFeedback

registry.event_labels({
    "agency.registered": _l("Agency registered"), "agency.disclosed": _l("Disclosure updated"),
    "agency.consultant_added": _l("Consultant added"), "agency.project_saved": _l("Project saved"),
    "agency.feedback_given": _l("Satisfaction feedback given"), "message.received": _l("Message received"),
})


registry.status_labels(FEEDBACK_PROCESS_KEY)(
    lambda status: str({"feedback_given": _l("Feedback given")}.get(status, status)))


def today() -> date:
    return local_date(clock.now(), business_tz())


def _min_days() -> int:
    return current_app.config.get("MAIN_MEMBER_MIN_ON_SITE_DAYS", rules.DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS)


def own_agency(user) -> Organisation:
    """The agency of an agency user, or 403."""
    if not is_agency_user(user):
        raise Forbidden(_l("only agency users may do this"))
    return db.session.get(Organisation, user.organisation_id)


def get_agency(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != "agency" or not org.registered:
        raise NotFound(_l("agency not found"))
    return org


# --- registration --------------------------------------------------------------------------

def may_register_agency(actor) -> None:
    """Visitors register their agency; administrators register one for them; other users, 403."""
    if is_signed_in(actor) and not is_admin(actor):
        raise Forbidden(_l("log out to register a new agency"))


def register_agency(form, actor=None) -> tuple[Organisation, User]:
    """An agency registers itself and its first user, or an administrator does it for them."""
    may_register_agency(actor)
    name = form.agency_name.data.strip()
    username = form.username.data.strip()
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        form.agency_name.errors = list(form.agency_name.errors) + [_l("An organisation of this name is registered.")]
    if db.session.scalar(select(User.id).where(User.username == username)):
        form.username.errors = list(form.username.errors) + [_l("This user name is taken.")]
    if form.errors:
        raise InvalidSubmission(form)
    org = Organisation(name=name, kind="agency", registered=True, created_at=clock.utcnow())
    db.session.add(org)
    db.session.flush()
    db.session.add(AgencyProfile(organisation_id=org.id, business_licence_no=form.business_licence_no.data.strip(),
                                 registered_at=clock.utcnow(), current_version=0))
    user = create_user(username, form.password.data, roles.AGENCY, form.display_name.data.strip(), org,
                       email=form.email.data.strip())
    actor_id = actor.id if is_signed_in(actor) else user.id
    record("agency.registered", name, actor_id=actor_id, detail={"agency_id": org.id, "user_id": user.id})
    db.session.commit()
    return org, user


def profile_of(org_id: int) -> AgencyProfile:
    prof = db.session.get(AgencyProfile, org_id)
    if prof is None:  # agencies created before this module (demo data) get one on first use
        prof = AgencyProfile(organisation_id=org_id, registered_at=clock.utcnow(), current_version=0)
        db.session.add(prof)
        db.session.flush()
    return prof


# --- disclosure (信息公开) ------------------------------------------------------------------

def current_disclosure(org_id: int) -> DisclosureVersion | None:
    return db.session.scalar(select(DisclosureVersion).where(DisclosureVersion.organisation_id == org_id)
                             .order_by(DisclosureVersion.version.desc()).limit(1))


def save_disclosure(user, form) -> DisclosureVersion | None:
    """A new version when something changed; None when nothing did."""
    org = own_agency(user)
    data = {k: getattr(form, k).data for k in rules.DISCLOSURE_FIELDS}
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    current = current_disclosure(org.id)
    changed = rules.changed_fields(current.data if current else None, data)
    if current is not None and not changed:
        return None
    prof = profile_of(org.id)
    prof.current_version = (current.version if current else 0) + 1
    prof.disclosed_at = clock.utcnow()
    version = DisclosureVersion(organisation_id=org.id, version=prof.current_version, data=data, changed=changed,
                                created_at=clock.utcnow(), created_by_id=user.id)
    db.session.add(version)
    record("agency.disclosed", f"v{prof.current_version}", actor_id=user.id,
           detail={"agency_id": org.id, "version": prof.current_version, "changed": changed})
    db.session.commit()
    return version


def disclosure_history(org_id: int, user) -> list[DisclosureVersion]:
    if not is_reviewer(user):
        raise Forbidden(_l("only reviewers see the history of a disclosure"))
    return list(db.session.scalars(select(DisclosureVersion).where(DisclosureVersion.organisation_id == org_id)
                                   .order_by(DisclosureVersion.version.desc())))


def has_disclosed(org_id: int) -> bool:
    return current_disclosure(org_id) is not None


# --- team ----------------------------------------------------------------------------------

def add_consultant(user, form) -> Consultant:
    org = own_agency(user)
    c = Consultant(organisation_id=org.id, name=form.name.data.strip(),
                   certificate_no=(form.certificate_no.data or "").strip() or None,
                   certificate_issued_on=form.certificate_issued_on.data, created_at=clock.utcnow())
    db.session.add(c)
    db.session.flush()
    record("agency.consultant_added", c.name, actor_id=user.id, detail={"agency_id": org.id, "consultant_id": c.id})
    db.session.commit()
    return c


def consultants(org_id: int) -> list[Consultant]:
    return list(db.session.scalars(select(Consultant).where(Consultant.organisation_id == org_id,
                                                            Consultant.active.is_(True)).order_by(Consultant.id)))


def services_of(consultant_id: int) -> list[rules.Service]:
    rows = db.session.execute(select(Project.enterprise_id, Project.end_date, Project.passed_on,
                                     ProjectMember.on_site_days)
                              .join(ProjectMember, ProjectMember.project_id == Project.id)
                              .where(ProjectMember.consultant_id == consultant_id))
    return [rules.Service(e, end, passed, days or 0) for e, end, passed, days in rows]


def team_facts(org_id: int, on: date | None = None) -> list[dict]:
    """Each consultant with computed certificate validity and full-time status (not typed)."""
    on = on or today()
    out = []
    for c in consultants(org_id):
        services = services_of(c.id)
        valid_until = (rules.certificate_valid_until(c.certificate_issued_on, services, on, _min_days())
                       if c.certificate_issued_on and c.certificate_issued_on <= on else None)
        out.append({"consultant": c, "certificate_valid_until": valid_until,
                    "certificate_valid": valid_until is not None,
                    "full_time": rules.is_full_time(services, on, _min_days())})
    return out


# --- projects ------------------------------------------------------------------------------

def enterprises() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")
                                   .order_by(Organisation.name)))


def projects(org_id: int) -> list[Project]:
    return list(db.session.scalars(select(Project).where(Project.organisation_id == org_id)
                                   .order_by(Project.start_date.desc(), Project.id.desc())))


def _own_project(user, project_id: int) -> Project:
    org = own_agency(user)
    project = db.session.get(Project, project_id)
    if project is None or project.organisation_id != org.id:
        raise NotFound(_l("project not found"))
    return project


def add_project(user, form) -> Project:
    org = own_agency(user)
    enterprise = db.session.get(Organisation, form.enterprise_id.data)
    if enterprise is None or enterprise.kind != "enterprise":
        raise NotFound(_l("enterprise not found"))
    project = Project(organisation_id=org.id, enterprise_id=enterprise.id, start_date=form.start_date.data,
                      passed_on=form.passed_on.data, contract_amount=form.contract_amount.data,
                      created_at=clock.utcnow())
    db.session.add(project)
    db.session.flush()
    record("agency.project_saved", enterprise.name, actor_id=user.id,
           detail={"agency_id": org.id, "project_id": project.id})
    if form.end_date.data:
        _end(project, form.end_date.data, user)
    db.session.commit()
    return project


def end_project(user, project_id: int, form) -> Project:
    project = _own_project(user, project_id)
    if project.end_date is not None:
        raise Conflict(_l("this project has already ended"))
    if form.end_date.data < project.start_date:
        form.end_date.errors = list(form.end_date.errors) + [_l("The end date is before the start date.")]
        raise InvalidSubmission(form)
    if form.passed_on.data:
        project.passed_on = form.passed_on.data
    _end(project, form.end_date.data, user)
    db.session.commit()
    return project


def record_assessment(user, project_id: int, passed_on: date) -> Project:
    project = _own_project(user, project_id)
    project.passed_on = passed_on
    record("agency.project_saved", project.enterprise.name, actor_id=user.id,
           detail={"project_id": project.id, "passed_on": passed_on.isoformat()})
    db.session.commit()
    return project


def _end(project: Project, end: date, user) -> None:
    """The project ends: the enterprise is asked for its feedback within three months."""
    project.end_date = end
    project.feedback_due_on = rules.feedback_due(end)
    due = end_of_day(project.feedback_due_on, business_tz())
    case = runtime.start_case(
        FEEDBACK_PROCESS_KEY, user=user, commit=False, subject_org_id=project.organisation_id,
        title=f"满意度反馈：{project.agency.name} → {project.enterprise.name}",
        data={"project_id": project.id, "enterprise_id": project.enterprise_id,
              "agency_id": project.organisation_id, "feedback_due": due.isoformat()})
    project.feedback_case_id = case.id
    record("agency.project_saved", project.enterprise.name, actor_id=user.id, case_id=case.id,
           detail={"project_id": project.id, "ended": end.isoformat()})


def add_member(user, project_id: int, form) -> ProjectMember:
    project = _own_project(user, project_id)
    consultant = db.session.get(Consultant, form.consultant_id.data)
    if consultant is None or consultant.organisation_id != project.organisation_id:
        raise NotFound(_l("consultant not found"))
    member = db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                           ProjectMember.consultant_id == consultant.id))
    if member is None:
        member = ProjectMember(project_id=project.id, consultant_id=consultant.id)
        db.session.add(member)
    member.on_site_days = form.on_site_days.data
    record("agency.project_saved", project.enterprise.name, actor_id=user.id,
           detail={"project_id": project.id, "consultant_id": consultant.id, "on_site_days": member.on_site_days})
    db.session.commit()
    return member


# --- satisfaction feedback -----------------------------------------------------------------

def project_for_case(case_id: int) -> Project | None:
    return db.session.scalar(select(Project).where(Project.feedback_case_id == case_id))


@registry.on_complete("agencies.satisfaction_feedback")
def _feedback_given(ctx: CompletionContext):
    project = project_for_case(ctx.case.id)
    if project is None:
        raise EngineError(_l("this case has no project"))
    if not project.can_act(ctx.user):  # defence in depth
        raise Forbidden(_l("only the enterprise served gives feedback"))
    answers = {q: int(ctx.data[q]) for q in rules.FEEDBACK_QUESTIONS}
    db.session.add(SatisfactionFeedback(project_id=project.id, answers=answers,
                                        comment=(ctx.data.get("feedback_comment") or "").strip() or None,
                                        submitted_at=clock.utcnow(), submitted_by_id=ctx.user.id))
    record("agency.feedback_given", project.enterprise.name, actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"project_id": project.id})
    notify(organisation_members(project.organisation_id), "case_update",
           {"case": ctx.case.title, "status": "feedback_given", "process": FEEDBACK_PROCESS_KEY},
           case_id=ctx.case.id, link=None)


@registry.case_access(FEEDBACK_PROCESS_KEY)
def _may_view_feedback(case, user) -> bool:
    project = project_for_case(case.id)
    return project is not None and project.can_view(user)


@registry.case_summary(FEEDBACK_PROCESS_KEY)
def _feedback_summary(case, user):
    from flask_babel import gettext as _
    project = project_for_case(case.id)
    if project is None:
        return []
    return [(_("Agency"), project.agency.name), (_("Enterprise"), project.enterprise.name),
            (_("Project"), f"{project.start_date} – {project.end_date or ''}"),
            (_("Feedback due"), str(project.feedback_due_on or ""))]


def awaiting_feedback(org_id: int) -> list[Project]:
    """The agency's ended projects whose enterprise has not answered yet (the reminder)."""
    return list(db.session.scalars(
        select(Project).where(Project.organisation_id == org_id, Project.end_date.is_not(None),
                              ~Project.feedback.has()).order_by(Project.feedback_due_on)))


def overdue_feedback(user, org_id: int | None = None) -> list[Project]:
    """Unanswered after three months: reviewers only."""
    if not is_reviewer(user):
        raise Forbidden(_l("only reviewers see overdue feedback"))
    query = select(Project).where(Project.feedback_due_on.is_not(None), Project.feedback_due_on < today(),
                                  ~Project.feedback.has())
    if org_id:
        query = query.where(Project.organisation_id == org_id)
    return list(db.session.scalars(query.order_by(Project.feedback_due_on)))


# --- facts for the public and for reviewers --------------------------------------------------

def feedback_answers(org_id: int) -> list[dict]:
    return [f.answers for f in db.session.scalars(
        select(SatisfactionFeedback).join(Project).where(Project.organisation_id == org_id))]


def project_facts(org_id: int, on: date | None = None) -> dict:
    on = on or today()
    items = projects(org_id)
    year_ago = on - timedelta(days=365)
    ended = [p for p in items if p.end_date]
    passed = [p for p in items if p.passed_on]
    return {"total": len(items), "last_year": sum(1 for p in items if p.start_date > year_ago or
                                                  (p.end_date and p.end_date > year_ago)),
            "ended": len(ended), "passed": len(passed),
            "pass_rate": round(100 * len(passed) / len(ended), 1) if ended else None,
            "enterprises": len({p.enterprise_id for p in items})}


def public_projects(org_id: int) -> list[dict]:
    """Projects as the public sees them: never the contract amount."""
    out = []
    for p in projects(org_id):
        fb = p.feedback
        out.append({"enterprise": p.enterprise.name, "start_date": p.start_date.isoformat(),
                    "end_date": p.end_date.isoformat() if p.end_date else None,
                    "passed_assessment": p.passed_on is not None,
                    "members": [{"name": m.consultant.name, "on_site_days": m.on_site_days} for m in p.members],
                    "satisfaction": rules.average_satisfaction([fb.answers]) if fb else None})
    return out


def public_profile(org: Organisation) -> dict:
    """Everything the public may see about an agency (pages and API use this one function)."""
    current = current_disclosure(org.id)
    team = team_facts(org.id)
    return {
        "id": org.id, "name": org.name,
        "disclosure": rules.public_view(current.data) if current else None,
        "disclosure_version": current.version if current else 0,
        "disclosed_at": current.created_at.isoformat() if current else None,
        "changed": current.changed if current else [],
        "certificate_holders": [t["consultant"].name for t in team if t["certificate_valid"]],
        "full_time_staff": [t["consultant"].name for t in team if t["full_time"]],
        "projects": public_projects(org.id),
        "project_facts": project_facts(org.id),
        "satisfaction": rules.average_satisfaction(feedback_answers(org.id)),
    }


def registered_agencies() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == "agency",
                                                              Organisation.registered.is_(True))
                                   .order_by(Organisation.name)))
