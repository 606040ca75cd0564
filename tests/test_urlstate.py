"""Shareable links: every parameter round-trips; bad values are dropped with a notice."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.filters import FilterSpec
from dashboard.urlstate import Known, View, encode, parse

KNOWN = Known(countries=frozenset({"PL", "EE", "RO", "UA"}),
              regions=frozenset({"PL-LU", "RU-KRS"}), presets=frozenset({"baltic"}),
              incidents=frozenset({"pl-incursion-2025-09-10"}))

FULL = FilterSpec(
    date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 9, 30), countries=("PL", "EE"),
    types=("airspace_incursion", "strike"), regions=("PL-LU",), preset="baltic",
    area="POLYGON ((20 50, 24 50, 24 53, 20 53, 20 50))", q="Rzeszów drones",
    min_confidence="medium", platforms=("drone",), min_depth_km=5, max_depth_km=120.5,
    retracted=True)
VIEW = View(lat=52.2297, lon=21.0122, zoom=6.5, incident="pl-incursion-2025-09-10",
            present=True, theme="dark", brief="morning-brief", slide=2)


def params(**kw) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in kw.items()}


def as_lists(encoded) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in encoded.items()}


@pytest.mark.parametrize(("spec", "view"), [(FilterSpec(), View()), (FULL, VIEW),
                                            (FilterSpec(types=()), View(zoom=4))])
def test_round_trip(spec, view):
    assert parse(as_lists(encode(spec, view)), KNOWN) == (spec, view, [])


def test_encoding_is_readable():
    assert encode(FULL, VIEW) == {
        "from": "2025-09-01", "to": "2025-09-30", "country": ["PL", "EE"],
        "type": ["airspace_incursion", "strike"], "region": ["PL-LU"], "platform": ["drone"],
        "preset": "baltic", "q": "Rzeszów drones", "min_confidence": "medium",
        "area": "POLYGON ((20 50, 24 50, 24 53, 20 53, 20 50))",
        "incident": "pl-incursion-2025-09-10", "min_depth_km": "5", "max_depth_km": "120.5",
        "lat": "52.2297", "lon": "21.0122", "zoom": "6.5", "present": "1", "theme": "dark",
        "brief": "morning-brief", "slide": "2", "retracted": "1"}


@pytest.mark.parametrize(
    ("given", "expected_spec", "expected_view"),
    [
        (params(country=["pl", "EE"]), FilterSpec(countries=("PL", "EE")), View()),
        (params(type="none"), FilterSpec(types=()), View()),
        (params(area="20,50,24,53"),
         FilterSpec(area="POLYGON ((24 50, 24 53, 20 53, 20 50, 24 50))"), View()),
        (params(lat="52", lon="21", zoom="7"), FilterSpec(), View(52.0, 21.0, 7.0)),
        (params(q="  "), FilterSpec(), View()),
    ],
)
def test_hand_written_links(given, expected_spec, expected_view):
    assert parse(given, KNOWN) == (expected_spec, expected_view, [])


@pytest.mark.parametrize(
    ("given", "notice"),
    [
        (params(**{"from": "2025-13-01"}), "from='2025-13-01' is not a date (YYYY-MM-DD); ignored"),
        (params(to="yesterday"), "to='yesterday' is not a date"),
        (params(**{"from": "2025-09-30", "to": "2025-09-01"}), "from=2025-09-30 is after to=2025-09-01"),
        (params(country=["PL", "XX"]), "country: 'XX' is not a known country code; ignored"),
        (params(type=["strike", "bombing", "ufo"]), "type: 'bombing', 'ufo' are not known incident type"),
        (params(region="ZZ-99"), "region: 'ZZ-99' is not a known region code"),
        (params(preset="atlantis"), "preset='atlantis' is not a known preset; ignored"),
        (params(min_confidence="certain"), "min_confidence='certain' is not high, medium or low"),
        (params(platform="ufo"), "platform: 'ufo' is not a known platform"),
        (params(min_depth_km="-3"), "min_depth_km='-3' is not a distance in km"),
        (params(max_depth_km="far"), "max_depth_km='far' is not a distance in km"),
        (params(min_depth_km="50", max_depth_km="10"), "min_depth_km=50 is more than max_depth_km=10"),
        (params(area="POINT (1 2)"), "area='POINT (1 2)' is not a polygon"),
        (params(area="1,2,3"), "area='1,2,3' is not a polygon"),
        (params(lat="95", lon="20"), "lat='95' is not a latitude (-90..90)"),
        (params(lat="52"), "lat and lon must be given together"),
        (params(zoom="40"), "zoom='40' is not a zoom level (1..18)"),
        (params(incident="made-up"), "incident='made-up' is not a known incident id"),
        (params(colour="red"), "unknown parameter 'colour'; ignored"),
        (params(preset=["baltic", "nordic"]), "preset: several values given; used the first"),
        (params(theme="neon"), "theme='neon' is not dark or light"),
        (params(brief="../../etc/passwd"), "brief='../../etc/passwd' is not a brief pack name"),
        (params(slide="0"), "slide='0' is not a slide number"),
        (params(present="yes"), "present='yes' is not 0 or 1"),
    ],
)
def test_bad_values_are_named_and_ignored(given, notice):
    spec, view, notices = parse(given, KNOWN)
    assert any(notice in n for n in notices), notices
    # Whatever was bad is dropped; what was good is kept.
    if "country" in given:
        assert spec.countries == ("PL",)
    if "type" in given:
        assert spec.types == ("strike",)


def test_empty_known_values_fall_back_to_no_constraint():
    spec, _, notices = parse(params(country="XX"), KNOWN)
    assert spec.countries is None and notices


@pytest.mark.parametrize(("given", "view"), [
    (params(present="1", presenter="1", brief="morning-brief", slide="2"),
     View(present=True, presenter=True, brief="morning-brief", slide=2)),
    (params(present="1", presenter="0"), View(present=True)),
])
def test_presenter_window_links(given, view):
    assert parse(given, KNOWN) == (FilterSpec(), view, [])
    assert parse(as_lists(encode(FilterSpec(), view)), KNOWN) == (FilterSpec(), view, [])


def test_presenter_is_one_or_zero():
    _, view, notices = parse(params(present="1", presenter="yes"), KNOWN)
    assert not view.presenter and notices == ["presenter='yes' is not 0 or 1; ignored"]
