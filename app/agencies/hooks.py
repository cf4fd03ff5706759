"""The agency domain: task forms, completion hooks, pages, its JSON routes."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import everyone, is_agency, is_reviewer, nav_item
    from . import api, forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
    nav_item("agencies.profile", _l("Our agency"), is_agency, order=40)
    nav_item("agencies.overdue", _l("Overdue feedback"), is_reviewer, order=60)
    nav_item("agencies.directory", _l("Agencies"), everyone, order=100)
