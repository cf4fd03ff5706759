"""The JSON API under /api/v1: the engine's routes (app/api/views.py) on the blueprint of
app/api/blueprint.py, to which every domain adds its own from its api.py."""
from .blueprint import bp  # noqa: F401

from . import views  # noqa: E402,F401
