"""Bounds on a Web-Mercator screen: size in pixels, the zoom that fits, framing a selection;
and the link's ``bbox`` (what slides store)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from dashboard import urlstate
from dashboard.bounds import MIN_FRAME_DEG, Bounds, selection_extent


@pytest.mark.parametrize(("lat", "lon", "zoom", "size"), [
    (52.0, 19.0, 5.75, (1000, 700)), (59.0, 25.0, 7.0, (1366, 768)), (45.0, 28.0, 4.5, (1920, 1080))])
def test_pixels_is_the_inverse_of_from_view(lat, lon, zoom, size):
    w, h = Bounds.from_view(lat, lon, zoom, *size).pixels(zoom)
    assert (round(w), round(h)) == size


@pytest.mark.parametrize(("lat", "lon", "zoom", "size"), [
    (52.0, 19.0, 6.5, (1000, 700)), (59.0, 25.0, 7.25, (1366, 768)), (45.0, 28.0, 4.5, (1920, 1080))])
def test_fit_zoom_finds_the_zoom_a_view_was_taken_at(lat, lon, zoom, size):
    extent = Bounds.from_view(lat, lon, zoom, *size)
    assert extent.fit_zoom(*size) == zoom
    c_lat, c_lon = extent.center
    assert c_lat == pytest.approx(lat, abs=1e-6) and c_lon == pytest.approx(lon, abs=1e-6)


def test_the_same_extent_fits_a_smaller_screen_at_a_lower_zoom():
    extent = Bounds(14.1, 49.0, 24.2, 54.9)
    assert extent.fit_zoom(1366, 768) < extent.fit_zoom(1920, 1080)
    assert extent.fit_zoom(10, 10) == 3.0 and Bounds(19, 52, 19.001, 52.001).fit_zoom(1920, 1080) == 12.0


def test_a_lone_incident_is_framed_with_its_surroundings():
    one = gpd.GeoDataFrame(geometry=[Point(21.0, 52.2)], crs=4326)
    extent = selection_extent(one)
    assert (extent.maxlon - extent.minlon, extent.maxlat - extent.minlat) == pytest.approx(MIN_FRAME_DEG)
    assert extent.contains(21.0, 52.2)
    assert selection_extent(one.iloc[:0]) is None


def test_a_wide_selection_gets_a_margin_of_15_percent_at_least_a_degree():
    two = gpd.GeoDataFrame(geometry=[Point(10, 50), Point(30, 60)], crs=4326)
    assert selection_extent(two) == Bounds(7.0, 48.5, 33.0, 61.5)
    near = gpd.GeoDataFrame(geometry=[Point(20, 50), Point(24, 52)], crs=4326)
    assert selection_extent(near) == Bounds(19.0, 49.0, 25.0, 53.0)


def test_link_bbox_round_trips_and_bad_ones_are_named():
    spec, view, notices = urlstate.parse({"bbox": ["14.1,49,24.2,54.9"]}, urlstate.Known())
    assert view.bbox == Bounds(14.1, 49.0, 24.2, 54.9) and notices == []
    assert urlstate.encode(spec, view) == {"bbox": "14.1,49,24.2,54.9"}
    _, view, notices = urlstate.parse({"bbox": ["30,50,20,40"]}, urlstate.Known())
    assert view.bbox is None and "bbox=" in notices[0]
