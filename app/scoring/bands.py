"""Value → result by ranges ("bands"), with every edge written out.

A :class:`Band` is a range of values with an explicit lower and upper edge, each either closed
(the edge value belongs to the band) or open (it does not), and the result the range gives: a
star level, a grade, a band number. ``None`` as an edge means unbounded on that side (always open).
A :class:`BandTable` is a list of bands that must tile one interval with neither gaps nor overlaps:
where two bands meet, the shared edge belongs to exactly one of them. That is checked when the
table is built, so a badly written table fails at import or settings time with a message naming
the bands, never silently at lookup.

Values and edges are compared as ``Decimal``: ints, strings and Decimals exactly, floats through
their shortest ``repr`` (so ``0.1`` is ``Decimal("0.1")``, not its binary expansion). NaN is refused.

    table = BandTable([
        Band(None, 500, False, False, 0),   # (-inf, 500)
        Band(500, 600, True, False, 1),     # [500, 600)
        Band(600, None, True, False, 2),    # [600, +inf)
    ])
    table.lookup(Decimal("599.99"))  # 1
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Iterable, TypeVar

T = TypeVar("T")


class BandError(ValueError):
    """A band or band table is badly written (empty band, gap, overlap)."""


class OutsideBands(ValueError):
    """A value lies below or above every band of a table."""

    def __init__(self, value: Decimal, side: str, table: "BandTable"):
        self.value, self.side = value, side
        super().__init__(f"{value} is {side} every band ({table.describe()})")


def as_decimal(value) -> Decimal:
    """``value`` as an exact Decimal (floats via their shortest repr); NaN and non-numbers are refused."""
    if isinstance(value, bool):
        raise BandError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, (int, float, str)):
        try:
            d = Decimal(value) if isinstance(value, int) else Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise BandError(f"{value!r} is not a number") from exc
    else:
        raise BandError(f"{value!r} is not a number")
    if d.is_nan():
        raise BandError("NaN is not a value of any band")
    return d


@dataclass(frozen=True, init=False)
class Band(Generic[T]):
    """Values from ``lower`` to ``upper`` (``None``: unbounded), edges closed or open, giving ``result``."""
    lower: Decimal | None
    upper: Decimal | None
    lower_closed: bool
    upper_closed: bool
    result: Any

    def __init__(self, lower, upper, lower_closed: bool, upper_closed: bool, result: T):
        lo = None if lower is None else as_decimal(lower)
        hi = None if upper is None else as_decimal(upper)
        if lo is None and lower_closed or hi is None and upper_closed:
            raise BandError(f"an unbounded edge cannot be closed (band giving {result!r})")
        if lo is not None and lo.is_infinite() or hi is not None and hi.is_infinite():
            raise BandError(f"write an unbounded edge as None, not infinity (band giving {result!r})")
        if lo is not None and hi is not None:
            if lo > hi:
                raise BandError(f"band {self._text(lo, hi, lower_closed, upper_closed)} giving {result!r}: "
                                "lower edge above upper edge")
            if lo == hi and not (lower_closed and upper_closed):
                raise BandError(f"band {self._text(lo, hi, lower_closed, upper_closed)} giving {result!r} is empty")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)
        object.__setattr__(self, "lower_closed", bool(lower_closed))
        object.__setattr__(self, "upper_closed", bool(upper_closed))
        object.__setattr__(self, "result", result)

    @staticmethod
    def _text(lo, hi, lower_closed, upper_closed) -> str:
        return (("[" if lower_closed else "(") + ("-inf" if lo is None else str(lo)) + ", "
                + ("+inf" if hi is None else str(hi)) + ("]" if upper_closed else ")"))

    def __str__(self) -> str:
        return self._text(self.lower, self.upper, self.lower_closed, self.upper_closed)

    def contains(self, value) -> bool:
        v = as_decimal(value)
        if self.lower is not None and (v < self.lower or v == self.lower and not self.lower_closed):
            return False
        if self.upper is not None and (v > self.upper or v == self.upper and not self.upper_closed):
            return False
        return True


class BandTable(Generic[T]):
    """Bands that tile one interval without gaps or overlaps (checked here), in ascending order."""

    def __init__(self, bands: Iterable[Band]):
        ordered = sorted(bands, key=lambda b: (b.lower is not None, b.lower if b.lower is not None else 0,
                                                not b.lower_closed))
        if not ordered:
            raise BandError("a band table needs at least one band")
        for a, b in zip(ordered, ordered[1:]):
            where = f"{a} giving {a.result!r} and {b} giving {b.result!r}"
            if a.upper is None or b.lower is None or a.upper > b.lower:
                raise BandError(f"bands overlap: {where}")
            if a.upper < b.lower:
                raise BandError(f"gap between bands: {where}")
            if a.upper_closed and b.lower_closed:
                raise BandError(f"bands overlap at {a.upper}: {where} (close the edge on one side only)")
            if not a.upper_closed and not b.lower_closed:
                raise BandError(f"gap at {a.upper}: {where} (close the edge on one side)")
        self.bands: tuple[Band, ...] = tuple(ordered)

    def band(self, value) -> Band:
        """The band ``value`` falls in; :class:`OutsideBands` below or above all of them."""
        v = as_decimal(value)
        first, last = self.bands[0], self.bands[-1]
        if first.lower is not None and (v < first.lower or v == first.lower and not first.lower_closed):
            raise OutsideBands(v, "below", self)
        if last.upper is not None and (v > last.upper or v == last.upper and not last.upper_closed):
            raise OutsideBands(v, "above", self)
        for b in self.bands:
            if b.contains(v):
                return b
        raise AssertionError("unreachable: the bands tile the table's interval")

    def lookup(self, value) -> T:
        """The result of the band ``value`` falls in."""
        return self.band(value).result

    def describe(self) -> str:
        return ", ".join(f"{b} → {b.result!r}" for b in self.bands)

    def __iter__(self):
        return iter(self.bands)

    def __len__(self) -> int:
        return len(self.bands)
