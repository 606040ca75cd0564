"""The floor for ``bench/app_cost.py``: the least a Streamlit page showing the app's map costs.

The same base map as the app (``mapping.build_map`` on ``context.load_context``'s layers,
its big layers served as static files as the app serves them, the drawing tools on, the
same layer control, height and ``returned_objects``) in ``st_folium`` inside a fragment,
as the app has it, and one widget: a *Countries* multiselect (the same widget key as the
app's, ``f_countries``, so the benchmark drives both with one selector) that filters a tiny
layer of at most ``TINY`` incident symbols (``ef-incident`` divIcons).
Nothing else: no headline figures, tabs, card, framing or URL state.

The data file is the app's (``EFM_DATA`` or ``efm.toml``; see ``dashboard.settings``).
Streamlit serves ``static/`` beside the main script, so ``app_cost.py`` runs a copy of this
file from a temporary folder whose ``static`` links to ``dashboard/static`` (the vendored
Leaflet); run by hand, do the same or the map stays blank.
"""

from __future__ import annotations

from dataclasses import replace

import folium
import streamlit as st
from streamlit_folium import st_folium

from dashboard import context, load, mapping, settings
from dashboard.style import symbol_svg
from dashboard.ui.map_panel import MAP_HEIGHT, RETURNED, served_base

TINY = 10


@st.cache_resource(show_spinner=False)
def _context(stamp: tuple[str, int, int]) -> context.Context:
    """Loaded once per data file version, as the app does."""
    ctx = context.load_context(stamp[0])
    return replace(ctx, base=served_base(ctx.base))


def _tiny_layer(ctx: context.Context, countries: list[str]) -> folium.FeatureGroup:
    rows = ctx.incidents
    if countries:
        rows = rows[rows["country"].isin(countries)]
    group = folium.FeatureGroup("Incidents")
    for row in rows.head(TINY).itertuples():
        point = row.geometry.representative_point()
        folium.Marker([point.y, point.x], tooltip=f"{row.type} · {row.id}", icon=folium.DivIcon(
            html=symbol_svg(row.type, 18), class_name="ef-incident", icon_size=(18, 18),
            icon_anchor=(9, 9))).add_to(group)
    return group


@st.fragment
def _map(ctx: context.Context, countries: list[str], editable: bool) -> None:
    out = st_folium(
        mapping.build_map(ctx.countries, ctx.airports, drawing=True, base=ctx.base),
        key="map",
        feature_group_to_add=[_tiny_layer(ctx, countries)],
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=[*RETURNED, *(["last_clicked"] if editable else [])],
        use_container_width=True,
        height=MAP_HEIGHT,
    )
    st.caption(f"Map reported: {sorted(k for k, v in (out or {}).items() if v)}")


def main() -> None:
    st.set_page_config(page_title="Floor", layout="wide")
    cfg = settings.load_settings()
    ctx = _context(load.stamp(cfg.data))
    countries = st.sidebar.multiselect(
        "Countries", ctx.country_options, key="f_countries", placeholder="All countries",
        format_func=lambda c: f"{ctx.names.get(c, c)} ({c})")
    st.markdown("### Floor: the base map and one widget")
    _map(ctx, countries, settings.editable(cfg))


main()
