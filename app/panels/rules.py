"""Panel rules as plain functions (no HTTP, no database)."""
from __future__ import annotations

import random
import secrets


class PanelError(ValueError):
    def __init__(self, message, available=None, needed=None):
        super().__init__(message)
        self.available, self.needed = available, needed


def new_seed() -> int:
    """A seed for a draw that was given none; recorded, so the draw can be repeated."""
    return secrets.randbelow(2**31 - 1)


def draw_panel(expert_ids: list[int], conflicted_ids: set[int], size: int, seed: int | None = None) -> list[int]:
    """Draw ``size`` experts at random from those without a conflict of interest.
    The first drawn chairs the panel. The size must be odd. The same seed and experts
    give the same panel."""
    if size < 1 or size % 2 == 0:
        raise PanelError(f"the panel size must be odd, not {size}", available=len(set(expert_ids)), needed=size)
    eligible = sorted(set(expert_ids) - set(conflicted_ids))
    if len(eligible) < size:
        raise PanelError(f"only {len(eligible)} experts without a conflict of interest; {size} needed",
                         available=len(eligible), needed=size)
    return random.Random(seed).sample(eligible, size)


def chair(panel: list[int]) -> int:
    """Who chairs a drawn panel and takes the decision after the opinions: the first drawn."""
    return panel[0]
