"""The map builder, checked without a browser: links, layers, framing, escaping."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from dashboard import mapping, paths, style
from dashboard.schema import INCIDENT_TYPES, TYPE_LABELS


@pytest.fixture
def countries():
    """Two boxes standing in for Poland (NATO) and Ukraine."""
    return gpd.GeoDataFrame(
        {"iso_a2": ["PL", "UA"], "name": ["Poland", "Ukraine"],
         "group": ["nato", "ukraine_moldova"]},
        geometry=[box(14, 49, 24, 55), box(22, 44, 40, 52)], crs="EPSG:4326")


@pytest.fixture
def airports():
    """Warsaw Chopin (EPWA) and Rzeszów (EPRZ)."""
    return gpd.GeoDataFrame(
        {"icao": ["EPWA", "EPRZ"], "iata": ["WAW", "RZE"],
         "name": ["Warsaw Chopin Airport", "Rzeszów-Jasionka Airport"],
         "city": ["Warsaw", "Rzeszów"], "country": ["PL", "PL"]},
        geometry=[Point(20.967, 52.166), Point(22.019, 50.110)], crs="EPSG:4326")


def asset_links(m: folium.Map) -> list[str]:
    html = m.get_root().render()
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


def test_assets_are_local(countries, airports, tiny):
    m = mapping.standalone_map(countries, airports, tiny)
    links = asset_links(m)
    # Leaflet, then Leaflet.markercluster: loaded with the base map, since the incident
    # layer may switch to clusters later without the map being mounted again; then the
    # map's own layer builders and styles (static/efm/), served by the app too.
    assert links == ["/app/static/vendor/leaflet-1.9.4/leaflet.js",
                     "/app/static/vendor/leaflet-markercluster-1.5.3/leaflet.markercluster.js",
                     "/app/static/efm/layers.js",
                     "/app/static/efm/map.css",
                     "/app/static/vendor/leaflet-1.9.4/leaflet.css",
                     "/app/static/vendor/leaflet-markercluster-1.5.3/MarkerCluster.css",
                     "/app/static/vendor/leaflet-markercluster-1.5.3/MarkerCluster.Default.css"]
    assert not any(link.startswith("http") for link in links)
    # folium's own class lists are untouched (we assign new lists per map).
    assert folium.Map.default_js[0][1].startswith("https://")


def test_vendored_files_exist():
    for _, url in (sum(mapping.offline_assets(), []) + sum(mapping.cluster_assets(), [])
                   + sum(mapping.efm_assets(), [])):
        path = paths.STATIC / url.removeprefix("/app/static/")
        assert path.is_file(), path


def test_base_map_frames_the_eastern_flank(countries, airports):
    m = mapping.build_map(countries, airports)
    fits = [c for c in m._children.values() if isinstance(c, folium.map.FitBounds)]
    assert [f.bounds for f in fits] == [style.EASTERN_FLANK_BOUNDS]
    (south, west), (north, east) = style.EASTERN_FLANK_BOUNDS
    assert south < 43 and north > 69  # Bulgaria .. northern Norway/Finland
    assert west < 7 and east > 38     # Germany .. western Russia
    assert m.options["maxZoom"] == 12


def test_base_map_has_no_tiles_unless_asked(countries):
    offline = mapping.build_map(countries).get_root().render()
    assert "tile.openstreetmap.org" not in offline
    online = mapping.build_map(countries, online_tiles=True).get_root().render()
    assert "tile.openstreetmap.org" in online


def test_incident_layers_one_group_per_type_plus_closed_airports(tiny, airports):
    groups = mapping.incident_layers(tiny, airports)
    assert [g.layer_name for g in groups] == [TYPE_LABELS[t] for t in INCIDENT_TYPES] + [
        "Closed airports"]
    by_name = {g.layer_name: g for g in groups}
    # The strike group is empty for this fixture; the others carry their incidents.
    assert not by_name["Strike"]._children
    (layer,) = by_name["Airspace incursion"]._children.values()
    assert sorted(f["properties"]["id"] for f in layer.data["features"]) == [
        "ee-incursion-2025-09-19", "pl-incursion-2025-09-10"]


def test_closed_airports_marks_only_closed_ones(tiny, airports):
    closed = mapping.incident_layers(tiny, airports)[-1]
    html = folium.Map().add_child(closed).get_root().render()
    assert "EPWA\\u003c/b\\u003e closed" in html
    assert "EPRZ" not in html


def test_every_incident_is_drawn_once(countries, airports, tiny):
    html = mapping.standalone_map(countries, airports, tiny).get_root().render()
    for incident_id in tiny["id"]:
        assert html.count(f'"id": "{incident_id}", "properties"') == 1, incident_id


def test_popup_and_tooltip_content(tiny):
    row = tiny.loc["ru-interception-kursk-2024-08-06"]
    assert mapping.tooltip_html(row) == (
        "6–8 Aug 2024 · Interception · Kursk Oblast"
        "<span class='ef-id'> · ru-interception-kursk-2024-08-06</span>")
    popup = mapping.popup_html(row)
    assert "drones entered Polish airspace" in popup and "doc.txt" in popup
    assert "<td>Drones</td><td>4</td>" in popup and "Confidence: high" in popup


def test_data_text_is_escaped(tiny):
    row = tiny.iloc[0].copy()
    row["summary"] = "<img src=x onerror=alert(1)>"
    row["place"] = "</script><script>alert(1)</script>"
    popup, tooltip = mapping.popup_html(row), mapping.tooltip_html(row)
    assert "<img" not in popup and "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "<script>" not in popup + tooltip and "&lt;/script&gt;" in tooltip


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [("2025-09-10", None, "10 Sep 2025"), ("2025-09-10", "2025-09-11", "10–11 Sep 2025"),
     ("2025-09-29", "2025-10-02", "29 Sep 2025 – 2 Oct 2025")],
)
def test_format_dates(start, end, expected):
    import pandas as pd
    assert mapping.format_dates(pd.Timestamp(start), pd.Timestamp(end) if end else None) == expected


def test_legend_lists_every_type(countries):
    html = mapping.build_map(countries).get_root().render()
    legend = html[html.index('id="ef-legend"'):]
    for t in INCIDENT_TYPES:
        assert TYPE_LABELS[t] in legend


def test_symbols_sharing_a_point_are_fanned_out(tiny):
    same = tiny.copy()
    same.geometry = [Point(19.48, 52.07)] * 3 + list(tiny.geometry[3:])
    offsets = mapping.spread_offsets(same)
    assert list(offsets) == list(same["id"][1:3])  # first stays, next two move
    assert len(set(offsets.values())) == 2 and (0, 0) not in offsets.values()
    assert mapping.spread_offsets(tiny) == {}
    # The shift reaches the marker through the per-feature style (icon options): 22-px
    # icons anchored at their centre (11, 11), the second moved 18 px right, the third
    # 18 px down (an anchor moves the opposite way).
    assert offsets == {"pl-airport-closure-epwa-2025-09-10": (18, 0), "ee-incursion-2025-09-19": (0, 18)}
    groups = mapping.incident_layers(same)
    incursions = folium.Map().add_child(groups[0]).get_root().render()
    assert re.search(r'case "ee-incursion-2025-09-19":\s*return \{[^}]*"iconAnchor": \[11, -7\]',
                     incursions)
    assert re.search(r'default:\s*return \{[^}]*"iconAnchor": \[11, 11\]', incursions)  # stays
    closures = folium.Map().add_child(groups[1]).get_root().render()
    assert '"iconAnchor": [-7, 11]' in closures


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10 Sep 2025 · Airport closure · Warsaw Chopin Airport · pl-incursion-2025-09-10",
      "pl-incursion-2025-09-10"),
     ("\n  10 Sep 2025 · Strike · A · B · pl-incursion-2025-09-10\n   ", "pl-incursion-2025-09-10"),
     ("10 Sep 2025 · Strike · Somewhere · not-an-id", None),
     ("", None), (None, None)],
)
def test_clicked_id(text, expected):
    assert mapping.clicked_id(text, ["pl-incursion-2025-09-10"]) == expected


def test_draw_control_is_served_locally(countries):
    m = mapping.build_map(countries, drawing=True)
    links = asset_links(m)
    assert "/app/static/vendor/leaflet-draw-1.0.4/leaflet.draw.js" in links
    assert not any(link.startswith("http") for link in links)
    for url in links:
        assert (paths.STATIC / url.removeprefix("/app/static/")).is_file(), url


def test_highlight_and_area_layers(tiny):
    ring = mapping.highlight_layer(tiny.loc["pl-incursion-2025-09-10"])
    html = folium.Map().add_child(ring).get_root().render()
    assert "[51.5, 23.1]" in html and "ef-selected" in html
    assert not mapping.highlight_layer(None)._children
    area = mapping.area_layer(box(20, 50, 24, 53))
    assert "ef-area" in folium.Map().add_child(area).get_root().render()
    assert not mapping.area_layer(None)._children


@pytest.mark.parametrize(("theme", "sea", "label_px"), [("default", "#b9d3e6", 13),
                                                        ("dark", "#0d1b2a", 18),
                                                        ("light", "#8fbbe0", 18)])
def test_projector_themes(countries, tiny, theme, sea, label_px):
    html = mapping.build_map(countries, theme=theme).get_root().render()
    assert f"background: {sea}" in html
    assert f"font: 600 {label_px}px" in html
    # The two lines above match the theme's custom properties (``--ef-map-background: ...``,
    # ``--ef-label-font: ...``) in the page's one :root rule; static/efm/map.css uses them.
    css = (paths.STATIC / "efm" / "map.css").read_text(encoding="utf-8")
    assert f"--ef-map-background: {sea};" in html and "background: var(--ef-map-background)" in css
    assert f"--ef-label-font: 600 {label_px}px/1.1" in html and "font: var(--ef-label-font)" in css
    layers = folium.Map().add_child(mapping.incident_layers(tiny, theme=theme)[0])
    size = style.THEMES[theme].icon_px
    assert f'"iconSize": [{size}, {size}]' in layers.get_root().render()


def test_per_incident_classes_reach_the_style(tiny):
    classes = {"pl-incursion-2025-09-10": "ef-current ef-new", "ee-incursion-2025-09-19": "ef-faded"}
    html = folium.Map().add_child(mapping.incident_layers(tiny, classes=classes)[0]).get_root().render()
    assert '"className": "ef-incident ef-airspace_incursion ef-current ef-new"' in html
    assert '"className": "ef-incident ef-airspace_incursion ef-faded"' in html


def test_base_map_renders_the_same_every_time(countries, airports):
    """Repeated builds render the same script every time (so streamlit-folium never
    remounts it), from the same frames, a copy of them, or base data prepared once."""
    strip = re.compile(r"_[0-9a-f]{32}")
    first = strip.sub("", mapping.build_map(countries, airports).get_root().render())
    again = strip.sub("", mapping.build_map(countries, airports).get_root().render())
    assert first == again
    assert strip.sub("", mapping.build_map(countries.copy(), airports).get_root().render()) == first
    prepared = mapping.base_data(countries, airports)
    for _ in range(2):
        page = mapping.build_map(countries, airports, base=prepared).get_root().render()
        assert strip.sub("", page) == first


def _labels(page: str) -> list[list]:
    """The country labels a rendered map draws: the data of its ``efm.labels`` call."""
    (data,) = re.findall(r"efm\.labels\(\s*map_[0-9a-f]+, (\[.*?\]\]\]), \"labels\"\);", page)
    return json.loads(data)


def test_base_map_keeps_names_tooltips_and_groups(countries, airports):
    html = mapping.build_map(countries, airports).get_root().render()
    assert '"name":"Poland","group":"nato"' in html
    assert "Warsaw Chopin Airport (WAW)" in html
    # Both countries are labelled (the default: every non-"other" country), each with spots
    # inside it, drawn as "ef-map-label" text markers in the label pane under the symbols.
    labels = _labels(html)
    assert sorted(name for name, _, _ in labels) == ["Poland", "Ukraine"]
    shapes = dict(zip(countries["name"], countries.geometry, strict=True))
    for name, _, spots in labels:
        assert spots and all(shapes[name].contains(Point(lon, lat)) for lat, lon, _ in spots)
    js = (paths.STATIC / "efm" / "layers.js").read_text(encoding="utf-8")
    labels_js = js[js.index("function labelIcon("):js.index("efm.cities = ")]
    assert '"ef-map-label "' in labels_js and "pane: opts.pane" in labels_js
    assert _labels(mapping.build_map(countries, labels=["UA"]).get_root().render())[0][0] == "Ukraine"
    assert 'id="ef-legend-mode"' in html


def test_data_text_cannot_break_out_of_the_script(countries):
    hostile = countries.assign(name=["</script><script>alert(1)</script>", "{{ 7 * 7 }}"])
    html = mapping.build_map(hostile).get_root().render()
    assert "<script>alert(1)" not in html and "</script><script>alert" not in html
    assert "{{ 7 * 7 }}" in html  # passed through verbatim, never evaluated as a template


def test_the_apps_base_map_loads_its_big_layers_from_files(tmp_path):
    """The shipped base map's big layers are files the browser loads once: the page (which
    Streamlit resends whenever a layer changes) is a few percent of the inline one, and each
    URL names a file holding exactly the data the inline page carries."""
    from dashboard import context
    ctx = context.load_context(paths.INCIDENTS)
    files = mapping.publish(ctx.base, tmp_path)
    assert sorted(files) == ["admin1", "airports", "countries", "lakes", "rivers"]
    assert mapping.publish(ctx.base, tmp_path) == files      # same data, same names
    served = ctx.base.by_url({n: f"/app/static/efm/base/{f}" for n, f in files.items()})
    inline = mapping.build_map(ctx.countries, ctx.airports, base=ctx.base).get_root().render()
    page = mapping.build_map(ctx.countries, ctx.airports, base=served).get_root().render()
    assert len(page) * 20 < len(inline)
    urls = re.findall(r'efm\.fetched\("/app/static/efm/base/([^"]+)"\)', page)
    assert sorted(urls) == sorted(files.values())
    for name, file in files.items():
        assert (tmp_path / file).read_text(encoding="utf-8") == getattr(ctx.base, name)
        assert getattr(ctx.base, name) in inline and getattr(ctx.base, name) not in page
    # The standalone HTML export keeps everything in the page: it opens with no server.
    assert "efm.fetched(" not in inline


def test_an_unwritable_static_folder_keeps_the_data_in_the_page(monkeypatch, tmp_path):
    from dashboard import context
    from dashboard.ui import map_panel
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(map_panel, "BASE_FOLDER", blocked / "base")
    base = context.load_context(paths.INCIDENTS).base
    assert map_panel.served_base(base) is base
