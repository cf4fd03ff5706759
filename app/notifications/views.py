from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from . import services

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    items = services.for_user(current_user)
    return render_template("notifications/index.html", items=items, message=services.message)


@bp.post("/notifications/read")
@login_required
def mark_read():
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
