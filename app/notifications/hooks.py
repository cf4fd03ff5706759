"""In-app notifications: people hear of tasks offered to them (``events.task_created``)."""


def register(app) -> None:
    from ..engine import events
    from . import services
    from .views import bp
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import is_signed_in, nav_item
    events.subscribe(events.task_created, services.on_task_created)
    app.register_blueprint(bp)
    nav_item("notifications.index", _l("Notifications"), is_signed_in, order=90, badge=services.unread_count)

