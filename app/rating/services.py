"""The rating rules wired to the database and the engine: cycles, applications, closing
with the spot-check sample, score sheets, conclusion and public notice, objections,
confirmation, the recommendation list and adjustment reviews. Authorization is checked here."""
from __future__ import annotations

import secrets
from datetime import datetime

from dateutil.relativedelta import relativedelta
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..agencies import services as agencies
from ..auth import roles
from ..auth.models import Organisation, User
from ..auth.permissions import is_admin, is_reviewer, is_signed_in
from ..engine import clock, documents, registry, runtime, transaction
from ..engine.audit import record
from ..engine.calendar import end_of_day
from ..engine.deadlines import business_tz, current_calendar
from ..engine.runtime import CompletionContext
from ..engine.errors import Conflict, EngineError, Forbidden, InvalidSubmission, NotFound
from .. import facts
from ..extensions import db
from ..notifications.services import notify, organisation_members
from ..panels import services as panels
from . import ADJUSTMENT_PROCESS_KEY, PROCESS_KEY, forms as _forms, rules  # forms first: registers task forms
from ..agencies.models import DisclosureVersion
from .models import ExpertScore, RatingApplication, RatingCycle, RatingReview
from ..notices import operations as notices, queries as notice_queries
from ..notices.models import Notice, Objection
from .status import status_label

registry.status_labels(PROCESS_KEY)(status_label)
registry.status_labels(ADJUSTMENT_PROCESS_KEY)(status_label)
registry.event_labels({
    "rating.cycle_opened": _l("Rating cycle opened"), "rating.applied": _l("Applied for rating"),
    "rating.cycle_closed": _l("Applications closed, spot-check sample drawn"),
    "rating.status": _l("Status changed"), "agency.false_information": _l("False information recorded"),
"rating.confirmed": _l("Grade confirmed and published"),
    "rating.review_opened": _l("Rating adjustment review opened"), "rating.adjusted": _l("Grade adjusted"),
    "agency.rating_review_due": _l("Rating review due (verified serious complaints in three months)"),
})


def _require_admin(user):
    if not is_admin(user):
        raise Forbidden(_l("only administrators may do this"))


def _require_staff(user):
    if not is_signed_in(user) or not user.is_staff:
        raise Forbidden(_l("only staff may do this"))


# --- cycles --------------------------------------------------------------------------------

def open_cycle(user, form) -> RatingCycle:
    _require_admin(user)
    name = form.name.data.strip()
    if db.session.scalar(select(RatingCycle.id).where(RatingCycle.name == name)):
        form.name.errors = list(form.name.errors) + [_l("A cycle of this name exists.")]
        raise InvalidSubmission(form)
    cycle = RatingCycle(
        name=name, deadline=end_of_day(form.deadline.data, business_tz()).replace(tzinfo=None),
        weights={c: getattr(form, f"weight_{c}").data for c in rules.CRITERIA},
        boundaries={g: getattr(form, f"bound_{g}").data for g in rules.GRADES},
        spot_check_rate=form.spot_check_rate.data, spot_check_seed=form.spot_check_seed.data,
        notice_working_days=form.notice_working_days.data,
        count_publication_day=bool(form.count_publication_day.data),
        validity_months=form.validity_months.data, status="open", created_at=clock.utcnow(),
        created_by_id=user.id)
    db.session.add(cycle)
    db.session.flush()
    record("rating.cycle_opened", name, actor_id=user.id, detail={"cycle_id": cycle.id})
    db.session.commit()
    return cycle


def cycles() -> list[RatingCycle]:
    return list(db.session.scalars(select(RatingCycle).order_by(RatingCycle.id.desc())))


def get_cycle(cycle_id: int) -> RatingCycle:
    cycle = db.session.get(RatingCycle, cycle_id)
    if cycle is None:
        raise NotFound(_l("cycle not found"))
    return cycle


def accepting(cycle: RatingCycle) -> bool:
    return cycle.status == "open" and clock.utcnow() <= cycle.deadline


def open_cycles() -> list[RatingCycle]:
    return [c for c in cycles() if accepting(c)]


# --- applications --------------------------------------------------------------------------

def applications_of(org_id: int) -> list[RatingApplication]:
    return list(db.session.scalars(select(RatingApplication).where(RatingApplication.organisation_id == org_id)
                                   .order_by(RatingApplication.id.desc())))


def get_application(application_id: int) -> RatingApplication | None:
    return db.session.get(RatingApplication, application_id)


def application_for_case(case_id: int) -> RatingApplication | None:
    return db.session.scalar(select(RatingApplication).where(RatingApplication.case_id == case_id))


def _set_status(app: RatingApplication, status: str, actor_id=None) -> None:
    if app.status == status:
        return
    record("rating.status", status, actor_id=actor_id, case_id=app.case_id, detail={"from": app.status, "to": status})
    app.status = status
    notify(organisation_members(app.organisation_id), "case_update",
           {"case": f"{app.cycle.name} {app.agency.name}", "status": status, "process": PROCESS_KEY},
           case_id=app.case_id, link=f"/cases/{app.case_id}" if app.case_id else None)


def apply(user, cycle_id: int, form) -> RatingApplication:
    """A registered agency with disclosed information applies (申请评级)."""
    org = agencies.own_agency(user)
    cycle = get_cycle(cycle_id)
    if not accepting(cycle):
        raise Conflict(_l("this cycle no longer accepts applications"))
    current = agencies.current_disclosure(org.id)
    if current is None:
        raise Conflict(_l("disclose your information before applying"))
    if db.session.scalar(select(RatingApplication.id).where(RatingApplication.cycle_id == cycle.id,
                                                            RatingApplication.organisation_id == org.id)):
        raise Conflict(_l("your agency has already applied in this cycle"))
    app = RatingApplication(cycle_id=cycle.id, organisation_id=org.id, disclosure_version=current.version,
                            materials=form.materials.data.strip(), status="submitted", created_at=clock.utcnow())
    db.session.add(app)
    db.session.flush()
    case = runtime.start_case(PROCESS_KEY, user=user, commit=False, subject_org_id=org.id,
                              title=f"评级 {cycle.name}：{org.name}",
                              data={"application_id": app.id, "agency_id": org.id, "cycle_id": cycle.id})
    app.case_id = case.id
    for storage in form.material_files.data or []:
        if getattr(storage, "filename", None):
            documents.store(storage, case_id=case.id, field="materials", user_id=user.id)
    record("rating.applied", cycle.name, actor_id=user.id, case_id=case.id,
           detail={"application_id": app.id, "disclosure_version": current.version})
    db.session.commit()
    return app


def draw_rating_panel(agency_id: int, seed: int | None = None) -> panels.Draw:
    """A review panel for ``agency_id`` (see app/panels)."""
    return panels.draw_or_refuse(
        agency_id, current_app.config["RATING_PANEL_SIZE"],
        lambda **n: _l("Cannot form a review panel: %(available)s experts without a conflict of "
                       "interest, %(needed)s needed.", **n), seed)


def close_cycle(user, cycle_id: int) -> RatingCycle:
    """After the deadline: draw the reproducible spot-check sample (seed and rate recorded),
    a panel without conflicts per application, and start the reviews."""
    _require_admin(user)
    cycle = get_cycle(cycle_id)
    if cycle.status != "open":
        raise Conflict(_l("this cycle is already closed"))
    if clock.utcnow() <= cycle.deadline:
        raise Conflict(_l("applications are open until the deadline"))
    with transaction(_l("the cycle changed meanwhile; try again")):
        if cycle.spot_check_seed is None:
            cycle.spot_check_seed = secrets.randbelow(2**31 - 1)
        apps = [a for a in cycle.applications if a.status == "submitted"]
        sample = rules.spot_check_sample([a.id for a in apps], cycle.spot_check_rate, cycle.spot_check_seed)
        cycle.sample = sample
        cycle.status = "closed"
        cycle.closed_at = clock.utcnow()
        panel_seeds = {}
        for app in apps:
            app.sampled = app.id in sample
            drawn = draw_rating_panel(app.organisation_id)
            panel_seeds[str(app.id)] = drawn.seed
            _deliver(app, {"spot_check": app.sampled, "panel": drawn.panel}, user.id)
        record("rating.cycle_closed", cycle.name, actor_id=user.id,
               detail={"cycle_id": cycle.id, "seed": cycle.spot_check_seed, "rate": cycle.spot_check_rate,
                       "applications": [a.id for a in apps], "sample": sample, "panel_seeds": panel_seeds})
    return cycle


def _deliver(app: RatingApplication, closing: dict, actor_id) -> None:
    from ..engine.models import Case
    case = db.session.get(Case, app.case_id)
    if not runtime.send_message(case, "applications_closed", closing, actor_id):
        raise EngineError(_l("the rating case is not waiting for the closing of applications"))


@registry.on_task_created("rating.spot_check")
def _spot_check_ready(case, task):
    _set_status(_app(case), "spot_check")


@registry.on_task_created("rating.expert_score")
def _review_ready(case, task):
    _set_status(_app(case), "in_review")


@registry.on_task_created("rating.objection_review")
def _objection_ready(case, task):
    _set_status(_app(case), "objection_review")


def _app(case) -> RatingApplication:
    app = application_for_case(case.id)
    if app is None:
        raise EngineError(_l("this case has no rating application"))
    return app


@registry.on_complete("rating.spot_check")
def _spot_checked(ctx: CompletionContext):
    app = _app(ctx.case)
    app.spot_check_findings = ctx.data["spot_check_findings"].strip()
    if ctx.data["spot_check_result"] == "false_information":
        app.false_information = True
        _set_status(app, "terminated", ctx.user.id)
        record("agency.false_information", app.spot_check_findings, actor_id=ctx.user.id, case_id=ctx.case.id,
               detail={"agency_id": app.organisation_id, "application_id": app.id})
        if current_grade(app.organisation_id):
            open_review(app.organisation_id, "false_information",
                        f"{app.cycle.name}: {app.spot_check_findings}", actor_id=ctx.user.id)


def _conflicted(ctx, agency_id):
    panels.require_unconflicted(ctx.user, agency_id)


@registry.prepare_form("rating.spot_check")
def _checklist(form, case, task, submitted):
    """The spot-check starts from a checklist of the disclosed items (item by item)."""
    if submitted:
        return
    app = application_for_case(case.id)
    version = db.session.scalar(select(DisclosureVersion).where(
        DisclosureVersion.organisation_id == app.organisation_id,
        DisclosureVersion.version == app.disclosure_version)) if app else None
    if version is None:
        return
    from ..agencies.forms import FIELD_LABELS
    lines = [f"{FIELD_LABELS[k]}：{version.data.get(k)} —" for k in agencies.rules.DISCLOSURE_FIELDS
             if version.data.get(k) not in (None, "")]
    team = agencies.team_facts(app.organisation_id)
    lines += [f"{t['consultant'].name} {t['consultant'].certificate_no or ''} —" for t in team]
    lines += [f"{p.enterprise.name} {p.start_date}–{p.end_date or ''} —" for p in agencies.projects(app.organisation_id)]
    form.spot_check_findings.data = "\n".join(lines)


@registry.prepare_form("rating.expert_score")
def _facts_beside_criteria(form, case, task, submitted):
    """Each criterion's field shows what the platform already knows about it."""
    app = application_for_case(case.id)
    if app is None:
        return
    facts = criterion_facts(app.organisation_id)
    for c in rules.CRITERIA:
        getattr(form, f"score_{c}").description = facts[c]


@registry.on_complete("rating.expert_score")
def _scored(ctx: CompletionContext):
    app = _app(ctx.case)
    _conflicted(ctx, app.organisation_id)
    db.session.add(ExpertScore(application_id=app.id, expert_id=ctx.user.id, review_round=app.review_round,
                               scores={c: ctx.data[f"score_{c}"] for c in rules.CRITERIA},
                               comment=(ctx.data.get("score_comment") or "").strip() or None,
                               created_at=clock.utcnow()))


def score_sheets(app: RatingApplication) -> list[ExpertScore]:
    return list(db.session.scalars(select(ExpertScore).where(ExpertScore.application_id == app.id,
                                                             ExpertScore.review_round == app.review_round)
                                   .order_by(ExpertScore.id)))


def panel_opinions(app: RatingApplication) -> list[panels.Opinion]:
    """The panel's score sheets of the current round as opinions (the scores, the comment)."""
    return panels.opinions(score_sheets(app), verdict=lambda s: ", ".join(f"{c} {s.scores[c]}" for c in rules.CRITERIA),
                           reasons=lambda s: s.comment)


@registry.on_complete("rating.review_conclusion")
def _concluded(ctx: CompletionContext):
    """The panel's proposed grade from the cycle's weights and boundaries; a grade goes on
    public notice for the cycle's working days."""
    app = _app(ctx.case)
    _conflicted(ctx, app.organisation_id)
    sheets = score_sheets(app)
    if not sheets:
        raise EngineError(_l("no score sheets yet"))
    total, grade = rules.proposed_grade([s.scores for s in sheets], app.cycle.weights, app.cycle.boundaries)
    app.total_score, app.proposed_grade = total, grade
    app.conclusion_remarks = ctx.data["conclusion_remarks"].strip()
    ctx.data["proposed_grade"] = grade
    if grade == rules.NOT_RATED:
        _set_status(app, "not_rated", ctx.user.id)
        return
    ctx.data["notice_ends"] = start_notice(app).isoformat()
    _set_status(app, "in_notice", ctx.user.id)


def start_notice(app: RatingApplication) -> datetime:
    """The proposed grade goes on public notice for the cycle's working days (app/notices)."""
    notice = notices.start_notice(app, app.cycle.notice_working_days, title=f"{app.cycle.name} {app.agency.name}",
                                  count_publication_day=app.cycle.count_publication_day, case_id=app.case_id,
                                  today=agencies.today())
    return clock.as_aware(notice.ends_at)


# --- public notice and objections (app/notices) ---------------------------------------------

def in_notice() -> list[RatingApplication]:
    """Applications whose result is under public notice, by the notice's end."""
    return list(db.session.scalars(select(RatingApplication).join(Notice, (
        Notice.subject_type == RatingApplication.__tablename__) & (Notice.subject_id == RatingApplication.id))
        .where(Notice.status == "open", RatingApplication.status.in_(["in_notice", "objection_review"]))
        .order_by(Notice.ends_at, RatingApplication.id)))


def notice_of(app: RatingApplication | None) -> Notice | None:
    """The application's running notice, if its result is under public notice."""
    if app is None or app.status not in ("in_notice", "objection_review"):
        return None
    notice = app.notice
    return notice if notice is not None and notice.status == "open" else None


def notice_open(app: RatingApplication) -> bool:
    return notice_queries.accepts_objections(notice_of(app))


def file_objection(application_id: int, form, user=None) -> Objection:
    """Anyone may object while the notice runs; the objection opens a review in the case."""
    return notices.file_objection(notice_of(db.session.get(RatingApplication, application_id)), form, user)


def objections_of(app: RatingApplication) -> list[Objection]:
    return notice_queries.objections_of(app)


@registry.on_complete("rating.objection_review")
def _objection_reviewed(ctx: CompletionContext):
    app = _app(ctx.case)
    decision = ctx.data["objection_decision"]
    notice = app.notice
    notices.decide_objections(notice, decision, ctx.data["objection_reasons"], ctx.user.id)
    if decision == "upheld":
        app.review_round += 1
        app.proposed_grade = app.total_score = None
        notices.withdraw_notice(notice, ctx.user.id)
    else:
        _set_status(app, "in_notice", ctx.user.id)


@registry.on_case_completed(PROCESS_KEY)
def _rating_ended(case, end_id):
    app = application_for_case(case.id)
    if app is None or end_id != "end_confirmed":
        return
    notices.close_notice(app.notice)  # never confirm over an open objection
    app.grade = app.proposed_grade
    app.confirmed_at = clock.utcnow()
    app.valid_until = agencies.today() + relativedelta(months=app.cycle.validity_months)
    _set_status(app, "confirmed")
    record("rating.confirmed", app.grade, case_id=case.id,
           detail={"application_id": app.id, "grade": app.grade, "valid_until": app.valid_until.isoformat()})


# --- grades and the recommendation list ----------------------------------------------------

@facts.provides("rating.current")
def current_rating(org_id: int) -> RatingApplication | None:
    """The agency's latest confirmed rating still valid (its grade may have been adjusted)."""
    app = db.session.scalar(select(RatingApplication).where(
        RatingApplication.organisation_id == org_id, RatingApplication.confirmed_at.is_not(None))
        .order_by(RatingApplication.confirmed_at.desc()).limit(1))
    if app is None or app.grade is None or app.valid_until < agencies.today():
        return None
    return app


def current_grade(org_id: int) -> str | None:
    app = current_rating(org_id)
    return app.grade if app else None


def recommendation_list() -> dict[str, list[RatingApplication]]:
    """Rated agencies by grade (公开推荐), A first."""
    out = {g: [] for g in rules.GRADES}
    for org in agencies.registered_agencies():
        app = current_rating(org.id)
        if app is not None:
            out[app.grade].append(app)
    return out


# --- case pages: the facts beside each criterion -------------------------------------------

def criterion_facts(org_id: int) -> dict[str, str]:
    from flask_babel import gettext as _
    team = agencies.team_facts(org_id)
    holders = [t["consultant"].name for t in team if t["certificate_valid"]]
    full_time = [t["consultant"].name for t in team if t["full_time"]]
    pf = agencies.project_facts(org_id)
    answers = agencies.feedback_answers(org_id)
    overdue = len([p for p in agencies.projects(org_id) if p.feedback_due_on and p.feedback_due_on < agencies.today()
                   and p.feedback is None])
    complaints = facts.ask("complaints.verified", org_id, default=[])
    current = agencies.current_disclosure(org_id)
    d = current.data if current else {}
    avg = rules_avg(answers)
    return {
        "team": _("%(n)s valid certificate holders (%(names)s); %(m)s full-time (%(ft)s)", n=len(holders),
                  names="、".join(holders) or "—", m=len(full_time), ft="、".join(full_time) or "—"),
        "projects": _("%(total)s projects, %(last)s in the last year; %(passed)s of %(ended)s ended passed "
                      "assessment (%(rate)s%%)", total=pf["total"], last=pf["last_year"], passed=pf["passed"],
                      ended=pf["ended"], rate=pf["pass_rate"] if pf["pass_rate"] is not None else "—"),
        "satisfaction": _("average %(avg)s of 5 from %(n)s feedback; %(overdue)s unanswered after three months",
                          avg=avg if avg is not None else "—", n=len(answers), overdue=overdue),
        "complaints": _("%(n)s verified complaints or reports (%(serious)s serious)", n=len(complaints),
                        serious=sum(1 for c in complaints if c["serious"])),
        "awards": d.get("awards") or "—",
        "knowledge": " / ".join(x for x in (d.get("knowledge_sharing"), d.get("citations")) if x) or "—",
        "other": d.get("other_info") or "—",
    }


def rules_avg(answers):
    from ..agencies.rules import average_satisfaction
    return average_satisfaction(answers)


@registry.case_summary(PROCESS_KEY)
def _rating_summary(case, user):
    from flask_babel import gettext as _
    from .forms import CRITERIA_LABELS, GRADE_LABELS
    app = application_for_case(case.id)
    if app is None:
        return []
    rows = [(_("Agency"), app.agency.name), (_("Cycle"), app.cycle.name), (_("Status"), status_label(app.status)),
            (_("Disclosure version"), f"v{app.disclosure_version}"), (_("Materials"), app.materials)]
    if app.spot_check_findings:
        rows.append((_("Spot-check findings"), app.spot_check_findings))
    facts = criterion_facts(app.organisation_id)
    rows += [(str(CRITERIA_LABELS[c]), facts[c]) for c in rules.CRITERIA]
    reviewer = is_reviewer(user)
    if reviewer:
        for o in panel_opinions(app):
            rows.append((_("Score sheet: %(expert)s", expert=o.author), o.verdict))
    if app.proposed_grade:
        rows.append((_("Proposed grade"), f"{GRADE_LABELS[app.proposed_grade]} ({app.total_score})"))
    if app.notice_ends:
        from ..templating import localdue
        rows.append((_("Public notice until"), localdue(app.notice_ends)))
    if reviewer:
        for o in objections_of(app):
            rows.append((_("Objection #%(id)s (%(status)s)", id=o.id, status=o.status), f"{o.text} — {o.name} {o.contact}"))
    if app.grade:
        rows.append((_("Grade"), f"{GRADE_LABELS[app.grade]}, {app.valid_until}"))
    return rows


@registry.case_access(PROCESS_KEY)
def _may_view_rating(case, user) -> bool:
    if not is_signed_in(user):
        return False
    app = application_for_case(case.id)
    return app is not None and user.role == roles.AGENCY and user.organisation_id == app.organisation_id


# --- adjustment and cancellation (评级调整、取消) -------------------------------------------

def open_review(agency_id: int, trigger: str, grounds: str, actor_id=None, user=None) -> RatingReview:
    """Open a review case for one of the five triggers (no commit); one open review per
    agency and trigger at a time."""
    if trigger not in rules.TRIGGERS:
        raise EngineError(_l("unknown trigger"))
    existing = db.session.scalar(select(RatingReview).where(RatingReview.organisation_id == agency_id,
                                                            RatingReview.trigger == trigger,
                                                            RatingReview.status.in_(["open", "in_arbitration"])))
    if existing:
        return existing
    rating = current_rating(agency_id)
    org = db.session.get(Organisation, agency_id)
    review = RatingReview(organisation_id=agency_id, application_id=rating.id if rating else None, trigger=trigger,
                          grounds=grounds, status="open", grade_before=rating.grade if rating else None,
                          created_at=clock.utcnow())
    db.session.add(review)
    db.session.flush()
    case = runtime.start_case(ADJUSTMENT_PROCESS_KEY, user=user, commit=False, subject_org_id=agency_id,
                              title=f"评级调整：{org.name}", data={"review_id": review.id, "agency_id": agency_id})
    review.case_id = case.id
    record("rating.review_opened", trigger, actor_id=actor_id, case_id=case.id,
           detail={"agency_id": agency_id, "review_id": review.id, "trigger": trigger})
    return review


def review_if_complaints_due(sender, *, agency_id: int, actor_id=None, case_id=None, **_) -> bool:
    """On every verified complaint (app.events.complaint_verified): 3 or more verified
    serious complaints within three months put the agency's rating under review."""
    now = clock.utcnow()
    dates = [f["verified_at"] for f in facts.ask("complaints.verified", agency_id, default=[]) if f["serious"]]
    if not rules.rating_review_due(dates, now):
        return False
    count = rules.count_in_window(dates, now)
    record("agency.rating_review_due", str(count),
           actor_id=actor_id, case_id=case_id, detail={"agency_id": agency_id, "count": count})
    open_review(agency_id, "complaints", f"{count} verified serious complaints or reports within three months",
                actor_id=actor_id)
    admins = list(db.session.scalars(select(User.id).where(User.role == roles.ADMIN)))
    notify(admins, "case_update", {"case": db.session.get(Organisation, agency_id).name,
                                   "status": "rating_review_due", "process": sender})
    return True


def open_review_by_staff(user, form) -> RatingReview:
    _require_staff(user)
    agencies.get_agency(form.agency_id.data)
    review = open_review(form.agency_id.data, form.trigger.data, form.grounds.data.strip(), user.id, user)
    db.session.commit()
    return review


def reviews(user) -> list[RatingReview]:
    _require_staff(user)
    return list(db.session.scalars(select(RatingReview).order_by(RatingReview.id.desc())))


def published_adjustments() -> list[RatingReview]:
    return list(db.session.scalars(select(RatingReview).where(RatingReview.published_at.is_not(None))
                                   .order_by(RatingReview.published_at.desc())))


def review_for_case(case_id: int) -> RatingReview | None:
    return db.session.scalar(select(RatingReview).where(RatingReview.case_id == case_id))


def _review(case) -> RatingReview:
    review = review_for_case(case.id)
    if review is None:
        raise EngineError(_l("this case has no rating review"))
    return review


@registry.on_complete("rating.adjustment_assessment")
def _assessed(ctx: CompletionContext):
    review = _review(ctx.case)
    if ctx.data["assessment"] == "dismiss":
        review.status, review.reasons = "dismissed", ctx.data["assessment_reasons"].strip()
        return
    panels.seat(ctx, draw_rating_panel(review.organisation_id))
    review.status = "in_arbitration"


@registry.on_complete("rating.adjustment_decision")
def _adjusted(ctx: CompletionContext):
    review = _review(ctx.case)
    _conflicted(ctx, review.organisation_id)
    rating = current_rating(review.organisation_id)
    outcome = ctx.data["outcome"]
    if rating is None:
        if outcome != "keep":
            raise EngineError(_l("the agency holds no grade to change"))
        after = None
    else:
        try:
            after = rules.adjusted_grade(rating.grade, outcome, ctx.data.get("new_grade") or None)
        except rules.RuleError as exc:
            raise EngineError(_l("A lowered grade must be below the current grade.")) from exc
        rating.grade = after
        if after is None:
            rating.valid_until = agencies.today() - relativedelta(days=1)
    review.outcome, review.grade_after = outcome, after
    review.reasons = ctx.data["adjustment_reasons"].strip()
    review.status, review.published_at = "decided", clock.utcnow()
    record("rating.adjusted", outcome, actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"agency_id": review.organisation_id, "before": review.grade_before, "after": after})
    notify(organisation_members(review.organisation_id), "case_update",
           {"case": ctx.case.title, "status": "decided", "process": ADJUSTMENT_PROCESS_KEY}, case_id=ctx.case.id)


@registry.case_summary(ADJUSTMENT_PROCESS_KEY)
def _review_summary(case, user):
    from flask_babel import gettext as _
    from .forms import CRITERIA_LABELS, TRIGGER_LABELS
    review = review_for_case(case.id)
    if review is None:
        return []
    rows = [(_("Agency"), review.agency.name), (_("Case"), str(TRIGGER_LABELS[review.trigger])),
            (_("Grounds"), review.grounds), (_("Grade"), review.grade_before or _("Not rated")),
            (_("Status"), status_label(review.status))]
    facts = criterion_facts(review.organisation_id)
    rows += [(str(CRITERIA_LABELS[c]), facts[c]) for c in ("complaints", "satisfaction")]
    if review.reasons:
        rows.append((_("Reasons"), review.reasons))
    return rows


@registry.case_access(ADJUSTMENT_PROCESS_KEY)
def _may_view_review(case, user) -> bool:
    review = review_for_case(case.id)
    return is_signed_in(user) and review is not None and \
        user.role == roles.AGENCY and user.organisation_id == review.organisation_id
