"""Briefing: the time-playback settings, brief packs (slides of saved views) and the
presentation view that shows them on a projector."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from dashboard import briefs, export, filters, ids, settings, style, urlstate
from dashboard.context import Context
from dashboard.selection import Selection
from dashboard.ui import link, map_panel, presenter
from dashboard.ui import state as S
from dashboard.ui.static import css, script

#: The presentation's panels per projector theme: background, text, disabled control (>= 3:1 on
#: the panel, dimmer than the text) and button edge.
THEME_VARS = {None: ("rgba(255,255,255,.94)", "#111", "#6b7480", "rgba(0,0,0,.25)"),
              "light": ("rgba(255,255,255,.97)", "#000", "#6b7480", "rgba(0,0,0,.25)"),
              "dark": ("rgba(15,22,32,.94)", "#f2f2f2", "#7d8894", "rgba(242,242,242,.3)")}


# --- slides and presenting (callbacks) ----------------------------------------------------------

def go_slide(ctx: Context, name: str, number: int, publish: bool = True) -> None:
    """Show slide ``number`` (1-based) of pack ``name``: its filters, view and title. While
    presenting (and ``publish``), every other window presenting the pack follows."""
    ss = st.session_state
    pack = briefs.load_pack(name)
    number = min(max(number, 1), len(pack.slides))
    spec, view, notices = urlstate.parse(pack.slides[number - 1].params, ctx.known())
    present = bool(ss.get(S.KEY_PRESENT))
    notices += link.seed(ctx, spec, replace(view, present=present,
                                            presenter=bool(ss.get(S.KEY_PRESENTER)),
                                            theme=ss.get(S.KEY_THEME), brief=name, slide=number))
    ss[S.KEY_NOTICES] = [f"slide {number}: {n}" for n in notices]
    ss[S.KEY_MAP_NONCE] += 1  # a fresh map at the slide's own view
    if present and publish:
        presenter.publish(name, number)


def open_linked_slide(ctx: Context, view: urlstate.View) -> None:
    """A link to a slide opens that slide's own view."""
    if not (view.brief and view.slide):
        return
    try:
        go_slide(ctx, view.brief, view.slide)
    except briefs.BriefError as exc:
        st.session_state[S.KEY_NOTICES] = [*st.session_state[S.KEY_NOTICES],
                                           f"brief={view.brief}: {exc}"]


def _mark_presented(ctx: Context, pack: briefs.Pack) -> None:
    """Note which incidents are new since the pack was last presented, then record this
    presentation in the pack (once per session)."""
    ss = st.session_state
    new_ids = ss.setdefault(S.KEY_NEW_IDS, {})
    if pack.name in new_ids:
        return
    seen = set(pack.seen_ids) if pack.seen_ids is not None else None
    new_ids[pack.name] = frozenset(() if seen is None or ctx.database is not None
                                   else set(ctx.incidents["id"]) - seen)
    if not settings.writable(settings.load_settings()) or ctx.database is not None:
        # a wall screen (or a viewer) presents; it does not record. Nor does an app that
        # holds only the newest incidents of a database: it cannot say which it has seen.
        return
    try:
        briefs.save_pack(briefs.mark_presented(pack, list(ctx.incidents["id"]),
                                               dt.datetime.now(dt.UTC)),
                         expected_version=pack.version)
    except briefs.BriefError as exc:
        ss[S.KEY_NOTICES] = [f"could not record this presentation in the pack: {exc}"]


def _present(ctx: Context, name: str | None) -> None:
    """Enter presentation view; with a pack, from its first slide, noting what is new."""
    ss = st.session_state
    ss[S.KEY_PRESENT] = True
    ss[S.KEY_THEME] = ss.get(S.KEY_THEME) or link.PRESENT_THEME
    if not name:
        return
    pack = briefs.load_pack(name)
    _mark_presented(ctx, pack)
    if pack.slides:
        go_slide(ctx, name, 1)


def _exit_presentation() -> None:
    st.session_state[S.KEY_PRESENT] = False
    st.session_state[S.KEY_MAP_NONCE] += 1


# --- brief packs in the sidebar ---------------------------------------------------------------

def _create_pack() -> None:
    text = st.session_state.get(S.KEY_NEW_PACK, "").strip()
    try:
        name = briefs.safe_name(ids.pack_name_for(text))
        briefs.save_pack(briefs.new_pack(name, text), expected_version=None)
    except (briefs.BriefError, settings.ReadOnlyError) as exc:
        S.flash(S.FLASH_BRIEF, "error", str(exc))
        return
    st.session_state[S.KEY_BRIEF] = name
    st.session_state[S.KEY_NEW_PACK] = ""
    S.flash(S.FLASH_BRIEF, "success", f"Created brief pack {name!r}.")


def _change_pack(name: str, version: int, change, done: str) -> None:
    """Apply ``change`` (Pack -> Pack) to the pack as it was shown (``version``) and save;
    a pack changed elsewhere meanwhile is refused, never overwritten."""
    try:
        briefs.save_pack(change(briefs.load_pack(name)), expected_version=version)
    except (briefs.BriefError, settings.ReadOnlyError) as exc:
        S.flash(S.FLASH_BRIEF, "error", str(exc))
        return
    S.flash(S.FLASH_BRIEF, "success", done)


def _add_view(ctx: Context, spec: filters.FilterSpec, name: str, version: int) -> None:
    ss = st.session_state
    # A slide keeps the extent on screen, fitted to whichever screen presents it.
    params = {k: v if isinstance(v, list) else [v]
              for k, v in urlstate.encode(spec, link.slide_view()).items()}
    title = ss.get(S.KEY_SLIDE_TITLE, "").strip() or filters.short_title(spec, ctx.names)
    _change_pack(name, version,
                 lambda p: briefs.add_slide(p, title, ss.get(S.KEY_SLIDE_NOTE, ""), params),
                 f"Added “{title}” to {name}.")
    ss[S.KEY_SLIDE_TITLE] = ss[S.KEY_SLIDE_NOTE] = ""


def _slide_row(ctx: Context, pack: briefs.Pack, i: int, slide: briefs.Slide) -> None:
    change = (pack.name, pack.version)
    label, up, down, show, drop = st.columns([6, 1, 1, 1, 1], vertical_alignment="center")
    label.markdown(S.md(f"{i + 1}. {slide.title}"))
    up.button("", icon=":material/arrow_upward:", key=f"up-{slide.id}", help="Move up",
              on_click=_change_pack,
              args=(*change, lambda p, s=slide.id: briefs.move_slide(p, s, -1), "Moved."))
    down.button("", icon=":material/arrow_downward:", key=f"down-{slide.id}", help="Move down",
                on_click=_change_pack,
                args=(*change, lambda p, s=slide.id: briefs.move_slide(p, s, 1), "Moved."))
    show.button("", icon=":material/visibility:", key=f"show-{slide.id}",
                help="Show this slide", on_click=go_slide, args=(ctx, pack.name, i + 1))
    drop.button("", icon=":material/delete:", key=f"del-{slide.id}", help="Delete",
                on_click=_change_pack,
                args=(*change, lambda p, s=slide.id: briefs.delete_slide(p, s), "Deleted."))
    with st.popover("Edit", use_container_width=True):
        title = st.text_input("Title", slide.title, key=f"title-{slide.id}")
        note = st.text_area("Note", slide.note, key=f"note-{slide.id}")
        st.button("Save", key=f"save-{slide.id}", on_click=_change_pack,
                  args=(*change, lambda p, s=slide.id, t=title, n=note:
                        briefs.update_slide(p, s, title=t, note=n), "Saved."))


def _pack_editor(ctx: Context, spec: filters.FilterSpec, pack: briefs.Pack) -> None:
    """Add, reorder, show, delete and edit the slides of a pack (not on read-only deployments)."""
    st.text_input("Slide title", key=S.KEY_SLIDE_TITLE, placeholder="defaults to the filters")
    st.text_area("Speaker note", key=S.KEY_SLIDE_NOTE, height=68)
    st.button("Add this view to the brief", icon=":material/add:", on_click=_add_view,
              args=(ctx, spec, pack.name, pack.version), use_container_width=True)
    for i, slide in enumerate(pack.slides):
        _slide_row(ctx, pack, i, slide)


def _playback_settings(ctx: Context) -> None:
    ss = st.session_state
    with st.sidebar.expander("Time playback", expanded=bool(ss.get(S.KEY_PLAY_ON))):
        if ctx.database is not None:
            st.caption(f"Playback steps through every incident of the selection, so it needs "
                       f"them in memory: the database holds {ctx.size:,}, more than this server "
                       "holds (`memory_rows`). Narrow the filters and export, or raise "
                       "`memory_rows`.")
            return
        st.toggle("Play back the selected dates", key=S.KEY_PLAY_ON,
                  help="Step through the date range: this step's incidents emphasised, "
                       "earlier ones faded. Controls appear above the map.")
        st.segmented_control("Step", ["Day", "Week"], default="Day", key=S.KEY_PLAY_FREQ)
        st.radio("Earlier incidents", ["Cumulative", "Sliding window"], key=S.KEY_PLAY_MODE,
                 horizontal=True)
        st.number_input("Window (steps)", min_value=1, max_value=60, value=3, key=S.KEY_PLAY_WINDOW,
                        disabled=ss.get(S.KEY_PLAY_MODE) != "Sliding window")
        st.select_slider("Seconds per step", [0.5, 1.0, 2.0, 3.0], value=1.0, key=S.KEY_PLAY_SPEED)


def _pack_picker(cfg: settings.Settings) -> briefs.Pack | None:
    ss = st.session_state
    st.segmented_control("Projector theme", ["dark", "light"], key=S.KEY_THEME,
                         format_func=str.capitalize)
    packs = briefs.list_packs()
    if ss.get(S.KEY_BRIEF) and ss[S.KEY_BRIEF] not in packs:
        st.error(S.md(f"Brief pack {ss[S.KEY_BRIEF]!r} was not found in {briefs.BRIEFS_DIR}."))
        ss[S.KEY_BRIEF] = None
    st.selectbox("Pack", [None, *packs], key=S.KEY_BRIEF,
                 format_func=lambda n: "— none —" if n is None else n)
    if settings.writable(cfg):
        new, create = st.columns([3, 2], vertical_alignment="bottom")
        new.text_input("New pack", key=S.KEY_NEW_PACK, placeholder="e.g. morning-brief")
        create.button("Create", on_click=_create_pack, use_container_width=True)
    S.show_flash(S.FLASH_BRIEF)
    return load_pack(ss.get(S.KEY_BRIEF))


def _pack_actions(ctx: Context, pack: briefs.Pack) -> None:
    st.button("Present the brief", icon=":material/slideshow:", type="primary",
              on_click=_present, args=(ctx, pack.name), use_container_width=True,
              disabled=not pack.slides)
    if pack.last_presented:
        st.caption(f"Last presented {pack.last_presented[:16].replace('T', ' ')} UTC; "
                   "incidents added since are ringed in yellow when you present it.")
    if pack.slides:
        presenter.presenter_button(
            pack.name, st.session_state.get(S.KEY_SLIDE) or 1,
            st.session_state.get(S.KEY_THEME) or link.PRESENT_THEME, label="Presenter view",
            use_container_width=True,
            help="Speaker notes, the next slide and a clock in a new window; the presentation "
                 "follows the slide chosen there.")
    notes = st.checkbox("PDF with speaker-note pages", key=S.KEY_PDF_NOTES)
    st.download_button(
        "Brief as PDF", icon=":material/download:", use_container_width=True,
        disabled=not pack.slides, file_name=f"{pack.name}.pdf", mime="application/pdf",
        data=lambda: export.pack_pdf(pack, _pack_incidents(ctx, pack), ctx.countries, ctx.airports,
                                     ctx.places, ctx.names, notes=notes, data_as_of=ctx.last,
                                     registry=ctx.sources),
        on_click="ignore")  # no rerun beside the file being made (see tabs.export_panel)


def _pack_incidents(ctx: Context, pack: briefs.Pack):
    """The incidents the pack's slides show: those held, or, from a database too big to
    hold, the newest ``selection.EXPORT_ROWS`` matching each slide's filters."""
    if ctx.database is None or not pack.slides:
        return ctx.incidents
    import pandas as pd

    from dashboard import selection
    found = pd.concat([selection.newest(ctx.database, urlstate.parse(slide.params,
                                                                     ctx.known())[0],
                                        ctx.places, ctx.countries) for slide in pack.slides])
    return found[~found.index.duplicated()]


def briefing_sidebar(ctx: Context, spec: filters.FilterSpec, cfg: settings.Settings) -> None:
    """The sidebar's playback settings and brief-pack panel."""
    _playback_settings(ctx)
    with st.sidebar.expander("Brief pack & presentation", expanded=bool(st.session_state.get(S.KEY_BRIEF))):
        pack = _pack_picker(cfg)
        if pack is None:
            st.button("Present this view", icon=":material/slideshow:", on_click=_present,
                      args=(ctx, None), use_container_width=True)
            return
        for problem in briefs.check_pack(pack, ctx.known()):
            st.warning(S.md(problem))
        if not settings.writable(cfg):
            for i, slide in enumerate(pack.slides):
                st.button(S.md(f"{i + 1}. {slide.title}"), key=f"show-{slide.id}",
                          on_click=go_slide, args=(ctx, pack.name, i + 1), use_container_width=True)
        else:
            _pack_editor(ctx, spec, pack)
        _pack_actions(ctx, pack)


def load_pack(name: str | None) -> briefs.Pack | None:
    """The named pack, or None (with the reason shown) when it cannot be opened."""
    if not name:
        return None
    try:
        return briefs.load_pack(name)
    except briefs.BriefError as exc:
        st.error(S.md(f"Brief pack {name!r} could not be opened: {exc}"))
        return None


# --- the presentation view ---------------------------------------------------------------------

def _nav_bar(ctx: Context, pack: briefs.Pack | None, number: int, playable: int) -> None:
    ss = st.session_state
    with st.container(key="present_nav", horizontal=True, vertical_alignment="center"):
        total = len(pack.slides) if pack else 0
        st.button("", icon=":material/chevron_left:", key="nav_prev", help="Previous (←)",
                  disabled=not pack or number <= 1, on_click=go_slide,
                  args=(ctx, pack.name if pack else "", number - 1))
        st.markdown(S.md(f"{number} / {total}") if pack else "")
        st.button("", icon=":material/chevron_right:", key="nav_next", help="Next (→)",
                  disabled=not pack or number >= total, on_click=go_slide,
                  args=(ctx, pack.name if pack else "", number + 1))
        if pack:
            presenter.presenter_button(pack.name, number, ss.get(S.KEY_THEME), key="nav_presenter",
                                       help="Presenter view (notes, next slide, clock) in a new "
                                            "window")
        if playable:
            st.button("", icon=":material/pause:" if ss.get(S.KEY_PLAYING) else
                      ":material/play_arrow:", key="nav_play", on_click=map_panel.toggle_play,
                      args=(playable,), help="Play / pause the time playback")
        st.button("", icon=":material/close:", key="nav_exit", help="Leave (Esc)",
                  on_click=_exit_presentation)


def presentation(ctx: Context, sel: Selection, spec: filters.FilterSpec, tiles: bool,
                 share: dict) -> None:
    """The projector view: the map fills the screen, a large title, a small nav bar; or, in
    the presenter's window, the speaker note, the next slide and a clock."""
    ss = st.session_state
    theme = ss.get(S.KEY_THEME)
    panel, text, muted, line = THEME_VARS[theme]
    css("present.css", {"ef-panel": panel, "ef-text": text, "ef-muted": muted, "ef-line": line,
                        "ef-page": style.THEMES[theme or "default"].sea})
    pack = load_pack(ss.get(S.KEY_BRIEF))
    number = ss.get(S.KEY_SLIDE) or 1
    seen = f"{filters.describe(spec, ctx.names)} · {sel.total:,} incident{'' if sel.total == 1 else 's'}"
    if ss.get(S.KEY_PRESENTER):
        presenter.presenter_view(ctx, pack, number, seen, go_slide)
        script("keys.js")
        return
    if pack:
        _mark_presented(ctx, pack)
        presenter.join(pack.name, number)
    slide = pack.slides[number - 1] if pack and 0 < number <= len(pack.slides) else None
    with st.container(key="present_title"):
        st.markdown(f"# {S.md(slide.title if slide else style.DEFAULT_TITLE)}")
        st.markdown(S.md(f"{seen} · data as of {ctx.last:%-d %b %Y}"))
    new_ids = ss.get(S.KEY_NEW_IDS, {}).get(pack.name, frozenset()) if pack else frozenset()
    map_panel.map_panel(ctx, sel, spec, tiles, share, new_ids)
    _nav_bar(ctx, pack, number, len(map_panel.playback_frames(ctx, sel.shown, spec)))
    script("keys.js")
    if pack:  # the speaker note is in the presenter's window, never on this screen
        presenter.follow_every_second(ctx, pack.name, go_slide)
