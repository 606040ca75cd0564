"""The shareable link <-> the session: read it once per session, write it back every run."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from dashboard import filters, formstate, urlstate
from dashboard.bounds import Bounds
from dashboard.context import Context
from dashboard.ui import overlay_panel
from dashboard.ui import state as S

#: The projector theme of a presentation that names none (a plain ``present=1`` link, or
#: "Present this view" with no theme chosen).
PRESENT_THEME = "dark"


def seed(ctx: Context, spec: filters.FilterSpec, view: urlstate.View) -> list[str]:
    """Put a spec and view into the session (before the widgets are drawn); dates outside
    the data's span are brought into it (the date widget cannot show them). Returns a
    notice per adjustment."""
    ss = st.session_state
    spec, notices = formstate.clamp_dates(spec, ctx.first, ctx.last)
    S.write_widgets(formstate.widgets_for(spec, ctx.first, ctx.last))
    ss[S.KEY_AREA] = spec.area
    ss[S.KEY_SELECTED] = view.incident
    ss[S.KEY_GOTO] = ((view.lat, view.lon, view.zoom)
                      if view.lat is not None or view.zoom is not None else None)
    ss[S.KEY_VIEW] = (view.lat, view.lon, view.zoom) if view.lat is not None else None
    # The map is framed on the selection unless the link says where to look: its own view,
    # or an extent (slides store one) that is fitted to this screen.
    ss[S.KEY_FIT] = view.bbox if view.lat is None else None
    ss[S.KEY_FIT_SIZE] = None
    framed = view.lat is not None or view.bbox is not None or spec == filters.FilterSpec()
    ss[S.KEY_FRAMED] = formstate.framing_key(spec) if framed else None
    ss[S.KEY_PRESENT] = view.present
    ss[S.KEY_PRESENTER] = view.presenter
    ss[S.KEY_THEME] = view.theme
    ss[S.KEY_BRIEF] = view.brief
    ss[S.KEY_SLIDE] = view.slide
    return notices


def read_once(ctx: Context) -> urlstate.View | None:
    """On a session's first run, restore the state from the URL and note what was ignored.

    Returns the link's view on that first run (the caller opens a linked slide), else None.
    """
    ss = st.session_state
    if ss.get(S.KEY_READY):
        return None
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    known = replace(ctx.known(), overlays=overlay_panel.known_slugs())
    spec, view, notices = urlstate.parse(params, known)
    if view.present and view.theme is None:
        view = replace(view, theme=PRESENT_THEME)
    ss[S.KEY_NOTICES] = [*notices, *seed(ctx, spec, view)]
    ss[S.KEY_OVERLAYS] = list(view.overlays)  # not in seed: "Reset all filters" keeps them
    ss[S.KEY_MAP_NONCE] = 0
    ss[S.KEY_READY] = True
    return view


def current_view() -> urlstate.View:
    """The view the session shows now (map position, selection, presentation)."""
    ss = st.session_state
    lat, lon, zoom = ss.get(S.KEY_VIEW) or (None, None, None)
    return urlstate.View(lat, lon, zoom, ss.get(S.KEY_SELECTED), present=bool(ss.get(S.KEY_PRESENT)),
                         presenter=bool(ss.get(S.KEY_PRESENT) and ss.get(S.KEY_PRESENTER)),
                         theme=ss.get(S.KEY_THEME), brief=ss.get(S.KEY_BRIEF),
                         slide=ss.get(S.KEY_SLIDE) if ss.get(S.KEY_BRIEF) else None,
                         overlays=tuple(ss.get(S.KEY_OVERLAYS) or ()))


def write(spec: filters.FilterSpec) -> dict[str, str | list[str]]:
    """Keep the URL in step with the state; returns the link's parameters."""
    params = urlstate.encode(spec, current_view())
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {k: v if isinstance(v, list) else [v] for k, v in params.items()}:
        st.query_params.from_dict(params)
    return params


def share_url(params: dict[str, str | list[str]]) -> str:
    """The full link for ``params`` on this server."""
    base = st.context.url or "http://localhost:8501/"
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def slide_view() -> urlstate.View:
    """The view a brief-pack slide stores: the extent on screen (fitted to whatever screen
    presents it) and the selected incident; no presentation state."""
    ss = st.session_state
    extent = ss.get(S.KEY_BOUNDS)
    view = current_view()
    if extent is None:  # the browser has not reported the view yet: keep the centre and zoom
        return urlstate.View(view.lat, view.lon, view.zoom, view.incident)
    return urlstate.View(incident=view.incident, bbox=Bounds.of(extent))
