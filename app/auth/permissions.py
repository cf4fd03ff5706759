"""Who is asking: the role checks every domain's permission rules are written from.

Role strings are compared here and nowhere else: domains write their rules (a model's
``can_view`` / ``can_act`` and its ``visible_to`` query) from these predicates, and templates
ask the model or :func:`nav_items`, never a role name.

Imports only the role names (``roles.py``, which imports nothing of the application) at module
level, so the engine and every domain may use it without cycles."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import exists, select

from .roles import ADMIN, AGENCY, CERTIFIER, ENTERPRISE, EXPERT, HANDLER, STAFF_ROLES  # noqa: F401


from ..engine.access import is_signed_in  # noqa: E402,F401  (one definition, shared with the engine)


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and user.role in roles


def is_admin(user) -> bool:
    """Platform administrators (平台管理员)."""
    return has_role(user, ADMIN)


def is_staff(user) -> bool:
    """Alliance or bureau staff: administrators and handlers; they see every case."""
    return has_role(user, *STAFF_ROLES)


def is_expert(user) -> bool:
    return has_role(user, EXPERT)


def is_agency(user) -> bool:
    """An agency's user (咨询服务机构用户)."""
    return has_role(user, AGENCY)


def is_enterprise(user) -> bool:
    """An enterprise's user (企业用户)."""
    return has_role(user, ENTERPRISE)


def is_certifier(user) -> bool:
    """A certification body's user (第三方评价机构用户)."""
    return has_role(user, CERTIFIER)


def everyone(user) -> bool:
    """Public: signed in or not."""
    return True


def is_anonymous(user) -> bool:
    return not is_signed_in(user)


def is_reviewer(user) -> bool:
    """Staff and experts: those who judge a case may see who its parties are (a complainant's
    name and contact, disclosure history, the platform's facts beside a score sheet)."""
    return is_staff(user) or is_expert(user)


def acts_for(user, organisation_id: int | None, *roles: str) -> bool:
    """A signed-in user of organisation ``organisation_id`` (with one of ``roles``, if given)."""
    return (is_signed_in(user) and organisation_id is not None and user.organisation_id == organisation_id
            and (not roles or user.role in roles))


def is_agency_user(user) -> bool:
    return has_role(user, AGENCY) and bool(user.organisation_id)


def is_enterprise_user(user) -> bool:
    return has_role(user, ENTERPRISE) and bool(user.organisation_id)


def is_certifier_user(user) -> bool:
    return has_role(user, CERTIFIER) and bool(user.organisation_id)


# --- one rule per model: the SQL condition, and the instance check derived from it -----------

class Visibility:
    """A model writes who may see its rows once, as :meth:`visible_clause` (an SQL condition on
    the class, built from the predicates above); :meth:`visible_to` lists them and
    :meth:`can_view` asks the database whether this row meets the same condition."""

    @classmethod
    def visible_clause(cls, user):
        raise NotImplementedError

    @classmethod
    def visible_to(cls, user):
        """``select(cls)`` of the rows ``user`` may see."""
        return select(cls).where(cls.visible_clause(user))

    def can_view(self, user) -> bool:
        if self.id is None:
            return False
        from ..extensions import db  # the application's session, imported late: no cycles
        cls = type(self)
        return bool(db.session.scalar(select(exists().where(cls.id == self.id, cls.visible_clause(user)))))


# --- navigation: each package adds its entries in hooks.register (kept in app.engine.access) ---

from ..engine.access import NavItem, nav_item, nav_items  # noqa: E402,F401
