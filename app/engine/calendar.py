"""Chinese working-day calendar (工作日).

Sources, in order of precedence:
1. administrators' overrides (a date declared a working day or a holiday);
2. ``chinesecalendar`` (official holidays and make-up working days, 2004–2026 in 1.11.0);
3. for years it does not cover, the configured fallback: ``holidays`` (statutory
   holidays of China from the `holidays` package, no make-up days) or ``weekends``.

Every answer can say which source decided it, and no year boundary raises.
Deadline convention (see docs/decisions.md): the day an action happens is not
counted; "N working days" ends at the end of the N-th working day after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

FALLBACKS = ("holidays", "weekends")


@lru_cache(maxsize=64)
def _statutory_holidays(year: int) -> frozenset:
    import holidays as holidays_pkg

    return frozenset(holidays_pkg.China(years=year).keys())


@dataclass
class WorkingDayCalendar:
    overrides: dict = field(default_factory=dict)  # date -> bool (True: working day)
    fallback: str = "holidays"

    def __post_init__(self):
        if self.fallback not in FALLBACKS:
            raise ValueError(f"unknown working-day fallback {self.fallback!r}; use one of {FALLBACKS}")

    def decide(self, day: date) -> tuple[bool, str]:
        """(is working day, source)."""
        if day in self.overrides:
            return bool(self.overrides[day]), "override"
        try:
            return bool(chinese_calendar.is_workday(day)), "chinesecalendar"
        except NotImplementedError:
            pass
        if day.weekday() >= 5:
            return False, self.fallback
        if self.fallback == "holidays" and day in _statutory_holidays(day.year):
            return False, "holidays"
        return True, self.fallback

    def is_working_day(self, day: date) -> bool:
        return self.decide(day)[0]

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is not counted).
        n = 0 gives ``start`` if it is a working day, else the next working day."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many have passed since ``start``."""
        if end <= start:
            return 0
        return sum(1 for i in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=i)))

    def sources_used(self, start: date, end: date) -> set[str]:
        return {self.decide(start + timedelta(days=i))[1] for i in range((end - start).days + 1)}


def end_of_day(day: date, tz: str) -> datetime:
    """The last moment of ``day`` in the business time zone, as aware UTC
    (i.e. the next day's 00:00 local; a deadline passes when that moment passes)."""
    local = datetime.combine(day + timedelta(days=1), time(0, 0), ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC"))


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()
