"""Special-capability evaluation (专项能力评价, 4.2.3, 5.2.3, 6.3): an enterprise requests an
on-site review of chosen stages; the administrator names a certification body; the body scores
every indicator of those stages with findings; the result is a report per stage, no star."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.models import Organisation
from ..engine import clock, registry, runtime
from ..engine.audit import record
from ..engine.forms import select_choices
from ..engine.models import WorkTask
from ..engine.runtime import CompletionContext
from ..engine.errors import EngineError, Forbidden, NotFound
from ..extensions import db
from . import SPECIAL_PROCESS, catalogue, forms as _forms, rules
from .models import SchemeDimension, SpecialEvaluation, SpecialScore

STATUSES = {"assignment": _l("Awaiting a certification body"), "onsite_review": _l("On-site review"),
            "completed": _l("Report issued")}

registry.event_labels({"stars.special_requested": _l("Special-capability evaluation requested"),
                       "stars.special_report": _l("Special-capability report issued")})


def may_see(ev: SpecialEvaluation, user) -> bool:
    return ev.can_view(user)


def get(evaluation_id: int, user) -> SpecialEvaluation:
    ev = db.session.get(SpecialEvaluation, evaluation_id)
    if ev is None or not may_see(ev, user):
        raise NotFound(_l("special-capability evaluation not found"))
    return ev


def for_user(user) -> list[SpecialEvaluation]:
    return list(db.session.scalars(SpecialEvaluation.visible_to(user).order_by(SpecialEvaluation.id.desc()).limit(200)))


def for_case(case_id: int) -> SpecialEvaluation | None:
    return db.session.scalar(select(SpecialEvaluation).where(SpecialEvaluation.case_id == case_id))


def stages(ev: SpecialEvaluation) -> list[SchemeDimension]:
    return [d for d in catalogue.special_stages(ev.scheme) if d.id in set(ev.stage_ids)]


def scores(ev: SpecialEvaluation) -> dict[int, SpecialScore]:
    return {s.indicator_id: s for s in db.session.scalars(select(SpecialScore).where(SpecialScore.evaluation_id == ev.id))}


def progress(ev: SpecialEvaluation) -> list[tuple[SchemeDimension, int, int]]:
    got = scores(ev)
    return [(d, sum(1 for i in d.indicators if i.id in got and got[i.id].coefficient is not None), len(d.indicators))
            for d in stages(ev)]


def missing_message(ev: SpecialEvaluation):
    missing = sum(total - done for _d, done, total in progress(ev))
    return _l("%(count)s indicators are not scored yet; score every indicator of every dimension first.",
              count=missing) if missing else None


@registry.case_access(SPECIAL_PROCESS)
def _may_view(case, user) -> bool:
    ev = for_case(case.id)
    return ev is not None and may_see(ev, user)


@registry.case_summary(SPECIAL_PROCESS)
def _summary(case, user):
    from flask_babel import gettext as _
    ev = for_case(case.id)
    if ev is None:
        return []
    rows = [(_("Enterprise"), ev.enterprise.name), (_("Stages to evaluate"), "、".join(d.name for d in stages(ev))),
            (_("Status"), str(STATUSES.get(ev.status, ev.status)))]
    if ev.certifier:
        rows.append((_("Certification body"), ev.certifier.name))
    return rows


# --- requesting ----------------------------------------------------------------------------

def request_form(formdata, user):
    from .services import standing
    form = _forms.SpecialRequestForm(formdata=formdata, meta={"csrf": False}) if formdata is not None \
        else _forms.SpecialRequestForm()
    s = standing(user.organisation_id) if user.organisation_id else None
    chosen = s.enterprise_type if s else (form.enterprise_type.data or "offline_service")
    if s is not None:
        form.enterprise_type.data = s.enterprise_type
    scheme = catalogue.latest_scheme(chosen) if chosen in rules.ENTERPRISE_TYPES else None
    form.stages.choices = select_choices([(d.id, d.name) for d in catalogue.special_stages(scheme)] if scheme else [])
    return form


def request_evaluation(user, enterprise_type: str, stage_ids: list[int]) -> SpecialEvaluation:
    from .services import ApplyError, PROBLEM_MESSAGES, require_applicant, standing
    require_applicant(user)
    enterprise = db.session.get(Organisation, user.organisation_id)
    s = standing(enterprise.id)
    if s is not None:
        if s.blacklisted:
            raise ApplyError(PROBLEM_MESSAGES["blacklisted"])
        enterprise_type = s.enterprise_type
    scheme = catalogue.latest_scheme(enterprise_type) if enterprise_type in rules.ENTERPRISE_TYPES else None
    if scheme is None:
        raise ApplyError(_l("No evaluation scheme is loaded for this enterprise type yet."))
    available = {d.id for d in catalogue.special_stages(scheme)}
    if not available:
        raise ApplyError(_l("The standard has no special-capability indicators for this enterprise type."))
    chosen = [i for i in dict.fromkeys(stage_ids) if i in available]
    if not chosen or len(chosen) != len(set(stage_ids)):
        raise ApplyError(_l("Choose stages of your enterprise type."))
    running = db.session.scalar(select(SpecialEvaluation.id).where(SpecialEvaluation.enterprise_id == enterprise.id,
                                                                   SpecialEvaluation.status != "completed").limit(1))
    if running:
        raise ApplyError(_l("Your enterprise already has a special-capability evaluation in progress."))
    catalogue.freeze(scheme)
    ev = SpecialEvaluation(enterprise_id=enterprise.id, scheme_id=scheme.id, stage_ids=chosen, status="assignment",
                           requested_by_id=user.id, created_at=clock.utcnow())
    db.session.add(ev)
    db.session.flush()
    case = runtime.start_case(SPECIAL_PROCESS, user=user, commit=False, subject_org_id=enterprise.id,
                              title=f"专项能力评价：{enterprise.name}",
                              data={"enterprise_id": enterprise.id, "special_id": ev.id})
    ev.case_id = case.id
    record("stars.special_requested", ", ".join(str(i) for i in chosen), actor_id=user.id, case_id=case.id,
           detail={"special_id": ev.id, "stages": chosen})
    db.session.commit()
    return ev


# --- scoring -------------------------------------------------------------------------------

def editable(ev: SpecialEvaluation, user) -> bool:
    task = db.session.scalar(select(WorkTask).where(WorkTask.case_id == ev.case_id, WorkTask.status == "open",
                                                    WorkTask.form_key == "stars.special_review").limit(1))
    return task is not None and runtime.can_work(task, user)


def save_scores(ev: SpecialEvaluation, stage_id: int, user, formdata) -> None:
    from .services import ScoreErrors, parse_coefficient
    if not editable(ev, user):
        raise Forbidden(_l("you may not score this application now"))
    stage = next((d for d in stages(ev) if d.id == stage_id), None)
    if stage is None:
        raise NotFound(_l("dimension not found"))
    errors, parsed = {}, {}
    for ind in stage.indicators:
        try:
            parsed[ind.id] = parse_coefficient(formdata.get(f"c_{ind.id}"))
        except ValueError as exc:
            errors[ind.id] = str(exc)
    if errors:
        raise ScoreErrors(errors)
    existing = scores(ev)
    for ind in stage.indicators:
        row = existing.get(ind.id) or SpecialScore(evaluation_id=ev.id, indicator_id=ind.id)
        db.session.add(row)
        row.coefficient = parsed[ind.id]
        row.finding = (formdata.get(f"n_{ind.id}") or "").strip()[:3000] or None
        row.updated_at = clock.utcnow()
    record("stars.scores_saved", f"{stage.name} (special)", actor_id=user.id, case_id=ev.case_id,
           detail={"stage": stage.table_id})
    db.session.commit()


def build_report(ev: SpecialEvaluation) -> dict:
    """Per stage: score out of 1,000 and every indicator's points, coefficient, band and finding."""
    got = scores(ev)
    out = []
    for d in stages(ev):
        result = rules.dimension_result(d.name, 0, [
            (i.code, i.category, i.points, got[i.id].coefficient if i.id in got else None,
             i.level3 or i.level2 or i.level1 or i.content[:30]) for i in d.indicators])
        lines = rules._jsonable([vars(line) for line in result.lines])
        for line, ind in zip(lines, d.indicators):
            line["finding"] = got[ind.id].finding if ind.id in got else None
        out.append({"table_id": d.table_id, "name": d.name, "score": rules.fmt(result.score), "lines": lines})
    return {"stages": out, "summary": ev.summary, "issued_at": clock.utcnow().strftime("%Y-%m-%d"),
            "certifier": ev.certifier.name if ev.certifier else None}


# --- lifecycle hooks -----------------------------------------------------------------------

def _ev(case) -> SpecialEvaluation:
    ev = for_case(case.id)
    if ev is None:
        raise EngineError(_l("this case has no star application"))
    return ev


@registry.prepare_form("stars.special_assign")
def _prepare_assign(form, case, task, submitted):
    from .services import certification_bodies
    form.certifier_org_id.choices = select_choices([(o.id, o.name) for o in certification_bodies()])


@registry.on_complete("stars.special_assign")
def _assigned(ctx: CompletionContext):
    ev = _ev(ctx.case)
    ev.certifier_org_id = ctx.data["certifier_org_id"]
    ev.status = "onsite_review"


@registry.prepare_form("stars.special_review")
def _prepare_review(form, case, task, submitted):
    form.missing = missing_message(_ev(case))


@registry.on_complete("stars.special_review")
def _reviewed(ctx: CompletionContext):
    ev = _ev(ctx.case)
    if ev.certifier_org_id != ctx.user.organisation_id:
        raise Forbidden(_l("only the assigned certification body reviews on site"))
    ev.summary = ctx.data["special_summary"].strip()
    ev.report = build_report(ev)
    ev.status = "completed"
    ev.completed_at = clock.utcnow()
    record("stars.special_report", "、".join(s["name"] for s in ev.report["stages"]), actor_id=ctx.user.id,
           case_id=ctx.case.id, detail={"scores": {s["name"]: s["score"] for s in ev.report["stages"]}})
