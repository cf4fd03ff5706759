"""The rating domain: task forms, completion hooks, pages, its JSON routes, and the review
after verified serious complaints (app.events.complaint_verified)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import everyone, is_staff, nav_item
    from ..engine.events import subscribe
    from ..events import complaint_verified
    from . import api, forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
    nav_item("rating.cycles", _l("Rating cycles"), is_staff, order=50)
    nav_item("rating.reviews", _l("Rating adjustment reviews"), is_staff, order=55)
    nav_item("rating.notices", _l("Public notices"), everyone, order=110)
    nav_item("rating.recommended", _l("Recommended agencies"), everyone, order=120)
    subscribe(complaint_verified, services.review_if_complaints_due)
