"""The agency domain's JSON routes on the API blueprint (described in app/api/openapi.py);
the grade comes from the rating through app/facts.py ("rating.current")."""
from flask import jsonify

from .. import facts
from ..api.blueprint import bp as api_bp
from . import services


@api_bp.get("/agencies")
def api_agencies():
    return jsonify({"items": [{"id": o.id, "name": o.name} for o in services.registered_agencies()]})


@api_bp.get("/agencies/<int:org_id>")
def api_agency(org_id):
    org = services.get_agency(org_id)
    data = services.public_profile(org)
    rating = facts.ask("rating.current", org.id)
    data["grade"] = {"grade": rating.grade, "cycle": rating.cycle.name,
                     "valid_until": rating.valid_until.isoformat()} if rating else None
    return jsonify(data)
