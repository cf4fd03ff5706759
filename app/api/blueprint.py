"""The API blueprint, alone: domains add their JSON routes to it (each in its own api.py)
without importing the API's views, and the API imports no domain."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
