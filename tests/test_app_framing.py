"""The map follows the selection: framing on a country, a region, a slide's extent; a view
the user chose by hand stands until the selection changes; chosen regions are outlined."""

from __future__ import annotations

import functools
import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import briefs, paths, style
from dashboard.bounds import Bounds
from dashboard.ui.state import KEY_COUNTRIES, KEY_MAP_NONCE
from tests.conftest import open_link

APP = str(paths.ROOT / "dashboard" / "app.py")
POLAND = Bounds(14.1, 49.0, 24.2, 54.9)




def map_args(at: AppTest) -> dict:
    return json.loads(at.get("component_instance")[0].proto.json_args)


def map_key(at: AppTest) -> str:
    return f"map-{at.session_state[KEY_MAP_NONCE]}-default"


def report_view(at: AppTest, center: tuple[float, float], zoom: float,
                size: tuple[int, int] = (1100, 700)) -> None:
    """What the browser sends back after a pan or zoom: centre, zoom and bounds."""
    extent = Bounds.from_view(*center, zoom, *size)
    at.session_state[map_key(at)] = {
        "center": {"lat": center[0], "lng": center[1]}, "zoom": zoom,
        "bounds": {"_southWest": {"lat": extent.minlat, "lng": extent.minlon},
                   "_northEast": {"lat": extent.maxlat, "lng": extent.maxlon}},
        "last_object_clicked_tooltip": None, "all_drawings": None}
    at.run()
    assert not at.exception, at.exception


def test_the_whole_record_opens_on_the_home_view():
    args = map_args(open_link())
    assert args["zoom"] is None or args["zoom"] == style.HOME_ZOOM


def test_a_country_link_frames_that_country():
    args = map_args(open_link(country="PL"))
    lat, lon = args["center"]
    assert POLAND.contains(lon, lat), args["center"]
    assert args["zoom"] > style.HOME_ZOOM + 1  # Poland fills the map, not Europe with dots


def test_choosing_a_country_moves_the_map_and_a_hand_made_view_stands_until_then():
    at = open_link()
    at.multiselect(key=KEY_COUNTRIES).set_value(["EE"]).run()
    lat, lon = map_args(at)["center"]
    assert Bounds(21.5, 57.3, 28.3, 59.8).contains(lon, lat)
    # The user pans to Romania: reruns that do not change the selection leave the view alone.
    report_view(at, (45.9, 25.0), 6.0)
    before = map_args(at)
    at.run()
    assert map_args(at)["center"] == before["center"] and map_args(at)["zoom"] == before["zoom"]
    # A new selection frames the map again.
    at.multiselect(key=KEY_COUNTRIES).set_value(["PL"]).run()
    lat, lon = map_args(at)["center"]
    assert POLAND.contains(lon, lat)


def test_the_fit_is_redone_for_the_size_the_browser_reports():
    at = open_link(country="PL")
    assumed_zoom = map_args(at)["zoom"]
    # The map turns out to be much smaller than assumed: the fit is redone for that size.
    report_view(at, (52.0, 19.0), assumed_zoom, size=(500, 350))
    assert map_args(at)["zoom"] < assumed_zoom


def test_a_slide_extent_is_fitted_to_the_screen():
    at = open_link(bbox="21,57,29,60")
    lat, lon = map_args(at)["center"]
    assert abs(lon - 25.0) < 0.01 and 57 < lat < 60
    assert at.query_params.get("bbox") is None or "bbox" in at.query_params


def test_chosen_regions_are_outlined():
    at = open_link(region="PL-LU")  # Lubelskie
    assert "ef-region" in map_args(at)["feature_group"]
    assert "ef-region" not in map_args(open_link(country="PL"))["feature_group"]


def test_fit_to_incidents_button_reframes_after_a_pan():
    at = open_link(country="PL")
    report_view(at, (45.9, 25.0), 7.0)
    at.button(key="fit_incidents").click().run()
    lat, lon = map_args(at)["center"]
    assert POLAND.contains(lon, lat)


@pytest.fixture
def briefs_in(tmp_path, monkeypatch):
    """Brief packs in a temporary folder (``briefs`` fixes its default folder on import, so
    the app's calls are pointed at this one)."""
    for name in ("list_packs", "load_pack", "save_pack"):
        monkeypatch.setattr(briefs, name, functools.partial(getattr(briefs, name), folder=tmp_path))
    return tmp_path


def test_a_slide_stores_the_extent_and_opens_fitted_to_the_screen(briefs_in):
    """Add this view to the brief keeps the extent on screen (bbox), not centre and zoom, so
    the same slide fills a 1920 and a 1366 projector."""

    briefs.save_pack(briefs.new_pack("test-brief", "Test"), expected_version=None)
    at = open_link(country="PL", brief="test-brief")
    report_view(at, (52.0, 19.0), 6.0)
    next(b for b in at.button if b.label == "Add this view to the brief").click()
    at.run()
    [slide] = briefs.load_pack("test-brief").slides
    assert "bbox" in slide.params and "lat" not in slide.params and "zoom" not in slide.params
    extent = Bounds.parse(slide.params["bbox"][0])
    assert extent == Bounds.from_view(52.0, 19.0, 6.0, 1100, 700) or extent.contains(19.0, 52.0)
    assert slide.title == "Poland"  # a short default title
