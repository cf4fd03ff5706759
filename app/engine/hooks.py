"""The engine's pages (inbox, tasks, case page, calendar) and `flask engine` commands."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .access import is_admin, is_signed_in, nav_item
    from .cli import engine_cli
    from .views import bp
    app.register_blueprint(bp)
    nav_item("engine.inbox", _l("Inbox"), is_signed_in, order=10)
    nav_item("engine.calendar", _l("Working-day calendar"), is_admin, order=80)
    nav_item("engine.doctor", _l("Stuck cases"), is_admin, order=81)
    nav_item("engine.incident_list", _l("Incidents"), is_admin, order=83)
    app.cli.add_command(engine_cli)
