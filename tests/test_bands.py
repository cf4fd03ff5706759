"""Shared scoring bands (app/scoring/bands.py): edges open and closed, gaps and overlaps refused
when a table is built, values below and above every band, exact Decimal comparison."""
from decimal import Decimal as D

import pytest

from app.scoring.bands import Band, BandError, BandTable, OutsideBands


def table(*bands):
    return BandTable([Band(*b) for b in bands])


# --- edges -----------------------------------------------------------------------------------

def test_closed_lower_edge_belongs_to_the_band_above():
    t = table((0, 10, True, False, "low"), (10, 20, True, True, "high"))
    assert t.lookup(0) == "low"
    assert t.lookup(D("9.99")) == "low"
    assert t.lookup(10) == "high"
    assert t.lookup(20) == "high"


def test_closed_upper_edge_belongs_to_the_band_below():
    t = table((0, 10, True, True, "low"), (10, 20, False, True, "high"))
    assert t.lookup(10) == "low"
    assert t.lookup(D("10.000001")) == "high"


def test_open_outer_edges_leave_their_value_outside():
    t = table((0, 10, False, False, "only"))
    assert t.lookup(D("0.01")) == "only" and t.lookup(D("9.99")) == "only"
    with pytest.raises(OutsideBands) as below:
        t.lookup(0)
    assert below.value.side == "below" and below.value.value == 0
    with pytest.raises(OutsideBands) as above:
        t.lookup(10)
    assert above.value.side == "above"


def test_below_and_above_every_band_is_a_clear_error():
    t = table((0, 10, True, False, "a"), (10, 20, True, True, "b"))
    with pytest.raises(OutsideBands, match=r"-0.01 is below every band \(\[0, 10\) → 'a', \[10, 20\] → 'b'\)"):
        t.lookup("-0.01")
    with pytest.raises(OutsideBands, match="20.01 is above every band"):
        t.lookup("20.01")


def test_unbounded_edges_take_every_value_on_their_side():
    t = table((None, 500, False, False, 0), (500, None, True, False, 1))
    assert t.lookup(D("-1e9")) == 0 and t.lookup(D("499.99")) == 0
    assert t.lookup(500) == 1 and t.lookup(D("1e12")) == 1


def test_a_single_point_band():
    t = table((0, 5, True, False, "below"), (5, 5, True, True, "exactly"), (5, 9, False, True, "above"))
    assert [t.lookup(v) for v in (D("4.99"), 5, D("5.01"))] == ["below", "exactly", "above"]


def test_bands_may_be_given_in_any_order():
    t = table((10, 20, True, True, "b"), (0, 10, True, False, "a"))
    assert [b.result for b in t] == ["a", "b"]


# --- Decimal safety --------------------------------------------------------------------------

def test_values_compare_exactly_as_decimals():
    t = table((0, D("0.3"), True, False, "under"), (D("0.3"), 1, True, True, "from"))
    assert t.lookup(0.3) == "from"              # a float is read as its repr, 0.3, not 0.29999...
    assert t.lookup("0.3") == "from" and t.lookup(D("0.30")) == "from"
    assert t.lookup(D("0.2999999999999999999")) == "under"
    assert t.lookup(0.1 + 0.2) == "from"        # 0.30000000000000004


@pytest.mark.parametrize("bad", ["NaN", float("nan"), "abc", None, True, [1]])
def test_a_value_that_is_no_number_is_refused(bad):
    t = table((None, None, False, False, "all"))
    with pytest.raises(ValueError):
        t.lookup(bad)


# --- construction: gaps, overlaps, bad bands --------------------------------------------------

def test_a_gap_between_bands_is_refused():
    with pytest.raises(BandError, match=r"gap between bands: \[0, 10\) giving 'a' and \[11, 20\] giving 'b'"):
        table((0, 10, True, False, "a"), (11, 20, True, True, "b"))


def test_an_edge_open_on_both_sides_is_a_gap():
    with pytest.raises(BandError, match="gap at 10"):
        table((0, 10, True, False, "a"), (10, 20, False, True, "b"))


def test_an_edge_closed_on_both_sides_is_an_overlap():
    with pytest.raises(BandError, match="bands overlap at 10"):
        table((0, 10, True, True, "a"), (10, 20, True, True, "b"))


def test_overlapping_ranges_are_refused():
    with pytest.raises(BandError, match="bands overlap"):
        table((0, 15, True, False, "a"), (10, 20, True, True, "b"))
    with pytest.raises(BandError, match="bands overlap"):
        table((None, 10, False, False, "a"), (None, 5, False, False, "b"))
    with pytest.raises(BandError, match="bands overlap"):
        table((0, None, True, False, "a"), (10, None, True, False, "b"))


def test_bad_bands_are_refused():
    with pytest.raises(BandError, match="lower edge above upper edge"):
        Band(10, 0, True, True, "x")
    with pytest.raises(BandError, match="empty"):
        Band(5, 5, True, False, "x")
    with pytest.raises(BandError, match="unbounded edge cannot be closed"):
        Band(None, 5, True, False, "x")
    with pytest.raises(BandError, match="as None"):
        Band(0, "Infinity", True, False, "x")
    with pytest.raises(BandError):
        BandTable([])
