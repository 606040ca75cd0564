"""The base map: vendored assets, countries shaded by group, lakes, rivers, admin-1 lines,
cities, country names, airports by zoom, the legend, and the label layout.

The base map never depends on the filters, so the browser keeps it mounted while the
incident layers (``symbols``, ``dense``) change. Its look comes from ``style`` (one
``:root`` rule of CSS custom properties per theme, read by ``static/efm/map.css``); its
data is prepared once per call by ``base_data`` (``basedata``), or by the caller once and
passed in. What shows at which zoom, and which labels find room, is decided in the browser
(``static/efm/layers.js``) after every zoom or layer change. GeoJSON is ``[lon, lat]``;
folium wants ``(lat, lon)``.
"""

from __future__ import annotations

from collections.abc import Iterable

import folium
import geopandas as gpd
from folium import plugins

from .. import style
from ..bounds import Bounds
from ..style import THEMES, Theme
from .basedata import BaseData, base_data
from .calls import Call
from .legend import LEGEND_ID, legend_html, root_css
from .overlays import OVERLAY_PANE, OVERLAY_Z

#: The app's static folder as the browser sees it (``server.enableStaticServing``).
STATIC_BASE = "/app/static"
ASSET_BASE = f"{STATIC_BASE}/vendor"   # Leaflet and its plugins, vendored
EFM_BASE = f"{STATIC_BASE}/efm"        # the map's own CSS and JavaScript
LEAFLET_DIR = "leaflet-1.9.4"
DRAW_DIR = "leaflet-draw-1.0.4"
CLUSTER_DIR = "leaflet-markercluster-1.5.3"
#: Panes above the countries and under the incident symbols (Leaflet's markers are at 600):
#: city dots, then every label, so a name never hides a symbol.
PLACES_PANE, LABEL_PANE = "places", "labels"
AIRPORT_MARKER = {"radius": 2.5, "fill": True, "fillOpacity": 0.8, "weight": 0.5,
                  "color": style.AIRPORT_EDGE, "fillColor": style.AIRPORT,
                  "className": "ef-airport"}
#: The zoom from which each airport tier shows (1 major, 2 regional, 3 every other).
AIRPORT_ZOOMS = {"1": 0, "2": 6, "3": 7}
#: Capitals are named from zoom 4, other cities of 300,000+ from zoom 6.
CAPITAL_ZOOM, CITY_ZOOM = 4, 6
ADMIN1_ZOOM = 6
#: The map's label priorities for cities (countries and closed airports: ``basedata``).
CAPITAL_PRIORITY, CITY_PRIORITY = 4, 5
#: What a label may not cover, as CSS selectors: incident symbols, clusters, density cells.
LABEL_OBSTACLES = (".leaflet-marker-icon.ef-incident, .leaflet-marker-icon.ef-point, "
                   ".leaflet-marker-icon.ef-cluster, path.ef-density")
#: The legend starts collapsed on a map narrower or lower than this (px), unless the user
#: opened or closed it earlier in the browser session.
LEGEND_COLLAPSE_BELOW = [760, 480]
#: The size (px) a map framed on an extent (``build_map(frame=...)``) is assumed to open at:
#: a full-screen page. It only sets the zoom the page starts at; Leaflet's ``fitBounds``
#: then fits the extent to the real window.
FRAME_PX = (1920, 1080)

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
    frame: Bounds | None = None,
) -> folium.Map:
    """The base map: countries shaded by group, lakes, rivers, admin-1 lines, cities,
    country names, airports by zoom and the legend, framed on the eastern flank.

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
        ``base_data(countries, airports)``, when the caller keeps it; prepared here otherwise
        (with the context layers shipped in ``geodata/``).
    frame
        The lon/lat extent the map opens on; the eastern flank when None (the app's map,
        which the selection then frames from the browser).
    """
    look = THEMES[theme]
    base = base if base is not None else base_data(countries, airports)
    m = _empty_map(static_base, look, frame)
    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(m)
    Call("Countries", "countries", base.countries, {
        "fills": look.fills, "fillOpacity": 0.55 if online_tiles else 1.0, "color": look.border,
        "weight": 0.9 if theme == "default" else 1.4}).add_to(m)
    _add_context(m, base, look)
    if base.airports is not None:
        Call("Airports", "airports", base.airports, AIRPORT_MARKER, AIRPORT_ZOOMS).add_to(m)
    _add_labels(m, base, look, base.named if labels is None else set(labels))
    if drawing:
        draw_control(f"{static_base}/vendor").add_to(m)
    Call("Legend", "legend", LEGEND_ID, {"collapseBelow": LEGEND_COLLAPSE_BELOW}).add_to(m)
    Call("Declutter", "declutter", {"obstacles": LABEL_OBSTACLES, "padding": 1}).add_to(m)
    m.fit_bounds(style.EASTERN_FLANK_BOUNDS if frame is None else
                 [[frame.minlat, frame.minlon], [frame.maxlat, frame.maxlon]])
    return m


def _empty_map(static_base: str, look: Theme, frame: Bounds | None = None) -> folium.Map:
    """A map at the home view (or at ``frame``) with the offline assets, the theme's rule
    and the legend."""
    # Start at the target view: a fitBounds jump from folium's default [0, 0] zoom 1 to a
    # fractional zoom leaves Leaflet's SVG renderer clipped (seen in Chromium, Leaflet 1.9.4).
    start = ((style.EASTERN_FLANK_CENTER, style.HOME_ZOOM) if frame is None
             else (frame.center, frame.fit_zoom(*FRAME_PX)))
    m = folium.Map(location=start[0], zoom_start=start[1], tiles=None,
                   control_scale=True, zoom_snap=0.25, zoom_delta=0.5,
                   minZoom=3, maxZoom=12)  # maxZoom as a Leaflet option: see TECH_NOTES
    js, css = offline_assets(f"{static_base}/vendor")
    cjs, ccss = cluster_assets(f"{static_base}/vendor")
    ejs, ecss = efm_assets(f"{static_base}/efm")
    m.default_js, m.default_css = js + cjs + ejs, ecss + css + ccss  # new lists: never mutate folium's
    m.get_root().header.add_child(folium.Element(root_css(look)))
    m.get_root().html.add_child(folium.Element(legend_html(look)))
    folium.map.CustomPane(OVERLAY_PANE, z_index=OVERLAY_Z, pointer_events=True).add_to(m)
    folium.map.CustomPane(PLACES_PANE, z_index=430, pointer_events=False).add_to(m)
    folium.map.CustomPane(LABEL_PANE, z_index=450, pointer_events=False).add_to(m)
    return m


def _add_context(m: folium.Map, base: BaseData, look: Theme) -> None:
    """Lakes, rivers and admin-1 lines over the countries (not interactive: a click or a
    country's tooltip goes through them)."""
    if base.lakes is not None:
        Call("Lakes", "lakes", base.lakes, {"color": look.river, "weight": 0.6,
                                            "fillColor": look.sea, "fillOpacity": 1}).add_to(m)
    if base.rivers is not None:
        Call("Rivers", "rivers", base.rivers, {"color": look.river, "weight": 1.3,
                                               "opacity": 0.9, "fill": False}).add_to(m)
    if base.admin1 is not None:
        Call("Admin1", "admin1", base.admin1, {"color": look.admin, "weight": 0.8,
                                               "opacity": 0.8, "dashArray": "4 3", "fill": False},
             {"minZoom": ADMIN1_ZOOM}).add_to(m)


def _add_labels(m: folium.Map, base: BaseData, look: Theme, wanted: set[str]) -> None:
    """City dots and names, then country names: in panes under the incident symbols, so a
    name never hides one; ``efm.declutter`` hides the names that find no room."""
    if base.cities:
        Call("Cities", "cities", base.cities, {
            "capitalZoom": CAPITAL_ZOOM, "cityZoom": CITY_ZOOM, "labelPane": LABEL_PANE,
            "priorities": [CAPITAL_PRIORITY, CITY_PRIORITY], "gap": 5,
            "capital": {"radius": 3.5, "weight": 1.6, "color": look.city, "fillColor": look.halo,
                        "fillOpacity": 1, "interactive": False, "pane": PLACES_PANE,
                        "className": "ef-city"},
            "city": {"radius": 2.2, "weight": 0, "fillColor": look.city, "fillOpacity": 0.9,
                     "interactive": False, "pane": PLACES_PANE, "className": "ef-city"},
        }).add_to(m)
    Call("Labels", "labels", base.labels(wanted), LABEL_PANE).add_to(m)
