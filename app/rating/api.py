"""The rating domain's JSON routes on the API blueprint (described in app/api/openapi.py)."""
from flask import jsonify

from ..api.blueprint import bp as api_bp
from . import services


@api_bp.get("/rating/notices")
def api_notices():
    """Results under public notice (public)."""
    return jsonify({"items": [{"application_id": a.id, "agency_id": a.organisation_id, "agency": a.agency.name,
                               "cycle": a.cycle.name, "proposed_grade": a.proposed_grade,
                               "notice_ends": a.notice_ends.isoformat() + "Z"} for a in services.in_notice()]})


@api_bp.get("/rating/recommended")
def api_recommended():
    """The public recommendation list by grade."""
    return jsonify({g: [{"agency_id": a.organisation_id, "agency": a.agency.name, "cycle": a.cycle.name,
                         "valid_until": a.valid_until.isoformat()} for a in apps]
                    for g, apps in services.recommendation_list().items()})
