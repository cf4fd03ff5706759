"""Thin views: registration, the agency's own pages, public profiles (the JSON routes: api.py)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from .. import facts
from ..engine.forms import select_choices
from ..engine.errors import InvalidSubmission
from . import forms, rules, services

bp = Blueprint("agencies", __name__)


@bp.route("/agencies/register", methods=["GET", "POST"])
def register():
    services.may_register_agency(current_user)
    form = forms.AgencyRegistrationForm()
    if request.method == "POST":
        if form.validate():
            try:
                org, user = services.register_agency(form, current_user)
            except InvalidSubmission:
                return render_template("agencies/register.html", form=form), 422
            if not current_user.is_authenticated:
                login_user(user)
                flash(_("Agency registered. Now disclose your information."), "success")
                return redirect(url_for("agencies.profile"), 303)
            flash(_("Agency registered."), "success")
            return redirect(url_for("agencies.public_profile", org_id=org.id), 303)
        return render_template("agencies/register.html", form=form), 422
    return render_template("agencies/register.html", form=form)


@bp.route("/agency/profile", methods=["GET", "POST"])
@login_required
def profile():
    org = services.own_agency(current_user)
    current = services.current_disclosure(org.id)
    if request.method == "POST":
        form = forms.DisclosureForm()
        if not form.validate():
            return render_template("agencies/profile.html", form=form, org=org, current=current), 422
        version = services.save_disclosure(current_user, form)
        flash(_("Disclosure saved as version %(v)s.", v=version.version) if version else _("Nothing changed."),
              "success")
        return redirect(url_for("agencies.profile"), 303)
    form = forms.DisclosureForm(data=current.data if current else None)
    return render_template("agencies/profile.html", form=form, org=org, current=current,
                           awaiting=services.awaiting_feedback(org.id))


@bp.route("/agency/team", methods=["GET", "POST"])
@login_required
def team():
    org = services.own_agency(current_user)
    form = forms.ConsultantForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            services.add_consultant(current_user, form)
            return redirect(url_for("agencies.team"), 303)
        status = 422
    return render_template("agencies/team.html", org=org, form=form, team=services.team_facts(org.id)), status


def _project_form(formdata=None):
    form = forms.ProjectForm(formdata=formdata) if formdata is not None else forms.ProjectForm()
    form.enterprise_id.choices = select_choices((e.id, e.name) for e in services.enterprises())
    return form


def _member_form(org_id, formdata=None):
    form = forms.MemberForm(formdata=formdata) if formdata is not None else forms.MemberForm()
    form.consultant_id.choices = select_choices((c.id, c.name) for c in services.consultants(org_id))
    return form


def _projects_page(org, form=None, status=200, errors_for=None, bad_form=None):
    return render_template("agencies/projects.html", org=org, form=form or _project_form(),
                           projects=services.projects(org.id), awaiting=services.awaiting_feedback(org.id),
                           member_form=_member_form(org.id), end_form=forms.ProjectEndForm(),
                           errors_for=errors_for, bad_form=bad_form), status


@bp.route("/agency/projects", methods=["GET", "POST"])
@login_required
def projects():
    org = services.own_agency(current_user)
    if request.method == "POST":
        form = _project_form(request.form)
        if not form.validate():
            return _projects_page(org, form, 422)
        services.add_project(current_user, form)
        return redirect(url_for("agencies.projects"), 303)
    return _projects_page(org)


@bp.post("/agency/projects/<int:project_id>/end")
@login_required
def end_project(project_id):
    org = services.own_agency(current_user)
    form = forms.ProjectEndForm()
    if not form.validate():
        return _projects_page(org, status=422, errors_for=project_id, bad_form=form)
    try:
        services.end_project(current_user, project_id, form)
    except InvalidSubmission:
        return _projects_page(org, status=422, errors_for=project_id, bad_form=form)
    flash(_("Project ended; the enterprise has been asked for its feedback."), "success")
    return redirect(url_for("agencies.projects"), 303)


@bp.post("/agency/projects/<int:project_id>/assessment")
@login_required
def record_assessment(project_id):
    """The enterprise passed assessment after the project ended (通过评定)."""
    org = services.own_agency(current_user)
    form = forms.AssessmentForm()
    if not form.validate():
        return _projects_page(org, status=422, errors_for=project_id, bad_form=form)
    services.record_assessment(current_user, project_id, form.passed_on.data)
    return redirect(url_for("agencies.projects"), 303)


@bp.post("/agency/projects/<int:project_id>/members")
@login_required
def add_member(project_id):
    org = services.own_agency(current_user)
    form = _member_form(org.id, request.form)
    if not form.validate():
        return _projects_page(org, status=422, errors_for=project_id, bad_form=form)
    services.add_member(current_user, project_id, form)
    return redirect(url_for("agencies.projects"), 303)


# --- public ---------------------------------------------------------------------------------

@bp.get("/agencies")
def directory():
    items = [(org, services.current_disclosure(org.id), getattr(facts.ask("rating.current", org.id), "grade", None))
             for org in services.registered_agencies()]
    return render_template("agencies/directory.html", items=items)


@bp.get("/agencies/<int:org_id>")
def public_profile(org_id):
    org = services.get_agency(org_id)
    return render_template("agencies/public.html", org=org, p=services.public_profile(org),
                           rating=facts.ask("rating.current", org.id), labels=forms.FIELD_LABELS, ranges=forms.REVENUE_RANGES,
                           reviewer=services.is_reviewer(current_user))


@bp.get("/agencies/<int:org_id>/history")
@login_required
def history(org_id):
    org = services.get_agency(org_id)
    versions = services.disclosure_history(org.id, current_user)
    overdue = services.overdue_feedback(current_user, org.id)
    return render_template("agencies/history.html", org=org, versions=versions, labels=forms.FIELD_LABELS,
                           fields=rules.DISCLOSURE_FIELDS, overdue=overdue)


@bp.get("/feedback/overdue")
@login_required
def overdue():
    return render_template("agencies/overdue.html", projects=services.overdue_feedback(current_user))
