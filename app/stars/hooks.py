"""The star-rating domain: task forms, completion hooks (upgrade, supervision, special-capability evaluation), pages, `flask stars` commands."""


def register(app) -> None:
    from . import forms, services, special  # noqa: F401
    from .cli import stars_cli
    from .views import bp
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import everyone, nav_item
    app.register_blueprint(bp)
    nav_item("stars.index", _l("Star rating"), services.takes_part, order=70)
    nav_item("stars.public", _l("Star register"), everyone, order=140)
    app.cli.add_command(stars_cli)
