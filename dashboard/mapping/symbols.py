"""Incidents drawn one by one: a type symbol each, with tooltip and popup; closed airports,
the selected incident's ring and the area filter's outline.

Every text that comes from data is HTML-escaped here, before it reaches a tooltip or
popup (folium's GeoJsonTooltip/GeoJsonPopup insert values as HTML). Symbols sharing a
position are fanned out on screen (``spread_offsets``); the data is never moved.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from .. import sources, style
from ..bounds import Bounds
from ..schema import COUNT_FIELDS, INCIDENT_TYPES, TYPE_LABELS
from ..style import ICON_PX, THEMES, TYPE_STYLES, symbol_svg
from .base import AIRPORT_MARKER, LABEL_PANE
from .basedata import CLOSED_PRIORITY
from .calls import Call

ID_SEPARATOR = " · "
#: Closed airports get an "ICAO closed" label only while there are this few of them (more
#: labels would cover the map); the rings are always drawn.
CLOSED_LABELS_MAX = 30
CLOSED_RING = {"radius": 14, "color": style.CLOSED, "weight": 2.5, "dashArray": "5 4",
               "fill": False, "interactive": False}
#: The closed airport's own dot (the base map may not show it at this zoom) and its label:
#: beside the ring, in the label pane, placed before every other name.
CLOSED_LABEL = {"dot": {**AIRPORT_MARKER, "className": "ef-closed-dot", "interactive": False},
                "pane": LABEL_PANE, "priority": CLOSED_PRIORITY, "gap": 17}


# --- texts -----------------------------------------------------------------------------------

def format_dates(date: pd.Timestamp, end_date: pd.Timestamp | None) -> str:
    """``10 Sep 2025`` or ``10–11 Sep 2025`` style date text."""
    if end_date is None or pd.isna(end_date) or end_date == date:
        return f"{date:%-d %b %Y}"
    if (date.year, date.month) == (end_date.year, end_date.month):
        return f"{date:%-d}–{end_date:%-d %b %Y}"
    return f"{date:%-d %b %Y} – {end_date:%-d %b %Y}"


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


def popup_html(row: pd.Series, registry: sources.Registry | None = None) -> str:
    """Popup: summary, counts, confidence, precision and each source with its quote, named
    as ``sources.label`` names it (the registry's "Publisher — Title (date)")."""
    e = html.escape
    counts = "".join(
        f"<tr><td>{e(field.capitalize())}</td><td>{int(row[field])}</td></tr>"
        for field in COUNT_FIELDS if row[field] is not None and not pd.isna(row[field])
    )
    known = registry or {}
    cited = "".join(
        f"<blockquote>“{e(s['quote'])}”</blockquote>"
        f"<div class='meta'>Source: {e(sources.label(s['document'], known, s.get('publisher')))}</div>"
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
        + f"{cited}{notes}</div>"
    )


#: The tallest a popup grows before it scrolls (under half the map's 700 px).
POPUP_MAX_PX = 300


def _records(rows: pd.DataFrame) -> list[dict]:
    """Rows as dicts (what tooltip_html/popup_html read), far cheaper than ``iterrows``."""
    wanted = ["id", "date", "end_date", "type", "place", "region", "country", "icao", "summary",
              "confidence", "location_precision", "date_precision", "platform", "sources",
              "notes", *COUNT_FIELDS, "depth_km"]
    return rows[[c for c in wanted if c in rows.columns]].to_dict("records")


# --- symbols ---------------------------------------------------------------------------------

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


def _anchor(offset: tuple[int, int] | None, icon_px: int = ICON_PX) -> list[int]:
    dx, dy = offset or (0, 0)
    return [icon_px // 2 - dx, icon_px // 2 - dy]


def _type_layer(rows: gpd.GeoDataFrame, incident_type: str,
                offsets: dict[str, tuple[int, int]], icon_px: int = ICON_PX,
                classes: dict[str, str] | None = None,
                registry: sources.Registry | None = None) -> folium.GeoJson:
    css_class = f"ef-incident ef-{incident_type}"
    color = TYPE_STYLES[incident_type].color
    records = _records(rows)
    data = gpd.GeoDataFrame(
        {
            "id": rows["id"],
            "_tooltip": [tooltip_html(r) for r in records],
            "_popup": [popup_html(r, registry) for r in records],
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
        # The map stays where it is on a click (autoPan moved it by up to a screen for a
        # long popup); a long popup scrolls, and the card beside the map has everything.
        popup=folium.GeoJsonPopup(["_popup"], labels=False, max_width=360,
                                  max_height=POPUP_MAX_PX, auto_pan=False),
    )


def incident_layers(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None,
                    *, theme: str = "default", classes: dict[str, str] | None = None,
                    registry: sources.Registry | None = None) -> list[folium.FeatureGroup]:
    """One feature group per incident type (always all types, possibly empty) and one
    marking the closed airports among ``incidents``; popups name sources from ``registry``.

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
            _type_layer(rows, incident_type, offsets, icon_px, classes, registry).add_to(group)
        groups.append(group)

    groups.append(closed_airports_layer(incidents, airports))
    return groups


def closed_airports_layer(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None,
                          bounds: Bounds | tuple[float, float, float, float] | None = None,
                          theme: str = "default") -> folium.FeatureGroup:
    """A dashed ring and an "ICAO closed" label at every airport closed in ``incidents``
    (only those inside ``bounds``, lon/lat, when given), in the theme's ring colour (a
    projector theme draws it thicker)."""
    closed = folium.FeatureGroup(name="Closed airports")
    icaos = incidents.loc[incidents["type"] == "airport_closure", "icao"].dropna().unique()
    if airports is None or not len(icaos):
        return closed
    rows = airports[airports["icao"].isin(icaos)]
    if bounds is not None:
        rows = Bounds.of(bounds).filter(rows)
    rows = rows.sort_values("icao")
    labelled = len(rows) <= CLOSED_LABELS_MAX
    if len(rows):
        Call("ClosedAirports", "closedAirports",
             [[round(g.y, 5), round(g.x, 5), f"<b>{html.escape(code)}</b> closed" if labelled else ""]
              for code, g in zip(rows["icao"], rows.geometry, strict=True)],
             {**CLOSED_RING, "color": style.THEMES[theme].closed,
              "weight": CLOSED_RING["weight"] + (1.5 if theme != "default" else 0)},
             CLOSED_LABEL).add_to(closed)
    return closed


# --- selection and area ----------------------------------------------------------------------

def highlight_layer(row: pd.Series | None, popup: bool = False) -> folium.FeatureGroup:
    """A ring around the selected incident (an empty group when nothing is selected), and
    with ``popup`` its popup opened (the click that selected it opened one, which the redraw
    for the selection would otherwise close)."""
    group = folium.FeatureGroup(name="Selected incident", control=False)
    if row is not None and popup:
        Call("OpenPopup", "openPopup", row["id"]).add_to(group)
    if row is not None:
        point = row.geometry.representative_point()
        folium.CircleMarker((point.y, point.x), radius=22, color="#111", weight=4, fill=False,
                            class_name="ef-selected", interactive=False).add_to(group)
        folium.CircleMarker((point.y, point.x), radius=26, color=style.HIGHLIGHT, weight=3,
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
