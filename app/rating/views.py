"""Thin views: cycles (administrators), applications (agencies), public notices and
objections, the recommendation list, adjustment reviews (staff)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from ..agencies import services as agencies
from ..engine.forms import select_choices
from ..engine.errors import InvalidSubmission
from ..engine.guards import parse_id
from ..notices.views import objection_page
from . import forms, rules, services
from .status import status_label

bp = Blueprint("rating", __name__)
bp.add_app_template_global(lambda g: str(forms.GRADE_LABELS.get(g, g or "")), "grade_label")
bp.add_app_template_global(lambda t: str(forms.TRIGGER_LABELS.get(t, t)), "trigger_label")
bp.add_app_template_global(status_label, "rating_status_label")


@bp.route("/rating/cycles", methods=["GET", "POST"])
@login_required
def cycles():
    services._require_staff(current_user)
    form = forms.CycleForm()
    if request.method == "GET":  # the installation's default for new cycles
        form.count_publication_day.data = current_app.config.get("RATING_COUNT_PUBLICATION_DAY", False)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                cycle = services.open_cycle(current_user, form)
                return redirect(url_for("rating.cycle", cycle_id=cycle.id), 303)
            except InvalidSubmission:
                pass
        status = 422
    return render_template("rating/cycles.html", cycles=services.cycles(), form=form), status


@bp.get("/rating/cycles/<int:cycle_id>")
@login_required
def cycle(cycle_id):
    services._require_staff(current_user)
    return render_template("rating/cycle.html", cycle=services.get_cycle(cycle_id),
                           accepting=services.accepting(services.get_cycle(cycle_id)))


@bp.post("/rating/cycles/<int:cycle_id>/close")
@login_required
def close(cycle_id):
    services.close_cycle(current_user, cycle_id)
    flash(_("Applications closed; spot-check sample drawn."), "success")
    return redirect(url_for("rating.cycle", cycle_id=cycle_id), 303)


@bp.route("/agency/applications", methods=["GET", "POST"])
@login_required
def applications():
    org = agencies.own_agency(current_user)
    form = forms.ApplicationForm(CombinedMultiDict([request.files, request.form])) if request.method == "POST" \
        else forms.ApplicationForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            services.apply(current_user, parse_id(request.form.get("cycle_id"), 0), form)
            flash(_("Application submitted."), "success")
            return redirect(url_for("rating.applications"), 303)
        status = 422
    return render_template("rating/applications.html", org=org, form=form, open_cycles=services.open_cycles(),
                           applications=services.applications_of(org.id),
                           disclosed=agencies.has_disclosed(org.id)), status


@bp.get("/rating/notices")
def notices():
    return render_template("rating/notices.html", items=services.in_notice(), notice_of=services.notice_of,
                           objection_url=lambda a: url_for("rating.objection", application_id=a.id))


@bp.route("/rating/notices/<int:application_id>/objection", methods=["GET", "POST"])
def objection(application_id):
    app = services.get_application(application_id)
    notice = services.notice_of(app)
    heading = f"{app.agency.name} · {app.cycle.name} · {_('Proposed grade')} " \
        f"{forms.GRADE_LABELS.get(app.proposed_grade, app.proposed_grade)}" if notice else ""
    return objection_page(notice, heading=heading, done=url_for("rating.notices"),
                          action=url_for("rating.objection", application_id=application_id))


@bp.get("/rating/recommended")
def recommended():
    return render_template("rating/recommended.html", grades=services.recommendation_list(),
                           adjustments=services.published_adjustments())


@bp.route("/rating/reviews", methods=["GET", "POST"])
@login_required
def reviews():
    items = services.reviews(current_user)
    form = forms.OpenReviewForm()
    form.agency_id.choices = select_choices((a.id, a.name) for a in agencies.registered_agencies())
    status = 200
    if request.method == "POST":
        if form.validate():
            review = services.open_review_by_staff(current_user, form)
            return redirect(url_for("engine.case", case_id=review.case_id), 303)
        status = 422
    return render_template("rating/reviews.html", reviews=items, form=form), status
