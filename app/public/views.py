from flask import Blueprint, render_template, request

from ..complaints import services as complaints

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", decisions=complaints.published_decisions(limit=5))


@bp.get("/decisions")
def decisions():
    page = max(1, request.args.get("page", 1, type=int))
    items = complaints.published_decisions(limit=20, offset=(page - 1) * 20)
    return render_template("public/decisions.html", decisions=items, page=page)
