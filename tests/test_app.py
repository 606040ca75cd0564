"""The Streamlit app, run headless with AppTest on the shipped data."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import geo, load, paths
from dashboard.ui.state import KEY_COUNTRIES, KEY_DATES, KEY_TILES, KEY_TYPES
from tests.conftest import open_link, shown_by_default

APP = str(paths.ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def shipped():
    return shown_by_default(load.read_incidents())


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
    # Clicks, drawings and the view come back; they rerun only the map fragment.
    assert set(args["returned_objects"]) == {"last_object_clicked_tooltip", "all_drawings",
                                             "center", "zoom", "bounds", "last_clicked"}
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
    # The map stays (it is also where areas are drawn), with no incident on it.
    args = json.loads(app.get("component_instance")[0].proto.json_args)
    assert '"properties"' not in args["feature_group"]


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


def test_the_base_map_travels_as_files_not_in_the_maps_script(app):
    """What Streamlit resends on every layer change is the map's script: the countries,
    admin-1 lines, airports, rivers and lakes (1.2 MB) are files the browser loads once."""
    args = json.loads(app.get("component_instance")[0].proto.json_args)
    page = args["script"] + json.dumps(args.get("feature_group") or "")
    urls = re.findall(r'efm\.fetched\("(/app/static/efm/base/[^"]+)"\)', page)
    assert sorted(u.rsplit("/", 1)[1].split("-")[0] for u in urls) == [
        "admin1", "airports", "countries", "lakes", "rivers"]
    assert len(page) < 200_000
    for url in urls:
        assert (paths.STATIC / url.removeprefix("/app/static/")).is_file()


def shown_ids(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["id"])




EPLB, EPRZ, EPWA = (f"pl-airport-closure-{c}-2025-09-10" for c in ("eplb", "eprz", "epwa"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from_": "2025-09-10", "to": "2025-09-10"},
         {EPLB, EPRZ, EPWA, "pl-incursion-2025-09-10", "pl-interception-2025-09-10",
          "pl-crash-debris-2025-09-10", "de-incursion-schleswig-holstein-2025-09-10",
          "ro-incursion-2025-09-08"}),  # 8–14 Sep range overlaps the day
        ({"country": ["PL"], "type": ["airport_closure"]}, {EPLB, EPRZ, EPWA}),
        ({"region": "PL-PK"}, {EPRZ}),
        ({"preset": "baltic"}, {"ee-incursion-2025-09-19"}),
        ({"preset": "russia-border", "type": "strike"},
         {"ru-strike-belgorod-2024-08-07", "ru-strike-bryansk-2024-11-19",
          "ru-strike-voronezh-2024-08-07"}),
        ({"q": "Rzeszow"}, {EPLB, EPRZ, EPWA}),
        ({"min_confidence": "high", "country": "PL"}, {EPLB, EPRZ, EPWA, "pl-incursion-2025-09-10"}),
        ({"platform": "missile"}, {"ru-strike-bryansk-2024-11-19", "ua-strike-dnipro-2024-11-21"}),
        ({"min_depth_km": "60", "max_depth_km": "100"}, {EPLB, EPRZ}),
        ({"area": "20,51.5,22,53"}, {EPWA}),
        ({"type": "none"}, set()),
    ],
)
def test_link_restores_filters(params, expected):
    at = open_link(**params)
    assert shown_ids(at) == expected
    assert metric(at, "Incidents") == len(expected)
    assert not at.warning or "No incidents match" in at.warning[0].value
    # The app writes the same state back to the URL.
    for key, value in params.items():
        written = at.query_params[key.removesuffix("_")]
        if key == "area":  # a box is written back as the same area in WKT
            assert geo.parse_area(written).equals(geo.parse_area(value)), written
            continue
        assert (written if isinstance(written, list) else [written]) == (
            value if isinstance(value, list) else [value])


def test_link_restores_widgets_view_and_selection():
    at = open_link(country=["PL", "EE"], preset="baltic", q="drones", min_confidence="medium",
                   lat="54.5", lon="24", zoom="6", incident=EPWA)
    assert at.multiselect(key=KEY_COUNTRIES).value == ["PL", "EE"]
    assert at.text_input(key="f_q").value == "drones"
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert args["center"] == [54.5, 24.0] and args["zoom"] == 6.0
    assert "ef-selected" in args["feature_group"]  # the highlighted incident's ring
    card = "\n".join(m.value for m in at.markdown)
    assert "Warsaw Chopin Airport" in card and "Airports in Warsaw" in card


def test_bad_link_parameters_give_a_notice_not_a_crash():
    at = open_link(from_="2025-13-01", country=["PL", "XX"], type="bombing", zoom="99",
                   area="POINT (1 2)", colour="red")
    notice = at.warning[0].value
    assert "Some parts of the link were adjusted or ignored" in notice
    for name in ("2025\\-13\\-01", "XX", "bombing", "zoom", "area", "colour"):
        assert name in notice, name
    # What was valid still applies.
    assert at.multiselect(key=KEY_COUNTRIES).value == ["PL"]
    assert metric(at, "Countries") == 1


def test_changing_a_filter_updates_the_url(app):
    app.multiselect(key=KEY_COUNTRIES).set_value(["RO"]).run()
    assert app.query_params["country"] in ("RO", ["RO"])
    app.text_input(key="f_q").set_value("Danube").run()
    assert app.query_params["q"] in ("Danube", ["Danube"])
    assert shown_ids(app) == {"ro-crash-debris-danube-2025-09-20"}


def test_the_table_shows_blanks_for_what_the_source_does_not_give(app):
    grid = app.dataframe[0]
    assert grid.proto.placeholder == ""
    frame = grid.value
    assert not frame[["region", "place", "id"]].isin(["None", "nan"]).any().any()
    assert frame["country"].str.fullmatch(r".+ \([A-Z]{2}\)").all()


def test_the_timeline_spans_exactly_the_selected_dates():
    at = open_link(**{"from": "2025-09-01", "to": "2025-09-30"})
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    x = spec["encoding"]["x"]
    assert x["scale"]["domain"] == ["2025-09-01T00:00:00", "2025-10-01T00:00:00"]
    assert spec["encoding"]["x2"]["field"] == "end"  # each bar spans its whole day


def test_only_this_type_and_back_to_all(app, shipped):
    only = app.pills(key="only_type")
    only.set_value("strike").run()
    assert app.pills(key=KEY_TYPES).value == ["strike"]
    assert metric(app, "Incidents") == (shipped["type"] == "strike").sum()
    app.pills(key="only_type").set_value(None).run()
    assert metric(app, "Incidents") == len(shipped)


@pytest.mark.parametrize(("params", "shown_from", "shown_to", "notice"), [
    ({"to": "2024-01-01"}, dt.date(2024, 8, 7), dt.date(2024, 8, 7), "to=2024-01-01 is before the data"),
    ({"from": "2100-01-01"}, dt.date(2025, 10, 6), dt.date(2025, 10, 6), "from=2100-01-01 is after the data"),
    ({"from": "0001-01-01", "to": "9999-12-31"}, dt.date(2024, 8, 7), dt.date(2025, 10, 6),
     "from=0001-01-01 is before the data"),
    ({"from": "1999-12-31", "to": "2000-01-01"}, dt.date(2024, 8, 7), dt.date(2024, 8, 7),
     "to=2000-01-01 is before the data"),
])
def test_link_dates_outside_the_data_are_brought_into_it(params, shown_from, shown_to, notice):
    """The page opens (no StreamlitValueBelowMinError or reversed range) and says what moved;
    the next rerun is fine too."""
    at = open_link(**params)
    assert at.date_input(key=KEY_DATES).value == (shown_from, shown_to)
    assert any(notice in w.value.replace("\\", "") for w in at.warning), [w.value for w in at.warning]
    at.run()
    assert not at.exception
