"""Thin views of the star rating: apply, score per dimension, explanation, public register."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import is_admin, is_certifier, is_enterprise, is_staff
from ..extensions import db
from . import catalogue, pdf, rules, services, special
from .models import EvaluationScheme, SchemeDimension

bp = Blueprint("stars", __name__, url_prefix="/stars")

bp.add_app_template_global(lambda s: str(services.STATUSES.get(s, s)), "star_status")
bp.add_app_template_global(lambda code: rules.ENTERPRISE_TYPES[code][0], "enterprise_type_label")
bp.add_app_template_global(lambda c: str(services.CATEGORY_LABELS.get(c, "—")), "category_label_star")
bp.add_app_template_global(lambda k: str(services._forms.OUTCOME_LABELS.get(k, k)), "outcome_label")
bp.add_app_template_global(lambda s: str(special.STATUSES.get(s, s)), "special_status")


@bp.get("/")
@login_required
def index():
    user = current_user
    own = services.standing(user.organisation_id) if is_enterprise(user) else None
    next_reviews = services.next_reviews()
    return render_template("stars/index.html", own=own, applications=services.applications_for(user),
                           specials=special.for_user(user), next_reviews=next_reviews,
                           standings=services.all_standings() if is_staff(user) else [],
                           schemes=db.session.scalars(db.select(EvaluationScheme).order_by(
                               EvaluationScheme.enterprise_type, EvaluationScheme.version)).all()
                           if is_admin(user) else [])


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    services.require_applicant(current_user)
    own = services.standing(current_user.organisation_id)
    if request.method == "POST":
        form = services.application_form(request.form, current_user)
        if form.validate():
            try:
                application = services.apply(current_user, form.enterprise_type.data, form.target_level.data)
            except services.ApplyError as exc:
                db.session.rollback()
                return render_template("stars/apply.html", form=form, own=own, error=exc.message), 422
            flash(_("Application submitted: score the online indicators of each dimension."), "success")
            return redirect(url_for("stars.application", application_id=application.id), 303)
        return render_template("stars/apply.html", form=form, own=own), 422
    return render_template("stars/apply.html", form=services.application_form(None, current_user), own=own)


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id):
    a = services.get_application(application_id, current_user)
    scores = services.scores_of(a)
    stage = services.editable_stage(a, current_user)
    progress = {s: services.progress(a, s, scores) for s in (services.SELF, services.VERIFY, services.ONSITE)
                if s != services.ONSITE or a.with_onsite}
    return render_template("stars/application.html", a=a, stage=stage, progress=progress,
                           task=services.open_stage_task(a))


def _dimension_page(a, dimension, status=200, errors=None, typed=None):
    stage = services.editable_stage(a, current_user)
    shown = stage or (services.ONSITE if is_certifier(current_user) else services.SELF)
    return render_template("stars/dimension.html", a=a, d=dimension, stage=stage, shown=shown,
                           indicators=services.stage_indicators(dimension, shown) if shown else [],
                           scores=services.scores_of(a), evidence=services.evidence_by_indicator(a),
                           errors=errors or {}, typed=typed, bands=rules.BANDS), status


@bp.route("/applications/<int:application_id>/dimensions/<int:dimension_id>", methods=["GET", "POST"])
@login_required
def dimension(application_id, dimension_id):
    a = services.get_application(application_id, current_user)
    d = db.session.get(SchemeDimension, dimension_id)
    if d is None or d.scheme_id != a.scheme_id or d.kind != rules.PERFORMANCE:
        abort(404)
    if request.method == "POST":
        try:
            services.save_scores(a, d.id, current_user, request.form, request.files)
        except services.ScoreErrors as exc:
            db.session.rollback()
            return _dimension_page(a, d, 422, exc.errors, request.form)
        flash(_("Draft saved."), "success")
        return redirect(url_for("stars.dimension", application_id=a.id, dimension_id=d.id), 303)
    return _dimension_page(a, d)


@bp.get("/applications/<int:application_id>/explanation")
@login_required
def explanation(application_id):
    a = services.get_application(application_id, current_user)
    result, provisional = services.explanation(a)
    return render_template("stars/explanation.html", a=a, result=result, provisional=provisional)


@bp.post("/enterprises/<int:enterprise_id>/spot-check")
@login_required
def spot_check(enterprise_id):
    case = services.start_spot_check(current_user, enterprise_id)
    flash(_("Spot-check started."), "success")
    return redirect(url_for("engine.case", case_id=case.id), 303)


@bp.post("/enterprises/<int:enterprise_id>/lift-blacklist")
@login_required
def lift_blacklist(enterprise_id):
    try:
        services.lift_blacklist(current_user, enterprise_id, request.form.get("reasons", ""))
    except services.ApplyError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("stars.index")), 303
    flash(_("Taken off the blacklist."), "success")
    return redirect(url_for("stars.index"), 303)


@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
@login_required
def scheme(scheme_id):
    services.require_admin(current_user)
    s = db.session.get(EvaluationScheme, scheme_id)
    if s is None:
        abort(404)
    error = None
    if request.method == "POST":
        weights = {d.name: request.form.get(f"w_{d.id}", "") for d in catalogue.performance_dimensions(s)}
        try:
            target = catalogue.apply_settings(s, weights=weights, author_id=current_user.id)
        except catalogue.SettingsError as exc:
            db.session.rollback()
            error = "; ".join(exc.problems)
        else:
            db.session.commit()
            flash(_("Weights saved.") if target.id == s.id else
                  _("The scheme is in use: the weights were saved as version %(v)s.", v=target.version), "success")
            return redirect(url_for("stars.scheme", scheme_id=target.id), 303)
    return render_template("stars/scheme.html", s=s, error=error, typed=request.form if error else None,
                           dims=catalogue.performance_dimensions(s), stages=catalogue.special_stages(s)), \
        (422 if error else 200)


@bp.route("/schemes/<int:scheme_id>/dimensions/<int:dimension_id>", methods=["GET", "POST"])
@login_required
def scheme_points(scheme_id, dimension_id):
    """Points of each indicator of one table (summing to 1,000)."""
    services.require_admin(current_user)
    s = db.session.get(EvaluationScheme, scheme_id)
    d = db.session.get(SchemeDimension, dimension_id)
    if s is None or d is None or d.scheme_id != s.id:
        abort(404)
    error = None
    if request.method == "POST":
        points = {i.code: request.form.get(f"p_{i.id}", "") for i in d.indicators}
        try:
            target = catalogue.apply_settings(s, points=points, author_id=current_user.id)
        except catalogue.SettingsError as exc:
            db.session.rollback()
            error = "; ".join(exc.problems)
        else:
            db.session.commit()
            flash(_("Points saved.") if target.id == s.id else
                  _("The scheme is in use: the points were saved as version %(v)s.", v=target.version), "success")
            new_d = next(x for x in target.dimensions if x.table_id == d.table_id)
            return redirect(url_for("stars.scheme_points", scheme_id=target.id, dimension_id=new_d.id), 303)
    return render_template("stars/scheme_points.html", s=s, d=d, error=error,
                           typed=request.form if error else None), (422 if error else 200)


@bp.get("/applications/<int:application_id>/certificate.pdf")
@login_required
def certificate(application_id):
    a = services.get_application(application_id, current_user)
    if a.status != "awarded":
        abort(404)
    return _pdf(pdf.certificate(a, services.standing(a.enterprise_id)), f"star-certificate-{a.id}.pdf")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- special-capability evaluation (专项能力评价) ------------------------------------------------

@bp.route("/special/new", methods=["GET", "POST"])
@login_required
def special_new():
    services.require_applicant(current_user)
    if request.method == "POST":
        form = special.request_form(request.form, current_user)
        if form.validate():
            try:
                ev = special.request_evaluation(current_user, form.enterprise_type.data, form.stages.data)
            except services.ApplyError as exc:
                db.session.rollback()
                return render_template("stars/special_new.html", form=form, error=exc.message), 422
            flash(_("Special-capability evaluation requested."), "success")
            return redirect(url_for("stars.special_view", evaluation_id=ev.id), 303)
        return render_template("stars/special_new.html", form=form), 422
    form = special.request_form(request.args if request.args.get("enterprise_type") else None, current_user)
    return render_template("stars/special_new.html", form=form, choosing=True)


@bp.get("/special/<int:evaluation_id>")
@login_required
def special_view(evaluation_id):
    ev = special.get(evaluation_id, current_user)
    return render_template("stars/special.html", ev=ev, progress=special.progress(ev),
                           editable=special.editable(ev, current_user),
                           status=str(special.STATUSES.get(ev.status, ev.status)))


@bp.route("/special/<int:evaluation_id>/stages/<int:stage_id>", methods=["GET", "POST"])
@login_required
def special_stage(evaluation_id, stage_id):
    ev = special.get(evaluation_id, current_user)
    stage = next((d for d in special.stages(ev) if d.id == stage_id), None)
    if stage is None:
        abort(404)
    errors, typed, status = {}, None, 200
    if request.method == "POST":
        try:
            special.save_scores(ev, stage.id, current_user, request.form)
        except services.ScoreErrors as exc:
            db.session.rollback()
            errors, typed, status = exc.errors, request.form, 422
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("stars.special_stage", evaluation_id=ev.id, stage_id=stage.id), 303)
    return render_template("stars/special_stage.html", ev=ev, d=stage, scores=special.scores(ev), errors=errors,
                           typed=typed, editable=special.editable(ev, current_user), bands=rules.BANDS), status


@bp.get("/special/<int:evaluation_id>/report.pdf")
@login_required
def special_report(evaluation_id):
    ev = special.get(evaluation_id, current_user)
    if ev.status != "completed":
        abort(404)
    return _pdf(pdf.special_report(ev), f"special-capability-report-{ev.id}.pdf")


@bp.get("/public")
def public():
    return render_template("stars/public.html", starred=services.starred_enterprises(),
                           blacklist=services.blacklist(), outcomes=services.published_outcomes())
