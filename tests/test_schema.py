"""The schema: valid records pass; each invalid one names its feature, field and problem."""

from __future__ import annotations

import pytest

from dashboard.schema import FIELDS, OPTIONAL_FIELDS, validate_collection, validate_feature
from tests.conftest import collection, make_feature


def test_valid_feature_has_no_problems():
    assert validate_feature(make_feature()) == []


def test_fields_are_the_documented_names():
    assert FIELDS == (
        "id", "type", "date", "end_date", "date_precision", "country", "region", "place",
        "location_precision", "platform", "icao", "drones", "aircraft", "missiles", "killed",
        "injured", "summary", "sources", "confidence", "related_ids", "notes",
        "status", "retraction_reason", "origin", "start_time", "end_time",
    )


TIME_CASES = [
    ({"start_time": "2025-09-10T23:45:00Z"}, None),
    ({"start_time": "2025-09-09T22:10:00Z", "end_time": "2025-09-10T02:00:00Z"}, None),
    ({"start_time": "2025-09-10T23:45Z"}, ("start_time", "is not a UTC time")),
    ({"start_time": "2025-09-10 23:45:00"}, ("start_time", "is not a UTC time")),
    ({"end_time": "2025-09-10T25:00:00Z"}, ("end_time", "is not a UTC time")),
    ({"start_time": "2025-09-10T03:00:00Z", "end_time": "2025-09-10T01:00:00Z"},
     ("end_time", "is before start_time")),
    ({"start_time": "2025-09-14T03:00:00Z"}, ("start_time", "is not on the incident's dates")),
    ({"start_time": "2025-09-09T00:00:00Z", "end_time": "2025-09-11T23:59:59Z"}, None),
    ({"end_time": "2025-09-12T00:00:00Z"}, ("end_time", "is not on the incident's dates")),
    ({"start_time": 1757548800}, ("start_time", "str")),
]


@pytest.mark.parametrize(("times", "problem"), TIME_CASES)
def test_times_are_utc_moments_on_the_incidents_dates(times, problem):
    """A UTC time may fall a day either side of the (local) date the source gives, no more."""
    got = [(p.field, p.message) for p in validate_feature(make_feature(date="2025-09-10", **times))]
    if problem is None:
        assert got == []
    else:
        assert len(got) == 1 and got[0][0] == problem[0] and problem[1] in got[0][1], got


def test_the_column_wise_screen_agrees_on_times():
    """Big files are screened column by column: the same records fail, with the same messages."""
    from dashboard import load
    from dashboard.schema import DataError, validate_collection
    data = {"type": "FeatureCollection", "features": [
        make_feature(id=f"t-{i}", date="2025-09-10", **times) for i, (times, _) in enumerate(TIME_CASES)]}
    expected = sorted(map(str, validate_collection(data)))
    assert len(expected) == sum(problem is not None for _, problem in TIME_CASES)
    with pytest.raises(DataError) as exc:
        load.geojson_incidents(data)
    assert sorted(map(str, exc.value.problems)) == expected
    good = {"type": "FeatureCollection", "features": [
        make_feature(id=f"t-{i}", date="2025-09-10", **times)
        for i, (times, problem) in enumerate(TIME_CASES) if problem is None]}
    assert list(load.geojson_incidents(good)["start_time"])[0] == "2025-09-10T23:45:00Z"


def test_optional_fields_default_and_validate():
    assert OPTIONAL_FIELDS == {"status": "active", "retraction_reason": None, "origin": None,
                               "start_time": None, "end_time": None}
    assert validate_feature(make_feature(status="retracted", retraction_reason="duplicate")) == []
    assert validate_feature(make_feature(origin={"event_id_cnty": "POL123", "fatalities": 0})) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"date": "2025-13-01"},
         "pl-incursion-2025-09-10: date: '2025-13-01' is not a valid ISO date (YYYY-MM-DD)"),
        ({"date": "2025-02-30"}, "date: '2025-02-30' is not a valid ISO date"),
        ({"date": "10/09/2025"}, "date: '10/09/2025' is not a valid ISO date"),
        ({"end_date": "2025-09-01"}, "end_date: 2025-09-01 is before date 2025-09-10"),
        ({"date_precision": "range"}, "end_date: is required when date_precision is 'range'"),
        ({"type": "bombing"}, "type: 'bombing' is not allowed"),
        ({"platform": "ufo"}, "platform: 'ufo' is not allowed"),
        ({"confidence": None}, "confidence: None is not allowed"),
        ({"country": "Poland"}, "country: 'Poland' is not an ISO 3166-1 alpha-2 code"),
        ({"id": "Bad Id"}, "Bad Id: id: 'Bad Id' is not a lowercase slug"),
        ({"drones": -1}, "drones: should be greater than or equal to 0"),
        ({"drones": "19"}, "drones: should be a valid integer"),
        ({"drones": 2.5}, "drones: should be a valid integer"),
        ({"type": "airport_closure"}, "icao: is required for an airport_closure located at"),
        ({"icao": "WAW"}, "icao: 'WAW' is not a four-character ICAO code"),
        ({"sources": []}, "sources: List should have at least 1 item"),
        ({"sources": [{"document": "d.txt", "quote": " ".join(["word"] * 31)}]},
         "sources.0.quote: quote has 31 words; at most 30 allowed"),
        ({"sources": [{"document": "d.txt"}]}, "sources.0.quote: is missing"),
        ({"place": "  "}, "place: String should have at least 1 character"),
        ({"colour": "red"}, "colour: is not a known field"),
        ({"related_ids": ["pl-incursion-2025-09-10"]}, "related_ids: lists the incident itself"),
        ({"status": "retracted"}, "retraction_reason: is required when status is 'retracted'"),
        ({"status": "deleted"}, "status: 'deleted' is not allowed"),
        ({"origin": {"nested": {"a": 1}}}, "origin.nested"),
    ],
)
def test_invalid_properties_are_named(overrides, expected):
    messages = [str(p) for p in validate_feature(make_feature(**overrides))]
    assert any(expected in m for m in messages), messages


def test_closure_without_named_airport_needs_coarse_location():
    feature = make_feature(type="airport_closure", location_precision="country")
    assert validate_feature(feature) == []


def test_missing_field_is_reported():
    feature = make_feature()
    del feature["properties"]["notes"]
    assert [str(p) for p in validate_feature(feature)] == [
        "pl-incursion-2025-09-10: notes: is missing"
    ]


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, "geometry: is missing (null)"),
        ({"type": "MultiPoint", "coordinates": [[20, 50]]}, "type 'MultiPoint' is not one of"),
        ({"type": "Point", "coordinates": [20.0, 52.0, 100.0]}, "has 3-D coordinates"),
        ({"type": "Point", "coordinates": [200.0, 52.0]}, "coordinates out of range"),
        ({"type": "Point", "coordinates": [52.0, 95.0]}, "coordinates out of range"),
        ({"type": "Point", "coordinates": []}, "has no coordinates"),
        ({"type": "Point", "coordinates": ["a"]}, "coordinates are malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
         "is not valid: Self-intersection"),
    ],
)
def test_invalid_geometry_is_named(geometry, expected):
    feature = make_feature()
    feature["geometry"] = geometry
    messages = [str(p) for p in validate_feature(feature)]
    assert any(expected in m for m in messages), messages


def test_every_problem_is_reported_at_once():
    problems = validate_feature(make_feature(date="2025-13-01", type="bombing", drones=-2))
    assert {p.field for p in problems} == {"date", "type", "drones"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "file: type: expected a GeoJSON FeatureCollection, got 'list'"),
        ({"type": "Feature"}, "file: type: expected a GeoJSON FeatureCollection, got 'Feature'"),
        ({"type": "FeatureCollection"}, "file: features: is missing or not a list"),
        (collection(make_feature(), make_feature()),
         "pl-incursion-2025-09-10: id: is used by more than one feature"),
        (collection(make_feature(related_ids=["nope"])),
         "pl-incursion-2025-09-10: related_ids: 'nope' is not an incident id"),
        (collection({"type": "Feature", "geometry": None, "properties": None}),
         "feature #1: geometry: is missing (null)"),
    ],
)
def test_collection_problems(data, expected):
    assert expected in [str(p) for p in validate_collection(data)]


def test_valid_collection():
    assert validate_collection(collection(make_feature())) == []
