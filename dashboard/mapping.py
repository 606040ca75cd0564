"""Folium maps: an offline basemap drawn from ``geodata/`` plus one layer per incident type.

The base map (countries, airports, legend) never depends on the filters, so the browser
keeps it mounted; filtered incidents travel separately as ``incident_layers(...)``.
GeoJSON is ``[lon, lat]``; folium wants ``(lat, lon)``: the swap happens only here.

Every text that comes from data is HTML-escaped here, before it reaches a tooltip or
popup (folium's GeoJsonTooltip/GeoJsonPopup insert values as HTML).
"""

from __future__ import annotations

import html
import json
import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium import plugins
from folium.template import Template
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from . import aggregate
from .schema import COUNT_FIELDS, INCIDENT_TYPES, TYPE_LABELS

#: The view the map opens on: Norway/Finland to Bulgaria, Germany to western Russia.
EASTERN_FLANK_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((42.0, 6.0), (70.5, 41.0))
EASTERN_FLANK_CENTER = (56.5, 23.5)
ASSET_BASE = "/app/static/vendor"
LEAFLET_DIR = "leaflet-1.9.4"
DRAW_DIR = "leaflet-draw-1.0.4"
CLUSTER_DIR = "leaflet-markercluster-1.5.3"

SEA = "#b9d3e6"
GROUP_FILL = {
    "nato": "#dce6f2",
    "russia_belarus": "#f0d5cf",
    "ukraine_moldova": "#f5e9bd",
    "other": "#e9e9e6",
}
GROUP_LABELS = {
    "nato": "NATO member",
    "russia_belarus": "Russia / Belarus",
    "ukraine_moldova": "Ukraine / Moldova",
    "other": "Other",
}


@dataclass(frozen=True)
class Theme:
    """Basemap and text styling. The projector themes use stronger contrast, larger labels
    (>= 16 px) and larger symbols, for a room watching a screen."""

    sea: str
    fills: dict
    border: str
    label: str
    halo: str
    label_px: int
    panel: str          # legend background
    panel_text: str
    panel_px: int
    icon_px: int


THEMES: dict[str, Theme] = {
    "default": Theme(SEA, GROUP_FILL, "#6f7a85", "#3d4a57", "#fff", 13,
                     "rgba(255,255,255,.94)", "#111", 13, 22),
    "light": Theme("#8fbbe0", {"nato": "#ffffff", "russia_belarus": "#f2c4ba",
                               "ukraine_moldova": "#f7e08f", "other": "#dcdcd8"},
                   "#333c46", "#111", "#fff", 18, "rgba(255,255,255,.97)", "#000", 17, 30),
    "dark": Theme("#0d1b2a", {"nato": "#2b3f57", "russia_belarus": "#5b2f2f",
                              "ukraine_moldova": "#5a5230", "other": "#262a2e"},
                  "#8c9bab", "#f2f2f2", "#000", 18, "rgba(15,22,32,.94)", "#f2f2f2", 17, 30),
}


@dataclass(frozen=True)
class TypeStyle:
    """How one incident type is drawn: a colour-blind-safe colour and a distinct shape."""

    color: str
    svg: str  # inner SVG elements in a 20x20 box, filled with the colour


# Okabe-Ito palette; each type also has its own shape, so colour is never the only cue.
_STROKE = 'stroke="#1a1a1a" stroke-width="1.4"'
TYPE_STYLES: dict[str, TypeStyle] = {
    "airspace_incursion": TypeStyle("#E69F00", f'<polygon points="10,1.5 19,18 1,18" {_STROKE}/>'),
    "airport_closure": TypeStyle("#0072B2", f'<rect x="2.5" y="2.5" width="15" height="15" {_STROKE}/>'),
    "strike": TypeStyle("#D55E00", f'<polygon points="10,1 19,10 10,19 1,10" {_STROKE}/>'),
    "interception": TypeStyle("#009E73", f'<circle cx="10" cy="10" r="8" {_STROKE}/>'),
    "crash_debris": TypeStyle(
        "#CC79A7",
        f'<polygon points="4,1 10,7 16,1 19,4 13,10 19,16 16,19 10,13 4,19 1,16 7,10 1,4" {_STROKE}/>',
    ),
}
ICON_PX = 22
LABEL_PANE = "labels"
LEGEND_MODE_ID = "ef-legend-mode"


def symbol_svg(incident_type: str, size: int = ICON_PX) -> str:
    """The inline SVG symbol of an incident type (used on the map and in the legend)."""
    style = TYPE_STYLES[incident_type]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 20 20" fill="{style.color}">{style.svg}</svg>')


def offline_assets(base: str = ASSET_BASE) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """JS and CSS links for folium that point at the app's own static files, not a CDN."""
    js = [("leaflet", f"{base}/{LEAFLET_DIR}/leaflet.js")]
    css = [("leaflet_css", f"{base}/{LEAFLET_DIR}/leaflet.css")]
    return js, css


def cluster_assets(base: str = ASSET_BASE) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet.markercluster's JS and CSS, from the app's static files. The base map loads
    them up front: the browser loads scripts only when the map is first mounted, and the
    incident layer may switch to clusters later without a remount."""
    js = [("markercluster_js", f"{base}/{CLUSTER_DIR}/leaflet.markercluster.js")]
    css = [("markercluster_css", f"{base}/{CLUSTER_DIR}/MarkerCluster.css"),
           ("markercluster_default_css", f"{base}/{CLUSTER_DIR}/MarkerCluster.Default.css")]
    return js, css


def _css(theme: Theme) -> str:
    t = theme
    return f"""
<style>
  .folium-map.leaflet-container, #map_div.leaflet-container {{ background: {t.sea}; }}
  div.ef-incident {{ background: none; border: none; }}
  .ef-map-label {{ background: none; border: none; font: 600 {t.label_px}px/1.1 system-ui,
    sans-serif; color: {t.label}; text-align: center; white-space: nowrap;
    pointer-events: none; text-shadow: 0 0 3px {t.halo}, 0 0 3px {t.halo}; }}
  .ef-legend {{ position: absolute; z-index: 1000; bottom: 44px; left: 10px;
    background: {t.panel}; color: {t.panel_text}; padding: 8px 10px; border-radius: 6px;
    box-shadow: 0 1px 4px rgba(0,0,0,.3); font: {t.panel_px}px/1.35 system-ui, sans-serif; }}
  .ef-legend h4 {{ margin: 0 0 4px; font-size: {t.panel_px}px; }}
  .ef-legend div {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; }}
  .ef-legend .swatch {{ width: 16px; height: 12px; border: 1px solid #888; }}
  .ef-popup {{ font: 13px/1.4 system-ui, sans-serif; max-width: 340px; }}
  .ef-popup h4 {{ margin: 0 0 2px; font-size: 14px; }}
  .ef-popup .meta {{ color: #555; }}
  .ef-popup blockquote {{ margin: 4px 0; padding-left: 8px; border-left: 3px solid #bbb; }}
  .ef-popup table {{ border-collapse: collapse; }}
  .ef-popup td {{ padding: 0 8px 0 0; }}
  .ef-id {{ color: #777; font-size: 11px; }}
  .ef-faded {{ opacity: .3; }}
  div.ef-current svg {{ transform: scale(1.4); filter: drop-shadow(0 0 3px #fff); }}
  div.ef-new {{ border-radius: 50%; box-shadow: 0 0 0 4px #ffd400, 0 0 10px 4px #ffd400; }}
  div.ef-point {{ background: none; border: none; }}
  div.ef-cluster {{ background: none; border: none; }}
  .ef-cluster div {{ width: 100%; height: 100%; border-radius: 50%; display: flex;
    align-items: center; justify-content: center; box-shadow: 0 1px 4px rgba(0,0,0,.45); }}
  .ef-cluster span {{ background: rgba(255,255,255,.95); color: #111; border-radius: 10px;
    padding: 1px 5px; font: 600 12px/1.2 system-ui, sans-serif; }}
  .ef-legend .ef-mode {{ max-width: 230px; margin-top: 6px; font-size: {max(t.panel_px - 2, 11)}px;
    display: block; }}
  .ef-legend .ef-mode:empty {{ display: none; }}
</style>
"""


def _legend_html(theme: Theme) -> str:
    rows = "".join(
        f"<div>{symbol_svg(t, 16)}<span>{TYPE_LABELS[t]}</span></div>" for t in INCIDENT_TYPES
    )
    areas = "".join(
        f'<div><span class="swatch" style="background:{theme.fills[g]}"></span>'
        f"<span>{GROUP_LABELS[g]}</span></div>"
        for g in ("nato", "russia_belarus", "ukraine_moldova")
    )
    airports = (
        '<div><svg width="16" height="16"><circle cx="8" cy="8" r="2.5" fill="#66717d"/></svg>'
        "<span>Airport</span></div>"
        '<div><svg width="16" height="16"><circle cx="8" cy="8" r="6.5" fill="none" '
        'stroke="#b30000" stroke-width="2" stroke-dasharray="3 2"/></svg>'
        "<span>Closed airport</span></div>"
    )
    # The incident layer fills in the "shown as" line (symbols, clusters or density), so
    # the legend changes with the layer while the base map stays mounted.
    return (f'<div class="ef-legend" id="ef-legend"><h4>Incidents</h4>{rows}'
            f'<span class="ef-mode" id="{LEGEND_MODE_ID}"></span>'
            f"<h4 style='margin-top:6px'>Map</h4>{areas}{airports}</div>")


def _label_point(geom) -> tuple[float, float]:
    """A point well inside the largest part of a (multi)polygon, as (lat, lon)."""
    parts = getattr(geom, "geoms", [geom])
    largest = max(parts, key=lambda p: p.area)
    point = polylabel(Polygon(largest.exterior), tolerance=0.05)
    return point.y, point.x


def draw_control(asset_base: str = ASSET_BASE) -> plugins.Draw:
    """Rectangle and polygon drawing, for the area filter; served from the vendored files."""
    draw = plugins.Draw(
        position="topleft", show_geometry_on_click=False,
        draw_options={"polyline": False, "circle": False, "marker": False,
                      "circlemarker": False,
                      "polygon": {"shapeOptions": {"color": "#222", "fill": False}},
                      "rectangle": {"shapeOptions": {"color": "#222", "fill": False}}},
        edit_options={"edit": False, "remove": True},
    )
    draw.default_js = [("leaflet_draw_js", f"{asset_base}/{DRAW_DIR}/leaflet.draw.js")]
    draw.default_css = [("leaflet_draw_css", f"{asset_base}/{DRAW_DIR}/leaflet.draw.css")]
    return draw


def build_map(
    countries: gpd.GeoDataFrame,
    airports: gpd.GeoDataFrame | None = None,
    *,
    asset_base: str = ASSET_BASE,
    online_tiles: bool = False,
    labels: Iterable[str] | None = None,
    drawing: bool = False,
    theme: str = "default",
) -> folium.Map:
    """The base map: countries shaded by group, airports, legend, framed on the eastern flank.

    Parameters
    ----------
    countries, airports
        Frames from ``load.read_countries`` / ``load.read_airports``.
    asset_base
        URL prefix of the vendored Leaflet files (the app's static route by default).
    online_tiles
        Add an OpenStreetMap tile layer under the countries. Off by default: the map
        must work on a closed network.
    labels
        ISO codes of the countries to label; defaults to every non-"other" country.
    drawing
        Add the rectangle/polygon drawing tool (for the area filter).
    theme
        ``default``, or a projector theme: ``light`` or ``dark`` (see ``THEMES``).
    """
    style = THEMES[theme]
    base = _base_data(countries, airports)
    # Start at the target view: a fitBounds jump from folium's default [0, 0] zoom 1 to a
    # fractional zoom leaves Leaflet's SVG renderer clipped (seen in Chromium, Leaflet 1.9.4).
    m = folium.Map(location=EASTERN_FLANK_CENTER, zoom_start=4.5, tiles=None,
                   control_scale=True, zoom_snap=0.25, zoom_delta=0.5,
                   minZoom=3, maxZoom=12)  # maxZoom as a Leaflet option: see TECH_NOTES
    js, css = offline_assets(asset_base)
    cjs, ccss = cluster_assets(asset_base)
    m.default_js, m.default_css = js + cjs, css + ccss  # new lists: never mutate folium's
    m.get_root().header.add_child(folium.Element(_css(style)))
    m.get_root().html.add_child(folium.Element(_legend_html(style)))

    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(m)
    fill_opacity = 0.55 if online_tiles else 1.0
    fills = json.dumps(style.fills)
    _RawLayer(base.countries, f"""{{
        style: function (f) {{ var fills = {fills};
          return {{fillColor: fills[f.properties.group] || fills.other,
                   fillOpacity: {fill_opacity}, color: "{style.border}",
                   weight: {0.9 if theme == "default" else 1.4}}}; }},
        onEachFeature: function (f, layer) {{
          layer.bindTooltip(f.properties.name, {{sticky: true}}); }}
    }}""").add_to(m)

    wanted = set(labels) if labels is not None else set(
        countries.loc[countries["group"] != "other", "iso_a2"])
    # Country names sit in a pane under the markers so they never hide an incident symbol.
    folium.map.CustomPane(LABEL_PANE, z_index=450, pointer_events=False).add_to(m)
    _Labels([base.label(code) for code in base.codes if code in wanted]).add_to(m)

    if base.airports is not None:
        _RawLayer(base.airports, """{
            pointToLayer: function (f, latlng) {
              return L.circleMarker(latlng, {radius: 2.5, fill: true, fillOpacity: 0.8,
                weight: 0.5, color: "#47525e", fillColor: "#66717d"}); },
            onEachFeature: function (f, layer) {
              layer.bindTooltip(f.properties.t, {sticky: true}); }
        }""").add_to(m)

    if drawing:
        draw_control(asset_base).add_to(m)
    m.fit_bounds(EASTERN_FLANK_BOUNDS)
    return m


# --- the base map's data, prepared once per frame -------------------------------------------

#: Decimals kept in the base map's coordinates: 4 is ~10 m, far below a pixel at zoom 12.
BASE_DECIMALS = 4


def _script_json(value) -> str:
    """JSON safe to put inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _rounded_geojson(geoms, properties: list[dict]) -> str:
    rounded = shapely.set_precision(np.asarray(geoms), 10.0 ** -BASE_DECIMALS)
    features = [f'{{"type":"Feature","properties":{_script_json(p)},"geometry":{g}}}'
                for p, g in zip(properties, shapely.to_geojson(rounded).tolist(), strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


class _BaseData:
    """The base map's layers as compact GeoJSON text (coordinates rounded to
    ``BASE_DECIMALS``) and label points, computed once per (countries, airports) pair."""

    def __init__(self, countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None):
        self.countries = _rounded_geojson(
            countries.geometry.values,
            [{"name": html.escape(n), "group": g}
             for n, g in zip(countries["name"], countries["group"], strict=True)])
        self.codes = list(countries["iso_a2"])
        self._names = dict(zip(countries["iso_a2"], countries["name"], strict=True))
        self._geoms = dict(zip(countries["iso_a2"], countries.geometry, strict=True))
        self._labels: dict[str, tuple[float, float, str]] = {}
        self.airports = None
        if airports is not None and len(airports):
            tips = [html.escape(f"{a.icao} · {a.name}" + (f" ({a.iata})" if a.iata else ""))
                    for a in airports.itertuples()]
            self.airports = _rounded_geojson(airports.geometry.values, [{"t": t} for t in tips])

    def label(self, code: str) -> tuple[float, float, str]:
        if code not in self._labels:
            lat, lon = _label_point(self._geoms[code])
            self._labels[code] = (round(lat, 4), round(lon, 4), html.escape(self._names[code]))
        return self._labels[code]


_BASE_CACHE: dict[tuple[int, int], tuple[weakref.ref, weakref.ref | None, _BaseData]] = {}


def _base_data(countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None) -> _BaseData:
    """The prepared base data for these frames, reused while they live (the app keeps them
    in a resource cache, read-only): ``build_map`` costs milliseconds after the first call."""
    key = (id(countries), id(airports))
    hit = _BASE_CACHE.get(key)
    if hit and hit[0]() is countries and (hit[1] is None or hit[1]() is airports):
        return hit[2]
    data = _BaseData(countries, airports)
    for dead in [k for k, v in _BASE_CACHE.items() if v[0]() is None]:
        del _BASE_CACHE[dead]
    _BASE_CACHE[key] = (weakref.ref(countries),
                        weakref.ref(airports) if airports is not None else None, data)
    return data


class _Verbatim(Element):
    """Text placed in the page as it is (branca would parse it as a Jinja template: slow
    for megabytes of data, and wrong for data that happens to contain ``{{``)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _DataElement(MacroElement):
    """A MacroElement whose (large) script goes into the page verbatim."""

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Verbatim(script(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _RawLayer(_DataElement):
    """An ``L.geoJson`` layer from prepared GeoJSON text and JavaScript options: nothing is
    serialised again when the map is rendered."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {{ this.options }}
        ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: str, options: str):
        super().__init__()
        self._name = "RawLayer"
        self.data, self.options = data, options


class _Labels(_DataElement):
    """Country names as non-interactive text markers in the label pane."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup().addTo({{ this._parent.get_name() }});
        {{ this.data }}.forEach(function (l) {
          L.marker([l[0], l[1]], {icon: L.divIcon({html: l[2], className: "ef-map-label",
            iconSize: [200, 22], iconAnchor: [100, 11]}), interactive: false,
            pane: "{{ this.pane }}"}).addTo({{ this.get_name() }});
        });
        {% endmacro %}
    """)

    def __init__(self, labels: list[tuple[float, float, str]]):
        super().__init__()
        self._name = "Labels"
        self.data, self.pane = _script_json(labels), LABEL_PANE


def format_dates(date: pd.Timestamp, end_date: pd.Timestamp | None) -> str:
    """``10 Sep 2025`` or ``10–11 Sep 2025`` style date text."""
    if end_date is None or pd.isna(end_date) or end_date == date:
        return f"{date:%-d %b %Y}"
    if (date.year, date.month) == (end_date.year, end_date.month):
        return f"{date:%-d}–{end_date:%-d %b %Y}"
    return f"{date:%-d %b %Y} – {end_date:%-d %b %Y}"


ID_SEPARATOR = " · "


def tooltip_html(row: pd.Series) -> str:
    """Tooltip: date, type, place, then the id in small type (a click is matched by it)."""
    text = f"{format_dates(row['date'], row['end_date'])} · {TYPE_LABELS[row['type']]} · {row['place']}"
    return (f"{html.escape(text)}<span class='ef-id'>{ID_SEPARATOR}"
            f"{html.escape(row['id'])}</span>")


def clicked_id(tooltip_text: str | None, ids: Iterable[str]) -> str | None:
    """The incident a map click hit, from the clicked tooltip's text (its last part)."""
    if not tooltip_text:
        return None
    candidate = tooltip_text.rsplit(ID_SEPARATOR.strip(), 1)[-1].strip()
    # A million ids: an Index answers from its hash table, a Series column-wise; no set
    # is built per click.
    if isinstance(ids, pd.Index):
        known = candidate in ids
    elif isinstance(ids, pd.Series):
        known = bool(ids.eq(candidate).any())
    else:
        known = candidate in set(ids)
    return candidate if known else None


def popup_html(row: pd.Series) -> str:
    """Popup: summary, counts, confidence, precision and each source with its quote."""
    e = html.escape
    counts = "".join(
        f"<tr><td>{e(field.capitalize())}</td><td>{int(row[field])}</td></tr>"
        for field in COUNT_FIELDS if row[field] is not None and not pd.isna(row[field])
    )
    sources = "".join(
        f"<blockquote>“{e(s['quote'])}”</blockquote>"
        f"<div class='meta'>Source: {e(s.get('publisher') or '')}"
        f"{' — ' if s.get('publisher') else ''}{e(s['document'])}</div>"
        for s in row["sources"]
    )
    region = f", {e(row['region'])}" if row["region"] else ""
    icao = f" ({e(row['icao'])})" if row["icao"] else ""
    notes = f"<div class='meta'>Notes: {e(row['notes'])}</div>" if row["notes"] else ""
    return (
        f"<div class='ef-popup'><h4>{e(TYPE_LABELS[row['type']])}{icao}</h4>"
        f"<div class='meta'>{e(format_dates(row['date'], row['end_date']))} · "
        f"{e(row['place'])}{region} · {e(row['country'])}</div>"
        f"<p>{e(row['summary'])}</p>"
        + (f"<table>{counts}</table>" if counts else "")
        + f"<div class='meta'>Confidence: {e(row['confidence'])} · location: "
        f"{e(row['location_precision'])} · date: {e(row['date_precision'])} · "
        f"platform: {e(row['platform'])}</div>"
        + (f"<div class='meta'>{row['depth_km']:g} km from the Russia/Belarus/Ukraine border</div>"
           if "depth_km" in row and not pd.isna(row["depth_km"]) else "")
        + f"{sources}{notes}</div>"
    )


def spread_offsets(incidents: gpd.GeoDataFrame, step: int = ICON_PX - 4) -> dict[str, tuple[int, int]]:
    """Pixel offsets that fan out symbols drawn at exactly the same position.

    Several records often share one point (an incursion, its interception and the debris,
    all placed at a country's centre). Without this only the top symbol would be seen.
    The first record of a position stays put; the others go round it clockwise. Only
    the drawing moves: coordinates in the data are untouched.
    """
    ring = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1)]
    points = incidents[incidents.geometry.geom_type == "Point"]
    keys = [(round(g.x, 4), round(g.y, 4)) for g in points.geometry]
    seen: dict[tuple[float, float], int] = {}
    offsets = {}
    for incident_id, key in zip(points["id"], keys, strict=True):
        k = seen.get(key, 0)
        seen[key] = k + 1
        if k:
            dx, dy = ring[(k - 1) % len(ring)]
            scale = 1 + (k - 1) // len(ring)
            offsets[incident_id] = (dx * step * scale, dy * step * scale)
    return offsets


def _type_layer(rows: gpd.GeoDataFrame, incident_type: str,
                offsets: dict[str, tuple[int, int]], icon_px: int = ICON_PX,
                classes: dict[str, str] | None = None) -> folium.GeoJson:
    css_class = f"ef-incident ef-{incident_type}"
    color = TYPE_STYLES[incident_type].color
    records = _records(rows)
    data = gpd.GeoDataFrame(
        {
            "id": rows["id"],
            "_tooltip": [tooltip_html(r) for r in records],
            "_popup": [popup_html(r) for r in records],
        },
        geometry=rows.geometry, crs=rows.crs,
    )
    return folium.GeoJson(
        data,
        marker=folium.Marker(icon=folium.DivIcon(
            html=symbol_svg(incident_type, icon_px), icon_size=(icon_px, icon_px),
            icon_anchor=(icon_px // 2, icon_px // 2),
            class_name=css_class)),
        # Lines and polygons take the path options; folium merges the style into a point's
        # icon options too, which is how a shifted iconAnchor reaches one marker.
        style_function=lambda f: {
            "color": color, "weight": 4, "fillColor": color, "fillOpacity": 0.25,
            "className": f"{css_class} {(classes or {}).get(f['properties']['id'], '')}".strip(),
            "iconAnchor": _anchor(offsets.get(f["properties"]["id"]), icon_px),
        },
        tooltip=folium.GeoJsonTooltip(["_tooltip"], labels=False),
        popup=folium.GeoJsonPopup(["_popup"], labels=False, max_width=360),
    )


def _records(rows: pd.DataFrame) -> list[dict]:
    """Rows as dicts (what tooltip_html/popup_html read), far cheaper than ``iterrows``."""
    wanted = ["id", "date", "end_date", "type", "place", "region", "country", "icao", "summary",
              "confidence", "location_precision", "date_precision", "platform", "sources",
              "notes", *COUNT_FIELDS, "depth_km"]
    return rows[[c for c in wanted if c in rows.columns]].to_dict("records")


def _anchor(offset: tuple[int, int] | None, icon_px: int = ICON_PX) -> list[int]:
    dx, dy = offset or (0, 0)
    return [icon_px // 2 - dx, icon_px // 2 - dy]


def incident_layers(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None,
                    *, theme: str = "default", classes: dict[str, str] | None = None
                    ) -> list[folium.FeatureGroup]:
    """One feature group per incident type (always all types, possibly empty) and one
    marking the closed airports among ``incidents``.

    ``classes`` adds CSS classes per incident id: ``ef-current`` (emphasised),
    ``ef-faded`` (earlier, in playback), ``ef-new`` (new since the last brief).
    """
    groups = []
    icon_px = THEMES[theme].icon_px
    offsets = spread_offsets(incidents, step=icon_px - 4)
    for incident_type in INCIDENT_TYPES:
        group = folium.FeatureGroup(name=TYPE_LABELS[incident_type])
        rows = incidents[incidents["type"] == incident_type]
        if len(rows):
            _type_layer(rows, incident_type, offsets, icon_px, classes).add_to(group)
        groups.append(group)

    groups.append(closed_airports_layer(incidents, airports))
    return groups


def closed_airports_layer(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None,
                          bounds: tuple[float, float, float, float] | None = None
                          ) -> folium.FeatureGroup:
    """A dashed ring and an "ICAO closed" label at every airport closed in ``incidents``
    (only those inside ``bounds``, lon/lat, when given)."""
    closed = folium.FeatureGroup(name="Closed airports")
    icaos = incidents.loc[incidents["type"] == "airport_closure", "icao"].dropna().unique()
    if airports is None or not len(icaos):
        return closed
    rows = airports[airports["icao"].isin(icaos)]
    if bounds is not None:
        rows = rows.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]
    rows = rows.sort_values("icao")
    labelled = len(rows) <= CLOSED_LABELS_MAX
    if len(rows):
        _ClosedAirports([[round(g.y, 5), round(g.x, 5),
                          f"<b>{html.escape(code)}</b> closed" if labelled else ""]
                         for code, g in zip(rows["icao"], rows.geometry, strict=True)]).add_to(closed)
    return closed


#: Closed airports get an "ICAO closed" label only while there are this few of them (more
#: labels would cover the map); the rings are always drawn.
CLOSED_LABELS_MAX = 30


class _ClosedAirports(_DataElement):
    """Rings and labels of closed airports, drawn from one data array."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.data }}.forEach(function (a) {
          L.circleMarker([a[0], a[1]], {radius: 14, color: "#b30000", weight: 2.5,
            dashArray: "5 4", fill: false, interactive: false}).addTo({{ this._parent.get_name() }});
          if (a[2]) {
            L.marker([a[0], a[1]], {icon: L.divIcon({html: a[2], className: "ef-map-label",
              iconSize: [110, 14], iconAnchor: [-16, 7]}), interactive: false})
              .addTo({{ this._parent.get_name() }});
          }
        });
        {% endmacro %}
    """)

    def __init__(self, rows: list):
        super().__init__()
        self._name = "ClosedAirports"
        self.data = _script_json(rows)


# --- many incidents: clusters and density ----------------------------------------------------

#: Symbols of clustered incidents (small: they are only seen once a cluster splits).
POINT_PX = 16
REPRESENTATION_LABELS = {aggregate.SYMBOLS: "Symbols", aggregate.CLUSTERS: "Clusters",
                         aggregate.DENSITY: "Density"}


@dataclass(frozen=True)
class MapLayers:
    """What ``auto_layers`` drew: the feature groups for ``st_folium(feature_group_to_add=
    ...)``, the representation chosen, how many incidents are in view, and the legend line
    (also written into the map's legend) saying how incidents are shown."""

    groups: list[folium.FeatureGroup]
    representation: str
    in_view: int
    legend: str


class _ClusterLayer(_DataElement):
    """Incidents as small type symbols in a Leaflet.markercluster group; each cluster
    shows its count inside a ring coloured by the share of each type.

    ``data`` rows are ``[lat, lon, type index, id]``; a marker's tooltip is "Type · id",
    so a click selects the incident like a click on a full symbol (see ``clicked_id``).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var data = {{ this.data }}, types = {{ this.types }};
          var icons = types.map(function (t) {
            return L.divIcon({html: t[1], className: "ef-point", iconSize: [{{ this.px }}, {{ this.px }}],
                              iconAnchor: [{{ this.px // 2 }}, {{ this.px // 2 }}]}); });
          // window.efLoading counts cluster layers still being built (chunked loading).
          var pending = data.length > 0;
          if (pending) { window.efLoading = (window.efLoading || 0) + 1; }
          var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
            maxClusterRadius: 60, spiderfyOnMaxZoom: true,
            chunkProgress: function (done, total) {
              if (pending && done >= total) { pending = false; window.efLoading -= 1; } },
            iconCreateFunction: function (cluster) {
              var children = cluster.getAllChildMarkers(), n = children.length;
              var per = types.map(function () { return 0; });
              for (var i = 0; i < n; i++) { per[children[i].options.efType] += 1; }
              var stops = [], done = 0;
              for (var t = 0; t < per.length; t++) {
                if (!per[t]) { continue; }
                stops.push(types[t][2] + " " + (done / n * 360) + "deg " +
                           ((done + per[t]) / n * 360) + "deg");
                done += per[t];
              }
              var size = n < 100 ? 36 : n < 1000 ? 44 : n < 10000 ? 52 : 60;
              return L.divIcon({className: "ef-cluster", iconSize: [size, size],
                html: '<div style="background: conic-gradient(' + stops.join(", ") + ')"><span>' +
                      n.toLocaleString("en") + "</span></div>"});
            }});
          var markers = new Array(data.length);
          for (var i = 0; i < data.length; i++) {
            var d = data[i];
            markers[i] = L.marker([d[0], d[1]], {icon: icons[d[2]], efType: d[2]})
              .bindTooltip(types[d[2]][0] + " · " + d[3]);
          }
          group.addLayers(markers);
          {{ this._parent.get_name() }}.addLayer(group);
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: list, px: int = POINT_PX):
        super().__init__()
        self._name = "ClusterLayer"
        self.data, self.px = _script_json(rows), px
        self.types = _script_json([[TYPE_LABELS[t], symbol_svg(t, px), TYPE_STYLES[t].color]
                                   for t in INCIDENT_TYPES])


class _DensityLayer(_DataElement):
    """One circle per grid cell for one incident type: area proportional to the count, a
    tooltip with the count; a click zooms in two levels on that cell."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var cells = {{ this.data }}, most = {{ this.most }}, label = {{ this.label }};
          cells.forEach(function (c) {
            L.circleMarker([c[0], c[1]], {radius: Math.max(3, {{ this.radius }} * Math.sqrt(c[2] / most)),
              color: "#1a1a1a", weight: 1, fillColor: "{{ this.color }}", fillOpacity: 0.8,
              className: "ef-density"})
              .bindTooltip(label + ": " + c[2].toLocaleString("en") +
                           (c[2] === 1 ? " incident" : " incidents"))
              .on("click", function (e) { var map = e.target._map;
                map.setView(e.latlng, Math.min(map.getZoom() + 2, map.getMaxZoom())); })
              .addTo({{ this._parent.get_name() }});
          });
        })();
        {% endmacro %}
    """)

    def __init__(self, cells: list, incident_type: str, most: int, radius: float):
        super().__init__()
        self._name = "DensityLayer"
        self.data, self.most, self.radius = _script_json(cells), max(int(most), 1), radius
        self.label, self.color = _script_json(TYPE_LABELS[incident_type]), TYPE_STYLES[incident_type].color


class _LegendNote(_DataElement):
    """Writes the "shown as" line into the base map's legend (which stays mounted)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () { var el = document.getElementById("{{ this.target }}");
          if (el) { el.textContent = {{ this.text }}; } })();
        {% endmacro %}
    """)

    def __init__(self, text: str):
        super().__init__()
        self._name = "LegendNote"
        self.text, self.target = _script_json(text), LEGEND_MODE_ID


# Where each type's circle sits inside a density cell (fractions of the cell), so the five
# types of one cell do not hide each other.
_SLOTS = {t: (0.22 * math.cos(math.radians(90 + 72 * k)), 0.22 * math.sin(math.radians(90 + 72 * k)))
          for k, t in enumerate(INCIDENT_TYPES)}


def _note(representation: str, count: int, cell_km: float | None = None) -> str:
    if representation == aggregate.SYMBOLS:
        return f"Shown as symbols: {count:,} incident{'s' if count != 1 else ''} in view."
    if representation == aggregate.CLUSTERS:
        return (f"Shown as clusters: {count:,} incidents in view. A number counts incidents, "
                f"its ring shows the types. Zoom in or filter to {aggregate.SYMBOLS_MAX:,} or "
                "fewer for symbols.")
    return (f"Shown as density: {count:,} incidents in view, counted per ~{cell_km:,.0f} km cell "
            "and type (circle area ~ count). Zoom in or filter to "
            f"{aggregate.CLUSTERS_MAX:,} or fewer for clusters.")


def view_of(returned: dict | None) -> tuple[aggregate.Bounds | None, float | None]:
    """The view in what ``st_folium`` returned: lon/lat bounds ``(minlon, minlat, maxlon,
    maxlat)`` and zoom, each None when the browser has not reported it yet."""
    returned = returned or {}
    bounds = returned.get("bounds") or {}
    south_west, north_east = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    corners = (south_west.get("lng"), south_west.get("lat"), north_east.get("lng"),
               north_east.get("lat"))
    box = None
    if None not in corners:
        box = (max(corners[0], -180.0), max(corners[1], -90.0), min(corners[2], 180.0),
               min(corners[3], 90.0))
    zoom = returned.get("zoom")
    return box, float(zoom) if isinstance(zoom, int | float) else None


def auto_layers(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None, *,
                bounds: aggregate.Bounds | None = None, zoom: float | None = None,
                theme: str = "default", classes: dict[str, str] | None = None) -> MapLayers:
    """The incident layers for the map's current view, drawn the way their number allows.

    Counts the incidents whose anchor point is inside ``bounds`` (lon/lat ``(minlon, minlat,
    maxlon, maxlat)``, the map's view; None for all) and picks the representation with
    ``aggregate.choose``: symbols (the same layers as ``incident_layers``), clusters, or a
    server-side density grid per type. Only incidents in and around the view are sent when
    all of them would be too many. Tracks and areas are simplified to ``zoom``'s pixel size.
    The closed-airport rings are always drawn; a last, uncontrolled group writes the
    legend's "shown as" line.
    """
    total = len(incidents)
    x, y = aggregate.incident_anchors(incidents) if total else (np.empty(0), np.empty(0))
    inside = aggregate.in_view(x, y, bounds)
    count = int(inside.sum())
    representation = aggregate.choose(count)
    limit = {aggregate.SYMBOLS: aggregate.SYMBOLS_MAX,
             aggregate.CLUSTERS: aggregate.CLUSTERS_MAX}.get(representation)
    if limit is not None and total > limit and bounds is not None:
        near = aggregate.in_view(x, y, aggregate.padded(bounds))
        keep = near if near.sum() <= limit else inside
    else:
        keep = np.ones(total, bool)
    cell_km = None
    if representation == aggregate.SYMBOLS:
        shown = incidents[keep] if not keep.all() else incidents
        if zoom is not None and len(shown):
            shown = shown.set_geometry(aggregate.simplify(shown.geometry.values, zoom),
                                       crs=shown.crs)
        groups = incident_layers(shown, None, theme=theme, classes=classes)[:-1]
    elif representation == aggregate.CLUSTERS:
        group = folium.FeatureGroup(name="Incidents (clustered)")
        codes = aggregate.type_codes(incidents["type"])[keep]
        rows = [[round(float(b), 4), round(float(a), 4), int(c), i] for a, b, c, i in zip(
            x[keep], y[keep], codes, incidents["id"].to_numpy()[keep], strict=True)]
        _ClusterLayer(rows).add_to(group)
        groups = [group]
    else:
        view = aggregate.padded(bounds) if bounds is not None else None
        near = aggregate.in_view(x, y, view)
        mid_lat = (view[1] + view[3]) / 2 if view else float(np.nanmean(y))
        width, height = aggregate.cell_degrees(zoom if zoom is not None else 4.5, mid_lat)
        cell_km = width * 111.32 * math.cos(math.radians(mid_lat))
        counted = aggregate.grid(x[near], y[near], aggregate.type_codes(incidents["type"])[near],
                                 width, height)
        cells = counted.cells
        most = int(cells["count"].max()) if len(cells) else 1
        groups = []
        for incident_type in INCIDENT_TYPES:
            group = folium.FeatureGroup(name=f"{TYPE_LABELS[incident_type]} (density)")
            mine = cells[cells["type"] == incident_type]
            if len(mine):
                dx, dy = _SLOTS[incident_type]
                data = [[round(lat + dy * height, 4), round(lon + dx * width, 4), int(n)]
                        for lon, lat, n in zip(mine["lon"], mine["lat"], mine["count"], strict=True)]
                _DensityLayer(data, incident_type, most, aggregate.CELL_PX * 0.4).add_to(group)
            groups.append(group)
    groups.append(closed_airports_layer(
        incidents, airports, aggregate.padded(bounds) if bounds is not None else None))
    legend = _note(representation, count, cell_km)
    note = folium.FeatureGroup(name="Representation", control=False)
    _LegendNote(legend).add_to(note)
    groups.append(note)
    return MapLayers(groups, representation, count, legend)


def standalone_map(countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None,
                   incidents: gpd.GeoDataFrame, *, asset_base: str = ASSET_BASE) -> folium.Map:
    """Base map with the incident layers and a layer control added in place (for tests,
    HTML export and anything outside Streamlit)."""
    m = build_map(countries, airports, asset_base=asset_base)
    for group in incident_layers(incidents, airports):
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def highlight_layer(row: pd.Series | None) -> folium.FeatureGroup:
    """A ring around the selected incident (an empty group when nothing is selected)."""
    group = folium.FeatureGroup(name="Selected incident", control=False)
    if row is not None:
        point = row.geometry.representative_point()
        folium.CircleMarker((point.y, point.x), radius=22, color="#111", weight=4, fill=False,
                            class_name="ef-selected", interactive=False).add_to(group)
        folium.CircleMarker((point.y, point.x), radius=26, color="#ffd400", weight=3,
                            fill=False, interactive=False).add_to(group)
    return group


def area_layer(area: BaseGeometry | None) -> folium.FeatureGroup:
    """The area filter's outline, dashed (empty group when there is no area filter)."""
    group = folium.FeatureGroup(name="Area filter", control=False)
    if area is not None:
        folium.GeoJson(
            area.__geo_interface__, interactive=False,
            style_function=lambda f: {"color": "#111", "weight": 2.5, "dashArray": "8 6",
                                      "fill": True, "fillOpacity": 0.04,
                                      "className": "ef-area"},
        ).add_to(group)
    return group
