"""The one lon/lat box type: parsing, checking, clamping, padding, fitting, filtering, and
the box a map view (centre and zoom, or Leaflet's corners) shows."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from dashboard import style
from dashboard.bounds import FLANK, Bounds

#: Web-Mercator latitude limit: Leaflet's map (and its tiles) stop here.
MAX_MERCATOR_LAT = math.degrees(math.atan(math.sinh(math.pi)))


@pytest.fixture
def places():
    """Warsaw, Tallinn and Bucharest as points, and a track from Lviv to Kyiv."""
    return gpd.GeoDataFrame(
        {"id": ["warsaw", "tallinn", "bucharest", "lviv-kyiv"]},
        geometry=[Point(21.0, 52.2), Point(24.75, 59.44), Point(26.1, 44.43),
                  LineString([(24.03, 49.84), (30.52, 50.45)])], crs="EPSG:4326")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14,49,24.5,55", Bounds(14.0, 49.0, 24.5, 55.0)),
     (" 20 , 51.5, 22,53 ", Bounds(20.0, 51.5, 22.0, 53.0)),
     ("-180,-90,180,90", Bounds(-180.0, -90.0, 180.0, 90.0))],
)
def test_parse(text, expected):
    assert Bounds.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("1,2,3", "bbox '1,2,3': expected four numbers minlon,minlat,maxlon,maxlat"),
     ("1,2,3,4,5", "expected four numbers"), ("a,b,c,d", "expected four numbers"),
     ("", "bbox '': expected four numbers"), (None, "expected four numbers"),
     ("30,50,20,55", "bbox '30,50,20,55': need min < max, lon within -180..180, lat -90..90"),
     ("20,55,30,50", "need min < max"), ("-200,0,0,10", "need min < max"),
     ("0,0,10,95", "need min < max"), ("5,5,5,6", "need min < max")],
)
def test_parse_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        Bounds.parse(text)


@pytest.mark.parametrize(
    ("box", "valid"),
    [(Bounds(14, 49, 24, 55), True), (Bounds(-180, -90, 180, 90), True),
     (Bounds(24, 49, 14, 55), False), (Bounds(14, 55, 24, 49), False),
     (Bounds(-181, 0, 0, 1), False), (Bounds(0, 0, 1, 91), False), (Bounds(1, 0, 1, 1), False)],
)
def test_valid_and_check(box, valid):
    assert box.valid is valid
    if valid:
        assert box.check() is box
    else:
        with pytest.raises(ValueError, match=r"bbox \(.*\): need min < max"):
            box.check()


@pytest.mark.parametrize(
    ("box", "expected"),
    [(Bounds(-200, -95, 200, 95), Bounds(-180, -90, 180, 90)),
     (Bounds(170, 80, 190, 89), Bounds(170, 80, 180, 89)),
     (Bounds(10, 50, 20, 60), Bounds(10, 50, 20, 60))],
)
def test_clamp(box, expected):
    assert box.clamp() == expected


@pytest.mark.parametrize(
    ("box", "fraction", "min_deg", "expected"),
    [(Bounds(10, 50, 20, 60), 0.5, None, Bounds(5, 45, 25, 65)),
     (Bounds(10, 50, 20, 60), 0.1, 0.5, Bounds(9, 49, 21, 61)),
     (Bounds(20, 50, 20, 50), 0.1, 0.5, Bounds(19.5, 49.5, 20.5, 50.5)),  # one point
     (Bounds(170, 80, 180, 90), 0.5, None, Bounds(165, 75, 185, 95))],    # not clamped
)
def test_pad(box, fraction, min_deg, expected):
    assert box.pad(fraction, min_deg) == expected


@pytest.mark.parametrize(
    ("returned", "expected"),
    [(None, None), ({}, None),
     ({"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}, None),
     ({"_southWest": {"lat": 49.5, "lng": 21.0}, "_northEast": {"lat": 50.5}}, None),
     ({"_southWest": {"lat": 49.5, "lng": 21.0}, "_northEast": {"lat": 50.5, "lng": 23.0}},
      Bounds(21.0, 49.5, 23.0, 50.5)),
     ({"_southWest": {"lat": -95, "lng": -200}, "_northEast": {"lat": 95, "lng": 200}},
      Bounds(-180.0, -90.0, 180.0, 90.0))],
)
def test_from_leaflet(returned, expected):
    assert Bounds.from_leaflet(returned) == expected


def test_from_frame_pads_and_keeps_a_minimum_size(places):
    minx, miny, maxx, maxy = places.total_bounds  # 21..30.52 E, 44.43..59.44 N
    dx, dy = (maxx - minx) * 0.1, (maxy - miny) * 0.1
    assert Bounds.from_frame(places) == Bounds(minx - dx, miny - dy, maxx + dx, maxy + dy)
    one = places.iloc[:1]
    assert Bounds.from_frame(one) == Bounds(20.5, 51.7, 21.5, 52.7)
    assert Bounds.from_frame(places.iloc[:0]) is None


@pytest.mark.parametrize(
    ("box", "ids"),
    [(Bounds(20, 51.5, 22, 53), ["warsaw"]),
     (Bounds(27, 49, 29, 51), ["lviv-kyiv"]),     # the track crosses the box
     (Bounds(0, 0, 1, 1), []),
     (FLANK, ["warsaw", "tallinn", "bucharest", "lviv-kyiv"])],
)
def test_filter(places, box, ids):
    assert list(box.filter(places)["id"]) == ids


def test_contains_points_and_arrays():
    box = Bounds(19, 49, 24, 52)
    assert box.contains(20, 50) and box.contains(19, 52)  # edges count
    assert not box.contains(25, 50)
    x, y = np.array([20.0, 23.9, 24.1]), np.array([50.0, 51.9, 50.0])
    assert box.contains(x, y).tolist() == [True, True, False]


def test_flank_is_the_home_view():
    (south, west), (north, east) = style.EASTERN_FLANK_BOUNDS
    assert FLANK == Bounds(west, south, east, north) == Bounds(6.0, 42.0, 41.0, 70.5)
    assert FLANK.as_tuple() == (6.0, 42.0, 41.0, 70.5)
    assert Bounds.of(FLANK) is FLANK and Bounds.of((6.0, 42.0, 41.0, 70.5)) == FLANK


# --- the box a map view shows -------------------------------------------------------------------

def mercator_lat(y_fraction: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y_fraction))))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # zoom 0: the world is 256 px wide, so 1200 px show all of it (clamped).
        ((0, 0, 0), (-180, -MAX_MERCATOR_LAT, 180, MAX_MERCATOR_LAT)),
        # zoom 2 at 0,0 with a 1024x1024 map: exactly the whole Mercator square.
        ((0, 0, 2, 1024, 1024), (-180, -MAX_MERCATOR_LAT, 180, MAX_MERCATOR_LAT)),
        # zoom 2 at 0,0, 512x512: a quarter of the world each way, half its width.
        ((0, 0, 2, 512, 512), (-90, mercator_lat(0.75), 90, mercator_lat(0.25))),
        # zoom 6: 1200 px = 1200 / (256 * 2**6) * 360 = 26.367° of longitude.
        ((52, 21, 6), (21 - 13.18359375, None, 21 + 13.18359375, None)),
        # at the antimeridian the box stops at 180.
        ((0, 179, 6), (179 - 13.18359375, None, 180, None)),
    ],
)
def test_from_view(args, expected):
    got = Bounds.from_view(*args).as_tuple()
    for g, e in zip(got, expected, strict=True):
        if e is not None:
            assert g == pytest.approx(e, abs=1e-9)
    assert got[0] < got[2] and got[1] < got[3]


def test_from_view_latitude_span_at_zoom_6():
    """700 px of Mercator at zoom 6 around 52° N: y = 350 px each side of the centre."""
    world = 256 * 2 ** 6
    y = (1 - math.asinh(math.tan(math.radians(52))) / math.pi) / 2 * world
    view = Bounds.from_view(52, 21, 6)
    south, north = view.minlat, view.maxlat
    assert south == pytest.approx(mercator_lat((y + 350) / world))
    assert north == pytest.approx(mercator_lat((y - 350) / world))
    assert south < 52 < north and (north - 52) < (52 - south)  # Mercator stretches northwards


@pytest.mark.parametrize(
    ("args", "message"),
    [((float("nan"), 0, 5), "lat must be a finite number"), ((0, None, 5), "lon must be a finite"),
     ((0, 0, float("inf")), "zoom must be a finite"), ((0, 0, 5, 0, 700), "map size must be positive")],
)
def test_from_view_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        Bounds.from_view(*args)
