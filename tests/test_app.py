"""The Streamlit app, run headless with AppTest on the shipped data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import load, paths
from dashboard.app import KEY_COUNTRIES, KEY_DATES, KEY_TILES, KEY_TYPES

APP = str(paths.ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def shipped():
    return load.read_incidents()


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> int:
    return int(next(m for m in at.metric if m.label == label).value)


def test_opens_with_every_incident(app, shipped):
    assert metric(app, "Incidents") == len(shipped)
    assert metric(app, "Countries") == shipped["country"].nunique()
    (component,) = app.get("component_instance")
    args = json.loads(component.proto.json_args)
    # Offline guarantee: every script and stylesheet the map loads is served by the app.
    assert args["js_links"] and args["css_links"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert args["returned_objects"] == []
    for incident_id in shipped["id"]:
        assert f'"id": "{incident_id}", "properties"' in args["feature_group"]


def test_country_filter_changes_counts(app, shipped):
    app.multiselect(key=KEY_COUNTRIES).set_value(["PL"]).run()
    assert not app.exception
    assert metric(app, "Incidents") == (shipped["country"] == "PL").sum()
    assert metric(app, "Countries") == 1
    assert "in Poland" in app.caption[0].value


def test_type_filter_changes_counts(app, shipped):
    app.pills(key=KEY_TYPES).set_value(["airport_closure"]).run()
    assert metric(app, "Incidents") == (shipped["type"] == "airport_closure").sum()
    assert metric(app, "Strike") == 0


def test_nothing_matches_says_so_instead_of_a_blank_map(app):
    app.date_input(key=KEY_DATES).set_value((dt.date(2001, 1, 1), dt.date(2001, 1, 2))).run()
    assert not app.exception
    assert metric(app, "Incidents") == 0
    assert "No incidents match these filters" in app.warning[0].value
    assert not app.get("component_instance")


def test_bad_data_shows_message_not_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "incidents.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    monkeypatch.setattr(paths, "INCIDENTS", bad)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "could not be loaded" in at.error[0].value
    assert "feature #1: geometry: is missing (null)" in at.code[0].value


def test_online_tiles_only_when_switched_on(app):
    script = json.loads(app.get("component_instance")[0].proto.json_args)["script"]
    assert "tile.openstreetmap.org" not in script
    app.checkbox(key=KEY_TILES).check().run()
    script = json.loads(app.get("component_instance")[0].proto.json_args)["script"]
    assert "tile.openstreetmap.org" in script
