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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import altair as alt
import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import detail, export, filters, geo, load, mapping, paths, stats, urlstate
from dashboard.schema import CONFIDENCES, INCIDENT_TYPES, PLATFORMS, TYPE_LABELS, DataError

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


def _stamp(path: Path) -> tuple[str, float, int]:
    """Cache key for a file: path, mtime and size, so an edited file is re-read."""
    stat = path.stat()
    return str(path), stat.st_mtime, stat.st_size


@st.cache_resource(show_spinner=False)
def _context(*stamps: tuple[str, float, int]) -> Context:
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
        first=span.first.date(), last=span.last.date(),
    )


def _load() -> Context:
    files = (paths.INCIDENTS, paths.COUNTRIES, paths.AIRPORTS, paths.REGIONS, paths.PRESETS)
    for path in files:
        if not path.exists():
            raise DataError(f"{path}: file not found")
    return _context(*(_stamp(p) for p in files))


def _show_data_error(exc: DataError) -> None:
    st.error(f"The incident data could not be loaded: {exc}")
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
    ss[KEY_AREA] = spec.area
    ss[KEY_SELECTED] = view.incident
    ss[KEY_GOTO] = ((view.lat, view.lon, view.zoom)
                    if view.lat is not None or view.zoom is not None else None)
    ss[KEY_VIEW] = (view.lat, view.lon, view.zoom) if view.lat is not None else None


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


def _current_view() -> urlstate.View:
    lat, lon, zoom = st.session_state.get(KEY_VIEW) or (None, None, None)
    return urlstate.View(lat, lon, zoom, st.session_state.get(KEY_SELECTED))


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
    _seed_state(ctx, filters.FilterSpec(), urlstate.View())
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
        min_depth_km=least, max_depth_km=most,
    )
    return spec, tiles


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

    tip = out.get("last_object_clicked_tooltip")
    if tip and tip != ss.get(KEY_LAST_CLICK):
        ss[KEY_LAST_CLICK] = tip
        clicked = mapping.clicked_id(tip, ctx.incidents["id"])
        if clicked and clicked != ss.get(KEY_SELECTED):
            _select(clicked, ctx, center=False)
            st.rerun()

    drawings = out.get("all_drawings")
    if drawings is not None and json.dumps(drawings) != json.dumps(ss.get(KEY_LAST_DRAWINGS)):
        ss[KEY_LAST_DRAWINGS] = drawings
        ss[KEY_AREA] = geo.area_from_drawings(drawings)
        st.rerun()


@st.fragment
def _map_panel(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec, tiles: bool,
               share: dict) -> None:
    """The map. Map interactions rerun only this fragment, not the whole page."""
    selected = st.session_state.get(KEY_SELECTED)
    row = ctx.incidents.loc[selected] if selected in ctx.incidents.index else None
    goto = st.session_state.get(KEY_GOTO)
    out = st_folium(
        mapping.build_map(ctx.countries, ctx.airports, online_tiles=tiles, drawing=True),
        key=f"map-{st.session_state[KEY_MAP_NONCE]}",
        feature_group_to_add=[*mapping.incident_layers(shown, ctx.airports),
                              mapping.area_layer(geo.parse_area(spec.area) if spec.area else None),
                              mapping.highlight_layer(row)],
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=["last_object_clicked_tooltip", "all_drawings", "center", "zoom",
                          "bounds"],
        center=goto[:2] if goto and goto[0] is not None else None,
        zoom=goto[2] if goto else None,
        use_container_width=True,
        height=MAP_HEIGHT,
    )
    _handle_map_output(out or {}, ctx)
    params = {**share, **urlstate.encode(filters.FilterSpec(), _current_view())}
    with st.popover("Link to this view", icon=":material/link:"):
        st.caption("Opens exactly these filters and this map view. Copy it with the icon.")
        st.code(_share_url(params), language=None, wrap_lines=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def _md(text: str) -> str:
    """Data text shown through st.markdown: escape every Markdown and Streamlit directive."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _detail_card(ctx: Context, shown: gpd.GeoDataFrame) -> None:
    selected = st.session_state.get(KEY_SELECTED)
    if selected not in ctx.incidents.index:
        st.info("Click a symbol on the map, or select a row in the table, to see the incident's "
                "details and sources here.")
        return
    row = ctx.incidents.loc[selected]
    with st.container(border=True, key="detail_card"):
        st.markdown(f"#### {_md(TYPE_LABELS[row['type']])}: {_md(row['place'])}")
        if selected not in shown.index:
            st.caption("Not in the current filter selection.")
        st.markdown("  \n".join(f"**{_md(label)}:** {_md(value)}"
                                for label, value in detail.fields(row)))
        st.markdown("**Sources**")
        for source in row["sources"]:
            st.markdown(f"> “{_md(source['quote'])}”")
            st.caption(f"{source.get('publisher') or ''} {source['document']}".strip())
        related = [r for r in row["related_ids"] if r in ctx.incidents.index]
        if related:
            st.markdown("**Related incidents**")
            for rid in related:
                st.button(f"{TYPE_LABELS[ctx.incidents.loc[rid, 'type']]}: "
                          f"{ctx.incidents.loc[rid, 'place']} ({rid})",
                          key=f"related-{rid}", on_click=_select, args=(rid, ctx))
        st.button("Clear selection", on_click=_select, args=(None, ctx), key="clear-selection")


def _table(ctx: Context, shown: gpd.GeoDataFrame) -> None:
    frame = stats.table(shown)
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
        st.caption(f"The subtitle states the filters: {opts.subtitle}. Data exports hold all "
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
        ctx = _load()
    except DataError as exc:
        _show_data_error(exc)
        st.stop()

    _read_link_once(ctx)
    spec, tiles = _sidebar(ctx)
    shown = filters.apply(ctx.incidents, spec, ctx.places)
    share = _write_link(spec)

    st.markdown("### Eastern Flank Incident Map")
    st.caption(f"{filters.describe(spec, ctx.names)} · {len(shown)} of {len(ctx.incidents)} "
               f"incidents · data as of {ctx.last:%-d %b %Y}")
    if st.session_state.get(KEY_NOTICES):
        st.warning("Some parts of the link were ignored:\n\n" + "\n".join(
            f"- {_md(n)}" for n in st.session_state[KEY_NOTICES]))
    _metrics(shown)
    if shown.empty:
        st.warning(f"No incidents match these filters ({filters.describe(spec, ctx.names)}). "
                   "Widen the date range, or clear some filters (Reset all filters in the sidebar).")

    map_col, card_col = st.columns([7, 3])
    with map_col:
        _map_panel(ctx, shown, spec, tiles, {k: v for k, v in share.items()
                                             if k not in ("lat", "lon", "zoom", "incident")})
    with card_col:
        _detail_card(ctx, shown)

    table_tab, timeline_tab, breakdown_tab, export_tab = st.tabs(
        [f"Incidents ({len(shown)})", "Timeline", "Breakdown", "Export"])
    with table_tab:
        _table(ctx, shown)
    with timeline_tab:
        _timeline(shown)
    with breakdown_tab:
        st.dataframe(stats.by_country_and_type(shown, ctx.names).rename(columns={
            **TYPE_LABELS, "total": "Total"}), use_container_width=True)
    with export_tab:
        _export_panel(ctx, shown, spec)
    st.caption("Basemap: Natural Earth (public domain), internationally recognised borders. "
               "Airports: airportsdata (MIT). Every incident cites its source document and a "
               "verbatim quote.")


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import constants
    main()
