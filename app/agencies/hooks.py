"""The agency domain: task forms, completion hooks, pages, its JSON routes."""


def register(app) -> None:
    from . import api, forms, services  # noqa: F401
    from .views import bp
    app.register_blueprint(bp)
