from flask import Blueprint, render_template, request

from ..complaints import services as complaints
from ..engine.guards import page_number

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", decisions=complaints.published_decisions(limit=5))


@bp.get("/decisions")
def decisions():
    page = page_number(request.args.get("page"))
    items = complaints.published_decisions(limit=20, offset=(page - 1) * 20)
    return render_template("public/decisions.html", decisions=items, page=page)
