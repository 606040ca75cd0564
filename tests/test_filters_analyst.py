"""Analyst filters: region and preset by geometry, drawn area, border depth, text search,
confidence and platform — each on tiny hand-built fixtures."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from dashboard import geo, load
from dashboard.filters import FilterSpec, Places, Preset, apply, describe

PL_INC, EPWA, EE, RO, KURSK = ("pl-incursion-2025-09-10", "pl-airport-closure-epwa-2025-09-10",
                               "ee-incursion-2025-09-19", "ro-crash-2025-09-13",
                               "ru-interception-kursk-2024-08-06")


@pytest.fixture
def places():
    """Three boxes standing in for Lublin (holds the PL incursion at 23.1E 51.5N), Masovia
    (holds Warsaw airport) and Kursk; presets 'baltic' (EE) and 'ru-border' (Kursk box)."""
    regions = gpd.GeoDataFrame(
        {"iso_3166_2": ["PL-LU", "PL-MZ", "RU-KRS"],
         "name": ["Lublin Voivodeship", "Masovian Voivodeship", "Kursk"],
         "country": ["PL", "PL", "RU"]},
        geometry=[box(21.5, 50.2, 24.2, 51.9), box(19.5, 51.9, 21.5, 53.5), box(34, 50.9, 38, 52.5)],
        crs="EPSG:4326")
    return Places(regions, {"baltic": Preset("baltic", "Baltic states", ("EE",)),
                            "ru-border": Preset("ru-border", "Russia's border oblasts",
                                                regions=("RU-KRS",))})


@pytest.fixture
def rich(tiny):
    """The tiny frame with depths set by hand: PL incursion 30 km, Warsaw 150 km, EE 5 km."""
    depth = {PL_INC: 30.0, EPWA: 150.0, EE: 5.0}
    out = tiny.assign(depth_km=[depth.get(i, np.nan) for i in tiny["id"]])
    out.loc[EPWA, "place"] = "Rzeszów-Jasionka Airport"
    out.loc[EE, "confidence"] = "low"
    out.loc[RO, "confidence"] = "medium"
    out.loc[KURSK, "platform"] = "missile"
    return out


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (FilterSpec(regions=("PL-LU",)), {PL_INC}),
        (FilterSpec(regions=("PL-LU", "RU-KRS")), {PL_INC, KURSK}),
        (FilterSpec(regions=()), set()),
        (FilterSpec(regions=("PL-MZ",), countries=("EE",)), set()),
        (FilterSpec(preset="baltic"), {EE}),
        (FilterSpec(preset="ru-border"), {KURSK}),
        (FilterSpec(preset="ru-border", types=("strike",)), set()),
        (FilterSpec(area="20,52,21.5,53"), {EPWA}),
        (FilterSpec(area="POLYGON ((22 50, 40 50, 40 53, 22 53, 22 50))"), {PL_INC, KURSK}),
        (FilterSpec(area="MULTIPOLYGON (((23 59, 25 59, 25 60, 23 60, 23 59)), "
                         "((28 45, 29 45, 29 46, 28 46, 28 45)))"), {EE, RO}),
        (FilterSpec(min_depth_km=20), {PL_INC, EPWA}),
        (FilterSpec(max_depth_km=30), {PL_INC, EE}),
        (FilterSpec(min_depth_km=10, max_depth_km=100), {PL_INC}),
        (FilterSpec(q="Rzeszow"), {EPWA}),
        (FilterSpec(q="RZESZÓW"), {EPWA}),
        (FilterSpec(q="rzeszów airport"), {EPWA}),
        (FilterSpec(q="Wyryki"), {PL_INC}),
        (FilterSpec(q="polish AIRSPACE"), {PL_INC, EPWA, EE, RO, KURSK}),  # in every quote
        (FilterSpec(q="nowhere"), set()),
        (FilterSpec(q="   "), {PL_INC, EPWA, EE, RO, KURSK}),
        (FilterSpec(min_confidence="medium"), {PL_INC, EPWA, RO, KURSK}),
        (FilterSpec(min_confidence="high"), {PL_INC, EPWA, KURSK}),
        (FilterSpec(min_confidence="low"), {PL_INC, EPWA, EE, RO, KURSK}),
        (FilterSpec(platforms=("missile",)), {KURSK}),
        (FilterSpec(platforms=("drone", "balloon"), min_confidence="high"), {PL_INC, EPWA}),
    ],
)
def test_analyst_filters(rich, places, spec, expected):
    assert set(apply(rich, spec, places)["id"]) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_confidence": "certain"}, "min_confidence 'certain' is not one of high, medium, low"),
        ({"min_depth_km": -5}, "min_depth_km must be a number >= 0"),
        ({"min_depth_km": 50, "max_depth_km": 10}, "depth range is reversed"),
        ({"area": "1,2,3"}, "neither a bounding box nor WKT"),
        ({"area": "10,50,5,55"}, "expected minlon,minlat,maxlon,maxlat with min < max"),
        ({"area": "POINT (20 50)"}, "area must be a polygon, got a Point"),
        ({"area": "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))"}, "area is not a valid polygon"),
        ({"area": "0,0,200,10"}, "area coordinates must be lon -180..180"),
    ],
)
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FilterSpec(**kwargs)


def test_region_filter_without_places_says_what_is_missing(tiny):
    with pytest.raises(ValueError, match="need the regions layer"):
        apply(tiny, FilterSpec(regions=("PL-LU",)))


def test_unknown_preset(tiny, places):
    with pytest.raises(ValueError, match="unknown preset 'atlantis'"):
        apply(tiny, FilterSpec(preset="atlantis"), places)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Rzeszów", "rzeszow"), ("ŁÓDŹ", "lodz"), ("Tromsø", "tromso"), ("Straße", "strasse"),
     ("Šiauliai", "siauliai"), ("Mykolaiv", "mykolaiv")],
)
def test_fold(text, folded):
    assert geo.fold(text) == folded


def test_describe_names_every_analyst_filter():
    spec = FilterSpec(regions=("PL-LU",), preset="baltic", area="20,50,21,51", q=" drones ",
                      min_confidence="medium", platforms=("drone",), min_depth_km=0,
                      max_depth_km=50)
    assert describe(spec, {"PL-LU": "Lublin Voivodeship", "baltic": "Baltic states"}) == (
        "All incident types in Baltic states, within Lublin Voivodeship, at any date · "
        "inside the drawn area · 0–50 km from the "
        "Russia/Belarus/Ukraine border · matching “drones” · confidence medium or higher · "
        "platform drone")


# --- depth_km ---------------------------------------------------------------------------

@pytest.fixture
def border_countries():
    """Poland (NATO) west of 24°E, Belarus east of it: the border is the meridian 24°E."""
    return gpd.GeoDataFrame(
        {"iso_a2": ["PL", "BY"], "nato": [True, False]},
        geometry=[box(14, 49, 24, 55), box(24, 49, 32, 55)], crs="EPSG:4326")


def test_depth_against_hand_computed_distances(border_countries):
    # One degree of longitude at 52°N on WGS84: (pi/180) a cos(phi) / sqrt(1 - e^2 sin^2 phi)
    # = 68.72 km; four degrees: 274.9 km (the geodesic to the meridian is a hair shorter).
    points = gpd.GeoDataFrame(
        {"country": ["PL", "PL", "PL", "BY", "PL"],
         "location_precision": ["city", "city", "exact", "city", "country"]},
        geometry=[Point(23, 52), Point(20, 52), Point(24, 52), Point(26, 52), Point(20, 52)],
        crs="EPSG:4326")
    depth = geo.depth_km(points, border_countries)
    assert depth.iloc[0] == pytest.approx(68.7, abs=0.2)
    assert depth.iloc[1] == pytest.approx(274.9, abs=0.5)
    assert depth.iloc[2] == 0
    assert np.isnan(depth.iloc[3])  # not in a NATO country
    assert np.isnan(depth.iloc[4])  # placed only at country level


@pytest.mark.parametrize(
    ("lon", "lat", "country", "expected_km", "tolerance"),
    [
        # Narva lies on the Narva river, which is the Estonia–Russia border.
        (28.19, 59.38, "EE", 0.5, 1.5),
        # Warsaw: the nearest border is the Bug near Niemirów (23.15°E 52.32°N):
        # 2.14° of longitude at 52.3°N x 68.3 km = 146 km.
        (21.01, 52.23, "PL", 146, 5),
    ],
)
def test_depth_of_known_places_on_the_shipped_borders(lon, lat, country, expected_km, tolerance):
    points = gpd.GeoDataFrame({"country": [country], "location_precision": ["city"]},
                              geometry=[Point(lon, lat)], crs="EPSG:4326")
    depth = geo.depth_km(points, load.read_countries()).iloc[0]
    assert depth == pytest.approx(expected_km, abs=tolerance)


def test_enrich_adds_depth_and_search_text(tiny, border_countries):
    out = geo.enrich(tiny, border_countries)
    assert {"depth_km", "search_text"} <= set(out.columns)
    assert "depth_km" not in tiny.columns  # input untouched
    assert out.loc[PL_INC, "depth_km"] == pytest.approx(0.9 * 69.4, rel=0.02)
    assert "wyryki" in out.loc[PL_INC, "search_text"]


def test_shipped_presets_name_known_codes():
    presets = load.read_presets()
    regions = set(load.read_regions()["iso_3166_2"])
    countries = set(load.read_countries()["iso_a2"])
    assert {"baltic", "nordic", "central-europe", "black-sea", "ukraine", "russia-border"} <= set(presets)
    for p in presets.values():
        assert set(p.countries) <= countries, p
        assert set(p.regions) <= regions, p


def _rect(x0, y0, x1, y1):
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "Polygon",
                         "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}}


@pytest.mark.parametrize(
    ("drawings", "expected"),
    [
        (None, None),
        ([], None),
        ([_rect(20, 50, 24, 53)], "POLYGON ((20 50, 24 50, 24 53, 20 53, 20 50))"),
        ([_rect(20, 50, 21, 51), _rect(30, 50, 31, 51)], "MULTIPOLYGON"),
        ([{"type": "Feature", "geometry": {"type": "Point", "coordinates": [20, 50]}}], None),
        ([_rect(20, 50, 20, 50)], None),  # a click, not a drag: no extent
    ],
)
def test_area_from_drawings(drawings, expected):
    area = geo.area_from_drawings(drawings)
    assert area == expected if expected is None or "(" in expected else area.startswith(expected)
    if area:
        FilterSpec(area=area)  # what it returns is a valid area filter
