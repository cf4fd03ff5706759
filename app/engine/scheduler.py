"""The in-process timer sweep (APScheduler). Each sweep loads only the cases whose
stored next-timer time has passed; optimistic locking keeps several processes safe."""
import logging

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
_scheduler = None


def start_scheduler(app):
    global _scheduler
    if _scheduler is not None:
        return _scheduler

    def sweep():
        with app.app_context():
            from .runtime import sweep_timers
            try:
                sweep_timers()
            except Exception:
                log.exception("timer sweep failed")
            finally:
                from ..extensions import db
                db.session.remove()

    _scheduler = BackgroundScheduler(daemon=True)
    _scheduler.add_job(sweep, "interval", seconds=app.config["TIMER_SWEEP_SECONDS"], id="timer-sweep",
                       max_instances=1, coalesce=True)
    _scheduler.start()
    return _scheduler
