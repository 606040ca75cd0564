"""The panels under the map: headline metrics, the table, the timeline, the breakdown, Export."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial

import altair as alt
import geopandas as gpd
import streamlit as st

from dashboard import export, filters, selection, stats, style
from dashboard.bounds import FLANK, Bounds
from dashboard.context import Context
from dashboard.schema import INCIDENT_TYPES, TYPE_LABELS
from dashboard.selection import Selection
from dashboard.ui import overlay_panel
from dashboard.ui import state as S
from dashboard.ui.map_panel import select


def metrics(summary: stats.Summary) -> None:
    """One row of headline counts for the selection."""
    counts = summary.counts_by_type()
    head = summary.headline
    figures = [("Incidents", head.incidents), ("Countries", head.countries),
               ("Airports closed", head.airports_closed), ("Drones reported", head.drones_reported),
               *((TYPE_LABELS[t], int(counts[t])) for t in INCIDENT_TYPES)]
    for col, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        col.metric(label, f"{value:,}")  # 1,290,511 drones, not 1290511


def _on_table_select(ctx: Context) -> None:
    rows = st.session_state[S.KEY_TABLE].selection.rows
    ids = st.session_state.get(S.KEY_TABLE_IDS, [])
    if rows and rows[0] < len(ids):
        select(ids[rows[0]], ctx)


#: How each table column reads: widths that fit, numbers as whole numbers, dates as dates.
TABLE_COLUMNS = {
    "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width="small"),
    "time": st.column_config.TextColumn("Time (UTC)", width="small",
                                        help="When the source gives a time"),
    "type": st.column_config.TextColumn("Type", width="small"),
    "country": st.column_config.TextColumn("Country", width="small"),
    "region": st.column_config.TextColumn("Region", width="small"),
    "place": st.column_config.TextColumn("Place", width="large"),
    "platform": st.column_config.TextColumn("Platform", width="small"),
    **{name: st.column_config.NumberColumn(name.capitalize(), format="%d", width=70)
       for name in ("drones", "aircraft", "missiles", "killed", "injured")},
    "confidence": st.column_config.TextColumn("Confidence", width="small"),
    "depth_km": st.column_config.NumberColumn("Depth, km", format="%.0f", width=80,
                                              help="Distance from the RU/BY/UA border"),
    "id": st.column_config.TextColumn("Id", width="large"),
}


def table(ctx: Context, sel: Selection) -> None:
    """The incident table; selecting a row selects the incident."""
    frame = stats.table(sel.shown, limit=stats.TABLE_LIMIT, names=ctx.names)
    if sel.total > len(frame):
        st.caption(f"The {len(frame):,} newest of {sel.total:,} incidents; every one is in the "
                   "counts and charts" + (" and exports." if not sel.partial else
                                          f", exports hold the {export_rows(sel):,} newest."))
    st.session_state[S.KEY_TABLE_IDS] = list(frame["id"])
    st.dataframe(
        frame, key=S.KEY_TABLE, on_select=lambda: _on_table_select(ctx),
        selection_mode="single-row", hide_index=True, use_container_width=True,
        placeholder="",  # a count the source does not give is a blank, not "None"
        column_config=TABLE_COLUMNS,
    )
    st.caption(f"{sel.total:,} incident{'s' if sel.total != 1 else ''}. Select a row to "
               "highlight the incident on the map and show its details.")


def _on_brush() -> None:
    brush = st.session_state[S.KEY_TIMELINE].selection.get("brush") or {}
    span = stats.brush_span(brush.get("period"), weekly=st.session_state.get(S.KEY_FREQ) == "Week")
    if span:
        st.session_state[S.KEY_DATES] = span


def timeline(ctx: Context, sel: Selection, spec: filters.FilterSpec) -> None:
    """Incidents per day or week, stacked by type, over exactly the selected dates; each bar
    spans its day or week. Brushing sets the date filter."""
    freq = st.segmented_control("Per", ["Day", "Week"], default="Day", key=S.KEY_FREQ)
    code = "W" if freq == "Week" else "D"
    data = sel.summary.timeline(code)
    data["type"] = data["type"].map(TYPE_LABELS)
    start, end = stats.timeline_domain(spec.date_from, spec.date_to, ctx.first, ctx.last, code)
    brush = alt.selection_interval(encodings=["x"], name="brush")
    chart = (
        alt.Chart(data, height=260)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("period:T", title=None,
                    scale=alt.Scale(domain=[start.isoformat(), end.isoformat()], nice=False),
                    axis=alt.Axis(format="%-d %b %Y", labelAngle=0, labelOverlap="greedy")),
            x2="end:T",
            y=alt.Y("count:Q", title="Incidents", stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("type:N", title="Type",
                            scale=alt.Scale(domain=[TYPE_LABELS[t] for t in INCIDENT_TYPES],
                                            range=[style.TYPE_STYLES[t].color
                                                   for t in INCIDENT_TYPES])),
            tooltip=[alt.Tooltip("period:T", title="From"), "type:N", "count:Q"],
        )
        .add_params(brush)
    )
    st.altair_chart(chart, key=S.KEY_TIMELINE, on_select=_on_brush, selection_mode="brush",
                    use_container_width=True)
    st.caption("Drag across the chart to set the date filter to that span.")
    _by_hour(sel.summary)


def _by_hour(summary: stats.Summary) -> None:
    """When some incidents have a time: how many started in each UTC hour, by type."""
    data = summary.hours.copy()
    if data.empty:
        return
    data["type"] = data["type"].map(TYPE_LABELS)
    st.markdown(f"**By hour of day (UTC)**: the {int(data['count'].sum()):,} of "
                f"{summary.headline.incidents:,} incidents whose source gives a time")
    chart = (
        alt.Chart(data, height=160)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("hour:O", title="Hour started (UTC)", scale=alt.Scale(domain=list(range(24))),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title="Incidents", stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("type:N", title="Type",
                            scale=alt.Scale(domain=[TYPE_LABELS[t] for t in INCIDENT_TYPES],
                                            range=[style.TYPE_STYLES[t].color
                                                   for t in INCIDENT_TYPES])),
            tooltip=["hour:O", "type:N", "count:Q"],
        )
    )
    st.altair_chart(chart, use_container_width=True)


def breakdown(ctx: Context, sel: Selection) -> None:
    """Counts per country and type."""
    st.dataframe(sel.summary.by_country_and_type(ctx.names).rename(columns={
        **TYPE_LABELS, "total": "Total"}), use_container_width=True)


#: Where a snapshot looks; the first is the default (``export.extent_for`` without a box).
EXTENTS = {"incidents": "Fit to the incidents shown", "view": "The map view on screen",
           "flank": "The whole eastern flank"}
FORMATS = {"png": "PNG", "pdf": "PDF", "html": "HTML map", "geojson": "GeoJSON",
           "csv": "CSV", "gpkg": "GeoPackage"}
FORMAT_HELP = {"png": "Slide snapshot (raster)", "pdf": "Slide snapshot (vector, one page)",
               "html": "Standalone interactive map: one file, works offline",
               "geojson": "The filtered incidents, same schema as incidents.geojson "
                          "(links to incidents left out are dropped)",
               "csv": "One row per incident, lon/lat, lists joined",
               "gpkg": "GeoPackage layer 'incidents'"}


@dataclass(frozen=True)
class ExportSettings:
    """What the Export tab's widgets say in this run (plain values, no session state)."""

    title: str
    banner: str
    page: str
    scale: int
    extent: str  # a key of EXTENTS


def _snapshot_options(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec,
                      settings: ExportSettings, view: Bounds | None) -> export.SnapshotOptions:
    """The one options object for the preview and every download of this run.

    ``view`` is the map's extent as the browser last reported it (None before it has)."""
    if settings.extent == "flank":
        bbox = FLANK
    else:
        bbox = export.extent_for(shown, view if settings.extent == "view" else None)
    return export.SnapshotOptions(
        title=settings.title or style.DEFAULT_TITLE, subtitle=filters.describe(spec, ctx.names),
        banner=settings.banner, page=settings.page, scale=settings.scale, bbox=bbox,
        data_as_of=ctx.last, sources=ctx.sources,
        overlays=tuple(overlay_panel.chosen_layers(spec)))


def _degrees(low: float, high: float, positive: str, negative: str) -> str:
    def one(v: float) -> str:
        return f"{abs(v):.1f}° {positive if v >= 0 else negative}"
    return f"{one(low)} to {one(high)}"


def _summary(opts: export.SnapshotOptions) -> str:
    """One line saying what the snapshot downloads are built with (title, page, extent...)."""
    b = Bounds.of(opts.bbox)
    banner = f" · banner “{opts.banner}”" if opts.banner else " · no banner"
    return (f"Snapshot: “{opts.title}” · {export.PAGE_LABELS[opts.page]} · PNG {opts.scale}×"
            f"{banner} · extent {_degrees(b.minlon, b.maxlon, 'E', 'W')}, "
            f"{_degrees(b.minlat, b.maxlat, 'N', 'S')} (widened to the page)")


def _export_settings() -> ExportSettings:
    """The snapshot widgets; their values as this run's settings."""
    title = st.text_input("Title", value=style.DEFAULT_TITLE, key=S.KEY_EXPORT_TITLE,
                          max_chars=120)
    banner = st.text_input("Handling banner (top and bottom; empty for none)",
                           value=os.environ.get("EFM_BANNER", ""), key=S.KEY_EXPORT_BANNER,
                           max_chars=120, placeholder="e.g. UNCLASSIFIED // FOR TRAINING")
    page = st.segmented_control("Page", list(export.PAGES), default="16:9", key=S.KEY_EXPORT_PAGE,
                                format_func=export.PAGE_LABELS.get)
    scale = st.segmented_control("PNG scale", ["1×", "2×"], default="1×", key=S.KEY_EXPORT_SCALE)
    extent = st.radio("Extent", list(EXTENTS), format_func=EXTENTS.get, key=S.KEY_EXPORT_EXTENT,
                      horizontal=True)
    # A segmented control is None when its option is clicked off: keep the default then.
    return ExportSettings(title=title.strip(), banner=banner.strip(), page=page or "16:9",
                          scale=2 if scale == "2×" else 1, extent=extent or "incidents")


def export_rows(sel: Selection) -> int:
    """How many incidents the data exports hold."""
    return min(sel.total, selection.EXPORT_ROWS) if sel.partial else sel.total


def _exported(ctx: Context, sel: Selection, spec: filters.FilterSpec) -> gpd.GeoDataFrame:
    """The incidents the exports hold (read from the database at click time when it holds
    more than the app does)."""
    if not sel.partial:
        return sel.shown
    return selection.newest(ctx.database, spec, ctx.places, ctx.countries)


def _render(fmt: str, ctx: Context, sel: Selection, spec: filters.FilterSpec,
            opts: export.SnapshotOptions) -> bytes:
    return export.render(fmt, _exported(ctx, sel, spec), ctx.countries, ctx.airports, opts)


def export_panel(ctx: Context, sel: Selection, spec: filters.FilterSpec) -> None:
    """Snapshot settings, a preview, and a download button per format (built on click).

    The options are built here, in the script run, and handed to each button's callable as
    plain values: Streamlit runs that callable at click time in a thread with no script-run
    context, where ``st.session_state`` reads return defaults. The preview uses the same object.
    """
    left, right = st.columns([2, 3])
    with left:
        settings = _export_settings()
        view = st.session_state.get(S.KEY_BOUNDS)
        shown = sel.shown
        opts = _snapshot_options(ctx, shown, spec, settings, view)
        if settings.extent == "view" and view is None:
            st.caption("The map has not reported its view yet: the snapshot fits the incidents.")
        st.caption(S.md(_summary(opts)), help="What every download below is built with")
        held = (f"all {sel.total:,} filtered incidents" if not sel.partial else
                f"the {export_rows(sel):,} newest of the {sel.total:,} filtered incidents "
                "(`python -m dashboard db export` writes every one)")
        st.caption(f"The subtitle states the filters: {S.md(opts.subtitle)}. Exports hold "
                   f"{held}; snapshots show those inside the extent.")
        cols = st.columns(3)
        for i, (fmt, label) in enumerate(FORMATS.items()):
            cols[i % 3].download_button(
                label, data=partial(_render, fmt, ctx, sel, spec, opts),
                file_name=export.filename(fmt, opts.exported_at, opts.title),
                mime=export.MEDIA_TYPES[fmt], key=f"download-{fmt}", use_container_width=True,
                icon=":material/download:", help=FORMAT_HELP[fmt],
                # No rerun on a download: a rerun beside the file being made could cancel it
                # (a browser test saw "Download.save_as: canceled" under load), and costs a run.
                on_click="ignore")
    with right:
        if st.button("Preview snapshot", icon=":material/visibility:"):
            with st.spinner("Drawing the snapshot…"):
                fig = export.snapshot_figure(_exported(ctx, sel, spec), ctx.countries,
                                             ctx.airports, opts)
                st.session_state[S.KEY_PREVIEW] = export.to_png(fig)
        if st.session_state.get(S.KEY_PREVIEW):
            st.image(st.session_state[S.KEY_PREVIEW], caption="Preview (press again after "
                     "changing filters or settings)", use_container_width=True)
