"""The complaint domain's JSON routes on the API blueprint (described in app/api/openapi.py)."""
from flask import jsonify
from sqlalchemy import func, select

from ..api.blueprint import bp
from ..api.serializers import iso, org_json
from ..api.views import _page_json, _paging
from ..extensions import db
from .models import Complaint
from .services import published_decisions
from .status import CATEGORIES, MEASURES, RESULTS, label


def decision_json(complaint) -> dict:
    """A published decision: the agency, the finding and the published text, never
    who complained (no name, contact, user, organisation or facts)."""
    return {
        "id": complaint.id, "agency": org_json(complaint.agency),
        "category": complaint.category, "category_label": label(CATEGORIES, complaint.category),
        "result": complaint.arbitration_result, "result_label": label(RESULTS, complaint.arbitration_result),
        "measure": complaint.measure, "measure_label": label(MEASURES, complaint.measure),
        "summary": complaint.publication_summary, "published_at": iso(complaint.published_at),
    }


@bp.get("/decisions")
def decisions():
    page, per_page = _paging()
    items = published_decisions(limit=per_page, offset=(page - 1) * per_page)
    total = db.session.scalar(select(func.count(Complaint.id)).where(Complaint.published_at.is_not(None)))
    return jsonify(_page_json([decision_json(c) for c in items], total, page, per_page))
