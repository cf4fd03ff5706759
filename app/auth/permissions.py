"""Who is asking: small predicates every domain's permission checks share.

Imports nothing of the application, so the engine and every domain may use it without cycles."""
from __future__ import annotations


def is_signed_in(user) -> bool:
    """Is ``user`` a signed-in account? False for ``None``, Flask-Login's anonymous user, and any
    object without ``is_authenticated`` (a public visitor passed as a plain value)."""
    return bool(getattr(user, "is_authenticated", False))
