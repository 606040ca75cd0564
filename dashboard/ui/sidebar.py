"""The filter sidebar: widgets whose values ``formstate`` turns into one FilterSpec."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from dashboard import filters, formstate, style, urlstate
from dashboard.context import Context
from dashboard.schema import CONFIDENCES, INCIDENT_TYPES, PLATFORMS, TYPE_LABELS
from dashboard.ui import link, overlay_panel
from dashboard.ui import state as S

DATE_MIN, DATE_MAX = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


def _reset(ctx: Context) -> None:
    link.seed(ctx, filters.FilterSpec(), urlstate.View(brief=st.session_state.get(S.KEY_BRIEF)))
    st.session_state[S.KEY_GOTO] = (*style.EASTERN_FLANK_CENTER, style.HOME_ZOOM)
    st.session_state[S.KEY_MAP_NONCE] += 1
    st.session_state[S.KEY_LAST_DRAWINGS] = None


def remove_area() -> None:
    """Drop the drawn area filter (and the shapes on the map)."""
    ss = st.session_state
    ss[S.KEY_AREA] = None
    ss[S.KEY_LAST_DRAWINGS] = None
    ss[S.KEY_GOTO] = ss.get(S.KEY_VIEW) or ss.get(S.KEY_GOTO)
    ss[S.KEY_MAP_NONCE] += 1  # a fresh map drops the drawn shapes too


def follow_the_data(first: dt.date, last: dt.date) -> None:
    """Keep a date filter that covered the whole record covering it when the record grows
    (incidents saved from an import or an article are newer than the old last day, and
    would otherwise be hidden by a filter nobody set)."""
    ss = st.session_state
    seen = ss.get(S.KEY_SPAN)
    ss[S.KEY_SPAN] = (first, last)
    if seen is not None and seen != (first, last) and tuple(ss.get(S.KEY_DATES) or ()) == seen:
        ss[S.KEY_DATES] = (first, last)


def _place_widgets(ctx: Context) -> None:
    sb, names = st.sidebar, ctx.names
    follow_the_data(ctx.first, ctx.last)
    sb.pills("Region preset", list(ctx.places.presets), selection_mode="single",
             format_func=lambda k: names.get(k, k), key=S.KEY_PRESET)
    sb.date_input("Dates", min_value=min(DATE_MIN, ctx.first), max_value=max(DATE_MAX, ctx.last),
                  key=S.KEY_DATES,
                  format="YYYY-MM-DD")
    # select_all=False: Enter picks the best match, never "Select 2 matches".
    chosen = sb.multiselect("Countries", ctx.country_options, key=S.KEY_COUNTRIES,
                            format_func=lambda c: f"{names.get(c, c)} ({c})",
                            placeholder="All countries", select_all=False)
    regions = ctx.places.regions
    if chosen:
        regions = regions[regions["country"].isin(chosen)]
    options = sorted(regions["iso_3166_2"], key=lambda r: (r[:2], names.get(r, r)))
    # Regions of a country just removed from the filter leave the selection.
    st.session_state[S.KEY_REGIONS] = list(
        formstate.keep_regions(S.read_widgets(), set(options)).regions)
    labels = formstate.region_labels(regions["iso_3166_2"], regions["name"], regions.get("aliases"))
    sb.multiselect(
        "Admin regions", options, key=S.KEY_REGIONS, format_func=lambda r: labels.get(r, r),
        placeholder="All regions" + (" of these countries" if chosen else ""), select_all=False,
        help="Oblasts, voivodeships, counties, found by their English, native or common name "
             "(Lubelskie, Kiev, Odesa). An incident matches when it lies in the region. "
             "Records located only to country level (placed at the country's centre) match "
             "only the region they name, never where their point falls.")


def _only_this() -> None:
    """'Only this type' was clicked: show just that type, or every type when it is unclicked."""
    chosen = st.session_state.get(S.KEY_ONLY)
    st.session_state[S.KEY_TYPES] = [chosen] if chosen else list(INCIDENT_TYPES)


def _kind_widgets() -> None:
    sb = st.sidebar
    sb.pills("Incident types", list(INCIDENT_TYPES), selection_mode="multi",
             format_func=TYPE_LABELS.get, key=S.KEY_TYPES)
    types = st.session_state.get(S.KEY_TYPES) or []
    st.session_state[S.KEY_ONLY] = types[0] if len(types) == 1 else None
    sb.pills("Show only", list(INCIDENT_TYPES), selection_mode="single",
             format_func=TYPE_LABELS.get, key=S.KEY_ONLY, on_change=_only_this,
             help="One click shows only that type; click it again to show every type.")
    sb.multiselect("Platform", list(PLATFORMS), key=S.KEY_PLATFORMS, placeholder="All platforms")
    sb.segmented_control(
        "Minimum confidence", [formstate.ANY, *reversed(CONFIDENCES[:-1])], key=S.KEY_CONFIDENCE,
        format_func=lambda c: "Any" if c == formstate.ANY
        else f"{c.capitalize()}+" if c != "high" else "High")
    sb.markdown("**Hour started (UTC)**", help="Only incidents whose source gives a time; "
                "from later than to wraps past midnight (22:00 to 04:00 is the night).")
    left, right = sb.columns(2)
    # No value is shown as the placeholder: "Any" hour.
    left.selectbox("From", list(range(24)), index=None, placeholder="Any", key=S.KEY_HOUR_FROM,
                   format_func=lambda h: f"{h:02d}:00")
    right.selectbox("To", list(range(1, 25)), index=None, placeholder="Any", key=S.KEY_HOUR_TO,
                    format_func=lambda h: f"{h % 24:02d}:00")


def _depth_widgets(ctx: Context) -> None:
    sb = st.sidebar
    sb.markdown("**Distance from the Russia/Belarus/Ukraine border**")
    left, right = sb.columns(2)
    off = ctx.database is not None
    left.number_input("At least, km", min_value=0.0, step=10.0, key=S.KEY_DEPTH_MIN, disabled=off)
    right.number_input("At most, km", min_value=0.0, step=10.0, key=S.KEY_DEPTH_MAX, disabled=off)
    if off:
        sb.caption(f"Not available with a database this size ({ctx.size:,} incidents, more "
                   "than this server holds: `memory_rows`); the distance is worked out in "
                   "memory.")
        return
    sb.caption("Incidents in NATO countries only; those located only to country level have "
               "no distance.")
    w = S.read_widgets()
    if formstate.depth_conflict(w):
        sb.error(f"'At least' ({w.depth_min:g} km) is more than 'at most' ({w.depth_max:g} km): "
                 "distance filter not applied.")


def _area_controls(ctx: Context) -> None:
    sb = st.sidebar
    if st.session_state.get(S.KEY_AREA):
        sb.info("Area filter on: only incidents inside the drawn area are shown.")
        sb.button("Remove drawn area", on_click=remove_area, use_container_width=True)
    else:
        sb.caption("Draw a rectangle or polygon on the map (tools at its top left) to keep "
                   "only the incidents inside it.")
    sb.button("Reset all filters", on_click=_reset, args=(ctx,), use_container_width=True)


def sidebar(ctx: Context) -> tuple[filters.FilterSpec, bool]:
    """Draw the filter widgets; return the FilterSpec they describe and the online-tiles switch."""
    st.sidebar.header("Filters")
    _place_widgets(ctx)
    _kind_widgets()
    _depth_widgets(ctx)
    st.sidebar.text_input("Search place, summary and quotes", key=S.KEY_Q,
                          placeholder="e.g. Rzeszow, debris, MiG-31")
    st.sidebar.checkbox("Show retracted records", key=S.KEY_RETRACTED,
                        help="Retracted records stay in the data with the reason; they are "
                             "hidden unless this is ticked.")
    _area_controls(ctx)
    overlay_panel.toggles()
    with st.sidebar.expander("Basemap"):
        tiles = st.checkbox("Online map tiles (OpenStreetMap, needs internet)", key=S.KEY_TILES)
    spec = formstate.spec_of(S.read_widgets(), ctx.first, ctx.last, st.session_state.get(S.KEY_AREA))
    if ctx.database is not None and (spec.min_depth_km is not None or spec.max_depth_km is not None):
        st.sidebar.warning("The distance-from-border filter (from the link) is not applied: "
                           "it is not available with a database this size.")
        spec = replace(spec, min_depth_km=None, max_depth_km=None)
    return spec, tiles
