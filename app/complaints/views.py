from flask import Blueprint, render_template, request, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from ..engine.guards import parse_id
from . import services
from .status import CATEGORIES, MEASURES, RESULTS, label, status_label

bp = Blueprint("complaints", __name__)

bp.add_app_template_global(status_label, "status_label")
bp.add_app_template_global(lambda k: label(CATEGORIES, k), "category_label")
bp.add_app_template_global(lambda k: label(RESULTS, k), "result_label")
bp.add_app_template_global(lambda k: label(MEASURES, k), "measure_label")


def _form(formdata=None):
    return services.complaint_form(formdata, current_user)


@bp.route("/complaints/new", methods=["GET", "POST"])
def new():
    services.require_filer(current_user)
    if request.method == "POST":
        form = _form(CombinedMultiDict([request.files, request.form]))
        if form.validate():
            complaint = services.file_complaint(form, current_user)
            return redirect(url_for("complaints.track", token=complaint.tracking_token), 303)
        return render_template("complaints/new.html", form=form), 422
    form = _form()
    if request.args.get("agency"):
        form.agency_id.data = parse_id(request.args.get("agency"))
    return render_template("complaints/new.html", form=form)


@bp.get("/complaints/track/<token>")
def track(token):
    complaint = services.by_tracking_token(token)
    return render_template("complaints/track.html", complaint=complaint)


@bp.get("/complaints")
@login_required
def mine():
    return render_template("complaints/list.html", complaints=services.visible_to(current_user))
