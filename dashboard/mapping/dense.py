"""Many incidents: the incident layers for the map's view, drawn the way their number allows.

``auto_layers`` counts the incidents in view and draws them as symbols (``symbols``), as
client-side clusters (Leaflet.markercluster) or as a server-side density grid per type
(``aggregate``), and writes the legend's "shown as" line. ``view_of`` reads the view the
browser reported back. ``standalone_map`` is the base map with those layers for one
extent, outside Streamlit (the HTML export).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from .. import aggregate, selection, sources, style
from ..bounds import FLANK, Bounds
from ..overlays import Layer
from ..schema import INCIDENT_TYPES, TYPE_LABELS
from ..style import TYPE_STYLES, symbol_svg
from .base import FRAME_PX, STATIC_BASE, build_map
from .calls import Call, JSONText, script_json
from .legend import LEGEND_MODE_ID
from .overlays import overlay_layers
from .symbols import closed_airports_layer, incident_layers

#: Symbols of clustered incidents (small: they are only seen once a cluster splits).
POINT_PX = 16


@dataclass(frozen=True)
class MapLayers:
    """What ``auto_layers`` drew: the feature groups for ``st_folium(feature_group_to_add=
    ...)``, the representation chosen, how many incidents are in view, and the legend line
    (also written into the map's legend) saying how incidents are shown."""

    groups: list[folium.FeatureGroup]
    representation: str
    in_view: int
    legend: str


class _ClusterLayer(Call):
    """Incidents as small type symbols in a Leaflet.markercluster group (``efm.clusters``).

    ``data`` rows are ``[lat, lon, type index, id]``; a marker's tooltip is "Type · id",
    so a click selects the incident like a click on a full symbol (see ``clicked_id``).
    """

    def __init__(self, rows: list, px: int = POINT_PX):
        self.data = script_json(rows)
        types = [[TYPE_LABELS[t], symbol_svg(t, px), TYPE_STYLES[t].color] for t in INCIDENT_TYPES]
        super().__init__("ClusterLayer", "clusters", JSONText(self.data), types, px)


class _DensityLayer(Call):
    """One circle per grid cell for one incident type (``efm.density``): area proportional
    to the count, a tooltip with the count; a click zooms in two levels on that cell."""

    def __init__(self, cells: list, incident_type: str, most: int, radius: float):
        self.data = script_json(cells)
        super().__init__("DensityLayer", "density", JSONText(self.data), {
            "most": max(int(most), 1), "radius": radius, "label": TYPE_LABELS[incident_type],
            "color": TYPE_STYLES[incident_type].color, "outline": style.OUTLINE})


class _LegendNote(Call):
    """Writes the "shown as" line into the base map's legend (which stays mounted)."""

    def __init__(self, text: str):
        super().__init__("LegendNote", "legendNote", LEGEND_MODE_ID, text)


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


def view_of(returned: dict | None) -> tuple[Bounds | None, float | None]:
    """The view in what ``st_folium`` returned: lon/lat ``Bounds`` and zoom, each None when
    the browser has not reported it yet."""
    returned = returned or {}
    zoom = returned.get("zoom")
    return (Bounds.from_leaflet(returned.get("bounds")),
            float(zoom) if isinstance(zoom, int | float) else None)


def auto_layers(incidents: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None, *,
                bounds: Bounds | tuple[float, float, float, float] | None = None,
                zoom: float | None = None, theme: str = "default",
                classes: dict[str, str] | None = None,
                registry: sources.Registry | None = None,
                simplify: bool = True) -> MapLayers:
    """The incident layers for the map's current view, drawn the way their number allows.

    Counts the incidents whose anchor point is inside ``bounds`` (lon/lat, the map's view;
    None for all) and picks the representation with ``aggregate.choose``: symbols (the same
    layers as ``incident_layers``), clusters, or a server-side density grid per type. Only
    incidents in and around the view are sent when all of them would be too many. Tracks
    and areas are simplified to ``zoom``'s pixel size (unless ``simplify`` is False: a page
    that is zoomed without being redrawn). The closed-airport rings are always drawn; a
    last, uncontrolled group writes the legend's "shown as" line.
    """
    view = Bounds.of(bounds) if bounds is not None else None
    near = aggregate.padded(view) if view is not None else None  # the view and its margin
    x, y = aggregate.incident_anchors(incidents) if len(incidents) else (np.empty(0), np.empty(0))
    inside = aggregate.in_view(x, y, view)
    count = int(inside.sum())
    representation = aggregate.choose(count)
    cell_km = None
    if representation == aggregate.SYMBOLS:
        keep = _kept(x, y, inside, near, aggregate.SYMBOLS_MAX)
        groups = _symbol_groups(incidents, keep, zoom if simplify else None, theme, classes,
                                registry)
    elif representation == aggregate.CLUSTERS:
        keep = _kept(x, y, inside, near, aggregate.CLUSTERS_MAX)
        groups = [_cluster_group(incidents, x, y, keep)]
    else:
        groups, cell_km = _density_groups(incidents, x, y, near, zoom)
    groups.append(closed_airports_layer(incidents, airports, near, theme))
    legend = _note(representation, count, cell_km)
    note = folium.FeatureGroup(name="Representation", control=False)
    _LegendNote(legend).add_to(note)
    groups.append(note)
    return MapLayers(groups, representation, count, legend)


def standalone_map(countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None,
                   incidents: gpd.GeoDataFrame, *, static_base: str = STATIC_BASE,
                   registry: sources.Registry | None = None,
                   extent: Bounds | tuple[float, float, float, float] | None = None,
                   overlays: Sequence[Layer] = ()) -> folium.Map:
    """The base map with the incident layers the app's map would draw for ``extent`` and a
    layer control, opening on ``extent`` (for the HTML export, tests and anything outside
    Streamlit).

    ``auto_layers`` picks symbols (with tooltips and popups naming sources from
    ``registry``), clusters or a density grid by the number of incidents in ``extent``
    (lon/lat; None: all of them, on the eastern flank) and writes the legend's "shown as"
    line. ``overlays`` (context overlays) are drawn under the incidents, each in the legend.
    The grid's cells are sized for the zoom at which ``extent`` fills a
    ``base.FRAME_PX`` page; tracks and areas are not simplified, since the page is zoomed
    without being redrawn.
    """
    frame = Bounds.of(extent) if extent is not None else None
    m = build_map(countries, airports, static_base=static_base, frame=frame)
    layers = auto_layers(incidents, airports, bounds=frame,
                         zoom=frame.fit_zoom(*FRAME_PX) if frame is not None else None,
                         registry=registry, simplify=False)
    for group in [*(overlay_layers(overlays) if overlays else []), *layers.groups]:
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _kept(x: np.ndarray, y: np.ndarray, inside: np.ndarray, near: Bounds | None,
          limit: int) -> np.ndarray:
    """Which incidents to send: all while they are at most ``limit``, else those in and
    around the view (those in it when even that is too many)."""
    if len(x) > limit and near is not None:
        around = aggregate.in_view(x, y, near)
        return around if around.sum() <= limit else inside
    return np.ones(len(x), bool)


def _symbol_groups(incidents: gpd.GeoDataFrame, keep: np.ndarray, zoom: float | None,
                   theme: str, classes: dict[str, str] | None,
                   registry: sources.Registry | None = None) -> list[folium.FeatureGroup]:
    """The symbol layers (without their closed airports) of the kept incidents."""
    shown = incidents[keep] if not keep.all() else incidents
    if zoom is not None and len(shown):
        shown = shown.set_geometry(aggregate.simplify(shown.geometry.values, zoom), crs=shown.crs)
    return incident_layers(shown, None, theme=theme, classes=classes, registry=registry)[:-1]


def _cluster_group(incidents: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray,
                   keep: np.ndarray) -> folium.FeatureGroup:
    """One clustered layer of the kept incidents, at their anchor points."""
    group = folium.FeatureGroup(name="Incidents (clustered)")
    codes = aggregate.type_codes(incidents["type"])[keep]
    rows = [[round(float(b), 4), round(float(a), 4), int(c), i] for a, b, c, i in zip(
        x[keep], y[keep], codes, incidents["id"].to_numpy()[keep], strict=True)]
    _ClusterLayer(rows).add_to(group)
    return group


def _density_groups(incidents: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray,
                    near: Bounds | None, zoom: float | None
                    ) -> tuple[list[folium.FeatureGroup], float]:
    """A density layer per type counting the incidents in and around the view on a grid
    of about ``aggregate.CELL_PX`` screen pixels; also the cell width in km."""
    inside = aggregate.in_view(x, y, near)
    # before the browser reports a view: cells sized for the eastern flank, as the database
    # sizes them (selection.map_data), not by where the data happens to lie
    around = near if near is not None else aggregate.padded(FLANK)
    mid_lat = (around.minlat + around.maxlat) / 2
    width, height = aggregate.cell_degrees(zoom if zoom is not None else style.HOME_ZOOM, mid_lat)
    cell_km = width * 111.32 * math.cos(math.radians(mid_lat))
    return _grid_groups(aggregate.grid(x[inside], y[inside],
                                       aggregate.type_codes(incidents["type"])[inside],
                                       width, height)), cell_km


def _grid_groups(grid: aggregate.Grid) -> list[folium.FeatureGroup]:
    """A density layer per type: a circle per non-empty cell of ``grid``."""
    cells, width, height = grid.cells, grid.width, grid.height
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
    return groups


def fetched_layers(data: selection.MapData, airports: gpd.GeoDataFrame | None,
                   closed: Sequence[str], *, bounds: Bounds | None = None,
                   zoom: float | None = None, theme: str = "default",
                   classes: dict[str, str] | None = None,
                   registry: sources.Registry | None = None) -> MapLayers:
    """``auto_layers`` of what the database chose for the view (``selection.map_data``):
    the same groups, rings at the airports ``closed`` in the selection and the same legend
    line."""
    incidents = data.incidents
    if data.representation == aggregate.SYMBOLS:
        groups = _symbol_groups(incidents, np.ones(len(incidents), bool), zoom, theme, classes,
                                registry)
    elif data.representation == aggregate.CLUSTERS:
        x, y = aggregate.incident_anchors(incidents)
        groups = [_cluster_group(incidents, x, y, np.ones(len(incidents), bool))]
    else:
        groups = _grid_groups(data.grid)
    near = aggregate.padded(Bounds.of(bounds)) if bounds is not None else None
    groups.append(closed_airports_layer(
        pd.DataFrame({"type": "airport_closure", "icao": list(closed)}), airports, near, theme))
    legend = _note(data.representation, data.in_view, data.cell_km)
    note = folium.FeatureGroup(name="Representation", control=False)
    _LegendNote(legend).add_to(note)
    groups.append(note)
    return MapLayers(groups, data.representation, data.in_view, legend)


def pending_layers() -> MapLayers:
    """No incident layer yet, and a legend line saying the view is being counted (the map
    is settling on a view; ``ui.map_panel`` counts it when the browser reports it)."""
    legend = "Counting the incidents in view…"
    note = folium.FeatureGroup(name="Representation", control=False)
    _LegendNote(legend).add_to(note)
    return MapLayers([note], "pending", 0, legend)
