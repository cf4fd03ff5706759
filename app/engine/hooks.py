"""The engine's pages (inbox, tasks, case page, calendar) and `flask engine` commands."""


def register(app) -> None:
    from .cli import engine_cli
    from .views import bp
    app.register_blueprint(bp)
    app.cli.add_command(engine_cli)
