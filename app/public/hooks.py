"""Public pages."""


def register(app) -> None:
    from .views import bp
    app.register_blueprint(bp)
