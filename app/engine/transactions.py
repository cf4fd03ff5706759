"""One user action, one transaction: ``with transaction(conflict_message=...):``.

The block's changes are committed when it ends. When another writer got there first
the whole block is rolled back and ``Conflict`` (409) is raised instead:

- the optimistic lock of a case (``StaleDataError``, at any flush or the commit),
- a lock that could not be taken in time or a serialization failure (SQLite "database
  is locked", PostgreSQL lock timeout / deadlock / serialization failure),
- a unique constraint hit by a concurrent duplicate insert (``IntegrityError``).

Any other error is re-raised after the rollback.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .errors import Conflict
from .scripting import action_scope

# SQLSTATEs of PostgreSQL meaning "someone else holds or changed this": serialization
# failure, deadlock, lock not available, and (for IntegrityError) unique violation.
_PG_CONFLICT_CODES = {"40001", "40P01", "55P03"}
_PG_UNIQUE_VIOLATION = "23505"
_DEFAULT_MESSAGE = _l("Someone else changed this meanwhile; nothing was saved. Try again.")


def _sqlstate(exc) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)


def is_conflict(exc: BaseException) -> bool:
    """Does this database error mean that a concurrent writer won a race?"""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, IntegrityError):
        text = str(getattr(exc, "orig", exc)).lower()
        return _sqlstate(exc) == _PG_UNIQUE_VIOLATION or "unique constraint" in text or "duplicate key" in text
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", exc)).lower()
        return (_sqlstate(exc) in _PG_CONFLICT_CODES or "locked" in text or "could not serialize" in text
                or "deadlock" in text or "lock timeout" in text)
    return False


@contextmanager
def transaction(conflict_message=None):
    """Run the block as one transaction that ends in a commit (see the module docstring)."""
    try:
        with action_scope():  # the diagram's evaluations in the whole action share one time limit
            yield
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        if is_conflict(exc):
            raise Conflict(_DEFAULT_MESSAGE if conflict_message is None else conflict_message) from exc
        raise
