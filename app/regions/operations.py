"""Changes to the region table: loading the shipped divisions (idempotent)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .data import DIVISIONS
from .models import Region


def ensure_regions() -> int:
    """Add the shipped divisions that are missing and correct changed names; returns rows added.
    Flushes; the caller commits (``flask regions load`` and the demo loader do)."""
    existing = {r.code: r for r in db.session.scalars(select(Region))}
    added = 0
    for code, name, name_en, parent_code, level in DIVISIONS:
        row = existing.get(code)
        if row is None:
            row = Region(code=code)
            db.session.add(row)
            existing[code] = row
            added += 1
        row.name, row.name_en, row.level = name, name_en, level
        if parent_code:
            db.session.flush()
            row.parent_id = existing[parent_code].id
    db.session.flush()
    return added
