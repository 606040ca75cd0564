"""Folium maps: an offline basemap drawn from ``geodata/`` plus one layer per incident type.

The base map (countries, airports, legend) never depends on the filters, so the browser
keeps it mounted; filtered incidents travel separately as ``incident_layers(...)``.
GeoJSON is ``[lon, lat]``; folium wants ``(lat, lon)``: the swap happens only here.

Every text that comes from data is HTML-escaped here, before it reaches a tooltip or
popup (folium's GeoJsonTooltip/GeoJsonPopup insert values as HTML).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from folium import plugins
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from .schema import COUNT_FIELDS, INCIDENT_TYPES, TYPE_LABELS

#: The view the map opens on: Norway/Finland to Bulgaria, Germany to western Russia.
EASTERN_FLANK_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((42.0, 6.0), (70.5, 41.0))
EASTERN_FLANK_CENTER = (56.5, 23.5)
ASSET_BASE = "/app/static/vendor"
LEAFLET_DIR = "leaflet-1.9.4"
DRAW_DIR = "leaflet-draw-1.0.4"

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
    return (f'<div class="ef-legend" id="ef-legend"><h4>Incidents</h4>{rows}'
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
    # Start at the target view: a fitBounds jump from folium's default [0, 0] zoom 1 to a
    # fractional zoom leaves Leaflet's SVG renderer clipped (seen in Chromium, Leaflet 1.9.4).
    m = folium.Map(location=EASTERN_FLANK_CENTER, zoom_start=4.5, tiles=None,
                   control_scale=True, zoom_snap=0.25, zoom_delta=0.5,
                   minZoom=3, maxZoom=12)  # maxZoom as a Leaflet option: see TECH_NOTES
    js, css = offline_assets(asset_base)
    m.default_js, m.default_css = js, css  # new lists: never mutate folium's class lists
    m.get_root().header.add_child(folium.Element(_css(style)))
    m.get_root().html.add_child(folium.Element(_legend_html(style)))

    if online_tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(m)
    fill_opacity = 0.55 if online_tiles else 1.0
    folium.GeoJson(
        countries[["iso_a2", "name", "group", "geometry"]],
        name="Countries",
        control=False,
        style_function=lambda f: {
            "fillColor": style.fills.get(f["properties"]["group"], style.fills["other"]),
            "fillOpacity": fill_opacity, "color": style.border,
            "weight": 0.9 if theme == "default" else 1.4,
        },
        highlight_function=None,
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    ).add_to(m)

    wanted = set(labels) if labels is not None else set(
        countries.loc[countries["group"] != "other", "iso_a2"])
    # Country names sit in a pane under the markers so they never hide an incident symbol.
    folium.map.CustomPane(LABEL_PANE, z_index=450, pointer_events=False).add_to(m)
    label_group = folium.FeatureGroup(name="Country names", control=False)
    for row in countries[countries["iso_a2"].isin(wanted)].itertuples():
        folium.Marker(
            _label_point(row.geometry),
            icon=folium.DivIcon(html=html.escape(row.name), class_name="ef-map-label",
                                icon_size=(200, 22), icon_anchor=(100, 11)),
            interactive=False, pane=LABEL_PANE,
        ).add_to(label_group)
    label_group.add_to(m)

    if airports is not None and len(airports):
        folium.GeoJson(
            airports.assign(_tooltip=[
                html.escape(f"{a.icao} · {a.name}" + (f" ({a.iata})" if a.iata else ""))
                for a in airports.itertuples()
            ])[["_tooltip", "geometry"]],
            name="Airports",
            marker=folium.CircleMarker(radius=2.5, fill=True, fill_opacity=0.8, weight=0.5,
                                       color="#47525e", fill_color="#66717d"),
            tooltip=folium.GeoJsonTooltip(["_tooltip"], labels=False),
            show=True,
        ).add_to(m)

    if drawing:
        draw_control(asset_base).add_to(m)
    m.fit_bounds(EASTERN_FLANK_BOUNDS)
    return m


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
    return candidate if candidate in set(ids) else None


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
    data = gpd.GeoDataFrame(
        {
            "id": rows["id"],
            "_tooltip": [tooltip_html(r) for _, r in rows.iterrows()],
            "_popup": [popup_html(r) for _, r in rows.iterrows()],
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

    closed = folium.FeatureGroup(name="Closed airports")
    icaos = sorted(incidents.loc[incidents["type"] == "airport_closure", "icao"].dropna().unique())
    if airports is not None and icaos:
        for a in airports[airports["icao"].isin(icaos)].itertuples():
            folium.CircleMarker(
                (a.geometry.y, a.geometry.x), radius=14, color="#b30000", weight=2.5,
                dash_array="5 4", fill=False, interactive=False,
            ).add_to(closed)
            folium.Marker(
                (a.geometry.y, a.geometry.x),
                icon=folium.DivIcon(
                    html=f"<b>{html.escape(a.icao)}</b> closed",
                    class_name="ef-map-label", icon_size=(110, 14), icon_anchor=(-16, 7)),
                interactive=False,
            ).add_to(closed)
    groups.append(closed)
    return groups


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
