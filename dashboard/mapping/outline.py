"""The outline of the admin regions the filter chose, drawn over the countries."""

from __future__ import annotations

import folium
from shapely.geometry.base import BaseGeometry

#: Region outlines: solid, dark, unfilled, so the incidents inside stay readable.
REGION_STYLE = {"color": "#1f4e79", "weight": 2.5, "fill": False, "className": "ef-region"}


def regions_layer(regions: BaseGeometry | None) -> folium.FeatureGroup:
    """The chosen regions' outline (an empty group when no region is chosen)."""
    group = folium.FeatureGroup(name="Chosen regions", control=False)
    if regions is not None and not regions.is_empty:
        folium.GeoJson(regions.__geo_interface__, interactive=False,
                       style_function=lambda f: REGION_STYLE).add_to(group)
    return group
