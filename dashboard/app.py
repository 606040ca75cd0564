"""Streamlit shell: widgets -> FilterSpec -> filtered frame -> map, table, timeline, counts.

The only module that imports streamlit. Everything it shows comes from pure functions in
``load``, ``filters``, ``geo``, ``stats``, ``detail``, ``mapping`` and ``urlstate``; this
file only wires widgets, caching, the URL and the layout.

State that persists across reruns lives in ``st.session_state`` under the ``KEY_*`` names
below: the widget values (seeded once from the link), the drawn area, the selected
incident and the map view.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

from dashboard import (
    briefs,
    detail,
    editing,
    export,
    filters,
    geo,
    importer,
    load,
    mapping,
    paths,
    playback,
    settings,
    stats,
    store,
    urlstate,
)
from dashboard.schema import (
    CONFIDENCES,
    DATE_PRECISIONS,
    INCIDENT_TYPES,
    LOCATION_PRECISIONS,
    PLATFORMS,
    TYPE_LABELS,
    DataError,
)

MAP_HEIGHT = 700
# Constant page CSS (no data in it): more map, less chrome.
PAGE_CSS = """<style>
  .block-container { padding-top: 2.6rem; padding-bottom: 0.5rem; }
  [data-testid="stMetricValue"] { font-size: 1.35rem; }
  [data-testid="stMetric"] { padding: 0; }
</style>"""

# Widget keys (their values are the filters) ...
KEY_DATES = "f_dates"
KEY_COUNTRIES = "f_countries"
KEY_TYPES = "f_types"
KEY_PRESET = "f_preset"
KEY_REGIONS = "f_regions"
KEY_Q = "f_q"
KEY_CONFIDENCE = "f_confidence"
KEY_PLATFORMS = "f_platforms"
KEY_DEPTH_MIN = "f_depth_min"
KEY_DEPTH_MAX = "f_depth_max"
KEY_TILES = "online_tiles"
KEY_RETRACTED = "f_retracted"
KEY_TABLE = "incident_table"
KEY_TIMELINE = "timeline"
KEY_FREQ = "timeline_freq"
# ... and the state that is not a widget.
KEY_READY = "state_ready"        # the link has been read into the state
KEY_NOTICES = "link_notices"     # what the link had that was ignored
KEY_AREA = "area"                # drawn or linked area filter, WKT
KEY_SELECTED = "selected"        # highlighted incident id
KEY_VIEW = "view"                # last map view reported by the browser (lat, lon, zoom)
KEY_GOTO = "goto"                # view to move the map to (lat, lon, zoom)
KEY_MAP_NONCE = "map_nonce"      # bumped to remount the map (clears drawings)
KEY_LAST_CLICK = "last_click"
KEY_LAST_DRAWINGS = "last_drawings"
KEY_TABLE_IDS = "table_ids"      # incident ids in table row order, for the selection callback
KEY_BOUNDS = "bounds"            # lon/lat box the map shows (minlon, minlat, maxlon, maxlat)
KEY_PREVIEW = "snapshot_preview"
KEY_EXPORT_TITLE = "x_title"
KEY_EXPORT_BANNER = "x_banner"
KEY_EXPORT_PAGE = "x_page"
KEY_EXPORT_SCALE = "x_scale"
KEY_EXPORT_EXTENT = "x_extent"
KEY_PRESENT = "present"          # presentation view on
KEY_THEME = "theme"              # projector theme: None (screen), "dark" or "light"
KEY_BRIEF = "brief"              # brief pack name being worked on / presented
KEY_SLIDE = "slide"              # 1-based slide number presented
KEY_NEW_IDS = "new_since_brief"  # {pack name: incident ids new since its last presentation}
KEY_PLAY_ON = "play_on"
KEY_PLAYING = "playing"
KEY_PLAY_STEP = "play_step"
KEY_PLAY_FREQ = "play_freq"
KEY_PLAY_MODE = "play_mode"
KEY_PLAY_WINDOW = "play_window"
KEY_PLAY_SPEED = "play_speed"
KEY_PLAY_LAST = "play_last_advance"
KEY_MAP_POINT = "map_point"      # (lat, lon) of the last click on the map, for "Add incident"
KEY_EDIT_BASE = "edit_base"      # store.Snapshot the open add/edit form started from
KEY_UPLOAD_NONCE = "upload_nonce"  # bumped to clear the upload widget after a save
KEY_IMPORT = "import_result"     # (cache key, ImportResult, name) of the uploaded file
KEY_IMPORT_FORMAT = "import_format"
KEY_IMPORT_PREVIEW = "import_preview"  # show the valid rows on the map, unsaved
KEY_IMPORT_NOTE = "import_note"
KEY_DIALOG = "dialog"            # the open curation dialog: ("incident" | "retract", id or None)
KEY_STORE_MSG = "store_message"  # (kind, text) after a save, shown once
MAP_HEIGHT_PRESENT = 1080

# Presentation view: only the map, a title, and a small navigation bar (constant CSS).
PRESENT_CSS = """<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
  .block-container { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; }
  iframe[title="streamlit_folium.st_folium"] { height: 100vh !important; display: block; }
  .st-key-present_title { position: fixed; top: 12px; left: 64px; z-index: 1001;
    max-width: 72vw; padding: 8px 18px; border-radius: 8px; pointer-events: none;
    background: var(--ef-panel); color: var(--ef-text); box-shadow: 0 2px 8px rgba(0,0,0,.35); }
  .st-key-present_title h1 { font-size: 40px !important; line-height: 1.15; margin: 0;
    padding: 0 !important; color: var(--ef-text) !important; }
  .st-key-present_title p { font-size: 20px !important; margin: 2px 0 0; color: var(--ef-text); }
  .st-key-present_nav { position: fixed; bottom: 12px; right: 12px; z-index: 1002;
    width: auto !important; opacity: .8; background: var(--ef-panel); border-radius: 8px;
    padding: 4px 6px; }
  .st-key-present_nav:hover { opacity: 1; }
  .st-key-present_nav p { color: var(--ef-text); font-size: 16px; margin: 0; }
  .st-key-play_date, .st-key-present_nav { gap: 0.3rem; }
</style>"""
PLAY_CSS = """<style>
  .st-key-play_date { position: relative; z-index: 5; height: 0; overflow: visible; }
  .st-key-play_date p { position: absolute; top: 14px; left: 50%; transform: translateX(-50%);
    font-size: 34px; font-weight: 700; white-space: nowrap; pointer-events: none;
    background: rgba(255,255,255,.92); color: #111; padding: 2px 16px; border-radius: 8px;
    box-shadow: 0 1px 6px rgba(0,0,0,.3); }
</style>"""
THEME_VARS = {None: ("rgba(255,255,255,.94)", "#111"), "light": ("rgba(255,255,255,.97)", "#000"),
              "dark": ("rgba(15,22,32,.94)", "#f2f2f2")}
# Arrow keys / PageUp / PageDown step through the brief, Escape leaves presentation view:
# the keys press the navigation bar's buttons. Installed once into the page itself.
KEYS_JS = """<script>
const doc = window.parent.document;
if (!doc.getElementById("ef-keys")) {
  const s = doc.createElement("script");
  s.id = "ef-keys";
  s.textContent = `document.addEventListener("keydown", (e) => {
    const keys = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev",
                  Escape: "exit"};
    const what = keys[e.key];
    if (!what || ["INPUT", "TEXTAREA"].includes(e.target.tagName)) return;
    const button = document.querySelector(".st-key-nav_" + what + " button");
    if (button && !button.disabled) { e.preventDefault(); button.click(); }
  });`;
  doc.head.appendChild(s);
}
</script>"""

ANY = "any"
FILTER_KEYS = (KEY_DATES, KEY_COUNTRIES, KEY_TYPES, KEY_PRESET, KEY_REGIONS, KEY_Q,
               KEY_CONFIDENCE, KEY_PLATFORMS, KEY_DEPTH_MIN, KEY_DEPTH_MAX)


@dataclass(frozen=True)
class Context:
    """Everything read from disk, once per file version."""

    incidents: gpd.GeoDataFrame  # enriched with depth_km and search_text
    countries: gpd.GeoDataFrame
    airports: gpd.GeoDataFrame
    places: filters.Places
    names: dict[str, str]          # country, region and preset codes -> names
    country_options: list[str]     # countries offered in the filter
    first: dt.date
    last: dt.date

    def known(self) -> urlstate.Known:
        return urlstate.Known(
            countries=frozenset(self.country_options),
            regions=frozenset(self.places.regions["iso_3166_2"]),
            presets=frozenset(self.places.presets),
            incidents=frozenset(self.incidents["id"]),
        )


@st.cache_resource(show_spinner=False)
def _context(*stamps: tuple[str, int, int]) -> Context:
    incidents_path, countries_path, airports_path, regions_path, presets_path = (
        Path(s[0]) for s in stamps)
    countries = load.read_countries(countries_path)
    regions = load.read_regions(regions_path)
    presets = load.read_presets(presets_path)
    incidents = geo.enrich(load.read_incidents(incidents_path), countries)
    span = stats.headline(incidents)
    names = {**dict(zip(countries["iso_a2"], countries["name"], strict=True)),
             **dict(zip(regions["iso_3166_2"], regions["name"], strict=True)),
             **{k: p.label for k, p in presets.items()}}
    in_scope = set(countries.loc[countries["group"] != "other", "iso_a2"]) | set(incidents["country"])
    return Context(
        incidents=incidents, countries=countries, airports=load.read_airports(airports_path),
        places=filters.Places(regions, presets), names=names,
        country_options=sorted(in_scope, key=lambda c: names.get(c, c)),
        # An empty data file (a fresh deployment, everything imported later) still opens.
        first=span.first.date() if len(incidents) else dt.date.today(),
        last=span.last.date() if len(incidents) else dt.date.today(),
    )


def _load(cfg: settings.Settings) -> Context:
    files = (cfg.data, paths.COUNTRIES, paths.AIRPORTS, paths.REGIONS, paths.PRESETS)
    for path in files:
        if not path.exists():
            raise DataError(f"{path}: file not found")
    return _context(*(load.stamp(p) for p in files))


def _show_data_error(exc: DataError) -> None:
    st.error(_md(f"The incident data could not be loaded: {exc}"))
    if exc.problems:
        st.code("\n".join(str(p) for p in exc.problems[:200]), language=None)
        if len(exc.problems) > 200:
            st.caption(f"… and {len(exc.problems) - 200} more.")
    st.info("Fix the file (check it with `python -m dashboard validate`), then reload.")


# --- state <-> link ----------------------------------------------------------------------

def _seed_state(ctx: Context, spec: filters.FilterSpec, view: urlstate.View) -> None:
    """Put a spec and view into the widgets' state (before the widgets are drawn)."""
    ss = st.session_state
    ss[KEY_DATES] = (spec.date_from or ctx.first, spec.date_to or ctx.last)
    ss[KEY_COUNTRIES] = list(spec.countries or [])
    ss[KEY_TYPES] = list(INCIDENT_TYPES if spec.types is None else spec.types)
    ss[KEY_PRESET] = spec.preset
    ss[KEY_REGIONS] = list(spec.regions or [])
    ss[KEY_Q] = spec.q or ""
    # "low" is the weakest level, so "at least low" is the same as any confidence.
    ss[KEY_CONFIDENCE] = spec.min_confidence if spec.min_confidence in ("medium", "high") else ANY
    ss[KEY_PLATFORMS] = list(spec.platforms or [])
    ss[KEY_DEPTH_MIN] = spec.min_depth_km
    ss[KEY_DEPTH_MAX] = spec.max_depth_km
    ss[KEY_RETRACTED] = spec.retracted
    ss[KEY_AREA] = spec.area
    ss[KEY_SELECTED] = view.incident
    ss[KEY_GOTO] = ((view.lat, view.lon, view.zoom)
                    if view.lat is not None or view.zoom is not None else None)
    ss[KEY_VIEW] = (view.lat, view.lon, view.zoom) if view.lat is not None else None
    ss[KEY_PRESENT] = view.present
    ss[KEY_THEME] = view.theme
    ss[KEY_BRIEF] = view.brief
    ss[KEY_SLIDE] = view.slide


def _read_link_once(ctx: Context) -> None:
    """On a session's first run, restore the state from the URL and note what was ignored."""
    if st.session_state.get(KEY_READY):
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    spec, view, notices = urlstate.parse(params, ctx.known())
    _seed_state(ctx, spec, view)
    st.session_state[KEY_NOTICES] = notices
    st.session_state[KEY_MAP_NONCE] = 0
    st.session_state[KEY_READY] = True
    if view.brief and view.slide:  # a link to a slide opens that slide's own view
        try:
            _go_slide(ctx, view.brief, view.slide)
        except briefs.BriefError as exc:
            st.session_state[KEY_NOTICES] = [*notices, f"brief={view.brief}: {exc}"]


def _current_view() -> urlstate.View:
    ss = st.session_state
    lat, lon, zoom = ss.get(KEY_VIEW) or (None, None, None)
    return urlstate.View(lat, lon, zoom, ss.get(KEY_SELECTED), present=bool(ss.get(KEY_PRESENT)),
                         theme=ss.get(KEY_THEME), brief=ss.get(KEY_BRIEF),
                         slide=ss.get(KEY_SLIDE) if ss.get(KEY_BRIEF) else None)


def _write_link(spec: filters.FilterSpec) -> dict[str, str | list[str]]:
    params = urlstate.encode(spec, _current_view())
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {k: v if isinstance(v, list) else [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    return params


def _share_url(params: dict[str, str | list[str]]) -> str:
    base = st.context.url or "http://localhost:8501/"
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


# --- callbacks (run before the rerun, so they may set widget state) ---------------------

def _reset_filters(ctx: Context) -> None:
    _seed_state(ctx, filters.FilterSpec(), urlstate.View(brief=st.session_state.get(KEY_BRIEF)))
    st.session_state[KEY_GOTO] = mapping.EASTERN_FLANK_CENTER + (4.5,)
    st.session_state[KEY_MAP_NONCE] += 1
    st.session_state[KEY_LAST_DRAWINGS] = None


def _remove_area() -> None:
    st.session_state[KEY_AREA] = None
    st.session_state[KEY_LAST_DRAWINGS] = None
    st.session_state[KEY_GOTO] = st.session_state.get(KEY_VIEW) or st.session_state.get(KEY_GOTO)
    st.session_state[KEY_MAP_NONCE] += 1  # a fresh map drops the drawn shapes too


def _select(incident_id: str | None, ctx: Context, center: bool = True) -> None:
    st.session_state[KEY_SELECTED] = incident_id
    if incident_id and center:
        point = ctx.incidents.loc[incident_id].geometry.representative_point()
        zoom = (st.session_state.get(KEY_VIEW) or (None, None, None))[2]
        st.session_state[KEY_GOTO] = (point.y, point.x, zoom)


def _on_table_select(ctx: Context) -> None:
    rows = st.session_state[KEY_TABLE].selection.rows
    ids = st.session_state.get(KEY_TABLE_IDS, [])
    if rows and rows[0] < len(ids):
        _select(ids[rows[0]], ctx)


def _on_brush() -> None:
    brush = st.session_state[KEY_TIMELINE].selection.get("brush") or {}
    span = stats.brush_span(brush.get("period"), weekly=st.session_state.get(KEY_FREQ) == "Week")
    if span:
        st.session_state[KEY_DATES] = span


# --- sidebar ---------------------------------------------------------------------------

def _sidebar(ctx: Context) -> tuple[filters.FilterSpec, bool]:
    """Draw the filter widgets and return the FilterSpec they describe."""
    sb = st.sidebar
    sb.header("Filters")
    names = ctx.names
    preset = sb.pills("Region preset", list(ctx.places.presets), selection_mode="single",
                      format_func=lambda k: names.get(k, k), key=KEY_PRESET)

    picked = sb.date_input("Dates", min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1),
                           key=KEY_DATES, format="YYYY-MM-DD")
    # While the user is picking, the widget holds only the first day of the range.
    date_from, date_to = (tuple(picked) + (None, None))[:2] if picked else (None, None)
    if (date_from, date_to) == (ctx.first, ctx.last):
        date_from = date_to = None  # the whole record: a link then keeps up with new data

    chosen = sb.multiselect("Countries", ctx.country_options, key=KEY_COUNTRIES,
                            format_func=lambda c: f"{names.get(c, c)} ({c})",
                            placeholder="All countries")
    regions = ctx.places.regions
    if chosen:
        regions = regions[regions["country"].isin(chosen)]
    options = sorted(regions["iso_3166_2"], key=lambda r: (r[:2], names.get(r, r)))
    # Regions of a country just removed from the filter leave the selection.
    st.session_state[KEY_REGIONS] = [r for r in st.session_state.get(KEY_REGIONS, [])
                                     if r in set(options)]
    picked_regions = sb.multiselect(
        "Admin regions", options, key=KEY_REGIONS, format_func=lambda r: f"{names.get(r, r)} ({r})",
        placeholder="All regions" + (" of these countries" if chosen else ""),
        help="Oblasts, voivodeships, counties. An incident matches when it lies in the region.")

    types = sb.pills("Incident types", list(INCIDENT_TYPES), selection_mode="multi",
                     format_func=TYPE_LABELS.get, key=KEY_TYPES)
    platforms = sb.multiselect("Platform", list(PLATFORMS), key=KEY_PLATFORMS,
                               placeholder="All platforms")
    confidence = sb.segmented_control(
        "Minimum confidence", [ANY, *reversed(CONFIDENCES[:-1])], key=KEY_CONFIDENCE,
        format_func=lambda c: "Any" if c == ANY else f"{c.capitalize()}+" if c != "high" else "High")

    sb.markdown("**Distance from the Russia/Belarus/Ukraine border**")
    left, right = sb.columns(2)
    least = left.number_input("At least, km", min_value=0.0, step=10.0, key=KEY_DEPTH_MIN)
    most = right.number_input("At most, km", min_value=0.0, step=10.0, key=KEY_DEPTH_MAX)
    sb.caption("Incidents in NATO countries only; those located only to country level have "
               "no distance.")
    if least is not None and most is not None and least > most:
        sb.error(f"'At least' ({least:g} km) is more than 'at most' ({most:g} km): "
                 "distance filter not applied.")
        least = most = None

    q = sb.text_input("Search place, summary and quotes", key=KEY_Q,
                      placeholder="e.g. Rzeszow, debris, MiG-31")
    retracted = sb.checkbox("Show retracted records", key=KEY_RETRACTED,
                            help="Retracted records stay in the data with the reason; they are "
                                 "hidden unless this is ticked.")

    area = st.session_state.get(KEY_AREA)
    if area:
        sb.info("Area filter on: only incidents inside the drawn area are shown.")
        sb.button("Remove drawn area", on_click=_remove_area, use_container_width=True)
    else:
        sb.caption("Draw a rectangle or polygon on the map (tools at its top left) to keep "
                   "only the incidents inside it.")
    sb.button("Reset all filters", on_click=_reset_filters, args=(ctx,), use_container_width=True)
    with sb.expander("Basemap"):
        tiles = st.checkbox("Online map tiles (OpenStreetMap, needs internet)", key=KEY_TILES)

    spec = filters.FilterSpec(
        date_from=date_from, date_to=date_to,
        countries=tuple(chosen) or None,
        types=None if len(types) == len(INCIDENT_TYPES) else tuple(
            t for t in INCIDENT_TYPES if t in types),
        regions=tuple(picked_regions) or None,
        preset=preset, area=area, q=q.strip() or None,
        min_confidence=None if confidence in (None, ANY) else confidence,
        platforms=tuple(platforms) or None,
        min_depth_km=least, max_depth_km=most, retracted=retracted,
    )
    return spec, tiles


KEY_BRIEF_MSG = "brief_message"
KEY_NEW_PACK = "new_pack_name"
KEY_SLIDE_TITLE = "slide_title"
KEY_SLIDE_NOTE = "slide_note"
KEY_PDF_NOTES = "pdf_notes"


def _brief_message(kind: str, text: str) -> None:
    st.session_state[KEY_BRIEF_MSG] = (kind, text)


def _create_pack() -> None:
    text = st.session_state.get(KEY_NEW_PACK, "").strip()
    try:
        name = briefs.safe_name(text.lower().replace(" ", "-"))
        briefs.save_pack(briefs.new_pack(name, text), expected_version=None)
    except (briefs.BriefError, settings.ReadOnlyError) as exc:
        _brief_message("error", str(exc))
        return
    st.session_state[KEY_BRIEF] = name
    st.session_state[KEY_NEW_PACK] = ""
    _brief_message("success", f"Created brief pack {name!r}.")


def _change_pack(name: str, version: int, change, done: str) -> None:
    """Apply ``change`` (Pack -> Pack) to the pack as it was shown (``version``) and save;
    a pack changed elsewhere meanwhile is refused, never overwritten."""
    try:
        # save_pack refuses if the file is no longer at the version the user was shown.
        briefs.save_pack(change(briefs.load_pack(name)), expected_version=version)
    except (briefs.BriefError, settings.ReadOnlyError) as exc:
        _brief_message("error", str(exc))
        return
    _brief_message("success", done)


def _add_view(ctx: Context, spec: filters.FilterSpec, name: str, version: int) -> None:
    ss = st.session_state
    view = replace(_current_view(), present=False, theme=None, brief=None, slide=None)
    params = {k: v if isinstance(v, list) else [v] for k, v in urlstate.encode(spec, view).items()}
    title = ss.get(KEY_SLIDE_TITLE, "").strip() or filters.describe(spec, ctx.names)[:80]
    _change_pack(name, version,
                 lambda p: briefs.add_slide(p, title, ss.get(KEY_SLIDE_NOTE, ""), params),
                 f"Added “{title}” to {name}.")
    ss[KEY_SLIDE_TITLE] = ss[KEY_SLIDE_NOTE] = ""


def _pack_editor(ctx: Context, spec: filters.FilterSpec, pack: briefs.Pack) -> None:
    """Add, reorder, show, delete and edit the slides of a pack (not on read-only deployments)."""
    st.text_input("Slide title", key=KEY_SLIDE_TITLE, placeholder="defaults to the filters")
    st.text_area("Speaker note", key=KEY_SLIDE_NOTE, height=68)
    st.button("Add this view to the brief", icon=":material/add:", on_click=_add_view,
              args=(ctx, spec, pack.name, pack.version), use_container_width=True)
    for i, slide in enumerate(pack.slides):
        label, up, down, show, drop = st.columns([6, 1, 1, 1, 1], vertical_alignment="center")
        label.markdown(_md(f"{i + 1}. {slide.title}"))
        up.button("", icon=":material/arrow_upward:", key=f"up-{slide.id}", help="Move up",
                  on_click=_change_pack, args=(pack.name, pack.version, lambda p, s=slide.id:
                                               briefs.move_slide(p, s, -1), "Moved."))
        down.button("", icon=":material/arrow_downward:", key=f"down-{slide.id}",
                    help="Move down", on_click=_change_pack,
                    args=(pack.name, pack.version,
                          lambda p, s=slide.id: briefs.move_slide(p, s, 1), "Moved."))
        show.button("", icon=":material/visibility:", key=f"show-{slide.id}",
                    help="Show this slide", on_click=_go_slide, args=(ctx, pack.name, i + 1))
        drop.button("", icon=":material/delete:", key=f"del-{slide.id}", help="Delete",
                    on_click=_change_pack, args=(pack.name, pack.version, lambda p, s=slide.id:
                                                 briefs.delete_slide(p, s), "Deleted."))
        with st.popover("Edit", use_container_width=True):
            title = st.text_input("Title", slide.title, key=f"title-{slide.id}")
            note = st.text_area("Note", slide.note, key=f"note-{slide.id}")
            st.button("Save", key=f"save-{slide.id}", on_click=_change_pack,
                      args=(pack.name, pack.version, lambda p, s=slide.id, t=title, n=note:
                            briefs.update_slide(p, s, title=t, note=n), "Saved."))


def _briefing_sidebar(ctx: Context, spec: filters.FilterSpec, cfg: settings.Settings) -> None:
    ss = st.session_state
    sb = st.sidebar
    with sb.expander("Time playback", expanded=bool(ss.get(KEY_PLAY_ON))):
        st.toggle("Play back the selected dates", key=KEY_PLAY_ON,
                  help="Step through the date range: this step's incidents emphasised, "
                       "earlier ones faded. Controls appear above the map.")
        st.segmented_control("Step", ["Day", "Week"], default="Day", key=KEY_PLAY_FREQ)
        st.radio("Earlier incidents", ["Cumulative", "Sliding window"], key=KEY_PLAY_MODE,
                 horizontal=True)
        st.number_input("Window (steps)", min_value=1, max_value=60, value=3, key=KEY_PLAY_WINDOW,
                        disabled=ss.get(KEY_PLAY_MODE) != "Sliding window")
        st.select_slider("Seconds per step", [0.5, 1.0, 2.0, 3.0], value=1.0, key=KEY_PLAY_SPEED)

    with sb.expander("Brief pack & presentation", expanded=bool(ss.get(KEY_BRIEF))):
        st.segmented_control("Projector theme", ["dark", "light"], key=KEY_THEME,
                             format_func=str.capitalize)
        packs = briefs.list_packs()
        if ss.get(KEY_BRIEF) and ss[KEY_BRIEF] not in packs:
            st.error(_md(f"Brief pack {ss[KEY_BRIEF]!r} was not found in {briefs.BRIEFS_DIR}."))
            ss[KEY_BRIEF] = None
        st.selectbox("Pack", [None, *packs], key=KEY_BRIEF,
                     format_func=lambda n: "— none —" if n is None else n)
        if not cfg.read_only:
            new, create = st.columns([3, 2], vertical_alignment="bottom")
            new.text_input("New pack", key=KEY_NEW_PACK, placeholder="e.g. morning-brief")
            create.button("Create", on_click=_create_pack, use_container_width=True)
        if message := ss.pop(KEY_BRIEF_MSG, None):
            (st.error if message[0] == "error" else st.success)(_md(message[1]))
        pack = _load_pack(ss.get(KEY_BRIEF))
        if pack is None:
            st.button("Present this view", icon=":material/slideshow:", on_click=_present,
                      args=(ctx, None), use_container_width=True)
            return
        for problem in briefs.check_pack(pack, ctx.known()):
            st.warning(_md(problem))
        if cfg.read_only:
            for i, slide in enumerate(pack.slides):
                st.button(_md(f"{i + 1}. {slide.title}"), key=f"show-{slide.id}",
                          on_click=_go_slide, args=(ctx, pack.name, i + 1),
                          use_container_width=True)
        else:
            _pack_editor(ctx, spec, pack)
        st.button("Present the brief", icon=":material/slideshow:", type="primary",
                  on_click=_present, args=(ctx, pack.name), use_container_width=True,
                  disabled=not pack.slides)
        if pack.last_presented:
            st.caption(f"Last presented {pack.last_presented[:16].replace('T', ' ')} UTC; "
                       "incidents added since are ringed in yellow when you present it.")
        notes = st.checkbox("PDF with speaker-note pages", key=KEY_PDF_NOTES)
        st.download_button(
            "Brief as PDF", icon=":material/download:", use_container_width=True,
            disabled=not pack.slides, file_name=f"{pack.name}.pdf", mime="application/pdf",
            data=lambda: briefs.pack_pdf(pack, ctx.incidents, ctx.countries, ctx.airports,
                                         ctx.places, ctx.names, notes=notes,
                                         data_as_of=ctx.last))



# --- curation: add, edit, retract, history -------------------------------------------------

def _editable(cfg: settings.Settings) -> bool:
    return not cfg.read_only and cfg.data.suffix.lower() in (".geojson", ".json")


def _store_message(kind: str, text: str) -> None:
    st.session_state[KEY_STORE_MSG] = (kind, text)


def _save_problem(exc: Exception) -> None:
    """Show why a save was refused, inside the open dialog (which stays open)."""
    lines = [str(exc), *(str(p) for p in getattr(exc, "problems", [])[:30])]
    st.error("Not saved. " + "\n\n".join(_md(line) for line in lines))


def _choice_index(options, value) -> int:
    options = list(options)
    return options.index(value) if value in options else 0


def _close_dialog() -> None:
    st.session_state[KEY_DIALOG] = None


@st.dialog("Incident", width="large", on_dismiss=_close_dialog)
def _incident_dialog(ctx: Context, incident_id: str | None) -> None:
    """Add a new incident (``incident_id`` None) or edit one; validated before saving."""
    ss = st.session_state
    base: store.Snapshot = ss[KEY_EDIT_BASE]
    original = base.feature(incident_id) if incident_id else None
    d = editing.defaults(original, *(ss.get(KEY_MAP_POINT) or (None, None)))
    if original is None:
        st.caption("Every incident needs its source document and a short verbatim quote. "
                   "Say in the notes what was inferred (location, date).")
    countries = list(dict.fromkeys([*ctx.country_options, d["country"]]))
    with st.form("incident_form", border=False):
        v: dict = {}
        a, b, c = st.columns(3)
        v["type"] = a.selectbox("Type", INCIDENT_TYPES, _choice_index(INCIDENT_TYPES, d["type"]),
                                format_func=TYPE_LABELS.get)
        v["date"] = b.date_input("Date", d["date"], format="YYYY-MM-DD")
        v["end_date"] = c.date_input("End date (optional)", d["end_date"], format="YYYY-MM-DD")
        v["date_precision"] = a.selectbox("Date precision", DATE_PRECISIONS,
                                          _choice_index(DATE_PRECISIONS, d["date_precision"]))
        v["country"] = b.selectbox("Country", countries, _choice_index(countries, d["country"]),
                                   format_func=lambda x: f"{ctx.names.get(x, x)} ({x})")
        v["region"] = c.text_input("Region (optional)", d["region"])
        v["place"] = a.text_input("Place", d["place"])
        v["location_precision"] = b.selectbox(
            "Location precision", LOCATION_PRECISIONS,
            _choice_index(LOCATION_PRECISIONS, d["location_precision"]))
        v["platform"] = c.selectbox("Platform", PLATFORMS, _choice_index(PLATFORMS, d["platform"]))
        v["lat"] = a.number_input("Latitude", -90.0, 90.0, d["lat"], format="%.5f",
                                  help="Click the map before opening this form to fill it in.")
        v["lon"] = b.number_input("Longitude", -180.0, 180.0, d["lon"], format="%.5f")
        v["icao"] = c.text_input("Airport ICAO (closures)", d["icao"], max_chars=4)
        for col, name in zip(st.columns(5), ("drones", "aircraft", "missiles", "killed", "injured"),
                             strict=True):
            v[name] = col.number_input(name.capitalize(), 0, None, d[name], step=1)
        v["summary"] = st.text_area("Summary", d["summary"], height=68)
        a, b = st.columns([2, 1])
        v["document"] = a.text_input("Source document", d["document"])
        v["publisher"] = b.text_input("Publisher (optional)", d["publisher"])
        v["quote"] = st.text_area("Supporting quote (verbatim, at most 30 words)", d["quote"],
                                  height=68)
        v["url"] = st.text_input("Source link (optional, http/https)", d["url"])
        a, b = st.columns([1, 2])
        v["confidence"] = a.selectbox("Confidence", CONFIDENCES,
                                      _choice_index(CONFIDENCES, d["confidence"]))
        v["related_ids"] = b.multiselect("Related incidents", sorted(base.ids - {incident_id}),
                                         [r for r in d["related_ids"] if r in base.ids])
        v["notes"] = st.text_area("Notes: what was inferred, and from what", d["notes"], height=68)
        v["id"] = st.text_input("Id", d["id"], disabled=original is not None,
                                placeholder="left empty: made from country, type and date")
        note = st.text_input("Change note (kept in the history)")
        submitted = st.form_submit_button("Save", type="primary")
    if not submitted:
        return
    if original is None and not (v["id"] or "").strip():
        v["id"] = editing.new_id(v["country"], v["type"], v["date"], base.ids)
    feature, problems = editing.to_feature(v, original)
    if problems:
        _save_problem(DataError(f"{len(problems)} problem(s):", problems))
        return
    try:
        (store.edit if original else store.add)(base, feature, note)
    except (DataError, settings.ReadOnlyError) as exc:
        _save_problem(exc)
        return
    _store_message("success", f"Saved {feature['id']}.")
    ss[KEY_SELECTED] = feature["id"]
    _close_dialog()
    st.rerun()


@st.dialog("Retract incident", on_dismiss=_close_dialog)
def _retract_dialog(incident_id: str) -> None:
    st.markdown(f"Retract **{_md(incident_id)}**? The record stays in the data, marked "
                "retracted with your reason, and is hidden unless “Show retracted records” "
                "is ticked.")
    with st.form("retract_form", border=False):
        reason = st.text_area("Reason (required)")
        submitted = st.form_submit_button("Retract", type="primary")
    if submitted:
        try:
            store.retract(st.session_state[KEY_EDIT_BASE], incident_id, reason)
        except (DataError, settings.ReadOnlyError) as exc:
            _save_problem(exc)
            return
        _store_message("success", f"Retracted {incident_id}.")
        _close_dialog()
        st.rerun()


def _open_dialog(cfg: settings.Settings, kind: str, incident_id: str | None) -> None:
    """Open a curation dialog on a snapshot of the data: its version is what a later save
    checks against, so a change made elsewhere meanwhile is never overwritten."""
    try:
        st.session_state[KEY_EDIT_BASE] = store.open_snapshot(cfg.data)
    except DataError as exc:
        _store_message("error", str(exc))
        return
    st.session_state[KEY_DIALOG] = (kind, incident_id)


def _dialogs(ctx: Context, cfg: settings.Settings) -> None:
    """Show the open curation dialog, if any (it stays open until saved or dismissed)."""
    kind, incident_id = st.session_state.get(KEY_DIALOG) or (None, None)
    if kind is None or not _editable(cfg) or KEY_EDIT_BASE not in st.session_state:
        return
    if kind == "incident":
        _incident_dialog(ctx, incident_id)
    elif kind == "retract" and incident_id:
        _retract_dialog(incident_id)


def _restore(cfg: settings.Settings, incident_id: str) -> None:
    try:
        store.restore(store.open_snapshot(cfg.data), incident_id)
    except (DataError, settings.ReadOnlyError) as exc:
        _store_message("error", f"Not restored: {exc}")
        return
    _store_message("success", f"Restored {incident_id}.")


def _short(value, limit: int = 120) -> str:
    text = "—" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _history(cfg: settings.Settings, incident_id: str) -> None:
    entries = store.history(cfg.data, incident_id)
    with st.expander(f"Change history ({len(entries)})"):
        if not entries:
            st.caption("No recorded changes: the record is as first curated.")
            return
        for e in reversed(entries):
            head = f"{e.at.replace('T', ' ')[:16]} UTC · {e.action}"
            note = e.note or (f"from {e.source}" if e.source else "")
            st.markdown(f"**{_md(head)}**" + (f" — {_md(note)}" if note else ""))
            for name, (old, new) in (e.changes.get(incident_id) or {}).items():
                st.caption(_md(f"{name}: {_short(old)} → {_short(new)}"))


def _curation_sidebar(ctx: Context, cfg: settings.Settings) -> None:
    sb = st.sidebar
    if cfg.read_only:
        sb.caption("Read-only deployment: adding, editing, retracting, saving imports and "
                   "changing brief packs are switched off.")
        return
    if not _editable(cfg):
        sb.caption(f"The data file {cfg.data.name} is not GeoJSON, so it cannot be edited here.")
        return
    with sb.expander("Curate incidents"):
        point = st.session_state.get(KEY_MAP_POINT)
        st.caption(f"Map point: {point[0]:.4f}, {point[1]:.4f} (click the map to move it)"
                   if point else "Click the map to place a new incident, or type coordinates.")
        st.button("Add incident", icon=":material/add_location:", use_container_width=True,
                  key="add_incident", on_click=_open_dialog, args=(cfg, "incident", None))


# --- import: upload, preview, save --------------------------------------------------------

MAPPED = ("lat", "lon", "date", "type", "country", "place", "summary", "source", "platform")


def _upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def _run_import(ctx: Context, upload, fmt: str | None, columns: importer.ColumnMap | None):
    """Import the uploaded file once per (file, format, column choice); kept in the session."""
    key = (upload.file_id, fmt, columns)
    cached = st.session_state.get(KEY_IMPORT)
    if cached and cached[0] == key:
        return cached[1]
    result = importer.import_bytes(upload.getvalue(), upload.name, fmt, columns,
                                   existing_ids=set(ctx.incidents["id"]))
    st.session_state[KEY_IMPORT] = (key, result, upload.name)
    return result


def _preview_frame(ctx: Context) -> gpd.GeoDataFrame | None:
    """The valid rows of the current upload as incidents (marked ``preview``), when the user
    asked to see them on the map; None otherwise."""
    cached = st.session_state.get(KEY_IMPORT)
    if not cached or not st.session_state.get(KEY_IMPORT_PREVIEW) or not cached[1].features:
        return None
    frame = geo.enrich(load.incidents_frame(cached[1].feature_collection()), ctx.countries)
    return frame.assign(preview=True)


def _save_import(cfg: settings.Settings) -> None:
    ss = st.session_state
    _, result, name = ss[KEY_IMPORT]
    try:
        saved = store.import_features(store.open_snapshot(cfg.data), result.features, name,
                                      ss.get(KEY_IMPORT_NOTE, ""))
    except (DataError, settings.ReadOnlyError) as exc:
        problems = "; ".join(str(p) for p in getattr(exc, "problems", [])[:5])
        _store_message("error", f"Import not saved: {exc}" + (f" ({problems})" if problems else ""))
        return
    _store_message("success", f"Added {len(result.features)} incidents from {name} "
                              f"({len(saved.features)} in the data now).")
    ss[KEY_IMPORT] = None
    ss[KEY_IMPORT_PREVIEW] = False
    ss[KEY_UPLOAD_NONCE] = ss.get(KEY_UPLOAD_NONCE, 0) + 1


def _column_map(base: importer.ColumnMap, chosen: dict[str, str | None]) -> importer.ColumnMap:
    """The detected columns with the user's choices on top ("—" removes a column)."""
    return replace(base, **chosen)


def _column_choice(widget: str, columns: list[str], guessed: importer.ColumnMap,
                   expanded: bool) -> None:
    """Selectboxes naming which column feeds each field; a change re-imports the file."""
    with st.expander("Columns used", expanded=expanded):
        st.caption("Detected from the header; choose others if a field was missed or wrong.")
        options = [None, *columns]
        for col, field in zip(st.columns(len(MAPPED)), MAPPED, strict=True):
            current = getattr(guessed, field)
            col.selectbox(field, options, options.index(current) if current in options else 0,
                          key=widget + field, format_func=lambda c: "—" if c is None else c)


def _import_panel(ctx: Context, cfg: settings.Settings) -> None:
    ss = st.session_state
    st.caption("GeoJSON (ours or any other), CSV with coordinate columns, ACLED export CSV, "
               f"GeoPackage or KML, up to {_upload_limit_mb()} MB. Nothing is kept until you "
               "save; every saved import is logged in the change history.")
    left, right = st.columns([3, 2])
    upload = left.file_uploader("File to import", key=f"upload-{ss.get(KEY_UPLOAD_NONCE, 0)}",
                                type=["geojson", "json", "csv", "txt", "gpkg", "kml"])
    fmt = right.selectbox("Format", [None, *importer.FORMATS], key=KEY_IMPORT_FORMAT,
                          format_func=lambda f: "Detect from the file" if f is None
                          else importer.FORMAT_LABELS[f])
    if upload is None:
        ss[KEY_IMPORT] = None
        return
    if upload.size > _upload_limit_mb() * 1024 * 1024:
        st.error(f"{_md(upload.name)} is {upload.size / 1e6:.1f} MB; the limit is "
                 f"{_upload_limit_mb()} MB (server.maxUploadSize in .streamlit/config.toml).")
        return
    widget = f"col-{upload.file_id}-"  # the user's column choices for this file
    chosen = {f: ss[widget + f] for f in MAPPED if widget + f in ss}
    columns = None
    if chosen:
        cached = ss.get(KEY_IMPORT)
        known = (cached[1].source_columns if cached and cached[0][0] == upload.file_id
                 else importer.header_columns(upload.getvalue(), upload.name))
        columns = _column_map(importer.guess_columns(known), chosen)
    try:
        result = _run_import(ctx, upload, fmt, columns)
    except DataError as exc:
        ss[KEY_IMPORT] = None
        st.error(_md(f"Cannot import: {exc}"))
        header = importer.header_columns(upload.getvalue(), upload.name)
        if header:  # a table whose coordinate columns were not recognised: let the user say
            _column_choice(widget, header, importer.guess_columns(header), expanded=True)
        return
    if result.columns is not None and fmt != "acled" and result.format != "acled":
        _column_choice(widget, result.source_columns, result.columns,
                       expanded=not result.features)
    st.markdown(_md(result.summary()))
    read, valid, rejected = st.columns(3)
    read.metric("Rows read", result.rows_read)
    valid.metric("Valid", len(result.features))
    rejected.metric("Rejected", result.rows_rejected)
    for warning in result.warnings:
        st.info(_md(warning))
    if result.rejected:
        st.markdown("**Rejected rows**")
        st.dataframe(importer.rejected_frame(result), hide_index=True, use_container_width=True)
    if not result.features:
        return
    st.checkbox(f"Show the {len(result.features)} valid rows on the map (preview, not saved), "
                "filtered like the rest", key=KEY_IMPORT_PREVIEW)
    if not _editable(cfg):
        st.caption("This deployment cannot save imports (read-only, or the data file is not "
                   "GeoJSON).")
        return
    st.text_input("Note for the change history", key=KEY_IMPORT_NOTE,
                  placeholder=f"e.g. ACLED weekly export, {dt.date.today():%-d %b %Y}")
    st.button(f"Add {len(result.features)} incidents to the data", type="primary",
              icon=":material/save:", on_click=_save_import, args=(cfg,))


# --- main area -------------------------------------------------------------------------

def _metrics(shown: gpd.GeoDataFrame) -> None:
    counts = stats.counts_by_type(shown)
    head = stats.headline(shown)
    figures = [("Incidents", head.incidents), ("Countries", head.countries),
               ("Airports closed", head.airports_closed), ("Drones reported", head.drones_reported),
               *((TYPE_LABELS[t], int(counts[t])) for t in INCIDENT_TYPES)]
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, value)


def _handle_map_output(out: dict, ctx: Context) -> None:
    """React to the browser: remember the view, select a clicked incident, apply drawings."""
    ss = st.session_state
    if out.get("center") and out.get("zoom") is not None:
        view = (round(out["center"]["lat"], 4), round(out["center"]["lng"], 4), out["zoom"])
        if view != ss.get(KEY_VIEW):
            ss[KEY_VIEW] = view
            st.query_params.update({"lat": f"{view[0]:g}", "lon": f"{view[1]:g}",
                                    "zoom": f"{view[2]:g}"})

    bounds = out.get("bounds") or {}
    south_west, north_east = bounds.get("_southWest"), bounds.get("_northEast")
    if south_west and north_east and None not in (south_west.get("lng"), north_east.get("lat")):
        ss[KEY_BOUNDS] = (max(south_west["lng"], -180.0), max(south_west["lat"], -90.0),
                          min(north_east["lng"], 180.0), min(north_east["lat"], 90.0))

    clicked_at = out.get("last_clicked") or {}
    if clicked_at.get("lat") is not None and clicked_at.get("lng") is not None:
        ss[KEY_MAP_POINT] = (round(clicked_at["lat"], 5), round(clicked_at["lng"], 5))

    tip = out.get("last_object_clicked_tooltip")
    if tip and tip != ss.get(KEY_LAST_CLICK):
        ss[KEY_LAST_CLICK] = tip
        clicked = mapping.clicked_id(tip, ctx.incidents.index)
        if clicked and clicked != ss.get(KEY_SELECTED):
            _select(clicked, ctx, center=False)
            st.rerun()

    drawings = out.get("all_drawings")
    if drawings is not None and json.dumps(drawings) != json.dumps(ss.get(KEY_LAST_DRAWINGS)):
        ss[KEY_LAST_DRAWINGS] = drawings
        ss[KEY_AREA] = geo.area_from_drawings(drawings)
        st.rerun()


def _play_step(delta: int, last: int) -> None:
    st.session_state[KEY_PLAYING] = False
    st.session_state[KEY_PLAY_STEP] = min(max(st.session_state.get(KEY_PLAY_STEP, 0) + delta, 0), last)


def _toggle_play(last: int) -> None:
    ss = st.session_state
    ss[KEY_PLAYING] = not ss.get(KEY_PLAYING)
    if ss[KEY_PLAYING] and ss.get(KEY_PLAY_STEP, 0) >= last:
        ss[KEY_PLAY_STEP] = 0  # play again from the start
    ss[KEY_PLAY_LAST] = time.monotonic()


def _playback_frames(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec
                     ) -> list[playback.Frame]:
    ss = st.session_state
    if not ss.get(KEY_PLAY_ON):
        return []
    window = ss.get(KEY_PLAY_WINDOW) if ss.get(KEY_PLAY_MODE) == "Sliding window" else None
    return playback.frames(shown, spec.date_from or ctx.first, spec.date_to or ctx.last,
                           "W" if ss.get(KEY_PLAY_FREQ) == "Week" else "D", window)


def _current_frame(frames: list[playback.Frame]) -> playback.Frame:
    """The step to show; while playing, move one step on when its time is up."""
    ss = st.session_state
    step = min(ss.get(KEY_PLAY_STEP, 0), len(frames) - 1)
    if ss.get(KEY_PLAYING) and time.monotonic() - ss.get(KEY_PLAY_LAST, 0.0) >= (
            ss.get(KEY_PLAY_SPEED, 1.0) * 0.9):
        if step >= len(frames) - 1:
            ss[KEY_PLAYING] = False
            st.rerun()  # the whole app, so the timer that drives playback stops
        step += 1
        ss[KEY_PLAY_LAST] = time.monotonic()
    ss[KEY_PLAY_STEP] = step
    return frames[step]


def _map_body(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec, tiles: bool,
              share: dict, frames: list[playback.Frame], new_ids: frozenset[str]) -> None:
    """The map (and the playback controls). Map interactions rerun only this fragment."""
    ss = st.session_state
    present = bool(ss.get(KEY_PRESENT))
    theme = (ss.get(KEY_THEME) or "default") if present else "default"
    classes = {i: "ef-new" for i in new_ids}
    if frames:
        frame = _current_frame(frames)
        if not present:
            back, play, forward, slider = st.columns([1, 1, 1, 12], vertical_alignment="center")
            back.button("", icon=":material/skip_previous:", key="play_back",
                        on_click=_play_step, args=(-1, len(frames) - 1), help="Previous step")
            play.button("", icon=":material/pause:" if ss.get(KEY_PLAYING) else
                        ":material/play_arrow:", key="play_toggle", on_click=_toggle_play,
                        args=(len(frames) - 1,), help="Play / pause")
            forward.button("", icon=":material/skip_next:", key="play_forward",
                           on_click=_play_step, args=(1, len(frames) - 1), help="Next step")
            slider.slider("Step", 0, max(len(frames) - 1, 1), key=KEY_PLAY_STEP,
                          label_visibility="collapsed", disabled=len(frames) < 2,
                          format=" ", on_change=lambda: ss.update({KEY_PLAYING: False}))
        visible = set(frame.current) | set(frame.earlier)
        shown = shown[shown["id"].isin(visible)]
        for incident_id in frame.current:
            classes[incident_id] = f"ef-current {classes.get(incident_id, '')}".strip()
        for incident_id in frame.earlier:
            classes[incident_id] = f"ef-faded {classes.get(incident_id, '')}".strip()
        st.html(PLAY_CSS)
        with st.container(key="play_date"):
            st.markdown(_md(f"{frame.label} · {len(frame.current)} new, "
                            f"{len(frame.earlier)} earlier"))
    selected = ss.get(KEY_SELECTED)
    row = ctx.incidents.loc[selected] if selected in ctx.incidents.index else None
    goto = ss.get(KEY_GOTO)
    # Clicks on empty map place a new incident: only where incidents can be added.
    editable = not present and _editable(settings.load_settings())
    map_key = f"map-{ss[KEY_MAP_NONCE]}-{theme}"
    # The view the browser reported (st_folium's on_change stores it under the key before
    # this rerun): count the incidents in view and pick symbols, clusters or density.
    bounds, zoom = mapping.view_of(ss.get(map_key))
    if bounds is None:
        bounds = ss.get(KEY_BOUNDS)
    if zoom is None and ss.get(KEY_VIEW):
        zoom = ss[KEY_VIEW][2]
    layers = mapping.auto_layers(shown, ctx.airports, bounds=bounds, zoom=zoom, theme=theme,
                                 classes=classes)
    out = st_folium(
        mapping.build_map(ctx.countries, ctx.airports, online_tiles=tiles, drawing=not present,
                          theme=theme),
        key=map_key,
        feature_group_to_add=[*layers.groups,
                              mapping.area_layer(geo.parse_area(spec.area) if spec.area else None),
                              mapping.highlight_layer(row)],
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=["last_object_clicked_tooltip", "all_drawings", "center", "zoom",
                          "bounds", *(["last_clicked"] if editable else [])],
        center=goto[:2] if goto and goto[0] is not None else None,
        zoom=goto[2] if goto else None,
        use_container_width=True,
        height=MAP_HEIGHT_PRESENT if present else MAP_HEIGHT,
    )
    _handle_map_output(out or {}, ctx)
    if not present:
        st.caption(_md(layers.legend))
        params = {**share, **urlstate.encode(filters.FilterSpec(), _current_view())}
        with st.popover("Link to this view", icon=":material/link:"):
            st.caption("Opens exactly these filters and this map view. Copy it with the icon.")
            st.code(_share_url(params), language=None, wrap_lines=True)


def _map_panel(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec, tiles: bool,
               share: dict, new_ids: frozenset[str]) -> None:
    frames = _playback_frames(ctx, shown, spec)
    playing = bool(frames) and st.session_state.get(KEY_PLAYING)
    # While playing, a timer reruns just the map fragment every step.
    run_every = st.session_state.get(KEY_PLAY_SPEED, 1.0) if playing else None
    st.fragment(run_every=run_every)(_map_body)(ctx, shown, spec, tiles, share, frames, new_ids)


# --- brief packs and presentation -------------------------------------------------------

def _load_pack(name: str | None) -> briefs.Pack | None:
    if not name:
        return None
    try:
        return briefs.load_pack(name)
    except briefs.BriefError as exc:
        st.error(_md(f"Brief pack {name!r} could not be opened: {exc}"))
        return None


def _go_slide(ctx: Context, name: str, number: int) -> None:
    """Show slide ``number`` (1-based) of pack ``name``: its filters, view and title."""
    ss = st.session_state
    pack = briefs.load_pack(name)
    number = min(max(number, 1), len(pack.slides))
    spec, view, notices = urlstate.parse(pack.slides[number - 1].params, ctx.known())
    _seed_state(ctx, spec, replace(view, present=bool(ss.get(KEY_PRESENT)),
                                   theme=ss.get(KEY_THEME), brief=name, slide=number))
    ss[KEY_NOTICES] = [f"slide {number}: {n}" for n in notices]
    ss[KEY_MAP_NONCE] += 1  # a fresh map at the slide's own view


def _mark_presented(ctx: Context, pack: briefs.Pack) -> None:
    """Note which incidents are new since the pack was last presented, then record this
    presentation in the pack (once per session)."""
    ss = st.session_state
    new_ids = ss.setdefault(KEY_NEW_IDS, {})
    if pack.name in new_ids:
        return
    seen = set(pack.seen_ids) if pack.seen_ids is not None else None
    new_ids[pack.name] = frozenset(() if seen is None else set(ctx.incidents["id"]) - seen)
    if settings.load_settings().read_only:
        return  # a wall screen presents; it does not record
    try:
        briefs.save_pack(briefs.mark_presented(pack, list(ctx.incidents["id"]),
                                               dt.datetime.now(dt.UTC)),
                         expected_version=pack.version)
    except briefs.BriefError as exc:
        ss[KEY_NOTICES] = [f"could not record this presentation in the pack: {exc}"]


def _present(ctx: Context, name: str | None) -> None:
    """Enter presentation view; with a pack, from its first slide, noting what is new."""
    ss = st.session_state
    ss[KEY_PRESENT] = True
    ss[KEY_THEME] = ss.get(KEY_THEME) or "dark"
    if not name:
        return
    pack = briefs.load_pack(name)
    _mark_presented(ctx, pack)
    if pack.slides:
        _go_slide(ctx, name, 1)


def _exit_presentation() -> None:
    st.session_state[KEY_PRESENT] = False
    st.session_state[KEY_MAP_NONCE] += 1


def _presentation(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec, tiles: bool,
                  share: dict) -> None:
    """The projector view: the map fills the screen, a large title, a small nav bar."""
    ss = st.session_state
    panel, text = THEME_VARS[ss.get(KEY_THEME)]
    st.html(PRESENT_CSS.replace("<style>", f"<style>:root {{ --ef-panel: {panel}; "
                                            f"--ef-text: {text}; }}"))
    pack = _load_pack(ss.get(KEY_BRIEF))
    if pack:
        _mark_presented(ctx, pack)
    number = ss.get(KEY_SLIDE) or 1
    slide = pack.slides[number - 1] if pack and 0 < number <= len(pack.slides) else None
    with st.container(key="present_title"):
        st.markdown(f"# {_md(slide.title if slide else export.DEFAULT_TITLE)}")
        st.markdown(_md(f"{filters.describe(spec, ctx.names)} · {len(shown)} incidents · "
                        f"data as of {ctx.last:%-d %b %Y}"))
    new_ids = ss.get(KEY_NEW_IDS, {}).get(pack.name, frozenset()) if pack else frozenset()
    _map_panel(ctx, shown, spec, tiles, share, new_ids)
    with st.container(key="present_nav", horizontal=True, vertical_alignment="center"):
        total = len(pack.slides) if pack else 0
        st.button("", icon=":material/chevron_left:", key="nav_prev", help="Previous (←)",
                  disabled=not pack or number <= 1, on_click=_go_slide,
                  args=(ctx, pack.name if pack else "", number - 1))
        st.markdown(_md(f"{number} / {total}") if pack else "")
        st.button("", icon=":material/chevron_right:", key="nav_next", help="Next (→)",
                  disabled=not pack or number >= total, on_click=_go_slide,
                  args=(ctx, pack.name if pack else "", number + 1))
        if _playback_frames(ctx, shown, spec):
            st.button("", icon=":material/pause:" if ss.get(KEY_PLAYING) else
                      ":material/play_arrow:", key="nav_play", on_click=_toggle_play,
                      args=(10**9,), help="Play / pause the time playback")
        st.button("", icon=":material/close:", key="nav_exit", help="Leave (Esc)",
                  on_click=_exit_presentation)
    components.html(KEYS_JS, height=0)
    if slide and slide.note:
        with st.expander("Speaker note"):
            st.markdown(_md(slide.note))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def _md(text: str) -> str:
    """Data text shown through st.markdown: escape every Markdown and Streamlit directive."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _detail_card(ctx: Context, shown: gpd.GeoDataFrame, cfg: settings.Settings) -> None:
    selected = st.session_state.get(KEY_SELECTED)
    if selected not in ctx.incidents.index:
        st.info("Click a symbol on the map, or select a row in the table, to see the incident's "
                "details and sources here.")
        return
    row = ctx.incidents.loc[selected]
    with st.container(border=True, key="detail_card"):
        st.markdown(f"#### {_md(TYPE_LABELS[row['type']])}: {_md(row['place'])}")
        if row["status"] == "retracted":
            st.warning(f"Retracted: {_md(row['retraction_reason'])}")
        if selected not in shown.index:
            st.caption("Not in the current filter selection.")
        st.markdown("  \n".join(f"**{_md(label)}:** {_md(value)}"
                                for label, value in detail.fields(row)))
        st.markdown("**Sources**")
        for source in row["sources"]:
            st.markdown(f"> “{_md(source['quote'])}”")
            st.caption(_md(f"{source.get('publisher') or ''} {source['document']}".strip()))
        related = [r for r in row["related_ids"] if r in ctx.incidents.index]
        if related:
            st.markdown("**Related incidents**")
            for rid in related:
                st.button(_md(f"{TYPE_LABELS[ctx.incidents.loc[rid, 'type']]}: "
                              f"{ctx.incidents.loc[rid, 'place']} ({rid})"),
                          key=f"related-{rid}", on_click=_select, args=(rid, ctx))
        if row["origin"]:
            with st.expander("Original imported fields"):
                st.dataframe([{"Field": k, "Value": "" if v is None else str(v)}
                              for k, v in row["origin"].items()], hide_index=True,
                             use_container_width=True)
        if row.get("preview") is True:
            st.caption("Import preview: not saved yet.")
        elif _editable(cfg):
            edit, retract = st.columns(2)
            edit.button("Edit", icon=":material/edit:", key="edit-incident",
                        use_container_width=True, on_click=_open_dialog,
                        args=(cfg, "incident", selected))
            if row["status"] == "retracted":
                retract.button("Restore", icon=":material/undo:", key="restore-incident",
                               use_container_width=True, on_click=_restore, args=(cfg, selected))
            else:
                retract.button("Retract", icon=":material/block:", key="retract-incident",
                               use_container_width=True, on_click=_open_dialog,
                               args=(cfg, "retract", selected))
        _history(cfg, selected)
        st.button("Clear selection", on_click=_select, args=(None, ctx), key="clear-selection")


def _table(ctx: Context, shown: gpd.GeoDataFrame) -> None:
    frame = stats.table(shown, limit=stats.TABLE_LIMIT)
    if len(shown) > len(frame):
        st.caption(f"The {len(frame):,} newest of {len(shown):,} incidents; every one is in the "
                   "counts, charts and exports.")
    st.session_state[KEY_TABLE_IDS] = list(frame["id"])
    frame["type"] = frame["type"].map(TYPE_LABELS)
    st.dataframe(
        frame, key=KEY_TABLE, on_select=lambda: _on_table_select(ctx),
        selection_mode="single-row", hide_index=True, use_container_width=True,
        column_config={
            **{c: c.replace("_", " ").capitalize() for c in frame.columns},
            "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "depth_km": st.column_config.NumberColumn("Depth, km", format="%.1f",
                                                      help="Distance from the RU/BY/UA border"),
        },
    )
    st.caption("Select a row to highlight the incident on the map and show its details.")


def _timeline(shown: gpd.GeoDataFrame) -> None:
    freq = st.segmented_control("Per", ["Day", "Week"], default="Day", key=KEY_FREQ)
    data = stats.timeline(shown, "W" if freq == "Week" else "D")
    data["type"] = data["type"].map(TYPE_LABELS)
    brush = alt.selection_interval(encodings=["x"], name="brush")
    chart = (
        alt.Chart(data, height=260)
        .mark_bar(size=8 if freq == "Day" else 14)
        .encode(
            x=alt.X("period:T", title=None,
                    axis=alt.Axis(format="%-d %b %Y", tickCount="day" if freq == "Day" else "week",
                                  labelAngle=0, labelOverlap="greedy")),
            y=alt.Y("count:Q", title="Incidents", stack="zero"),
            color=alt.Color("type:N", title="Type",
                            scale=alt.Scale(domain=[TYPE_LABELS[t] for t in INCIDENT_TYPES],
                                            range=[mapping.TYPE_STYLES[t].color
                                                   for t in INCIDENT_TYPES])),
            tooltip=[alt.Tooltip("period:T", title="From"), "type:N", "count:Q"],
        )
        .add_params(brush)
    )
    st.altair_chart(chart, key=KEY_TIMELINE, on_select=_on_brush, selection_mode="brush",
                    use_container_width=True)
    st.caption("Drag across the chart to set the date filter to that span.")


EXTENTS = {"view": "The map view on screen", "flank": "The whole eastern flank",
           "incidents": "Fit to the incidents shown"}


def _snapshot_options(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec
                      ) -> export.SnapshotOptions:
    extent = st.session_state.get(KEY_EXPORT_EXTENT, "view")
    bbox = None
    if extent == "view":
        bbox = st.session_state.get(KEY_BOUNDS)
    elif extent == "incidents" and not shown.empty:
        minx, miny, maxx, maxy = shown.total_bounds
        pad_x, pad_y = max((maxx - minx) * 0.1, 0.5), max((maxy - miny) * 0.1, 0.5)
        bbox = (max(minx - pad_x, -180), max(miny - pad_y, -90), min(maxx + pad_x, 180),
                min(maxy + pad_y, 90))
    return export.SnapshotOptions(
        title=st.session_state.get(KEY_EXPORT_TITLE) or export.DEFAULT_TITLE,
        subtitle=filters.describe(spec, ctx.names),
        banner=st.session_state.get(KEY_EXPORT_BANNER, ""),
        page=st.session_state.get(KEY_EXPORT_PAGE, "16:9"),
        scale=2 if st.session_state.get(KEY_EXPORT_SCALE) == "2×" else 1,
        bbox=bbox, data_as_of=ctx.last)


def _export_panel(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec) -> None:
    """Snapshot settings, a preview, and a download button per format (built on click)."""
    left, right = st.columns([2, 3])
    with left:
        st.text_input("Title", value=export.DEFAULT_TITLE, key=KEY_EXPORT_TITLE, max_chars=120)
        st.text_input("Handling banner (top and bottom; empty for none)",
                      value=os.environ.get("EFM_BANNER", ""), key=KEY_EXPORT_BANNER,
                      max_chars=120, placeholder="e.g. UNCLASSIFIED // FOR TRAINING")
        st.segmented_control("Page", list(export.PAGES), default="16:9", key=KEY_EXPORT_PAGE,
                             format_func=export.PAGE_LABELS.get)
        st.segmented_control("PNG scale", ["1×", "2×"], default="1×", key=KEY_EXPORT_SCALE)
        st.radio("Extent", list(EXTENTS), format_func=EXTENTS.get, key=KEY_EXPORT_EXTENT,
                 horizontal=True)
        opts = _snapshot_options(ctx, shown, spec)
        st.caption(f"The subtitle states the filters: {_md(opts.subtitle)}. Data exports hold all "
                   f"{len(shown)} filtered incidents; snapshots show those inside the extent.")
        when = opts.exported_at
        formats = {"png": "PNG", "pdf": "PDF", "html": "HTML map", "geojson": "GeoJSON",
                   "csv": "CSV", "gpkg": "GeoPackage"}
        helps = {"png": "Slide snapshot (raster)", "pdf": "Slide snapshot (vector, one page)",
                 "html": "Standalone interactive map: one file, works offline",
                 "geojson": "The filtered incidents, same schema as incidents.geojson",
                 "csv": "One row per incident, lon/lat, lists joined",
                 "gpkg": "GeoPackage layer 'incidents'"}
        cols = st.columns(3)
        for i, (fmt, label) in enumerate(formats.items()):
            cols[i % 3].download_button(
                label, data=lambda fmt=fmt: export.render(fmt, shown, ctx.countries, ctx.airports,
                                                           _snapshot_options(ctx, shown, spec)),
                file_name=export.filename(fmt, when), mime=export.MEDIA_TYPES[fmt],
                key=f"download-{fmt}", use_container_width=True, icon=":material/download:",
                help=helps[fmt])
    with right:
        if st.button("Preview snapshot", icon=":material/visibility:"):
            with st.spinner("Drawing the snapshot…"):
                fig = export.snapshot_figure(shown, ctx.countries, ctx.airports, opts)
                st.session_state[KEY_PREVIEW] = export.to_png(fig)
        if st.session_state.get(KEY_PREVIEW):
            st.image(st.session_state[KEY_PREVIEW], caption="Preview (press again after "
                     "changing filters or settings)", use_container_width=True)


def main() -> None:
    st.set_page_config(page_title="Eastern Flank Incident Map", page_icon="🛰️", layout="wide")
    st.html(PAGE_CSS)
    try:
        cfg = settings.load_settings()
        ctx = _load(cfg)
    except DataError as exc:
        _show_data_error(exc)
        st.stop()

    _read_link_once(ctx)
    spec, tiles = _sidebar(ctx)
    saved = ctx  # the data on disk: imports check their ids against this, not the preview
    preview = _preview_frame(ctx)
    if preview is not None:  # unsaved imported rows, shown and filtered like the rest
        ctx = replace(ctx, incidents=pd.concat([ctx.incidents.assign(preview=False), preview]))
    shown = filters.apply(ctx.incidents, spec, ctx.places)
    _briefing_sidebar(ctx, spec, cfg)
    _curation_sidebar(ctx, cfg)
    share = _write_link(spec)
    share = {k: v for k, v in share.items() if k not in ("lat", "lon", "zoom", "incident")}
    if st.session_state.get(KEY_PRESENT):
        _presentation(ctx, shown, spec, tiles, share)
        return

    st.markdown("### Eastern Flank Incident Map")
    st.caption(_md(f"{filters.describe(spec, ctx.names)} · {len(shown)} of {len(ctx.incidents)} "
                   f"incidents · data as of {ctx.last:%-d %b %Y}"))
    if preview is not None:
        st.info(f"Import preview: {int(shown.get('preview', pd.Series(dtype=bool)).sum())} of "
                f"{len(preview)} unsaved imported rows match the filters and are included in the "
                "map, counts and table. Save or untick the preview in the Import tab.")
    if st.session_state.get(KEY_NOTICES):
        st.warning("Some parts of the link were ignored:\n\n" + "\n".join(
            f"- {_md(n)}" for n in st.session_state[KEY_NOTICES]))
    if message := st.session_state.pop(KEY_STORE_MSG, None):
        (st.error if message[0] == "error" else st.success)(_md(message[1]))
    _metrics(shown)
    if shown.empty:
        st.warning(f"No incidents match these filters ({_md(filters.describe(spec, ctx.names))}). "
                   "Widen the date range, or clear some filters (Reset all filters in the sidebar).")

    map_col, card_col = st.columns([7, 3])
    with map_col:
        _map_panel(ctx, shown, spec, tiles, share, frozenset())
    with card_col:
        _detail_card(ctx, shown, cfg)

    table_tab, timeline_tab, breakdown_tab, export_tab, import_tab = st.tabs(
        [f"Incidents ({len(shown)})", "Timeline", "Breakdown", "Export", "Import"])
    with table_tab:
        _table(ctx, shown)
    with timeline_tab:
        _timeline(shown)
    with breakdown_tab:
        st.dataframe(stats.by_country_and_type(shown, ctx.names).rename(columns={
            **TYPE_LABELS, "total": "Total"}), use_container_width=True)
    with export_tab:
        _export_panel(ctx, shown, spec)
    with import_tab:
        _import_panel(saved, cfg)
    _dialogs(ctx, cfg)
    st.caption("Basemap: Natural Earth (public domain), internationally recognised borders. "
               "Airports: airportsdata (MIT). Every incident cites its source document and a "
               "verbatim quote.")


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import constants
    main()
