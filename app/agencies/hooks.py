"""The agency domain: task forms, completion hooks, pages."""


def register(app) -> None:
    from . import forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
