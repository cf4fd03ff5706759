"""The complaint domain: task forms, completion hooks, pages, its JSON routes."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import is_signed_in, nav_item
    from . import api, forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
    nav_item("complaints.mine", _l("Complaints"), is_signed_in, order=20)
    nav_item("complaints.new", _l("File a complaint"), services.may_file, order=30)
