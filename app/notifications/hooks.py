"""In-app notifications: people hear of tasks offered to them (``events.task_created``)."""


def register(app) -> None:
    from flask_login import current_user

    from ..engine import events
    from . import services
    from .views import bp
    events.subscribe(events.task_created, services.on_task_created)
    app.register_blueprint(bp)

    @app.context_processor
    def unread_notifications():
        return {"unread_notifications": services.unread_count(current_user)
                if current_user.is_authenticated else 0}
