"""The JSON API under /api/v1 (token authentication, no CSRF)."""


def register(app) -> None:
    from ..extensions import csrf
    from . import bp
    app.register_blueprint(bp)
    csrf.exempt(bp)
