"""Star rating wired to the database and the engine: applying, saving scores per dimension,
the explainable evaluation, awarding, supervision outcomes and the public register.
Views call these; these check who may act."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import Organisation
from ..auth.permissions import is_admin, is_certifier, is_enterprise, is_enterprise_user, is_signed_in, is_staff
from ..engine import cases, clock, documents, registry, runtime, transaction
from ..engine.audit import record
from ..engine.forms import select_choices
from ..engine.models import Case, WorkTask
from ..engine.runtime import CompletionContext
from ..engine.errors import Conflict, EngineError, Forbidden, InvalidSubmission, NotFound
from ..extensions import db
from ..notifications.services import notify, organisation_members
from . import SUPERVISION_PROCESS, UPGRADE_PROCESS, catalogue, forms as _forms, rules  # noqa: F401 (forms register)
from .models import (EnterpriseStar, Indicator, IndicatorScore, SchemeDimension, StarApplication,
                     SupervisionOutcome)

registry.event_labels({
    "stars.applied": _l("Star application submitted"), "stars.scores_saved": _l("Scores saved"),
    "stars.evaluated": _l("Scores evaluated"), "stars.awarded": _l("Star level awarded"),
    "stars.refused": _l("Star level not awarded"), "stars.supervision": _l("Supervision outcome published"),
    "stars.scheme_loaded": _l("Evaluation scheme loaded"), "stars.scheme_frozen": _l("Evaluation scheme frozen"),
    "stars.scheme_settings": _l("Evaluation scheme settings changed"),
})

STATUSES = {
    "self_assessment": _l("Self-assessment"), "verification": _l("Verification of online scores"),
    "onsite_review": _l("On-site review"), "decision": _l("Awaiting the star decision"),
    "awarded": _l("Awarded"), "refused": _l("Not awarded"),
    "withdrawn": _l("Withdrawn: the star level changed in supervision"),
}
registry.status_labels(UPGRADE_PROCESS)(lambda status: str(STATUSES.get(status, status)))
registry.status_labels(SUPERVISION_PROCESS)(lambda status: str(_forms.OUTCOMES.get(status, status)))


CATEGORY_LABELS = {rules.ONLINE: _l("online"), rules.OFFLINE: _l("offline"), rules.COMBINED: _l("online and offline")}


class ApplyError(EngineError):
    status = 422


PROBLEM_MESSAGES = {
    "blacklisted": _l("Your enterprise is on the blacklist and cannot apply."),
    "no_such_level": _l("Star levels go from 1 to 5."),
    "not_an_upgrade": _l("Apply for a level above your current star level."),
    "first_one_star": _l("An enterprise without a star applies for one star first."),
    "no_skipping": _l("Star levels cannot be skipped: apply for the next level."),
}


# --- queries -------------------------------------------------------------------------------

def standing(enterprise_id: int) -> EnterpriseStar | None:
    return db.session.scalar(select(EnterpriseStar).where(EnterpriseStar.enterprise_id == enterprise_id))


def running_application(enterprise_id: int) -> StarApplication | None:
    return db.session.scalar(select(StarApplication).where(
        StarApplication.enterprise_id == enterprise_id,
        StarApplication.status.not_in(("awarded", "refused", "withdrawn"))).limit(1))


def application_for_case(case_id: int) -> StarApplication | None:
    return db.session.scalar(select(StarApplication).where(StarApplication.case_id == case_id))


def takes_part(user) -> bool:
    """Who has the star-rating pages: staff, enterprises (they apply) and certification bodies
    (they review on site)."""
    return is_staff(user) or is_enterprise(user) or is_certifier(user)


def may_see_application(application: StarApplication, user) -> bool:
    return application.can_view(user)


def require_applicant(user) -> None:
    """Only an enterprise's users apply (and request special-capability evaluations), for it."""
    if not is_enterprise_user(user):
        raise Forbidden(_l("only enterprise users apply for a star level, for their own enterprise"))


def require_admin(user) -> None:
    if not is_admin(user):
        raise Forbidden(_l("only administrators may do this"))


def get_application(application_id: int, user) -> StarApplication:
    application = db.session.get(StarApplication, application_id)
    if application is None or not may_see_application(application, user):
        raise NotFound(_l("application not found"))
    return application


def applications_for(user) -> list[StarApplication]:
    return list(db.session.scalars(StarApplication.visible_to(user).order_by(StarApplication.id.desc()).limit(200)))


def certification_bodies() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == "certifier",
                                                              Organisation.registered.is_(True))
                                   .order_by(Organisation.name)))


@registry.case_access(UPGRADE_PROCESS)
def _may_view_upgrade(case, user) -> bool:
    application = application_for_case(case.id)
    return application is not None and may_see_application(application, user)


@registry.case_access(SUPERVISION_PROCESS)
def _may_view_supervision(case, user) -> bool:
    return is_enterprise_user(user) and case.subject_org_id == user.organisation_id


@registry.case_summary(UPGRADE_PROCESS)
def _upgrade_summary(case, user):
    from flask_babel import gettext as _
    a = application_for_case(case.id)
    if a is None:
        return []
    rows = [(_("Enterprise"), a.enterprise.name),
            (_("Enterprise type"), rules.ENTERPRISE_TYPES[a.scheme.enterprise_type][0]),
            (_("Evaluation scheme"), f"v{a.scheme.version}"),
            (_("Star level applied for"), f"{a.current_level} → {a.target_level}"),
            (_("On-site review"), _("yes") if a.with_onsite else _("no")),
            (_("Status"), str(STATUSES.get(a.status, a.status)))]
    if a.certifier:
        rows.append((_("Certification body"), a.certifier.name))
    if a.composite_score is not None:
        rows.append((_("Composite score S"), rules.fmt(a.composite_score)))
    if a.explanation:
        rows.append((_("Deciding rule"), a.explanation.get("deciding_rule", "")))
    return rows


@registry.case_summary(SUPERVISION_PROCESS)
def _supervision_summary(case, user):
    from flask_babel import gettext as _
    s = standing(case.subject_org_id) if case.subject_org_id else None
    if s is None:
        return []
    return [(_("Enterprise"), s.enterprise.name), (_("Star level"), str(s.level)),
            (_("Awarded"), s.awarded_at.strftime("%Y-%m-%d") if s.awarded_at else "—")]


# --- applying ------------------------------------------------------------------------------

def application_form(formdata, user):
    form = _forms.ApplicationForm(formdata=formdata, meta={"csrf": False}) if formdata is not None \
        else _forms.ApplicationForm()
    s = standing(user.organisation_id) if user.organisation_id else None
    if s is not None and formdata is None:
        form.enterprise_type.data = s.enterprise_type
        form.target_level.data = min(s.level + 1, 5)
    elif formdata is None:
        form.target_level.data = 1
    return form


def apply(user, enterprise_type: str, target_level: int) -> StarApplication:
    """An enterprise user applies for its own enterprise; one transaction."""
    require_applicant(user)
    enterprise = db.session.get(Organisation, user.organisation_id)
    s = standing(enterprise.id)
    if s is not None:
        enterprise_type = s.enterprise_type  # fixed by the first application
    if enterprise_type not in rules.ENTERPRISE_TYPES:
        raise ApplyError(_l("Choose the enterprise type."))
    current = s.level if s else 0
    problem = rules.application_problem(current, target_level, blacklisted=bool(s and s.blacklisted),
                                        allow_skipping=current_app.config["STAR_ALLOW_SKIPPING"])
    if problem:
        raise ApplyError(PROBLEM_MESSAGES[problem])
    if running_application(enterprise.id):
        raise ApplyError(_l("Your enterprise already has an application in progress."))
    scheme = catalogue.latest_scheme(enterprise_type)
    if scheme is None:
        raise ApplyError(_l("No evaluation scheme is loaded for this enterprise type yet."))
    if s is None:
        s = EnterpriseStar(enterprise_id=enterprise.id, enterprise_type=enterprise_type, level=0)
        db.session.add(s)
    catalogue.freeze(scheme)
    with_onsite = rules.needs_onsite(target_level)
    application = StarApplication(enterprise_id=enterprise.id, scheme_id=scheme.id, current_level=current,
                                  target_level=target_level, with_onsite=with_onsite, status="self_assessment",
                                  applied_by_id=user.id, created_at=clock.utcnow())
    db.session.add(application)
    db.session.flush()
    case = runtime.start_case(UPGRADE_PROCESS, user=user, commit=False, subject_org_id=enterprise.id,
                              title=f"星级申请：{enterprise.name}（{current}→{target_level}星级）",
                              data={"enterprise_id": enterprise.id, "application_id": application.id,
                                    "with_onsite": with_onsite, "target_level": target_level})
    application.case_id = case.id
    record("stars.applied", f"{current}→{target_level}", actor_id=user.id, case_id=case.id,
           detail={"application_id": application.id, "scheme_id": scheme.id, "with_onsite": with_onsite})
    db.session.commit()
    return application


@registry.case_starter(UPGRADE_PROCESS)
def start_from_submission(formdata, user):
    """Apply through the API (POST /api/v1/cases with process star_upgrade)."""
    if not is_signed_in(user):
        raise Forbidden(_l("only enterprise users apply for a star level, for their own enterprise"))
    form = application_form(formdata, user)
    if not form.validate():
        raise InvalidSubmission(form)
    return apply(user, form.enterprise_type.data, form.target_level.data).case


# --- scoring per dimension -------------------------------------------------------------------

SELF, VERIFY, ONSITE = "self", "verify", "onsite"
STAGE_BY_FORM = {"stars.self_assessment": SELF, "stars.verification": VERIFY, "stars.onsite_review": ONSITE}
STAGE_CATEGORIES = {SELF: {rules.ONLINE}, VERIFY: {rules.ONLINE}, ONSITE: {rules.OFFLINE, rules.COMBINED}}
STAGE_FIELDS = {SELF: ("self_coefficient", "self_note"), VERIFY: ("verified_coefficient", "verification_note"),
                ONSITE: ("onsite_coefficient", "finding")}


def dimensions_of(application: StarApplication) -> list[SchemeDimension]:
    return catalogue.performance_dimensions(application.scheme)


def stage_indicators(dimension: SchemeDimension, stage: str) -> list[Indicator]:
    return [i for i in dimension.indicators if i.category in STAGE_CATEGORIES[stage]]


def scores_of(application: StarApplication) -> dict[int, IndicatorScore]:
    return {s.indicator_id: s for s in db.session.scalars(
        select(IndicatorScore).where(IndicatorScore.application_id == application.id))}


def open_stage_task(application: StarApplication) -> WorkTask | None:
    return db.session.scalar(select(WorkTask).where(
        WorkTask.case_id == application.case_id, WorkTask.status == "open",
        WorkTask.form_key.in_(tuple(STAGE_BY_FORM))).limit(1))


def editable_stage(application: StarApplication, user) -> str | None:
    """The scoring stage ``user`` may edit now: the one whose task is open and offered to them."""
    task = open_stage_task(application)
    if task is None or not runtime.can_work(task, user):
        return None
    return STAGE_BY_FORM[task.form_key]


def progress(application: StarApplication, stage: str, scores=None) -> list[tuple[SchemeDimension, int, int]]:
    """(dimension, scored, total) per dimension for a stage."""
    scores = scores if scores is not None else scores_of(application)
    field = STAGE_FIELDS[stage][0]
    out = []
    for d in dimensions_of(application):
        items = stage_indicators(d, stage)
        done = sum(1 for i in items if i.id in scores and getattr(scores[i.id], field) is not None)
        out.append((d, done, len(items)))
    return out


def missing_message(application: StarApplication, stage: str) -> str | None:
    missing = sum(total - done for _d, done, total in progress(application, stage))
    if not missing:
        return None
    return _l("%(count)s indicators are not scored yet; score every indicator of every dimension first.",
              count=missing)


@dataclass
class ScoreErrors(Exception):
    errors: dict  # indicator id -> message


def parse_coefficient(raw) -> Decimal | None:
    """A coefficient typed as percent (0-100, at most two decimals); blank is None."""
    text = (raw or "").strip().replace("%", "").replace("％", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(str(_l("Enter a number from 0 to 100."))) from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ValueError(str(_l("Enter a number from 0 to 100.")))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(str(_l("At most two decimals.")))
    return value


def save_scores(application: StarApplication, dimension_id: int, user, formdata, files=None) -> int:
    """Save (as a draft) the scores, notes and evidence of one dimension for the user's open stage."""
    stage = editable_stage(application, user)
    if stage is None:
        raise Forbidden(_l("you may not score this application now"))
    dimension = db.session.get(SchemeDimension, dimension_id)
    if dimension is None or dimension.scheme_id != application.scheme_id:
        raise NotFound(_l("dimension not found"))
    coefficient_field, note_field = STAGE_FIELDS[stage]
    errors, parsed = {}, {}
    for ind in stage_indicators(dimension, stage):
        try:
            parsed[ind.id] = parse_coefficient(formdata.get(f"c_{ind.id}"))
        except ValueError as exc:
            errors[ind.id] = str(exc)
        if stage == SELF and files is not None:
            for storage in files.getlist(f"e_{ind.id}"):
                if getattr(storage, "filename", None):
                    problem = documents.check_upload(storage)
                    if problem:
                        errors[ind.id] = f"{storage.filename}: {problem}"
    if errors:
        raise ScoreErrors(errors)
    # Touching the case (below) lets its optimistic lock order this save against a concurrent task completion.
    with transaction(_l("The application changed meanwhile; nothing you entered was saved.")):
        existing = scores_of(application)
        changed = 0
        for ind in stage_indicators(dimension, stage):
            row = existing.get(ind.id)
            if row is None:
                row = IndicatorScore(application_id=application.id, indicator_id=ind.id)
                db.session.add(row)
            note = (formdata.get(f"n_{ind.id}") or "").strip()[:3000] or None
            if getattr(row, coefficient_field) != parsed[ind.id] or getattr(row, note_field) != note:
                changed += 1
            setattr(row, coefficient_field, parsed[ind.id])
            setattr(row, note_field, note)
            row.updated_at = clock.utcnow()
            if stage == SELF and files is not None:
                for storage in files.getlist(f"e_{ind.id}"):
                    if getattr(storage, "filename", None):
                        documents.store(storage, case_id=application.case_id, field=f"evidence:{ind.code}",
                                        user_id=user.id)
                        changed += 1
        record("stars.scores_saved", f"{dimension.name} ({stage})", actor_id=user.id, case_id=application.case_id,
               detail={"dimension": dimension.table_id, "stage": stage, "changed": changed})
        application.case.updated_at = clock.utcnow()
    return changed


def evidence_by_indicator(application: StarApplication) -> dict[str, list]:
    out: dict[str, list] = {}
    for doc in documents.for_case(application.case_id) if application.case_id else []:
        if doc.field and doc.field.startswith("evidence:"):
            out.setdefault(doc.field.split(":", 1)[1], []).append(doc)
    return out


# --- evaluation ------------------------------------------------------------------------------

def _counted(score: IndicatorScore | None, indicator: Indicator, provisional: bool):
    """The coefficient that counts: online indicators the verified value (while still provisional,
    the self-assessed one), offline and combined ones the on-site reviewer's."""
    if score is None:
        return None
    if indicator.category == rules.ONLINE:
        if score.verified_coefficient is not None:
            return score.verified_coefficient
        return score.self_coefficient if provisional else None
    return score.onsite_coefficient


def evaluate(application: StarApplication, provisional: bool = False) -> rules.Evaluation:
    scores = scores_of(application)
    results = []
    for d in dimensions_of(application):
        items = [(i.code, i.category, i.points, _counted(scores.get(i.id), i, provisional),
                  i.level3 or i.level2 or i.level1 or "") for i in d.indicators]
        results.append(rules.dimension_result(d.name, d.weight, items))
    return rules.evaluate(results, application.target_level, application.with_onsite)


def explanation(application: StarApplication) -> tuple[dict, bool]:
    """The stored explanation once evaluated, else a provisional one from the current scores."""
    if application.explanation:
        return application.explanation, False
    return evaluate(application, provisional=True).as_dict(), True


# --- lifecycle hooks -------------------------------------------------------------------------

def _application(case) -> StarApplication:
    application = application_for_case(case.id)
    if application is None:
        raise EngineError(_l("this case has no star application"))
    return application


@registry.prepare_form("stars.self_assessment")
def _prepare_self(form, case, task, submitted):
    form.missing = missing_message(_application(case), SELF)


@registry.on_complete("stars.self_assessment")
def _self_assessed(ctx: CompletionContext):
    _application(ctx.case).status = "verification"


@registry.prepare_form("stars.verification")
def _prepare_verification(form, case, task, submitted):
    application = _application(case)
    form.needs_certifier = application.with_onsite
    form.certifier_org_id.choices = select_choices([(0, "—")] + [(o.id, o.name) for o in certification_bodies()])
    if not application.with_onsite:
        del form.certifier_org_id


@registry.on_complete("stars.verification")
def _verified(ctx: CompletionContext):
    application = _application(ctx.case)
    if ctx.data["verification"] == "returned":
        application.status = "self_assessment"
        return
    accepted = 0
    for row in scores_of(application).values():
        if row.indicator.category == rules.ONLINE and row.verified_coefficient is None:
            row.verified_coefficient = row.self_coefficient  # the reviewer accepted the self-assessed value
            accepted += 1
    if application.with_onsite:
        application.certifier_org_id = ctx.data["certifier_org_id"]
        application.status = "onsite_review"
    else:
        application.status = "decision"
        ctx.data["certifier_org_id"] = None
    record("stars.scores_saved", "verified", actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"stage": VERIFY, "accepted_as_self_assessed": accepted})


@registry.prepare_form("stars.onsite_review")
def _prepare_onsite(form, case, task, submitted):
    form.missing = missing_message(_application(case), ONSITE)


@registry.on_complete("stars.onsite_review")
def _onsite_reviewed(ctx: CompletionContext):
    application = _application(ctx.case)
    if application.certifier_org_id != ctx.user.organisation_id:
        raise Forbidden(_l("only the assigned certification body reviews on site"))
    application.status = "decision"


@registry.on_task_created("stars.award")
def _evaluate_for_decision(case, task):
    application = _application(case)
    result = evaluate(application)
    application.explanation = result.as_dict()
    application.composite_score = result.composite
    application.status = "decision"
    record("stars.evaluated", result.deciding_rule[:200], case_id=case.id,
           detail={"composite": rules.fmt(result.composite), "awarded_level": result.awarded_level})


@registry.prepare_form("stars.award")
def _prepare_award(form, case, task, submitted):
    application = _application(case)
    form.rule_met = bool(application.explanation and application.explanation.get("awarded_level"))
    if application.explanation:
        form.award_decision.description = application.explanation.get("deciding_rule", "")


@registry.on_complete("stars.award")
def _decided(ctx: CompletionContext):
    application = _application(ctx.case)
    now = clock.utcnow()
    application.decided_at = now
    if ctx.data["award_decision"] != "award":
        application.status = "refused"
        record("stars.refused", ctx.data.get("award_note", "")[:200], actor_id=ctx.user.id, case_id=ctx.case.id)
        _tell_enterprise(application.enterprise_id, ctx.case, "refused", UPGRADE_PROCESS,
                         f"/stars/applications/{application.id}")
        return
    s = standing(application.enterprise_id)
    if s.blacklisted:
        raise Forbidden(_l("the enterprise is on the blacklist"))
    if s.level != application.current_level:  # defence in depth: supervision withdraws such applications
        raise EngineError(_l("The enterprise's star level changed during the application; it cannot be awarded."))
    application.status = "awarded"
    application.awarded_level = application.target_level
    s.level = application.target_level
    s.composite_score = application.composite_score
    s.awarded_at = now
    s.application_id = application.id
    if application.with_onsite:
        s.single_item_stars = application.explanation.get("single_item_stars")
    record("stars.awarded", f"{application.target_level}★", actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"application_id": application.id, "composite": rules.fmt(application.composite_score or 0)})
    _ensure_supervision(s)
    _tell_enterprise(application.enterprise_id, ctx.case, "awarded", UPGRADE_PROCESS,
                     f"/stars/applications/{application.id}")


def _tell_enterprise(enterprise_id, case, status, process, link) -> None:
    notify(organisation_members(enterprise_id), "case_update", {"case": case.title, "status": status,
                                                                "process": process}, case_id=case.id, link=link)


# --- supervision -----------------------------------------------------------------------------

def _running_supervision(enterprise_id: int) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.process_key == SUPERVISION_PROCESS,
                                                      Case.subject_org_id == enterprise_id,
                                                      Case.status == "running")))


def _annual_running(enterprise_id: int) -> Case | None:
    s = standing(enterprise_id)
    if s and s.supervision_case_id:
        case = db.session.get(Case, s.supervision_case_id)
        if case is not None and case.status == "running":
            return case
    return None


def _next_due(s: EnterpriseStar) -> str:
    due = rules.next_supervision_due(s.awarded_at, clock.utcnow(), current_app.config["STAR_SUPERVISION_INTERVAL_DAYS"])
    return clock.as_aware(due).isoformat()


def _ensure_supervision(s: EnterpriseStar) -> None:
    """Every starred enterprise has a running annual supervision case, its timer set from the award date."""
    if _annual_running(s.enterprise_id) is not None:
        return
    case = runtime.start_case(SUPERVISION_PROCESS, commit=False, subject_org_id=s.enterprise_id,
                              title=f"年度监督审查：{s.enterprise.name}",
                              data={"enterprise_id": s.enterprise_id, "kind": "annual", "supervision_due": _next_due(s)})
    s.supervision_case_id = case.id


def start_spot_check(user, enterprise_id: int) -> Case:
    """An administrator spot-checks a starred enterprise at any time (不定期抽查)."""
    if not is_admin(user):
        raise Forbidden(_l("only administrators start spot-checks"))
    s = standing(enterprise_id)
    if s is None or s.level == 0:
        raise NotFound(_l("no starred enterprise"))
    case = runtime.start_case(SUPERVISION_PROCESS, user=user, commit=False, subject_org_id=enterprise_id,
                              title=f"星级抽查：{s.enterprise.name}",
                              data={"enterprise_id": enterprise_id, "kind": "spot"})
    db.session.commit()
    return case


def lift_blacklist(user, enterprise_id: int, reasons: str) -> SupervisionOutcome:
    """An administrator takes an enterprise off the blacklist, with published reasons; it then may apply
    again for one star."""
    if not is_admin(user):
        raise Forbidden(_l("only administrators lift a blacklisting"))
    s = standing(enterprise_id)
    if s is None or not s.blacklisted:
        raise NotFound(_l("the enterprise is not on the blacklist"))
    reasons = (reasons or "").strip()
    if len(reasons) < 2:
        raise ApplyError(_l("Give the reasons; they are published."))
    s.blacklisted = False
    s.blacklisted_at = None
    outcome = SupervisionOutcome(enterprise_id=enterprise_id, kind="admin", outcome="lift_blacklist",
                                 level_before=s.level, level_after=s.level, reasons=reasons[:5000],
                                 decided_by_id=user.id, published_at=clock.utcnow())
    db.session.add(outcome)
    record("stars.supervision", "lift_blacklist", actor_id=user.id, detail={"enterprise_id": enterprise_id})
    db.session.commit()
    return outcome


@registry.prepare_form("stars.supervision_review")
def _prepare_supervision(form, case, task, submitted):
    s = standing(case.subject_org_id)
    form.current_level = s.level if s else None


@registry.on_complete("stars.supervision_review")
def _supervised(ctx: CompletionContext):
    s = standing(ctx.case.subject_org_id)
    outcome = ctx.data["outcome"]
    kind = ctx.workflow_data.get("kind", "annual")
    before = s.level
    if outcome == "lower":
        after = int(ctx.data["new_level"])
    elif outcome in ("remove", "blacklist"):
        after = 0
    else:
        after = before
    s.level = after
    if after == 0:
        s.single_item_stars = None
    if outcome == "blacklist":
        s.blacklisted = True
        s.blacklisted_at = clock.utcnow()
    db.session.add(SupervisionOutcome(enterprise_id=s.enterprise_id, case_id=ctx.case.id, kind=kind,
                                      outcome=outcome, level_before=before, level_after=after,
                                      reasons=ctx.data["reasons"].strip(), decided_by_id=ctx.user.id,
                                      published_at=clock.utcnow()))
    record("stars.supervision", f"{outcome}: {before}→{after}", actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"kind": kind, "outcome": outcome, "before": before, "after": after})
    if after != before or outcome == "blacklist":
        application = running_application(s.enterprise_id)
        if application is not None:  # it was based on the old level
            application.status = "withdrawn"
            application.decided_at = clock.utcnow()
            cases.cancel(application.case, actor_id=ctx.user.id, reason="star level changed in supervision")
            _tell_enterprise(s.enterprise_id, application.case, "withdrawn", UPGRADE_PROCESS,
                             f"/stars/applications/{application.id}")
    _tell_enterprise(s.enterprise_id, ctx.case, outcome, SUPERVISION_PROCESS, "/stars/public")
    if after == 0:
        for other in _running_supervision(s.enterprise_id):
            if other.id != ctx.case.id:
                cases.cancel(other, actor_id=ctx.user.id, reason="star removed")
        s.supervision_case_id = None
    elif kind == "annual":
        ctx.data["supervision_due"] = _next_due(s)


# --- public register -------------------------------------------------------------------------

def starred_enterprises() -> list[EnterpriseStar]:
    return list(db.session.scalars(select(EnterpriseStar).where(EnterpriseStar.level > 0,
                                                                EnterpriseStar.blacklisted.is_(False))
                                   .order_by(EnterpriseStar.level.desc(), EnterpriseStar.awarded_at)))


def blacklist() -> list[EnterpriseStar]:
    return list(db.session.scalars(select(EnterpriseStar).where(EnterpriseStar.blacklisted.is_(True))
                                   .order_by(EnterpriseStar.blacklisted_at.desc())))


def published_outcomes(limit: int = 100) -> list[SupervisionOutcome]:
    return list(db.session.scalars(select(SupervisionOutcome).order_by(SupervisionOutcome.published_at.desc(),
                                                                       SupervisionOutcome.id.desc()).limit(limit)))


def next_reviews() -> dict[int, datetime]:
    """Enterprise id -> when its annual supervision review is next due."""
    rows = db.session.execute(select(EnterpriseStar.enterprise_id, Case.next_timer_at).join(
        Case, Case.id == EnterpriseStar.supervision_case_id).where(Case.status == "running"))
    return {enterprise_id: due for enterprise_id, due in rows if due is not None}


def all_standings() -> list[EnterpriseStar]:
    return list(db.session.scalars(select(EnterpriseStar).order_by(EnterpriseStar.id)))


def timestamp(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"
