"""Panels wired to the database and the case: who is eligible, the draw with its seed,
seating the panel in a case, the conflict-of-interest guard and the opinions listing.

A panel process runs "parallel opinions, then the chair's decision": the case data holds
``panel`` (the experts, a multi-instance task's input) and ``panel_chair`` (the assignee of
the decision). An expert is affiliated with an agency when the agency is their
organisation (``User.organisation_id``); affiliated experts are never drawn for, and may
not judge, that agency."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth import roles
from ..auth.models import User
from ..engine.audit import record
from ..engine.errors import EngineError, Forbidden
from ..extensions import db
from . import rules
from .rules import PanelError  # noqa: F401  (re-exported for callers of draw())

PANEL_DRAWN = "arbitration.panel_drawn"


@dataclass(frozen=True)
class Draw:
    panel: list[int]
    seed: int

    @property
    def chair(self) -> int:
        return rules.chair(self.panel)


@dataclass(frozen=True)
class Opinion:
    """One panel member's opinion: who, what, why, when."""
    author_id: int
    author: str
    verdict: str
    reasons: str
    at: datetime | None


def conflicted_experts(agency_id: int) -> set[int]:
    return set(db.session.scalars(select(User.id).where(User.role == roles.EXPERT,
                                                        User.organisation_id == agency_id)))


def draw(agency_id: int, size: int, seed: int | None = None) -> Draw:
    """``size`` active experts drawn among those without a conflict of interest with
    ``agency_id``; without a seed one is drawn (and returned, to be recorded). Raises
    rules.PanelError when too few are free."""
    experts = list(db.session.scalars(select(User.id).where(User.role == roles.EXPERT, User.active.is_(True))))
    seed = rules.new_seed() if seed is None else seed
    return Draw(rules.draw_panel(experts, conflicted_experts(agency_id), size, seed), seed)


def draw_or_refuse(agency_id: int, size: int, refusal, seed: int | None = None) -> Draw:
    """draw(), with a PanelError turned into an EngineError: ``refusal`` is a message with
    ``%(available)s`` and ``%(needed)s`` (a callable taking them, e.g. a lazy_gettext)."""
    try:
        return draw(agency_id, size, seed)
    except rules.PanelError as exc:
        raise EngineError(refusal(available=exc.available, needed=exc.needed)) from exc


def seat(ctx, drawn: Draw) -> list[int]:
    """Put a drawn panel into the case of a completion (``panel``, ``panel_chair``) and
    record the draw with its seed."""
    ctx.data["panel"], ctx.data["panel_chair"] = drawn.panel, drawn.chair
    record(PANEL_DRAWN, str(len(drawn.panel)), actor_id=ctx.user.id, case_id=ctx.case.id,
           detail={"panel": drawn.panel, "chair": drawn.chair, "seed": drawn.seed})
    return drawn.panel


def require_unconflicted(user, agency_id: int) -> None:
    """Defence in depth behind the draw: an expert affiliated with the agency never judges it."""
    if user.organisation_id == agency_id:
        raise Forbidden(_l("an expert affiliated with the agency may not judge it"))


def opinions(rows: Iterable, *, verdict: Callable, reasons: Callable) -> list[Opinion]:
    """The panel's opinions from a domain's rows (each with ``expert_id``, ``expert`` and
    ``created_at``), in the given order."""
    return [Opinion(r.expert_id, r.expert.display_name, verdict(r), reasons(r) or "", r.created_at) for r in rows]
