"""A Flask-Limiter (``limits``) storage in the application's own database, so every worker
process and host counts the same failed logins without another service.

``RATELIMIT_STORAGE_URI = "jianping-db://"`` selects it (the production default). Each counter
is one row (key, count, expiry); an increment is one atomic upsert in its own short
transaction on a connection of its own, so it never mixes with the request's unit of work.
Fixed-window strategy only (the project's ``RATELIMIT_STRATEGY``)."""
from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from .models import RateLimitCounter

_UPSERT = text(
    "INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount "
    "ELSE rate_limit_counter.count + :amount END, "
    "expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :expires "
    "ELSE rate_limit_counter.expires_at END "
    "RETURNING count")


def now() -> float:
    """Seconds since the epoch (tests move it)."""
    return time.time()


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["jianping-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @staticmethod
    def _engine():
        from ..extensions import db
        return db.engine  # the current app's database (limits are checked inside requests)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        moment = now()
        with self._engine().begin() as conn:
            return int(conn.execute(_UPSERT, {"key": key[:255], "amount": amount, "now": moment,
                                              "expires": moment + expiry}).scalar_one())

    def _row(self, key: str):
        with self._engine().connect() as conn:
            return conn.execute(select(RateLimitCounter.count, RateLimitCounter.expires_at)
                                .where(RateLimitCounter.key == key[:255])).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > now() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > now() else now()

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return conn.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key[:255]))

    def purge_expired(self) -> int:
        """Drop counters whose window has passed (the timer sweep's housekeeping)."""
        with self._engine().begin() as conn:
            return conn.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now())).rowcount
