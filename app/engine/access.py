"""Who is asking, as far as the engine needs to know: signed in, administrator, staff.

The engine names no role: it asks the user object (``is_admin`` / ``is_staff``, which the
accounts package defines from its roles in ``app.auth.permissions``). Also the navigation
registry every package adds its links to in ``hooks.register``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


def is_signed_in(user) -> bool:
    """Is ``user`` a signed-in account? False for ``None``, Flask-Login's anonymous user, and any
    object without ``is_authenticated`` (a public visitor passed as a plain value)."""
    return bool(getattr(user, "is_authenticated", False))


def is_admin(user) -> bool:
    """A signed-in administrator (the user object says so)."""
    return is_signed_in(user) and bool(getattr(user, "is_admin", False))


def is_staff(user) -> bool:
    """Signed-in staff, who see every case (the user object says so)."""
    return is_signed_in(user) and bool(getattr(user, "is_staff", False))


# --- navigation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    visible: Callable  # (user) -> bool
    order: int = 100
    badge: Callable | None = None  # (user) -> int | None


_nav: dict[str, NavItem] = {}


def nav_item(endpoint: str, label, visible: Callable, order: int = 100, badge: Callable | None = None) -> None:
    """Add a link to the main navigation, shown to the users ``visible(user)`` is true for
    (anonymous visitors included: ``visible`` receives Flask-Login's anonymous user)."""
    _nav[endpoint] = NavItem(endpoint, label, visible, order, badge)


def nav_items(user) -> list[NavItem]:
    return sorted((i for i in _nav.values() if i.visible(user)), key=lambda i: (i.order, i.endpoint))
