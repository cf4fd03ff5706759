"""The process designer and case diagrams."""


def register(app) -> None:
    from .views import bp, case_bp
    app.register_blueprint(bp)
    app.register_blueprint(case_bp)
