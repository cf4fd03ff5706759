"""The rating domain: task forms, completion hooks, pages, its JSON routes, and the review
after verified serious complaints (app.events.complaint_verified)."""


def register(app) -> None:
    from ..engine.events import subscribe
    from ..events import complaint_verified
    from . import api, forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
    subscribe(complaint_verified, services.review_if_complaints_due)
