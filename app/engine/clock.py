"""The engine's clock. Everything that asks "what time is it" asks here, so the
clock can be moved for operations (``flask engine tick --at``) and tests.

Times are stored as naive UTC in the database; ``now()`` returns aware UTC.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timezone

_state = threading.local()
_global_override: datetime | None = None


def now() -> datetime:
    """Aware UTC now, or the moved clock."""
    fixed = getattr(_state, "at", None) or _global_override
    return fixed if fixed is not None else datetime.now(timezone.utc)


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database."""
    return now().replace(tzinfo=None)


def as_aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def as_naive(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


@contextmanager
def frozen(at: datetime):
    """Run the block as if the clock showed ``at`` (this thread only)."""
    previous = getattr(_state, "at", None)
    _state.at = as_aware(at)
    try:
        yield
    finally:
        _state.at = previous


def travel_to(at: datetime | None) -> None:
    """Move the clock for every thread (tests), or back to real time with None."""
    global _global_override
    _global_override = as_aware(at)


class _ClockDatetime(datetime):
    """A datetime whose now() is the engine clock: SpiffWorkflow's timers use it."""

    @classmethod
    def now(cls, tz=None):
        current = now()
        return current.astimezone(tz) if tz else current.astimezone().replace(tzinfo=None)


def install_spiff_clock() -> None:
    """SpiffWorkflow's timer definitions call ``datetime.now`` from their module;
    point that name at the engine clock (the only place Spiff reads the time)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime
