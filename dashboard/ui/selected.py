"""This run's selection: the incidents matching the filters, held in memory, or asked of a
database too big to hold (``Context.database``), cached per data version and spec.

``current`` returns the context the panels read (with a database: holding the newest
matching incidents, the selected one and its related ones) and the ``Selection``.
``map_data`` is the map's view asked of the database, cached the same way.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import aggregate, filters, geo, mapping, selection
from dashboard.bounds import Bounds
from dashboard.context import Context
from dashboard.ui import state as S

#: Selections and map views kept per server: the specs and views briefers come back to
#: (the opening view, each slide of a brief) are asked of the database once per version. A
#: selection holds ``selection.WINDOW`` whole records (1-2 MB); a map view a density grid
#: (KBs), up to 500 whole records or up to ``aggregate.CLUSTERS_MAX`` points (1-3 MB). Each
#: link opened makes two or three views (before the browser reports one, as it first
#: reports it, fitted to the map's size): with 16 of each, a brief of ten slides shown
#: twice found none of its views kept the second time.
CACHED_SELECTIONS = 32
CACHED_VIEWS = 64


def map_key() -> str:
    """The map widget's key (a new map per nonce, and per theme while presenting)."""
    ss = st.session_state
    theme = (ss.get(S.KEY_THEME) or "default") if ss.get(S.KEY_PRESENT) else "default"
    return f"map-{ss[S.KEY_MAP_NONCE]}-{theme}"


def reported_view() -> tuple[Bounds | None, float | None]:
    """The map's view as the browser last reported it (st_folium's on_change stores it under
    the map's key before the run), else as it was remembered: bounds and zoom."""
    ss = st.session_state
    bounds, zoom = mapping.view_of(ss.get(map_key()))
    if bounds is None:
        bounds = ss.get(S.KEY_BOUNDS)
    if zoom is None and ss.get(S.KEY_VIEW):
        zoom = ss[S.KEY_VIEW][2]
    return bounds, zoom


@st.cache_resource(show_spinner=False, max_entries=CACHED_SELECTIONS)
def _asked(version: tuple, spec: filters.FilterSpec, _ctx: Context,
           _view: tuple[Bounds | None, float | None] = (None, None)) -> selection.Selection:
    """The selection; when the map will likely be density, its grid for the map's view
    ``_view`` (not part of the key) comes from the same scan, kept for the map."""
    bounds, zoom = _view
    if _ctx.size <= aggregate.CLUSTERS_MAX or bounds is None:  # no view to count yet
        return selection.asked(_ctx.database, spec, _ctx.places, _ctx.countries)
    sel, data = selection.asked_with_map(_ctx.database, spec, _ctx.places, _ctx.countries,
                                         bounds, zoom)
    if data is not None:
        _map_data(version, spec, bounds, zoom, sel.total, _ctx, _found=data)
    return sel


@st.cache_resource(show_spinner=False, max_entries=CACHED_VIEWS)
def _map_data(version: tuple, spec: filters.FilterSpec, bounds: Bounds | None,
              zoom: float | None, total: int, _ctx: Context,
              _found: selection.MapData | None = None) -> selection.MapData:
    if _found is not None:  # counted already, by the selection's scan
        return _found
    return selection.map_data(_ctx.database, spec, _ctx.places, bounds, zoom, total)


def map_data(ctx: Context, sel: selection.Selection, spec: filters.FilterSpec,
             bounds: Bounds | None, zoom: float | None) -> selection.MapData:
    """What the map draws of the selection for this view, asked of the database."""
    return _map_data(ctx.version, spec, bounds, zoom, sel.total, ctx)


def current(saved: Context, spec: filters.FilterSpec, preview: gpd.GeoDataFrame | None
            ) -> tuple[Context, selection.Selection]:
    """The context the panels read and the selection, for the filters ``spec``."""
    if saved.database is None:
        # Unsaved imported rows are shown and filtered like the rest
        ctx = saved.with_preview(preview)
        return ctx, selection.held(ctx.incidents, spec, ctx.places)
    sel = _asked(saved.version, spec, saved, reported_view())
    return replace(saved, incidents=_working(saved, sel)), sel


@st.cache_resource(show_spinner=False, max_entries=CACHED_SELECTIONS)
def _by_ids(version: tuple, ids: tuple[str, ...], _ctx: Context) -> gpd.GeoDataFrame:
    """Those incidents, read by id and enriched (once per data version, not every run)."""
    from dashboard.db import query

    return geo.enrich(query.by_ids(_ctx.database, ids), _ctx.countries)


def _working(saved: Context, sel: selection.Selection) -> gpd.GeoDataFrame:
    """The incidents the panels can look up: the newest matching ones, and the selected
    incident and those it relates to (read by id when they are not among them)."""
    def adding(held: gpd.GeoDataFrame, ids: list[str]) -> gpd.GeoDataFrame:
        found = _by_ids(saved.version, tuple(ids), saved) if ids else held.iloc[:0]
        return pd.concat([held, found]) if len(found) else held

    selected = st.session_state.get(S.KEY_SELECTED)
    held = sel.shown
    if selected and selected not in held.index:
        held = adding(held, [selected])
    if selected in held.index:
        held = adding(held, [r for r in held.loc[selected, "related_ids"] if r not in held.index])
    return held


@st.cache_resource(show_spinner=False, max_entries=CACHED_VIEWS)
def _matches(version: tuple, spec: filters.FilterSpec, incident_id: str, _ctx: Context) -> bool:
    from dashboard.db import query

    return bool(query.matching(_ctx.database, spec, [incident_id], _ctx.places))


def in_selection(ctx: Context, sel: selection.Selection, spec: filters.FilterSpec,
                 incident_id: str) -> bool:
    """Whether an incident matches the filters (with a database: asked, once per data
    version, when it is not one of the newest held)."""
    if incident_id in sel.shown.index or ctx.database is None:
        return incident_id in sel.shown.index
    return _matches(ctx.version, spec, incident_id, ctx)
