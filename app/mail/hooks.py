"""Mail: send what an action queued once its transaction committed; the scheduler drains the
outbox and retries failures."""


def register(app) -> None:
    from ..engine.scheduler import every
    from . import services
    app.after_request(services.after_request)
    every("mail-outbox", services.drain)
