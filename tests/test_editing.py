"""The add/edit form: a record survives the form unchanged; bad values are named."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard import editing, paths
from tests.conftest import make_feature

SHIPPED = json.loads(paths.INCIDENTS.read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize("feature", SHIPPED, ids=[f["id"] for f in SHIPPED])
def test_every_shipped_record_round_trips_through_the_form(feature):
    out, problems = editing.to_feature(editing.defaults(feature), feature)
    assert problems == []
    assert out == feature


def test_a_line_keeps_its_geometry_unless_the_location_is_typed_anew():
    line = {"type": "LineString", "coordinates": [[23.5, 51.2], [22.6, 51.0]]}
    feature = make_feature(line)
    values = editing.defaults(feature)
    assert (values["lat"], values["lon"]) == (51.2, 23.5)
    assert editing.to_feature(values, feature)[0]["geometry"] == line
    moved, problems = editing.to_feature({**values, "lat": 50.0}, feature)
    assert problems == [] and moved["geometry"] == {"type": "Point", "coordinates": [23.5, 50.0]}


def test_new_incident_from_the_form():
    values = {**editing.defaults(None, lat=50.1, lon=22.0), "id": "pl-test", "place": "Rzeszów",
              "summary": "A drone was seen.", "document": "report.txt", "quote": "a drone was seen",
              "date": dt.date(2025, 9, 10), "country": "pl", "drones": 1}
    feature, problems = editing.to_feature(values)
    assert problems == []
    assert feature["geometry"] == {"type": "Point", "coordinates": [22.0, 50.1]}
    assert feature["properties"]["country"] == "PL"
    assert feature["properties"]["region"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lat": None}, "location: latitude and longitude are required"),
        ({"lat": 95.0}, "geometry: coordinates out of range"),
        ({"quote": ""}, "sources.0.quote: String should have at least 1 character"),
        ({"id": "Has Spaces"}, "id: 'Has Spaces' is not a lowercase slug"),
        ({"end_date": dt.date(2025, 1, 1)}, "end_date: 2025-01-01 is before date 2025-09-10"),
        ({"icao": "wa"}, "icao: 'WA' is not a four-character ICAO code"),
    ],
)
def test_form_problems_are_named(changes, expected):
    feature = make_feature()
    _, problems = editing.to_feature({**editing.defaults(feature), **changes}, feature)
    assert any(expected in str(p) for p in problems), problems


def test_new_id_is_readable_and_unused():
    taken = {"pl-strike-2025-09-10", "pl-strike-2025-09-10-2"}
    assert editing.new_id("PL", "strike", dt.date(2025, 9, 10), taken) == "pl-strike-2025-09-10-3"
    assert editing.new_id("EE", "airspace_incursion", "2025-09-19", set()) == (
        "ee-airspace-incursion-2025-09-19")
