"""The process designer and case diagrams."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import is_admin, nav_item
    from .views import bp, case_bp
    nav_item("designer.index", _l("Process designer"), is_admin, order=82)
    app.register_blueprint(bp)
    app.register_blueprint(case_bp)
