"""Public-notice rules as plain functions (no HTTP, no database)."""
from __future__ import annotations

from datetime import date, datetime

from ..engine.calendar import WorkingDayCalendar

OPEN, CLOSED, WITHDRAWN = "open", "closed", "withdrawn"          # a notice's status
PENDING, UPHELD, DISMISSED = "open", "upheld", "dismissed"       # an objection's status (成立 / 不成立)
OUTCOMES = (UPHELD, DISMISSED)


class NoticeError(ValueError):
    pass


def last_day(published: date, calendar: WorkingDayCalendar, working_days: int,
             count_publication_day: bool = False) -> date:
    """The last day of a notice of ``working_days`` working days published on ``published``.
    By default the publication day is not counted (期间开始的日不计算在期间内); when it is
    counted and is a working day, it is day 1."""
    if working_days < 1:
        raise NoticeError("a notice lasts at least one working day")
    if count_publication_day and calendar.is_working_day(published):
        return calendar.add_working_days(published, working_days - 1) if working_days > 1 else published
    return calendar.add_working_days(published, working_days)


def accepts_objections(status: str, ends_at: datetime | None, now: datetime) -> bool:
    """Objections are taken while the notice is open and before the end of its last day."""
    return status == OPEN and ends_at is not None and now < ends_at


def may_close(objection_statuses) -> bool:
    """A notice never closes over an objection still undecided."""
    return all(s != PENDING for s in objection_statuses)
