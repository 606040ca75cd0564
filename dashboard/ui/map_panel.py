"""The map: the st_folium fragment, what the browser reports back, playback controls, share link.

The base map stays constant (so the browser keeps it mounted); the filtered incidents travel
as feature groups. Map interactions rerun only this fragment.
"""

from __future__ import annotations

import json
import logging
import time

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import filters, formstate, geo, mapping, paths, playback, settings, urlstate
from dashboard.bounds import FLANK, Bounds, selection_extent
from dashboard.context import Context
from dashboard.mapping.outline import regions_layer
from dashboard.selection import Selection
from dashboard.ui import link, overlay_panel
from dashboard.ui import selected as this_run
from dashboard.ui import state as S
from dashboard.ui.static import css

MAP_HEIGHT = 700
MAP_HEIGHT_PRESENT = 1080
#: The map's size in pixels until the browser has reported it (then its real size is used).
ASSUMED_PX = {False: (1100, MAP_HEIGHT), True: (1920, MAP_HEIGHT_PRESENT)}
RETURNED = ["last_object_clicked_tooltip", "all_drawings", "center", "zoom", "bounds"]
#: Where the base map's big layers are written for the browser to load (git-ignored).
BASE_FOLDER = paths.STATIC / "efm" / "base"
_LOG = logging.getLogger(__name__)


def served_base(base: mapping.BaseData) -> mapping.BaseData:
    """``base`` with its big layers (countries, admin-1 lines ...) as static files the browser
    loads once: the map's script, which Streamlit sends whenever a layer changes, shrinks from
    1.3 MB to tens of KB. Where the folder cannot be written, the data stays in the page."""
    try:
        files = mapping.publish(base, BASE_FOLDER)
    except OSError as exc:
        _LOG.warning("base map layers stay in the page: cannot write %s (%s)", BASE_FOLDER, exc)
        return base
    return base.by_url({name: f"{mapping.EFM_BASE}/base/{file}" for name, file in files.items()})


def select(incident_id: str | None, ctx: Context, center: bool = True,
           popup: bool = False) -> None:
    """Highlight an incident (and centre the map on it; keep its popup open)."""
    st.session_state[S.KEY_SELECTED] = incident_id
    st.session_state[S.KEY_POPUP] = incident_id if popup else None
    if incident_id and center:
        point = ctx.incidents.loc[incident_id].geometry.representative_point()
        zoom = (st.session_state.get(S.KEY_VIEW) or (None, None, None))[2]
        st.session_state[S.KEY_GOTO] = (point.y, point.x, zoom)


def _remember_view(out: dict, spec: filters.FilterSpec) -> None:
    ss = st.session_state
    if out.get("center") and out.get("zoom") is not None:
        view = (round(out["center"]["lat"], 4), round(out["center"]["lng"], 4), out["zoom"])
        if view != ss.get(S.KEY_VIEW):
            ss[S.KEY_VIEW] = view
            # The whole link, not an update: in a fragment's run st.query_params holds the
            # address the browser had when it asked for the run, which can predate the last
            # filter change (updating it dropped a region chosen a moment before).
            link.write(spec)
    bounds = Bounds.from_leaflet(out.get("bounds"))
    if bounds is not None:
        ss[S.KEY_BOUNDS] = bounds
    clicked_at = out.get("last_clicked") or {}
    if clicked_at.get("lat") is not None and clicked_at.get("lng") is not None:
        ss[S.KEY_MAP_POINT] = (round(clicked_at["lat"], 5), round(clicked_at["lng"], 5))


def _handle_output(out: dict, ctx: Context, spec: filters.FilterSpec, drawn) -> None:
    """React to the browser: remember the view, select a clicked incident (of those held or
    ``drawn``), apply drawings."""
    ss = st.session_state
    _remember_view(out, spec)
    tip = out.get("last_object_clicked_tooltip")
    if tip and tip != ss.get(S.KEY_LAST_CLICK):
        ss[S.KEY_LAST_CLICK] = tip
        clicked = mapping.clicked_id(tip, ctx.incidents.index.union(drawn))
        if clicked and clicked != ss.get(S.KEY_SELECTED):
            select(clicked, ctx, center=False, popup=True)
            st.rerun()
    drawings = out.get("all_drawings")
    if drawings is not None and json.dumps(drawings) != json.dumps(ss.get(S.KEY_LAST_DRAWINGS)):
        ss[S.KEY_LAST_DRAWINGS] = drawings
        ss[S.KEY_AREA] = geo.area_from_drawings(drawings)
        st.rerun()


# --- time playback ------------------------------------------------------------------------------

def _clock() -> playback.Clock:
    ss = st.session_state
    return playback.Clock(ss.get(S.KEY_PLAY_STEP, 0), bool(ss.get(S.KEY_PLAYING)),
                          ss.get(S.KEY_PLAY_LAST, 0.0))


def _set_clock(clock: playback.Clock) -> None:
    st.session_state.update({S.KEY_PLAY_STEP: clock.step, S.KEY_PLAYING: clock.playing,
                             S.KEY_PLAY_LAST: clock.last})


def nudge(delta: int, count: int) -> None:
    """Button callback: one step back or on."""
    _set_clock(playback.nudge(_clock(), count, delta))


def toggle_play(count: int) -> None:
    """Button callback: play or pause."""
    _set_clock(playback.toggle(_clock(), count, time.monotonic()))


def playback_frames(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec
                    ) -> list[playback.Frame]:
    """The playback steps of the selection, or none when playback is off (or the app holds
    only the newest of the selection: a database too big to hold)."""
    ss = st.session_state
    if not ss.get(S.KEY_PLAY_ON) or ctx.database is not None:
        return []
    window = ss.get(S.KEY_PLAY_WINDOW) if ss.get(S.KEY_PLAY_MODE) == "Sliding window" else None
    return playback.frames(shown, spec.date_from or ctx.first, spec.date_to or ctx.last,
                           "W" if ss.get(S.KEY_PLAY_FREQ) == "Week" else "D", window)


def _current_frame(frames: list[playback.Frame]) -> playback.Frame:
    """The step to show; while playing, move one step on when its time is up."""
    before = _clock()
    clock = playback.tick(before, len(frames), time.monotonic(), st.session_state.get(S.KEY_PLAY_SPEED, 1.0))
    _set_clock(clock)
    if before.playing and not clock.playing:
        st.rerun()  # the whole app, so the timer that drives playback stops
    return frames[clock.step]


def _play_controls(count: int) -> None:
    ss = st.session_state
    back, play, forward, slider = st.columns([1, 1, 1, 12], vertical_alignment="center")
    back.button("", icon=":material/skip_previous:", key="play_back",
                on_click=nudge, args=(-1, count), help="Previous step")
    play.button("", icon=":material/pause:" if ss.get(S.KEY_PLAYING) else ":material/play_arrow:",
                key="play_toggle", on_click=toggle_play, args=(count,), help="Play / pause")
    forward.button("", icon=":material/skip_next:", key="play_forward",
                   on_click=nudge, args=(1, count), help="Next step")
    if ss.get(S.KEY_PLAYING):
        # No widget while playing: the timer's reruns carry the browser's widget values, and a
        # slider value from before the last step would read as the user dragging it back.
        step = ss.get(S.KEY_PLAY_STEP, 0)
        slider.progress((step + 1) / max(count, 1))
        return
    slider.slider("Step", 0, max(count - 1, 1), key=S.KEY_PLAY_STEP,
                  label_visibility="collapsed", disabled=count < 2, format=" ")


def _played(shown: gpd.GeoDataFrame, frames: list[playback.Frame], classes: dict[str, str],
            present: bool) -> gpd.GeoDataFrame:
    """The incidents of the playback's current step (and the earlier ones), classed."""
    frame = _current_frame(frames)
    if not present:
        _play_controls(len(frames))
    shown = shown[shown["id"].isin(set(frame.current) | set(frame.earlier))]
    for ids, cls in ((frame.current, "ef-current"), (frame.earlier, "ef-faded")):
        for incident_id in ids:
            classes[incident_id] = f"{cls} {classes.get(incident_id, '')}".strip()
    css("play.css")
    with st.container(key="play_date"):
        st.markdown(S.md(f"{frame.label} · {len(frame.current)} new, {len(frame.earlier)} earlier"))
    return shown


# --- framing: the map follows the selection ------------------------------------------------------

def fit_to(extent: Bounds | None) -> None:
    """Frame the map on ``extent`` at its next run (fitted to the map's size in pixels)."""
    if extent is not None:
        st.session_state[S.KEY_FIT] = extent
        st.session_state[S.KEY_FIT_SIZE] = None


def _frame_selection(sel: Selection, spec: filters.FilterSpec, outline=None) -> None:
    """When the selection changes, fit the map to it (to the chosen regions' outline when no
    incident matches); a hand-made pan or zoom stands until then."""
    ss = st.session_state
    target = selection_extent(sel.summary.extent)
    if target is None and outline is not None and not outline.is_empty:
        target = selection_extent(gpd.GeoDataFrame(geometry=[outline], crs="EPSG:4326"))
    ss[S.KEY_FIT_TARGET] = target
    key = formstate.framing_key(spec)
    if ss.get(S.KEY_FRAMED) != key:
        ss[S.KEY_FRAMED] = key
        fit_to(target if key != filters.FilterSpec() or target is None else FLANK)


def _apply_fit(measured: tuple[float, float] | None, present: bool) -> bool:
    """Turn a pending fit into a centre and zoom for the map's size (refitted once when the
    browser reports a size other than the one assumed); whether the map is sent somewhere
    new (it then reports its new view, and the app runs again)."""
    ss = st.session_state
    fit = ss.get(S.KEY_FIT)
    if fit is None:
        return False
    size = measured or ASSUMED_PX[present]
    rounded = (round(size[0]), round(size[1]))
    moved = ss.get(S.KEY_FIT_SIZE) != rounded
    if moved:
        goto = (*fit.center, fit.fit_zoom(*size))
        if goto == ss.get(S.KEY_GOTO):  # the map only moves when the value passed changes
            goto = (goto[0] + 1e-6, goto[1], goto[2])
        ss[S.KEY_GOTO], ss[S.KEY_FIT_SIZE] = goto, rounded
    if measured:
        ss[S.KEY_FIT] = None
    return moved


def _measured(returned: dict | None) -> tuple[float, float] | None:
    bounds, zoom = mapping.view_of(returned)
    return bounds.pixels(zoom) if bounds is not None and zoom is not None else None


# --- the map ---------------------------------------------------------------------------------

def _layers(ctx: Context, sel: Selection, shown: gpd.GeoDataFrame, spec: filters.FilterSpec,
            bounds: Bounds | None, zoom: float | None, theme: str, classes: dict[str, str],
            settling: bool = False) -> tuple[mapping.MapLayers, pd.Index]:
    """The incident layers for the view, and the ids of the incidents drawn one by one.

    From a database, while the view is ``settling`` (not reported yet, or the map is being
    sent to a new one) nothing is counted: the browser reports the view it settles on at
    once, and that run counts it (a grid of millions counted for a view shown for a moment
    doubled or tripled the time to open a link)."""
    if ctx.database is None:
        return mapping.auto_layers(shown, ctx.airports, bounds=bounds, zoom=zoom, theme=theme,
                                   classes=classes, registry=ctx.sources), pd.Index([])
    if settling:
        return mapping.pending_layers(), pd.Index([])
    data = this_run.map_data(ctx, sel, spec, bounds, zoom)
    return (mapping.fetched_layers(data, ctx.airports, sel.summary.closed, bounds=bounds,
                                   zoom=zoom, theme=theme, classes=classes, registry=ctx.sources),
            data.incidents.index if len(data.incidents) else pd.Index([]))


def _map_body(ctx: Context, sel: Selection, spec: filters.FilterSpec, tiles: bool,
              share: dict, frames: list[playback.Frame], new_ids: frozenset[str],
              outline, timer_on: bool) -> None:
    """The map (and the playback controls). Map interactions rerun only this fragment."""
    ss = st.session_state
    shown = sel.shown
    present = bool(ss.get(S.KEY_PRESENT))
    theme = (ss.get(S.KEY_THEME) or "default") if present else "default"
    classes = {i: "ef-new" for i in new_ids}
    if bool(frames) and bool(ss.get(S.KEY_PLAYING)) != timer_on:
        # Play or pause was pressed inside this fragment: the timer that drives playback is
        # set up by the whole app's run, so run it.
        st.rerun(scope="app")
    if frames:
        shown = _played(shown, frames, classes, present)
    selected = ss.get(S.KEY_SELECTED)
    row = ctx.incidents.loc[selected] if selected in ctx.incidents.index else None
    # Clicks on empty map place a new incident: only where incidents can be added.
    editable = not present and settings.editable(settings.load_settings())
    map_key = this_run.map_key()
    moving = _apply_fit(_measured(ss.get(map_key)), present)
    goto = ss.get(S.KEY_GOTO)
    # The view the browser reported: count the incidents in view and pick symbols, clusters
    # or density.
    bounds, zoom = this_run.reported_view()
    if bounds is not None:
        ss[S.KEY_BOUNDS] = bounds
    layers, drawn = _layers(ctx, sel, shown, spec, bounds, zoom, theme, classes,
                            settling=moving or bounds is None)
    out = st_folium(
        mapping.build_map(ctx.countries, ctx.airports, online_tiles=tiles, drawing=not present,
                          theme=theme, base=ctx.base),
        key=map_key,
        feature_group_to_add=[*overlay_panel.map_groups(spec), *layers.groups,
                              mapping.area_layer(geo.parse_area(spec.area) if spec.area else None),
                              regions_layer(outline),
                              mapping.highlight_layer(
                                  row, popup=row is not None and ss.get(S.KEY_POPUP) == selected)],
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=[*RETURNED, *(["last_clicked"] if editable else [])],
        center=goto[:2] if goto and goto[0] is not None else None,
        zoom=goto[2] if goto else None,
        use_container_width=True,
        height=MAP_HEIGHT_PRESENT if present else MAP_HEIGHT,
    )
    _handle_output(out or {}, ctx, spec, drawn)
    if not present:
        st.caption(S.md(layers.legend))
        _map_actions(share)


def _map_actions(share: dict) -> None:
    """Under the map: fit it to the selection, and the link to this view."""
    params = {**share, **urlstate.encode(filters.FilterSpec(), link.current_view())}
    fit, share_col = st.columns([1, 1])
    fit.button("Fit to incidents", icon=":material/fit_screen:", key="fit_incidents",
               on_click=lambda: fit_to(st.session_state.get(S.KEY_FIT_TARGET)),
               disabled=st.session_state.get(S.KEY_FIT_TARGET) is None,
               help="Frame the map on the incidents of the selection (on the chosen regions "
                    "when none matches).")
    with share_col.popover("Link to this view", icon=":material/link:"):
        st.caption("Opens exactly these filters and this map view. Copy it with the icon.")
        st.code(link.share_url(params), language=None, wrap_lines=True)


def map_panel(ctx: Context, sel: Selection, spec: filters.FilterSpec, tiles: bool,
              share: dict, new_ids: frozenset[str] = frozenset()) -> None:
    """The map fragment; while playing, a timer reruns just this fragment every step."""
    codes = filters.chosen_regions(spec, ctx.places)
    outline = geo.union_of(ctx.places.regions, "iso_3166_2", codes) if codes else None
    _frame_selection(sel, spec, outline)
    frames = playback_frames(ctx, sel.shown, spec)
    playing = bool(frames) and bool(st.session_state.get(S.KEY_PLAYING))
    run_every = st.session_state.get(S.KEY_PLAY_SPEED, 1.0) if playing else None
    st.fragment(run_every=run_every)(_map_body)(ctx, sel, spec, tiles, share, frames, new_ids,
                                               outline, playing)
