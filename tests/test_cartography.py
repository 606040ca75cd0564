"""The base map's cartography without a browser: label points, the world-wide country layer,
the context layers (cities, rivers, lakes, admin-1 lines) and which airports show at which
zoom, and the documentation of the geodata files."""

from __future__ import annotations

import json
import re

import pytest
from shapely.geometry import Point, box

from dashboard import load, mapping, paths

NEW_LAYERS = ("cities", "rivers", "lakes", "admin1")


@pytest.fixture(scope="module")
def countries():
    return load.read_countries()


@pytest.fixture(scope="module")
def airports():
    return load.read_airports()


@pytest.fixture(scope="module")
def base(countries, airports):
    return mapping.base_data(countries, airports)


@pytest.fixture(scope="module")
def page(countries, airports, base):
    return mapping.build_map(countries, airports, base=base).get_root().render()


def _call_data(page: str, function: str) -> object:
    """The first JSON argument of ``efm.<function>(parent, <data>, ...)`` in a rendered map."""
    start = re.search(rf"efm\.{function}\(\s*\w+, ", page).end()
    return json.JSONDecoder().raw_decode(page, start)[0]


# --- labels ----------------------------------------------------------------------------------

MAINLAND_DENMARK = box(8.0, 54.5, 12.8, 57.8)  # Jutland, Funen, Zealand


def test_denmark_label_sits_on_mainland_denmark(countries):
    """Denmark's polygon includes Greenland and the Faroes: the label goes on Denmark itself."""
    dk = countries.set_index("iso_a2").geometry["DK"]
    lat, lon = mapping.label_point(dk)
    assert MAINLAND_DENMARK.contains(Point(lon, lat)), (lat, lon)
    assert dk.contains(Point(lon, lat))


@pytest.mark.parametrize(("code", "lon_range", "lat_range"), [
    ("NO", (5, 31), (58, 71)),      # mainland Norway, not Svalbard
    ("FR", (-5, 8), (42, 51)),      # mainland France, not Corsica or overseas
    ("RU", (30, 70), (50, 70)),     # European Russia, where the map looks
    ("PL", (14, 24.2), (49, 55)),
    ("UA", (22, 40), (44, 52.5)),
])
def test_label_points_sit_where_the_map_looks(countries, code, lon_range, lat_range):
    geom = countries.set_index("iso_a2").geometry[code]
    lat, lon = mapping.label_point(geom)
    assert lon_range[0] <= lon <= lon_range[1] and lat_range[0] <= lat <= lat_range[1], (lat, lon)
    assert geom.contains(Point(lon, lat))


def test_country_labels_carry_priorities_and_candidates_inside(page, countries):
    labels = _call_data(page, "labels")
    by_name = {name: (priority, spots) for name, priority, spots in labels}
    shapes = dict(zip(countries["name"], countries.geometry, strict=True))
    assert by_name["Poland"][0] < by_name["Germany"][0]  # the flank is placed first
    for name, (_, spots) in by_name.items():
        assert len(spots) >= 3, name  # alternatives when the first spot is taken
        assert all(shapes[name].contains(Point(lon, lat)) for lat, lon, _ in spots), name


# --- the country layer covers every view -----------------------------------------------------

@pytest.mark.parametrize(("lon", "lat", "iso"), [
    (95.0, 65.0, "RU"),    # beyond the old 70°E cut: the right edge of a 1920 px view
    (62.0, 76.0, "RU"),    # Novaya Zemlya, beyond the old 75°N cut
    (-40.0, 72.0, "DK"),   # Greenland (Denmark's), beyond the old 25°W cut
    (-100.0, 55.0, "CA"),
    (80.0, 22.0, "IN"),
])
def test_countries_cover_the_world(countries, lon, lat, iso):
    assert list(countries[countries.contains(Point(lon, lat))]["iso_a2"]) == [iso]


def test_countries_are_detailed_in_the_region_only(countries):
    """The region keeps its detail; outside it the outlines are coarse and small."""
    from shapely import get_num_coordinates
    inner = get_num_coordinates(countries.geometry.clip(box(-25, 30, 70, 75)).values).sum()
    assert inner > get_num_coordinates(countries.geometry.values).sum() * 0.7
    assert paths.COUNTRIES.stat().st_size < 1_300_000


# --- context layers --------------------------------------------------------------------------

def test_cities_are_capitals_and_large_cities():
    cities = load.read_cities()
    assert set(cities.columns) == {"geonameid", "name", "country", "population", "capital",
                                   "geometry"}
    assert cities["geonameid"].is_unique
    assert ((cities["population"] >= 300_000) | cities["capital"]).all()
    capitals = set(cities.loc[cities["capital"], "name"])
    assert {"Warsaw", "Kyiv", "Moscow", "Minsk", "Vilnius", "Riga", "Tallinn", "Helsinki",
            "Bucharest", "Chisinau", "Berlin"} <= capitals
    assert {"Lviv", "Kharkiv", "Odesa", "Kraków", "Saint Petersburg"} <= set(cities["name"])
    assert not {"Mariehamn", "Tórshavn"} & capitals  # merged territories have no capital
    # GeoNames' city districts are not cities of their own here.
    assert not {"Darnytsya", "Desna", "Dniprovskyi", "Fatih", "Hamburg-Nord"} & set(cities["name"])


def test_cities_reach_the_map_by_zoom_class(page):
    rows = _call_data(page, "cities")
    capitals = [r for r in rows if r[3]]
    assert 30 <= len(capitals) <= 60 and 150 <= len(rows) - len(capitals) <= 300
    assert rows[:len(capitals)] == capitals  # capitals first: they are placed first
    assert re.search(r'"capitalZoom":\s*4\b', page) and re.search(r'"cityZoom":\s*6\b', page)


@pytest.mark.parametrize("function", ["rivers", "lakes", "admin1"])
def test_water_and_admin1_lines_are_drawn(page, function):
    data = _call_data(page, function)
    assert data["type"] == "FeatureCollection" and len(data["features"]) > 10
    assert re.search(r'"minZoom":\s*6\b', page)  # admin-1 lines from zoom 6


def test_rivers_and_lakes_are_large_ones():
    rivers, lakes = load.read_rivers(), load.read_lakes()
    assert 30 <= len(rivers) <= 150 and rivers.geom_type.isin(["LineString", "MultiLineString"]).all()
    assert lakes.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    ladoga = Point(31.5, 61.0)
    assert lakes.contains(ladoga).any()
    dnieper_at_kyiv = Point(30.55, 50.45).buffer(0.3)
    assert rivers.intersects(dnieper_at_kyiv).any() or lakes.intersects(dnieper_at_kyiv).any()


def test_admin1_lines_stay_inside_their_countries(countries):
    lines = load.read_admin1()
    shapes = countries.set_index("iso_a2").geometry
    assert set(lines["country"]) >= {"PL", "UA", "RU", "RO", "LT"}
    for code, geom in zip(lines["country"], lines.geometry, strict=True):
        assert geom.difference(shapes[code].buffer(0.05)).length < 0.01 * geom.length, code


# --- airports by zoom ------------------------------------------------------------------------

def test_airport_tiers(airports):
    counts = airports["tier"].value_counts().to_dict()
    assert set(counts) == {1, 2, 3}
    assert 20 <= counts[1] <= 60 and counts[3] > counts[1] + counts[2]
    tier = dict(zip(airports["icao"], airports["tier"], strict=True))
    for icao in ("EPWA", "UKBB", "UUEE", "UUDD", "UUWW", "EYVI", "EVRA", "EETN", "UMMS", "LROP"):
        assert tier[icao] == 1, icao
    for icao in ("EPKK", "EPGD", "UKLL", "EPLB"):
        assert tier[icao] == 2, icao
    assert tier["UUMO"] == 3 and tier["EPRZ"] == 3  # Moscow's small Ostafyevo; Rzeszów (<300k)


def test_airports_reach_the_map_with_their_tier(page, airports):
    data = _call_data(page, "airports")
    tiers = [f["properties"]["k"] for f in data["features"]]
    assert len(tiers) == len(airports)
    assert tiers.count(1) == (airports["tier"] == 1).sum()
    # Major airports at every zoom, regional ones from zoom 6, all from zoom 7.
    assert re.search(r'efm\.airports\(\s*\w+, \{.*?\}\]\}, \{.*?\}, \{"1":0,"2":6,"3":7\}\);', page)


# --- the page --------------------------------------------------------------------------------

def test_base_map_stays_offline_and_constant(countries, airports, base, page):
    assert "https://" not in page and "http://cdn" not in page
    strip = re.compile(r"_[0-9a-f]{32}")
    again = mapping.build_map(countries, airports, base=mapping.base_data(countries, airports))
    assert strip.sub("", again.get_root().render()) == strip.sub("", page)


def test_standalone_map_inherits_the_context_layers(countries, airports):
    from dashboard import load as loader
    m = mapping.standalone_map(countries, airports, loader.read_incidents())
    page = m.get_root().render()
    for function in ("cities", "rivers", "lakes", "admin1", "airports", "labels", "legend",
                     "declutter"):
        assert f"efm.{function}(" in page, function


def test_new_geodata_is_small():
    sizes = {name: (paths.GEODATA / f"{name}.geojson").stat().st_size for name in NEW_LAYERS}
    assert sum(sizes.values()) < 1_000_000, sizes


@pytest.mark.parametrize("name", [*NEW_LAYERS, "airports", "countries"])
def test_geodata_readme_documents_every_new_field(name):
    doc = (paths.GEODATA / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^## .*\b{name}\.geojson", doc, re.MULTILINE)
    frame = load._read_layer(paths.GEODATA / f"{name}.geojson")
    assert [c for c in frame.columns if c != "geometry" and f"`{c}`" not in doc] == []


def test_closed_airport_rings_stand_out_on_the_dark_theme():
    """On the dark projector theme the ring is bright red and thicker (the default dark red
    was near invisible on the dark land)."""
    import folium

    from dashboard import load, mapping, style
    incidents, airports = load.read_incidents(), load.read_airports()

    def rendered(**theme) -> str:
        m = folium.Map(tiles=None)
        mapping.closed_airports_layer(incidents, airports, **theme).add_to(m)
        return m.get_root().render()

    dark, light = rendered(theme="dark"), rendered()
    assert style.THEMES["dark"].closed in dark and '"weight":4.0' in dark
    assert style.CLOSED in light and style.THEMES["dark"].closed not in light
