"""Reads about regions: the tree, a region's subtree, a user's region, form choices."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import Region


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def by_code(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code))


def subtree_ids(region_id: int | None) -> set[int]:
    """``region_id`` and every region under it (a city's counties and districts); empty for None."""
    if region_id is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for rid, parent in db.session.execute(select(Region.id, Region.parent_id)):
        children.setdefault(parent, []).append(rid)
    found, todo = set(), [region_id]
    while todo:
        rid = todo.pop()
        if rid not in found:
            found.add(rid)
            todo.extend(children.get(rid, ()))
    return found


def covers(region_id: int | None, other_id: int | None) -> bool:
    """Whether ``other_id`` is ``region_id`` or lies under it (a city bureau covers its counties)."""
    return other_id is not None and other_id in subtree_ids(region_id)


def region_of(user) -> int | None:
    """The region a user belongs to: their organisation's region."""
    org = getattr(user, "organisation", None)
    return getattr(org, "region_id", None)


def choices(under: int | None = None, blank: str | None = None) -> list[tuple[str, str]]:
    """(id, "name (code)") pairs for a select, indented by level; only the subtree of ``under`` if given."""
    allowed = subtree_ids(under) if under is not None else None
    rows = [r for r in all_regions() if allowed is None or r.id in allowed]
    indent = {"province": "", "city": "\u3000", "county": "\u3000\u3000"}
    out = [("", blank)] if blank is not None else []
    return out + [(str(r.id), f"{indent.get(r.level, '')}{r.label}") for r in rows]
