"""Durations and deadlines: "10 working days", "10个工作日", "3 days", "P3D", "48 hours".

``due_after(duration, start)`` turns a duration into an aware UTC deadline using the
working-day calendar (with administrators' overrides) where the duration says so.
"""
from __future__ import annotations

import re
import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context

from . import clock
from .calendar import WorkingDayCalendar, end_of_day, local_date

_PHRASE = re.compile(
    r"^\s*(?P<n>\d+)\s*(?:"
    r"(?P<wd>working\s+days?|work\s*days?|business\s+days?|个?工作日)"
    r"|(?P<d>calendar\s+days?|days?|天|日|自然日)"
    r"|(?P<h>hours?|小时)"
    r")\s*$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # "working_days" | "days" | "hours" | "minutes"

    def describe(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> Duration:
    """Parse a human or ISO-8601 duration; raise DurationError with a clear message."""
    if text is None:
        raise DurationError("empty duration")
    raw = str(text).strip().strip("'\"")
    m = _PHRASE.match(raw)
    if m:
        n = int(m.group("n"))
        unit = "working_days" if m.group("wd") else "days" if m.group("d") else "hours"
        return Duration(n, unit)
    m = _ISO.match(raw)
    if m and any(m.groupdict().values()):
        d, h, mi = (int(m.group(k) or 0) for k in ("d", "h", "m"))
        if d and not (h or mi):
            return Duration(d, "days")
        return Duration(d * 24 * 60 + h * 60 + mi, "minutes")
    raise DurationError(
        f"cannot read duration {text!r}: write e.g. '10 working days', '10个工作日', '3 days' or 'P3D'")


def is_duration(text: str) -> bool:
    try:
        parse_duration(text)
        return True
    except DurationError:
        return False


# --- the calendar with administrators' overrides ------------------------------------------

_cache: dict = {"at": 0.0, "calendar": None}
CACHE_SECONDS = 30


def invalidate_calendar() -> None:
    _cache["calendar"] = None


def current_calendar() -> WorkingDayCalendar:
    """The working-day calendar with overrides from the database (cached briefly,
    so several processes pick up an administrator's change within seconds)."""
    fallback = current_app.config.get("WORKING_DAY_FALLBACK", "holidays") if has_app_context() else "holidays"
    cal = _cache["calendar"]
    if cal is None or _time.monotonic() - _cache["at"] > CACHE_SECONDS or cal.fallback != fallback:
        overrides = {}
        if has_app_context():
            from .models import HolidayOverride
            from ..extensions import db
            overrides = {o.day: o.is_working_day for o in db.session.scalars(db.select(HolidayOverride))}
        cal = WorkingDayCalendar(overrides=overrides, fallback=fallback)
        _cache.update(calendar=cal, at=_time.monotonic())
    return cal


def require_calendar_admin(user) -> None:
    """Only administrators see and change the working-day calendar."""
    from .access import is_admin
    from .errors import Forbidden
    if not is_admin(user):
        raise Forbidden("only administrators change the working-day calendar")


def set_override(user, day, *, working: bool | None, note: str = "") -> None:
    """An administrator declares ``day`` a working day or a holiday (``working=None``
    removes the override). One transaction, audited."""
    from ..extensions import db
    from .audit import record
    from .models import HolidayOverride
    from .access import is_admin
    from .errors import Forbidden
    if not is_admin(user):
        raise Forbidden("only administrators change the working-day calendar")
    row = db.session.get(HolidayOverride, day)
    if working is None:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or HolidayOverride(day=day)
        row.is_working_day, row.note = working, (note or "")[:200]
        row.created_by_id, row.created_at = user.id, clock.utcnow()
        db.session.add(row)
    record("calendar.override", day.isoformat(), actor_id=user.id,
           detail={"working": working, "note": note or ""})
    db.session.commit()
    invalidate_calendar()


def business_tz() -> str:
    return current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai") if has_app_context() else "Asia/Shanghai"


def due_after(duration: str | Duration, start: datetime | None = None) -> datetime:
    """Aware UTC deadline ``duration`` after ``start`` (default: now on the engine clock).
    Working days end at the end of the N-th working day after the start day (local time)."""
    d = duration if isinstance(duration, Duration) else parse_duration(duration)
    start = clock.as_aware(start) if start else clock.now()
    if d.unit == "working_days":
        tz = business_tz()
        day = current_calendar().add_working_days(local_date(start, tz), d.amount)
        return end_of_day(day, tz)
    if d.unit == "days":
        return start + timedelta(days=d.amount)
    if d.unit == "hours":
        return start + timedelta(hours=d.amount)
    return start + timedelta(minutes=d.amount)
