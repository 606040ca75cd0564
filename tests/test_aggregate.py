"""Many incidents on the map: representation thresholds, grid counts, simplification, and
the layers ``mapping.auto_layers`` builds from them (no browser)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from dashboard import aggregate, mapping
from dashboard.bounds import Bounds
from dashboard.schema import INCIDENT_TYPES, TYPE_LABELS
from tests.conftest import collection, make_feature


def spread(n: int, seed: int = 3) -> gpd.GeoDataFrame:
    """``n`` incidents of every type scattered over eastern Poland and Ukraine
    (lon 20-36, lat 46-54), built through the real frame builder."""
    rng = np.random.default_rng(seed)
    types = np.array(INCIDENT_TYPES)[rng.integers(0, len(INCIDENT_TYPES), n)]
    features = [make_feature({"type": "Point", "coordinates": [round(float(x), 4), round(float(y), 4)]},
                             id=f"x-{i}", type=str(t), icao="EPWA" if t == "airport_closure" else None)
                for i, (x, y, t) in enumerate(zip(rng.uniform(20, 36, n), rng.uniform(46, 54, n),
                                                  types, strict=True))]
    from dashboard.load import incidents_frame
    return incidents_frame(collection(*features))


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "symbols"), (1, "symbols"), (aggregate.SYMBOLS_MAX, "symbols"),
     (aggregate.SYMBOLS_MAX + 1, "clusters"), (aggregate.CLUSTERS_MAX, "clusters"),
     (aggregate.CLUSTERS_MAX + 1, "density"), (10**7, "density")],
)
def test_choose_by_count_in_view(count, expected):
    assert aggregate.choose(count) == expected


@pytest.mark.parametrize("zoom", [3, 4.5, 7, 10.25, 12])
def test_grid_counts_every_incident_once_per_type(zoom):
    rng = np.random.default_rng(7)
    n = 20_000
    x, y = rng.uniform(10, 40, n), rng.uniform(42, 70, n)
    types = np.array(INCIDENT_TYPES)[rng.integers(0, 5, n)]
    width, height = aggregate.cell_degrees(zoom, 55)
    # Put some incidents exactly on cell edges: they must still be counted once.
    x[:100] = np.round(x[:100] / width) * width
    grid = aggregate.grid(x, y, types, width, height)
    for t in INCIDENT_TYPES:
        assert grid.total(t) == int((types == t).sum()), t
    assert grid.total() == n
    assert not grid.cells.duplicated(["type", "lon", "lat"]).any()
    assert (grid.cells["count"] > 0).all()


def test_grid_of_nothing_and_unknown_types():
    empty = aggregate.grid(np.empty(0), np.empty(0), np.empty(0, dtype=object), 1.0, 1.0)
    assert empty.total() == 0 and list(empty.cells.columns) == ["type", "lon", "lat", "count"]
    with pytest.raises(ValueError, match="unknown incident type"):
        aggregate.grid(np.array([1.0]), np.array([1.0]), np.array(["bombing"]), 1.0, 1.0)


def test_cell_size_follows_zoom():
    coarse, fine = aggregate.cell_degrees(4), aggregate.cell_degrees(8)
    assert coarse[0] == pytest.approx(fine[0] * 16)
    assert coarse[1] < coarse[0]  # cells are about square on screen at 52°N


def test_anchors_and_view():
    geoms = np.array([Point(20, 50), LineString([(21, 51), (23, 51)]),
                      Polygon([(30, 40), (32, 40), (32, 42), (30, 42)])], dtype=object)
    x, y = aggregate.anchors(geoms)
    assert (x[0], y[0]) == (20, 50)
    assert 21 <= x[1] <= 23 and y[1] == 51
    assert 30 < x[2] < 32 and 40 < y[2] < 42
    assert aggregate.in_view(x, y, (19, 49, 24, 52)).tolist() == [True, True, False]
    assert aggregate.in_view(x, y, None).all()
    assert aggregate.padded((10, 50, 20, 60), 0.5) == Bounds(5, 45, 25, 65)


def test_tracks_and_areas_simplified_to_the_zoom():
    wiggly = LineString([(20 + i * 0.001, 50 + (i % 2) * 0.0005) for i in range(2000)])
    area = Point(25, 50).buffer(0.5, 64)
    geoms = np.array([Point(20, 50), wiggly, area], dtype=object)
    coarse = aggregate.simplify(geoms, 4)
    fine = aggregate.simplify(geoms, 12)
    assert coarse[0] is geoms[0]
    assert shapely.get_num_coordinates(coarse[1]) < 10 < shapely.get_num_coordinates(fine[1])
    assert shapely.get_num_coordinates(coarse[2]) < shapely.get_num_coordinates(area)
    assert shapely.is_valid(coarse[2])
    assert aggregate.simplify(geoms, None) is geoms


# --- mapping.auto_layers ---------------------------------------------------------------------

def _element(group, name):
    return [c for c in group._children.values() if c._name == name]


@pytest.fixture
def small_thresholds(monkeypatch):
    """Symbols up to 10 incidents in view, clusters up to 100, density above."""
    monkeypatch.setattr(aggregate, "SYMBOLS_MAX", 10)
    monkeypatch.setattr(aggregate, "CLUSTERS_MAX", 100)


def test_small_data_keeps_the_symbol_layers(tiny):
    layers = mapping.auto_layers(tiny)
    assert layers.representation == "symbols" and layers.in_view == 5
    names = [g.layer_name for g in layers.groups]
    assert names == [g.layer_name for g in mapping.incident_layers(tiny)] + ["Representation"]
    assert "5 incidents in view" in layers.legend


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [(None, "density"),                       # all 300 in view
     ((20, 46, 24, 54), "clusters"),          # about a quarter of them
     ((22, 49, 23, 50), "symbols")],          # a few
)
def test_representation_switches_on_the_number_in_view(small_thresholds, bounds, expected):
    frame = spread(300)
    layers = mapping.auto_layers(frame, bounds=bounds, zoom=6)
    x, y = aggregate.anchors(frame.geometry.values)
    assert layers.in_view == int(aggregate.in_view(x, y, bounds).sum())
    assert layers.representation == expected == aggregate.choose(layers.in_view)
    assert f"{layers.in_view:,}" in layers.legend and f"shown as {expected}" in layers.legend.lower()


def test_filtering_down_goes_back_to_symbols(small_thresholds):
    frame = spread(300)
    assert mapping.auto_layers(frame).representation == "density"
    assert mapping.auto_layers(frame.iloc[:50]).representation == "clusters"
    assert mapping.auto_layers(frame.iloc[:8]).representation == "symbols"


def test_density_counts_equal_the_filtered_counts(small_thresholds):
    frame = spread(300)
    layers = mapping.auto_layers(frame, zoom=5)
    assert layers.representation == "density"
    by_name = {g.layer_name: g for g in layers.groups}
    for t in INCIDENT_TYPES:
        (element,) = _element(by_name[f"{TYPE_LABELS[t]} (density)"], "DensityLayer")
        cells = json.loads(element.data)
        assert sum(c[2] for c in cells) == int((frame["type"] == t).sum()), t


def test_density_counts_cover_the_view_and_its_margin(small_thresholds):
    frame = spread(300)
    bounds = (20, 46, 27, 54)  # 7° wide: the margin reaches 36.5°E, so everything counts
    layers = mapping.auto_layers(frame, bounds=(20, 46, 36, 54), zoom=5)
    total = sum(sum(c[2] for c in json.loads(e.data)) for g in layers.groups
                for e in _element(g, "DensityLayer"))
    assert total == 300
    layers = mapping.auto_layers(frame, bounds=bounds, zoom=5)
    x, y = aggregate.anchors(frame.geometry.values)
    near = aggregate.in_view(x, y, aggregate.padded(bounds)).sum()
    assert sum(sum(c[2] for c in json.loads(e.data)) for g in layers.groups
               for e in _element(g, "DensityLayer")) == near


def test_clusters_carry_each_incident_in_view_once(small_thresholds):
    frame = spread(300)
    layers = mapping.auto_layers(frame, bounds=(20, 46, 24, 54), zoom=6)
    assert layers.representation == "clusters"
    (element,) = _element(layers.groups[0], "ClusterLayer")
    rows = json.loads(element.data)
    assert len({r[3] for r in rows}) == len(rows) <= aggregate.CLUSTERS_MAX
    x, y = aggregate.anchors(frame.geometry.values)
    assert len(rows) >= layers.in_view == aggregate.in_view(x, y, (20, 46, 24, 54)).sum()
    # A clustered marker's tooltip ("Type · id") selects the incident like a symbol does.
    assert mapping.clicked_id(f"{TYPE_LABELS['strike']} · {rows[0][3]}", frame["id"]) == rows[0][3]


def test_layers_render_through_streamlit_folium(small_thresholds, monkeypatch):
    """Each representation's layers go through st_folium's feature-group path intact."""
    import folium
    import streamlit_folium

    captured = {}
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda **kw: captured.update(kw) or kw["default"])
    countries = gpd.GeoDataFrame({"iso_a2": ["PL"], "name": ["Poland"], "group": ["nato"]},
                                 geometry=[Point(20, 52).buffer(2)], crs="EPSG:4326")
    frame = spread(300)
    # Density and clusters are drawn by static/efm/layers.js, called with their data.
    for bounds, marker in [(None, "efm.density("), ((20, 46, 24, 54), "efm.clusters("),
                           ((22, 49, 23, 50), "L.geoJson")]:
        layers = mapping.auto_layers(frame, bounds=bounds, zoom=6)
        streamlit_folium.st_folium(mapping.build_map(countries), feature_group_to_add=layers.groups,
                                   layer_control=folium.LayerControl(), returned_objects=[])
        script = captured["feature_group"]
        assert marker in script and "ef-legend-mode" in script
        assert "{{" not in script and "https://" not in " ".join(captured["js_links"])


def test_playback_classes_still_reach_symbols(tiny):
    import folium

    layers = mapping.auto_layers(tiny, classes={"ee-incursion-2025-09-19": "ef-faded"})
    rendered = folium.Map().add_child(layers.groups[0]).get_root().render()
    assert '"className": "ef-incident ef-airspace_incursion ef-faded"' in rendered


@pytest.mark.parametrize(
    ("returned", "expected"),
    [(None, (None, None)), ({}, (None, None)),
     ({"bounds": {"_southWest": {"lat": None, "lng": None},
                  "_northEast": {"lat": None, "lng": None}}, "zoom": 4.5}, (None, 4.5)),
     ({"bounds": {"_southWest": {"lat": 49.5, "lng": 21.0}, "_northEast": {"lat": 50.5, "lng": 23.0}},
       "zoom": 9}, (Bounds(21.0, 49.5, 23.0, 50.5), 9.0)),
     ({"bounds": {"_southWest": {"lat": -95, "lng": -200}, "_northEast": {"lat": 95, "lng": 200}},
       "zoom": 1}, (Bounds(-180.0, -90.0, 180.0, 90.0), 1.0))],
)
def test_view_of_what_the_map_returned(returned, expected):
    assert mapping.view_of(returned) == expected
