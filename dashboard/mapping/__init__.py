"""Folium maps: an offline base map drawn from ``geodata/`` plus the incident layers.

``base`` draws the base map (vendored assets, countries, lakes, rivers, admin-1 lines,
cities, labels, airports by zoom, legend), which never depends on the filters, so the
browser keeps it mounted; ``basedata`` prepares its data once, ``labels`` finds the spots
for country names, ``legend`` writes the legend and the theme's rule. ``symbols`` draws
incidents one by one (tooltips, popups, fanned-out symbols, closed airports, selection and
area rings); ``overlays`` draws the context overlays switched on; ``dense`` picks symbols,
clusters or a density grid for the view (and draws the standalone map of an extent that way).
The drawing code is ``static/efm/layers.js`` and the styles ``static/efm/map.css``; colours,
shapes and themes come from ``style``.
GeoJSON is ``[lon, lat]``; folium wants ``(lat, lon)``: the swap happens only in this
package.
"""

from __future__ import annotations

from .base import (
    ASSET_BASE,
    EFM_BASE,
    STATIC_BASE,
    build_map,
    cluster_assets,
    draw_control,
    efm_assets,
    offline_assets,
)
from .basedata import BaseData, ContextLayers, base_data, publish
from .dense import MapLayers, auto_layers, fetched_layers, pending_layers, standalone_map, view_of
from .labels import label_point, label_spots
from .overlays import overlay_layers
from .symbols import (
    area_layer,
    clicked_id,
    closed_airports_layer,
    format_dates,
    highlight_layer,
    incident_layers,
    popup_html,
    spread_offsets,
    tooltip_html,
)

__all__ = [
    "ASSET_BASE", "EFM_BASE",
    "STATIC_BASE", "BaseData", "ContextLayers", "MapLayers", "area_layer",
    "auto_layers", "fetched_layers", "pending_layers", "base_data", "build_map", "clicked_id",
    "closed_airports_layer",
    "cluster_assets", "draw_control", "efm_assets", "format_dates", "highlight_layer",
    "incident_layers", "label_point", "label_spots", "offline_assets", "overlay_layers",
    "popup_html", "publish",
    "spread_offsets", "standalone_map", "tooltip_html", "view_of",
]
