"""Public pages."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import everyone, nav_item
    from .views import bp
    app.register_blueprint(bp)
    nav_item("public.decisions", _l("Published decisions"), everyone, order=130)
