"""The base map: vendored assets, countries shaded by group, their names, airports, legend.

The base map never depends on the filters, so the browser keeps it mounted while the
incident layers (``symbols``, ``dense``) change. Its look comes from ``style`` (one
``:root`` rule of CSS custom properties per theme, read by ``static/efm/map.css``); its
data (countries, airports, label points) is prepared once per call by ``base_data``, or
by the caller once and passed in. GeoJSON is ``[lon, lat]``; folium wants ``(lat, lon)``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import folium
import geopandas as gpd
import numpy as np
import shapely
from folium import plugins
from shapely.geometry import Polygon
from shapely.ops import polylabel

from .. import style
from ..schema import INCIDENT_TYPES, TYPE_LABELS
from ..style import GROUP_LABELS, THEMES, Theme, symbol_svg
from .calls import Call, JSONText, script_json

#: The app's static folder as the browser sees it (``server.enableStaticServing``).
STATIC_BASE = "/app/static"
ASSET_BASE = f"{STATIC_BASE}/vendor"   # Leaflet and its plugins, vendored
EFM_BASE = f"{STATIC_BASE}/efm"        # the map's own CSS and JavaScript
LEAFLET_DIR = "leaflet-1.9.4"
DRAW_DIR = "leaflet-draw-1.0.4"
CLUSTER_DIR = "leaflet-markercluster-1.5.3"
LABEL_PANE = "labels"
LEGEND_MODE_ID = "ef-legend-mode"
#: Decimals kept in the base map's coordinates: 4 is ~10 m, far below a pixel at zoom 12.
BASE_DECIMALS = 4
AIRPORT_MARKER = {"radius": 2.5, "fill": True, "fillOpacity": 0.8, "weight": 0.5,
                  "color": style.AIRPORT_EDGE, "fillColor": style.AIRPORT}

Links = tuple[list[tuple[str, str]], list[tuple[str, str]]]


# --- assets ----------------------------------------------------------------------------------

def offline_assets(base: str = ASSET_BASE) -> Links:
    """JS and CSS links for folium that point at the app's own static files, not a CDN."""
    js = [("leaflet", f"{base}/{LEAFLET_DIR}/leaflet.js")]
    css = [("leaflet_css", f"{base}/{LEAFLET_DIR}/leaflet.css")]
    return js, css


def cluster_assets(base: str = ASSET_BASE) -> Links:
    """Leaflet.markercluster's JS and CSS, from the app's static files. The base map loads
    them up front: the browser loads scripts only when the map is first mounted, and the
    incident layer may switch to clusters later without a remount."""
    js = [("markercluster_js", f"{base}/{CLUSTER_DIR}/leaflet.markercluster.js")]
    css = [("markercluster_css", f"{base}/{CLUSTER_DIR}/MarkerCluster.css"),
           ("markercluster_default_css", f"{base}/{CLUSTER_DIR}/MarkerCluster.Default.css")]
    return js, css


def efm_assets(base: str = EFM_BASE) -> Links:
    """The map's own files: ``layers.js`` (after Leaflet and its plugins: it calls them) and
    ``map.css`` (before Leaflet's CSS, where its rules always stood)."""
    return [("efm_layers_js", f"{base}/layers.js")], [("efm_map_css", f"{base}/map.css")]


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


# --- theme and legend ------------------------------------------------------------------------

def root_css(theme: Theme) -> str:
    """The one generated rule: a theme's values as the custom properties ``map.css`` reads."""
    values = {
        "map-background": theme.sea,
        "label-font": f"600 {theme.label_px}px/1.1 system-ui, sans-serif",
        "label-color": theme.label,
        "halo": theme.halo,
        "panel-background": theme.panel,
        "panel-color": theme.panel_text,
        "panel-font": f"{theme.panel_px}px/1.35 system-ui, sans-serif",
        "panel-px": f"{theme.panel_px}px",
        "mode-px": f"{max(theme.panel_px - 2, 11)}px",
        "highlight": style.HIGHLIGHT,
    }
    return "<style>:root { " + " ".join(f"--ef-{k}: {v};" for k, v in values.items()) + " }</style>"


def legend_html(theme: Theme) -> str:
    """The legend: a symbol per incident type, the "shown as" line, the country groups and
    the airport marks."""
    rows = "".join(
        f"<div>{symbol_svg(t, 16)}<span>{TYPE_LABELS[t]}</span></div>" for t in INCIDENT_TYPES
    )
    areas = "".join(
        f'<div><span class="swatch" style="background:{theme.fills[g]}"></span>'
        f"<span>{GROUP_LABELS[g]}</span></div>"
        for g in ("nato", "russia_belarus", "ukraine_moldova")
    )
    airports = (
        f'<div><svg width="16" height="16"><circle cx="8" cy="8" r="2.5" fill="{style.AIRPORT}"/>'
        "</svg><span>Airport</span></div>"
        '<div><svg width="16" height="16"><circle cx="8" cy="8" r="6.5" fill="none" '
        f'stroke="{style.CLOSED}" stroke-width="2" stroke-dasharray="3 2"/></svg>'
        "<span>Closed airport</span></div>"
    )
    # The incident layer fills in the "shown as" line (symbols, clusters or density), so
    # the legend changes with the layer while the base map stays mounted.
    return (f'<div class="ef-legend" id="ef-legend"><h4>Incidents</h4>{rows}'
            f'<span class="ef-mode" id="{LEGEND_MODE_ID}"></span>'
            f"<h4 class='ef-next'>Map</h4>{areas}{airports}</div>")


# --- base data -------------------------------------------------------------------------------

def label_point(geom) -> tuple[float, float]:
    """A point well inside the largest part of a (multi)polygon, as (lat, lon)."""
    parts = getattr(geom, "geoms", [geom])
    largest = max(parts, key=lambda p: p.area)
    point = polylabel(Polygon(largest.exterior), tolerance=0.05)
    return point.y, point.x


def _rounded_geojson(geoms, properties: list[dict]) -> str:
    rounded = shapely.set_precision(np.asarray(geoms), 10.0 ** -BASE_DECIMALS)
    features = [f'{{"type":"Feature","properties":{script_json(p)},"geometry":{g}}}'
                for p, g in zip(properties, shapely.to_geojson(rounded).tolist(), strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


class BaseData:
    """The base map's layers as compact GeoJSON text (coordinates rounded to
    ``BASE_DECIMALS``, names escaped) and, on demand, label points per country."""

    def __init__(self, countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None):
        self.countries = JSONText(_rounded_geojson(
            countries.geometry.values,
            [{"name": html.escape(n), "group": g}
             for n, g in zip(countries["name"], countries["group"], strict=True)]))
        self.codes = list(countries["iso_a2"])
        #: The countries labelled by default: every one not in the "other" group.
        self.named = set(countries.loc[countries["group"] != "other", "iso_a2"])
        self._names = dict(zip(countries["iso_a2"], countries["name"], strict=True))
        self._geoms = dict(zip(countries["iso_a2"], countries.geometry, strict=True))
        self._labels: dict[str, tuple[float, float, str]] = {}
        self.airports = None
        if airports is not None and len(airports):
            tips = [html.escape(f"{a.icao} · {a.name}" + (f" ({a.iata})" if a.iata else ""))
                    for a in airports.itertuples()]
            self.airports = JSONText(_rounded_geojson(airports.geometry.values,
                                                      [{"t": t} for t in tips]))

    def label(self, code: str) -> tuple[float, float, str]:
        """``(lat, lon, escaped name)`` of a country's label."""
        if code not in self._labels:
            lat, lon = label_point(self._geoms[code])
            self._labels[code] = (round(lat, 4), round(lon, 4), html.escape(self._names[code]))
        return self._labels[code]


def base_data(countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None) -> BaseData:
    """The prepared base data for ``build_map(..., base=...)`` (tens of milliseconds for the
    shipped geodata): a caller that builds the map on every rerun may keep it."""
    return BaseData(countries, airports)


# --- the map ---------------------------------------------------------------------------------

def build_map(
    countries: gpd.GeoDataFrame,
    airports: gpd.GeoDataFrame | None = None,
    *,
    static_base: str = STATIC_BASE,
    online_tiles: bool = False,
    labels: Iterable[str] | None = None,
    drawing: bool = False,
    theme: str = "default",
    base: BaseData | None = None,
) -> folium.Map:
    """The base map: countries shaded by group, airports, legend, framed on the eastern flank.

    Parameters
    ----------
    countries, airports
        Frames from ``load.read_countries`` / ``load.read_airports``.
    static_base
        URL prefix of the app's static folder (``vendor/`` and ``efm/`` files; the app's
        static route by default).
    online_tiles
        Add an OpenStreetMap tile layer under the countries. Off by default: the map
        must work on a closed network.
    labels
        ISO codes of the countries to label; defaults to every non-"other" country.
    drawing
        Add the rectangle/polygon drawing tool (for the area filter).
    theme
        ``default``, or a projector theme: ``light`` or ``dark`` (see ``style.THEMES``).
    base
        ``base_data(countries, airports)``, when the caller keeps it; prepared here otherwise.
    """
    look = THEMES[theme]
    base = base if base is not None else base_data(countries, airports)
    m = _empty_map(static_base, look)
    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(m)
    Call("Countries", "countries", base.countries, {
        "fills": look.fills, "fillOpacity": 0.55 if online_tiles else 1.0, "color": look.border,
        "weight": 0.9 if theme == "default" else 1.4}).add_to(m)
    _add_labels(m, base, base.named if labels is None else set(labels))
    if base.airports is not None:
        Call("Airports", "airports", base.airports, AIRPORT_MARKER).add_to(m)
    if drawing:
        draw_control(f"{static_base}/vendor").add_to(m)
    m.fit_bounds(style.EASTERN_FLANK_BOUNDS)
    return m


def _empty_map(static_base: str, look: Theme) -> folium.Map:
    """A map at the home view with the offline assets, the theme's rule and the legend."""
    # Start at the target view: a fitBounds jump from folium's default [0, 0] zoom 1 to a
    # fractional zoom leaves Leaflet's SVG renderer clipped (seen in Chromium, Leaflet 1.9.4).
    m = folium.Map(location=style.EASTERN_FLANK_CENTER, zoom_start=style.HOME_ZOOM, tiles=None,
                   control_scale=True, zoom_snap=0.25, zoom_delta=0.5,
                   minZoom=3, maxZoom=12)  # maxZoom as a Leaflet option: see TECH_NOTES
    js, css = offline_assets(f"{static_base}/vendor")
    cjs, ccss = cluster_assets(f"{static_base}/vendor")
    ejs, ecss = efm_assets(f"{static_base}/efm")
    m.default_js, m.default_css = js + cjs + ejs, ecss + css + ccss  # new lists: never mutate folium's
    m.get_root().header.add_child(folium.Element(root_css(look)))
    m.get_root().html.add_child(folium.Element(legend_html(look)))
    return m


def _add_labels(m: folium.Map, base: BaseData, wanted: set[str]) -> None:
    """Country names in a pane under the markers, so they never hide an incident symbol."""
    folium.map.CustomPane(LABEL_PANE, z_index=450, pointer_events=False).add_to(m)
    Call("Labels", "labels", [base.label(code) for code in base.codes if code in wanted],
         LABEL_PANE).add_to(m)
