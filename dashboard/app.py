"""Streamlit entry point: page set-up, the cached context, the link read once, and the route to
the presentation view or the main view. Everything shown is drawn by ``dashboard.ui``; every
rule it applies lives in the pure modules beside it (see the README's layout table)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import streamlit as st

from dashboard import context, db, filters, load, selection, settings, style
from dashboard.context import Context
from dashboard.schema import DataError
from dashboard.ui import (
    article_panel,
    briefing,
    card,
    curation,
    import_tab,
    link,
    map_panel,
    overlay_panel,
    selected,
    sidebar,
    signin,
    tabs,
)
from dashboard.ui import state as S
from dashboard.ui.static import css, script


@st.cache_resource(show_spinner=False, max_entries=2)  # the data as it is, and as it was
def _context(memory_rows: int, *stamps: tuple[str, int, int]) -> Context:
    """One context per version (path, mtime, size) of the data and base files; the base map's
    big layers served as static files (``map_panel.served_base``). Only the newest versions
    are kept: every save makes a new one, and a server on a busy database saw many."""
    ctx = context.load_context(stamps[0][0], *(Path(s[0]) for s in stamps[1:]),
                               memory_rows=memory_rows)
    return replace(ctx, base=map_panel.served_base(ctx.base), version=stamps[0])


def _load(cfg: settings.Settings) -> Context:
    files = (cfg.store, *context.BASE_FILES)  # the incidents: the database, else the file
    context.check_files(*files)
    return _context(cfg.memory_rows, *(load.stamp(p) for p in files))


def _show_data_error(exc: DataError) -> None:
    st.error(S.md(f"The incident data could not be loaded: {exc}"))
    if exc.problems:
        st.code("\n".join(str(p) for p in exc.problems[:200]), language=None)
        if len(exc.problems) > 200:
            st.caption(f"… and {len(exc.problems) - 200} more.")
    if isinstance(exc, db.DatabaseError):
        st.info("Check `EFM_DATABASE_URL` (or `database_url` in efm.toml) and that the database "
                "is running; `python -m dashboard db upgrade` creates its tables. Then reload.")
    else:
        st.info("Fix the file (check it with `python -m dashboard validate`), then reload.")


def _notices(ctx: Context, shown: gpd.GeoDataFrame, spec: filters.FilterSpec,
             preview: gpd.GeoDataFrame | None) -> None:
    if preview is not None and ctx.database is not None:
        st.info(f"Import preview: {len(preview)} unsaved imported rows. With a database this "
                "size they are checked in the Import tab but not drawn before they are saved.")
    elif preview is not None:
        matched = int(shown["preview"].sum()) if "preview" in shown else 0
        st.info(f"Import preview: {matched} of {len(preview)} unsaved imported rows match the "
                "filters and are included in the map, counts and table. Save or untick the "
                "preview in the Import tab.")
    if st.session_state.get(S.KEY_NOTICES):
        st.warning("Some parts of the link were adjusted or ignored:\n\n" + "\n".join(
            f"- {S.md(n)}" for n in st.session_state[S.KEY_NOTICES]))
    S.show_flash(S.FLASH_STORE)


def _main_view(ctx: Context, saved: Context, sel: selection.Selection,
               spec: filters.FilterSpec, tiles: bool, share: dict, cfg: settings.Settings,
               preview: gpd.GeoDataFrame | None) -> None:
    shown = sel.shown
    st.markdown(f"### {style.DEFAULT_TITLE}")
    st.caption(S.md(f"{filters.describe(spec, ctx.names)} · {sel.total:,} of {saved.size:,} "
                    f"incidents · data as of {ctx.last:%-d %b %Y}"))
    # Messages that come and go sit in containers of their own: an element appearing above
    # the tabs would move them, and moved tabs show the first one again (an upload in the
    # Import tab then vanished behind the table after a save's "Added ..." message).
    with st.container():
        _notices(ctx, shown, spec, preview)
    tabs.metrics(sel.summary)
    with st.container():
        if not sel.total:
            st.warning(f"No incidents match these filters "
                       f"({S.md(filters.describe(spec, ctx.names))}). Widen the date range, or "
                       "clear some filters (Reset all filters in the sidebar).")
    map_col, card_col = st.columns([7, 3])
    with map_col:
        map_panel.map_panel(ctx, sel, spec, tiles, share)
    with card_col:
        card.detail_card(ctx, sel, spec, cfg)
    table_tab, timeline_tab, breakdown_tab, export_tab, import_tab_, article_tab = st.tabs(
        # Constant labels: a changed label makes new tabs, which show the first one again and
        # drop an upload in the Import tab (the count is in the table's caption instead).
        ["Incidents", "Timeline", "Breakdown", "Export", "Import", "From an article"])
    with table_tab:
        tabs.table(ctx, sel)
    with timeline_tab:
        tabs.timeline(ctx, sel, spec)
    with breakdown_tab:
        tabs.breakdown(ctx, sel)
    with export_tab:
        tabs.export_panel(ctx, sel, spec)
    with import_tab_:
        import_tab.import_panel(saved, cfg)
        overlay_panel.overlay_section(cfg)
    with article_tab:
        article_panel.article_panel(saved, cfg)
    curation.dialogs(ctx, cfg)
    script("page.js")
    st.caption(S.md(f"{style.ATTRIBUTION} · Every incident cites its source document and a "
                    "verbatim quote."))


def main() -> None:
    st.set_page_config(page_title=style.DEFAULT_TITLE, page_icon="🛰️", layout="wide")
    css("page.css")
    try:
        cfg = settings.load_settings()
        signin.gate(cfg)  # with sign-in configured, nothing below runs before it
        saved = _load(cfg)
    except DataError as exc:
        _show_data_error(exc)
        st.stop()
    linked = link.read_once(saved)
    if linked is not None:
        briefing.open_linked_slide(saved, linked)
    spec, tiles = sidebar.sidebar(saved)
    # Unsaved imported rows are shown and filtered like the rest; imports check their ids
    # against the saved data, not the preview.
    preview = import_tab.preview_frame(saved)
    ctx, sel = selected.current(saved, spec, preview)
    briefing.briefing_sidebar(ctx, spec, cfg)
    curation.curation_sidebar(cfg)
    share = {k: v for k, v in link.write(spec).items() if k not in ("lat", "lon", "zoom", "incident")}
    if st.session_state.get(S.KEY_PRESENT):
        briefing.presentation(ctx, sel, spec, tiles, share)
    else:
        _main_view(ctx, saved, sel, spec, tiles, share, cfg, preview)


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import it
    main()
