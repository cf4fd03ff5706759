"""The in-process scheduler (APScheduler): the timer sweep, and the periodic jobs packages add
with :func:`every` (outbox, reminders). Each sweep loads only the cases whose stored next-timer
time has passed; row locks / optimistic locking / unique keys keep several processes safe."""
import logging
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
_scheduler = None
_jobs: dict[str, Callable[[], object]] = {}


def every(name: str, fn: Callable[[], object]) -> None:
    """Run ``fn()`` (in an app context) at every tick of the scheduler; it must be safe when
    several processes run it at once."""
    _jobs[name] = fn


def run_jobs() -> None:
    """One tick: the timer sweep, then each registered job (failures logged, never raised)."""
    from ..extensions import db
    from .runtime import sweep_timers
    for name, fn in [("timer-sweep", sweep_timers), *_jobs.items()]:
        try:
            fn()
        except Exception:
            log.exception("scheduled job %s failed", name)
            db.session.rollback()
        finally:
            db.session.remove()


def start_scheduler(app):
    global _scheduler
    if _scheduler is not None:
        return _scheduler

    def tick():
        with app.app_context():
            run_jobs()

    _scheduler = BackgroundScheduler(daemon=True)
    _scheduler.add_job(tick, "interval", seconds=app.config["TIMER_SWEEP_SECONDS"], id="timer-sweep",
                       max_instances=1, coalesce=True)
    _scheduler.start()
    return _scheduler
