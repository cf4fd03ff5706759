"""The star-rating domain: task forms, completion hooks (upgrade, supervision, special-capability evaluation), pages, `flask stars` commands."""


def register(app) -> None:
    from . import forms, services, special  # noqa: F401
    from .cli import stars_cli
    from .views import bp
    app.register_blueprint(bp)
    app.cli.add_command(stars_cli)
