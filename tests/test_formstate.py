"""Widget values <-> FilterSpec: the sidebar's rules, without Streamlit; and the playback clock."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import formstate, playback
from dashboard.filters import FilterSpec
from dashboard.formstate import ANY, Widgets, spec_of, widgets_for
from dashboard.schema import INCIDENT_TYPES, PLATFORMS

FIRST, LAST = dt.date(2024, 8, 6), dt.date(2025, 11, 5)


@pytest.mark.parametrize(("widgets", "expected"), [
    (Widgets(dates=(FIRST, LAST)), FilterSpec()),
    (Widgets(dates=(FIRST, dt.date(2025, 1, 1))),
     FilterSpec(date_from=FIRST, date_to=dt.date(2025, 1, 1))),
    # While the user is picking, the range holds its first day only.
    (Widgets(dates=(dt.date(2025, 9, 1),)), FilterSpec(date_from=dt.date(2025, 9, 1))),
    (Widgets(dates=(FIRST, LAST), types=()), FilterSpec(types=())),
    (Widgets(dates=(FIRST, LAST), types=("strike", "airspace_incursion")),
     FilterSpec(types=("airspace_incursion", "strike"))),  # in the schema's order
    (Widgets(dates=(FIRST, LAST), confidence="medium"), FilterSpec(min_confidence="medium")),
    (Widgets(dates=(FIRST, LAST), confidence=None), FilterSpec()),
    (Widgets(dates=(FIRST, LAST), q="  Rzeszow "), FilterSpec(q="Rzeszow")),
    (Widgets(dates=(FIRST, LAST), depth_min=10.0, depth_max=50.0),
     FilterSpec(min_depth_km=10.0, max_depth_km=50.0)),
    # A reversed distance range is not applied (the sidebar says so).
    (Widgets(dates=(FIRST, LAST), depth_min=60.0, depth_max=50.0), FilterSpec()),
])
def test_spec_of(widgets, expected):
    assert spec_of(widgets, FIRST, LAST) == expected


def test_low_confidence_shows_as_any():
    assert widgets_for(FilterSpec(min_confidence="low"), FIRST, LAST).confidence == ANY
    assert spec_of(widgets_for(FilterSpec(min_confidence="low"), FIRST, LAST), FIRST, LAST) == FilterSpec()


def test_depth_conflict_is_reported():
    assert formstate.depth_conflict(Widgets(depth_min=5.0, depth_max=1.0))
    assert not formstate.depth_conflict(Widgets(depth_min=5.0))


def test_keep_regions_drops_those_no_longer_offered():
    w = Widgets(regions=("PL-06", "EE-37"))
    assert formstate.keep_regions(w, {"PL-06", "PL-14"}).regions == ("PL-06",)


days = st.dates(min_value=FIRST, max_value=LAST)


def subsets(values):
    """Non-empty subsets of ``values``, in their order."""
    return st.sets(st.sampled_from(values), min_size=1).map(lambda s: tuple(v for v in values if v in s))


@st.composite
def specs(draw) -> FilterSpec:
    a, b = sorted((draw(days), draw(days)))
    lo = draw(st.none() | st.floats(0, 500))
    hi = draw(st.none() | st.floats(0, 500))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    types = draw(st.none() | subsets(INCIDENT_TYPES[:-1]))
    return FilterSpec(
        date_from=draw(st.sampled_from([None, a])), date_to=draw(st.sampled_from([None, b])),
        countries=draw(st.none() | subsets(["PL", "EE", "RO"])),
        types=None if types is None else tuple(t for t in INCIDENT_TYPES if t in types),
        regions=draw(st.none() | subsets(["PL-06", "PL-14"])),
        preset=draw(st.none() | st.just("baltics")),
        q=draw(st.sampled_from([None, "drones", "Rzeszow debris"])),
        min_confidence=draw(st.sampled_from([None, "medium", "high"])),
        platforms=draw(st.none() | subsets(PLATFORMS)),
        min_depth_km=lo, max_depth_km=hi, retracted=draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(specs())
def test_widgets_round_trip(spec):
    """Whatever spec a link or slide gives, the widgets show it and read it back unchanged,
    except that an open date end shows the data's first or last day (and the whole span
    reads back as no date constraint)."""
    dates = (spec.date_from or FIRST, spec.date_to or LAST)
    dates = (None, None) if dates == (FIRST, LAST) else dates
    expected = FilterSpec(**{**spec.__dict__, "date_from": dates[0], "date_to": dates[1]})
    assert spec_of(widgets_for(spec, FIRST, LAST), FIRST, LAST, spec.area) == expected


# --- the playback clock ----------------------------------------------------------------------

C = playback.Clock


@pytest.mark.parametrize(("clock", "now", "expected"), [
    (C(0, False, 0.0), 10.0, C(0, False, 0.0)),     # paused: stays
    (C(0, True, 0.0), 0.5, C(0, True, 0.0)),        # not yet time
    (C(0, True, 0.0), 0.95, C(1, True, 0.95)),      # time's up (with the timer's jitter)
    (C(2, True, 0.0), 5.0, C(2, False, 0.0)),       # last step: stops
    (C(9, False, 0.0), 5.0, C(2, False, 0.0)),      # a step past the end is clamped
])
def test_tick(clock, now, expected):
    assert playback.tick(clock, 3, now, 1.0) == expected


def test_toggle_and_nudge():
    assert playback.toggle(C(1, False, 0.0), 3, 7.0) == C(1, True, 7.0)
    assert playback.toggle(C(2, False, 0.0), 3, 7.0) == C(0, True, 7.0)  # again from the start
    assert playback.toggle(C(1, True, 0.0), 3, 7.0) == C(1, False, 7.0)
    assert playback.nudge(C(1, True, 4.0), 3, 1) == C(2, False, 4.0)
    assert playback.nudge(C(0, False, 4.0), 3, -1) == C(0, False, 4.0)
