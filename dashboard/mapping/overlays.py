"""Context overlays on the web map: each overlay switched on as its own feature group, in a
pane above the base map and under every incident symbol, translucent so incidents stay
readable, with a tooltip naming it and its date; and their rows in the legend.

The pane (``OVERLAY_PANE``) belongs to the base map (``base._empty_map``), so switching an
overlay on or off swaps a feature group without remounting the map.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium

from ..overlays import Layer
from .calls import Call
from .legend import LEGEND_OVERLAYS_ID

#: Above the countries, lakes and rivers (Leaflet's overlay pane, 400) and under the city
#: dots (430), the names (450) and the incident symbols (Leaflet's markers, 600).
OVERLAY_PANE, OVERLAY_Z = "overlays", 420
AREA_STYLE = {"weight": 2, "opacity": 0.9, "fillOpacity": 0.14, "dashArray": "6 4"}
LINE_STYLE = {"weight": 3.5, "opacity": 0.9, "dashArray": "10 5"}


def tooltip_text(layer: Layer, label: str | None = None) -> str:
    """``Name (from 2025-09-01)``, the feature's own name when it has one, and the source."""
    v = layer.version
    parts = [v.label, label, f"Source: {v.source}" if v.source else None]
    return " · ".join(p for p in parts if p)


def _style(layer: Layer) -> dict:
    v = layer.version
    look = AREA_STYLE if v.kind == "area" else LINE_STYLE
    return {**look, "color": v.colour, "fillColor": v.colour, "className": f"ef-overlay ef-overlay-{v.slug}"}


def overlay_group(layer: Layer) -> folium.FeatureGroup:
    """One overlay as a feature group (its name in the group, not in the layer control: the
    sidebar toggles overlays, and the link remembers which)."""
    v = layer.version
    group = folium.FeatureGroup(name=f"Overlay: {v.label}", control=False)
    features = [{"type": "Feature", "geometry": geom.__geo_interface__,
                 "properties": {"tip": html.escape(tooltip_text(layer, label))}}
                for label, geom in zip(layer.frame["label"], layer.frame.geometry, strict=True)
                if geom is not None and not geom.is_empty]
    look = _style(layer)
    folium.GeoJson({"type": "FeatureCollection", "features": features}, pane=OVERLAY_PANE,
                   style_function=lambda _f, look=look: look,
                   tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
                   ).add_to(group)
    return group


class _LegendOverlays(Call):
    """Writes the overlays' rows into the base map's legend (which stays mounted)."""

    def __init__(self, rows: list[list[str]]):
        super().__init__("LegendOverlays", "legendOverlays", LEGEND_OVERLAYS_ID, rows)


def legend_rows(layers: Sequence[Layer]) -> list[list[str]]:
    """[label, colour, kind] per overlay shown, for the legend."""
    return [[layer.version.label, layer.version.colour, layer.version.kind] for layer in layers]


def overlay_layers(layers: Sequence[Layer]) -> list[folium.FeatureGroup]:
    """A feature group per overlay, then one that writes their legend rows (always sent, so
    switching the last overlay off empties the legend's overlay section)."""
    groups = [overlay_group(layer) for layer in layers]
    legend = folium.FeatureGroup(name="Overlay legend", control=False)
    _LegendOverlays(legend_rows(layers)).add_to(legend)
    return [*groups, legend]

