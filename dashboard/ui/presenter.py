"""The presenter's window (speaker note, next slide, slide number, clock) and what keeps every
window presenting a pack on the same slide (``dashboard.presenting``).

Each window publishes the slides it moves to and follows the slides others move to: the
presenter steps through the brief on a laptop and the projector's window follows within a
second, and a clicker on the projector's window moves the presenter's too.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from dashboard import briefs, filters, presenting, urlstate
from dashboard.context import Context
from dashboard.ui import link
from dashboard.ui import state as S

#: ``go(ctx, pack name, slide number, publish=...)``: show that slide (briefing.go_slide).
Go = Callable[..., None]


# --- keeping windows on the same slide ----------------------------------------------------------

def publish(name: str, number: int) -> None:
    """Tell every window presenting ``name`` that this one now shows slide ``number``."""
    st.session_state[S.KEY_SYNC] = (name, presenting.set_slide(name, number).stamp)


def join(name: str, number: int) -> None:
    """On a window's first run presenting ``name``, publish its slide (so a presenter window
    opened later, or an audience window opened after it, agree from the start)."""
    seen = st.session_state.get(S.KEY_SYNC)
    if not seen or seen[0] != name:
        publish(name, number)


def follow(ctx: Context, name: str, go: Go) -> None:
    """Move to the slide another window moved to (run every second in a fragment)."""
    ss = st.session_state
    seen = ss.get(S.KEY_SYNC)
    news = presenting.news(name, seen[1] if seen and seen[0] == name else None)
    if news is None:
        return
    ss[S.KEY_SYNC] = (name, news.stamp)
    if news.slide != ss.get(S.KEY_SLIDE):
        try:
            go(ctx, name, news.slide, publish=False)
        except briefs.BriefError:
            return  # the pack went away meanwhile: stay on this slide
        st.rerun(scope="app")


def follow_every_second(ctx: Context, name: str, go: Go) -> None:
    """The audience's window: follow the presenter's (nothing is drawn)."""
    st.fragment(run_every=1)(follow)(ctx, name, go)


def presenter_url(name: str, number: int, theme: str | None) -> str:
    """The link that opens the presenter's window for slide ``number`` of pack ``name``."""
    view = urlstate.View(present=True, presenter=True, theme=theme, brief=name, slide=number)
    return link.share_url(urlstate.encode(filters.FilterSpec(), view))


def presenter_button(name: str, number: int, theme: str | None, label: str = "",
                     **options) -> None:
    """A link button that opens the presenter's window in a new browser window (``options``
    go to ``st.link_button``)."""
    st.link_button(label, presenter_url(name, number, theme), icon=":material/speaker_notes:",
                   **options)


# --- the presenter's window ----------------------------------------------------------------------

def _now() -> dt.datetime:
    """The time where the presenter is (the browser's time zone), else the server's."""
    try:
        return dt.datetime.now(ZoneInfo(st.context.timezone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return dt.datetime.now().astimezone()


def _clock(ctx: Context, name: str, go: Go) -> None:
    """The clock and time presenting; follows the audience's window (every second)."""
    follow(ctx, name, go)
    minutes, seconds = divmod(int(time.time() - st.session_state[S.KEY_PRESENTER_SINCE]), 60)
    with st.container(key="presenter_clock"):
        with st.container(key="presenter_time"):
            st.markdown(f"{_now():%H:%M:%S}")
        st.caption(f"presenting for {minutes}:{seconds:02d}")


def _steps(ctx: Context, pack: briefs.Pack, number: int, go: Go) -> None:
    total = len(pack.slides)
    with st.container(key="presenter_steps", horizontal=True, vertical_alignment="center"):
        st.button("Previous", icon=":material/chevron_left:", key="nav_prev",
                  disabled=number <= 1, on_click=go, args=(ctx, pack.name, number - 1),
                  help="Previous slide (← or PageUp)")
        with st.container(key="presenter_count", width="content"):
            st.markdown(S.md(f"{number} / {total}"))
        st.button("Next", icon=":material/chevron_right:", key="nav_next",
                  disabled=number >= total, on_click=go, args=(ctx, pack.name, number + 1),
                  help="Next slide (→ or PageDown)")


def presenter_view(ctx: Context, pack: briefs.Pack | None, number: int, seen: str, go: Go) -> None:
    """The presenter's window: this slide's note, the next slide's title, the slide number and
    a clock. ``seen`` says what the audience sees (filters, count). No map, and the pack is
    not marked presented again (the audience's window did that)."""
    ss = st.session_state
    ss.setdefault(S.KEY_PRESENTER_SINCE, time.time())
    if pack is None or not pack.slides:
        st.info("The presenter view shows a brief pack's speaker notes: open it from a pack "
                "(sidebar → Brief pack & presentation → Presenter view).")
        return
    number = min(max(number, 1), len(pack.slides))
    slide = pack.slides[number - 1]
    join(pack.name, number)
    with st.container(key="presenter"):
        st.caption(S.md(f"Presenter view · {pack.title} · every window presenting "
                        f"this pack shows the slide chosen here"))
        now, later = st.columns([3, 2], gap="large")
        with now:
            st.caption("Now")
            st.markdown(f"## {S.md(slide.title)}")
            st.caption(S.md(f"The audience sees: {seen}"))
            with st.container(key="presenter_note"):
                st.markdown(S.md(slide.note) if slide.note.strip() else "*No speaker note.*")
        with later:
            st.fragment(run_every=1)(_clock)(ctx, pack.name, go)
            with st.container(key="presenter_next"):
                upcoming = pack.slides[number] if number < len(pack.slides) else None
                st.caption("Next")
                st.markdown(S.md(upcoming.title) if upcoming else "*End of the brief.*")
        _steps(ctx, pack, number, go)
