"""The "From an article" tab: paste or upload a news article, review the draft incidents it
proposes on a map preview (accept, edit in the incident form, reject), save the accepted
ones as one logged change citing the article, registered in the source registry.

Every rule (what is proposed, duplicates, ids, the registry entry, the save) lives in
``dashboard.extract``; this module only draws and keeps the review in the session.
"""

from __future__ import annotations

import datetime as dt
import json

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import auth, editing, filters, geo, load, mapping, settings
from dashboard.bounds import Bounds
from dashboard.context import Context
from dashboard.extract import plain_text, propose, review
from dashboard.extract.text import article_text
from dashboard.extract.when import published_date
from dashboard.mapping.symbols import format_dates
from dashboard.schema import TYPE_LABELS, DataError
from dashboard.ui import curation
from dashboard.ui import state as S

KEY_REVIEW = "article_review"   # (review.Article, [review.Draft]) being reviewed
KEY_NONCE = "article_nonce"     # bumped to clear the form after a save or a new article
FLASH_ARTICLE = "article"       # messages inside the tab
ACCEPTED_FILES = ["txt", "md", "html", "htm", "pdf"]
PREVIEW_HEIGHT = 380
#: Degrees around the drafts' points that the preview map shows.
PREVIEW_PAD = 1.0
_DECISIONS = {"Accept": review.ACCEPT, "Reject": review.REJECT}


def _article_text(pasted: str, upload) -> tuple[str, str]:
    """The raw text given (a file wins over the text box) and its name."""
    if upload is not None:
        return article_text(upload.getvalue(), upload.name), upload.name
    if pasted.strip():
        return pasted, "pasted text"
    raise DataError("no article given: paste its text or choose a file")


def _find(ctx: Context, pasted: str, upload, published: dt.date | None, title: str,
          publisher: str, url: str) -> None:
    """Read the article and keep its drafts for review (or say why not)."""
    raw, name = _article_text(pasted, upload)
    text = plain_text(raw)
    if published is not None:
        how = "as given"
    elif found := published_date(text, raw):
        published, how = found[0], f"read from {found[1]}"
    else:
        raise DataError("no publication date found in the article: give the date it was "
                        "published (relative dates such as 'on Tuesday' are read from it)")
    article = review.article_source(text, published, how, ctx.sources, title, publisher, url)
    proposals = propose(text, published, source_title=article.source.title,
                        publisher=article.source.publisher, url=article.source.url)
    held = _candidates(ctx, proposals)
    drafts = review.make_drafts(proposals, held, article.source.document, set(held["id"]))
    st.session_state[KEY_REVIEW] = (article, drafts)
    new = sum(d.duplicate_of is None for d in drafts)
    S.flash(FLASH_ARTICLE, "success",
            f"{len(drafts)} proposal(s) in {name} (published {published:%-d %b %Y}, {how}): "
            f"{new} new, {len(drafts) - new} already in the data." if drafts else
            f"No incident found in {name} (published {published:%-d %b %Y}, {how}). Add one "
            "by hand with Add incident in the sidebar.")


def _candidates(ctx: Context, proposals) -> gpd.GeoDataFrame:
    """The saved incidents a proposal may repeat or whose id it may take: all those held, or,
    from a database too big to hold, those of the proposals' types over their dates (a
    repeat has the same type and overlapping dates; a drafted id names both)."""
    if ctx.database is None or not proposals:
        return ctx.incidents
    from dashboard.db import query
    day = dt.date.fromisoformat
    spec = filters.FilterSpec(date_from=min(day(p.date) for p in proposals),
                              date_to=max(day(p.end_date or p.date) for p in proposals),
                              types=tuple(sorted({p.type for p in proposals})), retracted=True)
    return query.features(ctx.database, spec, None, CANDIDATES_MAX)


#: With a database too big to hold: at most this many saved incidents are compared with an
#: article's proposals (those of its types over its dates, newest first).
CANDIDATES_MAX = 50_000


def _form(ctx: Context) -> None:
    nonce = st.session_state.get(KEY_NONCE, 0)
    with st.form(f"article-form-{nonce}", border=False):
        pasted = st.text_area("Article text", height=160, key=f"article-text-{nonce}",
                              placeholder="Paste the article here (plain text, HTML or Markdown)")
        upload = st.file_uploader("…or a file", type=ACCEPTED_FILES, key=f"article-file-{nonce}")
        a, b, c, d = st.columns([1, 2, 1, 2])
        published = a.date_input("Published", None, format="YYYY-MM-DD",
                                 key=f"article-published-{nonce}",
                                 help="Read from the article when left empty, if it gives one.")
        title = b.text_input("Title", key=f"article-title-{nonce}",
                             placeholder="the article's first line when empty")
        publisher = c.text_input("Publisher (optional)", key=f"article-publisher-{nonce}")
        url = d.text_input("Link (optional, http/https)", key=f"article-url-{nonce}")
        submitted = st.form_submit_button("Find incidents", type="primary",
                                          icon=":material/find_in_page:")
    if submitted:
        try:
            _find(ctx, pasted, upload, published, title, publisher, url)
        except DataError as exc:
            S.flash(FLASH_ARTICLE, "error", f"Nothing proposed: {exc}")


@st.cache_data(show_spinner=False, max_entries=4)
def _drafts_frame(collection: str, _countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return geo.enrich(load.incidents_frame(load.parse_json_text(collection, "drafts")), _countries)


def _preview(ctx: Context, drafts: list[review.Draft]) -> None:
    """The new drafts not rejected on a small map, framed on all the new drafts (rejecting
    one does not move the map)."""
    new = [d.feature for d in drafts if d.duplicate_of is None]
    if not new:
        return
    frame = _drafts_frame(json.dumps({"type": "FeatureCollection", "features": new}),
                          ctx.countries)
    x0, y0, x1, y1 = frame.total_bounds
    extent = Bounds.of((x0 - PREVIEW_PAD, y0 - PREVIEW_PAD, x1 + PREVIEW_PAD, y1 + PREVIEW_PAD))
    rejected = {d.id for d in drafts if d.decision == review.REJECT}
    layers = mapping.auto_layers(frame[~frame["id"].isin(rejected)], ctx.airports,
                                 registry=ctx.sources)
    with st.container(key="article-preview"):
        st_folium(mapping.build_map(ctx.countries, ctx.airports, base=ctx.base, frame=extent),
                  key="article-map", feature_group_to_add=layers.groups,
                  layer_control=folium.LayerControl(collapsed=True), returned_objects=[],
                  use_container_width=True, height=PREVIEW_HEIGHT)
    st.caption("Map preview: the proposals not rejected. Hover a symbol for its id.")


def _decision_key(draft: review.Draft, nonce: int) -> str:
    return f"decide-{nonce}-{draft.number}-{int(draft.edited)}"


def _read_decisions(drafts: list[review.Draft], nonce: int) -> None:
    """Take the decisions from their radios' state (before the preview is drawn from them)."""
    for draft in drafts:
        key = _decision_key(draft, nonce)
        if key in st.session_state:
            choice = st.session_state[key]
            draft.decision = _DECISIONS.get(choice) if choice else None


def _counts(props: dict) -> str:
    return ", ".join(f"{props[k]} {k}" for k in curation.COUNTS if props.get(k) is not None)


def _draft(ctx: Context, draft: review.Draft, nonce: int) -> None:
    p = draft.feature["properties"]
    dates = format_dates(*(None if v is None else dt.date.fromisoformat(v)
                           for v in (p["date"], p.get("end_date"))))
    head = (f"{draft.number}. {TYPE_LABELS[p['type']]} · {dates} · {p['place']} "
            f"({p['location_precision']}), {ctx.names.get(p['country'], p['country'])}")
    tail = [p["platform"], _counts(p), f"confidence {p['confidence']}",
            "background (an earlier event)" if draft.proposal.background else "",
            "edited" if draft.edited else ""]
    with st.container(border=True, key=f"draft-{draft.number}"):
        st.markdown(f"**{S.md(head)}** · " + S.md(" · ".join(t for t in tail if t)))
        for cite in p["sources"]:
            st.markdown(f"> {S.md(cite['quote'])}")
        st.caption(S.md(" · ".join(filter(None, (
            None if draft.duplicate_of else draft.id, p.get("notes"))))))
        if draft.duplicate_of is not None:
            st.markdown(f"Already in the data: [{S.md(draft.duplicate_of)}]"
                        f"(?incident={draft.duplicate_of}) · not proposed again")
            return
        left, right = st.columns([3, 1])
        choice = left.radio(
            "Decision", list(_DECISIONS), horizontal=True, label_visibility="collapsed",
            key=_decision_key(draft, nonce),
            index=(list(_DECISIONS.values()).index(draft.decision)
                   if draft.decision in _DECISIONS.values() else None))
        draft.decision = _DECISIONS.get(choice) if choice else None
        right.button("Edit", icon=":material/edit:", key=f"edit-{nonce}-{draft.number}",
                     on_click=_open_edit, args=(draft.number,), use_container_width=True)


def _open_edit(number: int) -> None:
    st.session_state[S.KEY_DIALOG] = ("draft", number)


@st.dialog("Edit the draft incident", width="large", on_dismiss=curation.close_dialog)
def _edit_dialog(ctx: Context, draft: review.Draft, document: str) -> None:
    st.caption("Saved with the other accepted drafts, when you save the review.")
    with st.form("draft_form", border=False):
        v = curation.incident_fields(ctx, editing.defaults(draft.feature), draft.id,
                                     is_new=False)
        submitted = st.form_submit_button("Accept with these values", type="primary")
    if not submitted:
        return
    try:
        if curation.cited(ctx, v, document) is not None:
            raise DataError("a draft cites the article or a registered source; register a "
                            "new document first (Add incident)")
    except DataError as exc:
        curation.save_problem(exc)
        return
    feature, problems = editing.to_feature(v, draft.feature)
    problems = problems or review.replace_feature(draft, feature)
    if problems:
        curation.save_problem(DataError(f"{len(problems)} problem(s):", problems))
        return
    curation.close_dialog()
    st.rerun()


def _save(cfg: settings.Settings, note_key: str) -> None:
    ss = st.session_state
    article, drafts = ss[KEY_REVIEW]
    try:
        review.save(cfg.store, drafts, article, ss.get(note_key, ""), user=auth.current_id())
    except (DataError, settings.ReadOnlyError) as exc:
        S.flash(FLASH_ARTICLE, "error", f"Not saved: {exc}")
        return
    n = len(review.accepted(drafts))
    S.flash(S.FLASH_STORE, "success", f"Saved {n} incident(s) from “{article.source.title}”, "
                                      f"one change in the history, citing the source "
                                      f"{article.source.document}.")
    ss[KEY_REVIEW] = None
    ss[KEY_NONCE] = ss.get(KEY_NONCE, 0) + 1


def _discard() -> None:
    st.session_state[KEY_REVIEW] = None
    st.session_state[KEY_NONCE] = st.session_state.get(KEY_NONCE, 0) + 1


def article_panel(ctx: Context, cfg: settings.Settings) -> None:
    """The tab (``ctx``: the saved data, which duplicates and ids are checked against)."""
    if cfg.read_only or not settings.editable(cfg):
        st.caption("Drafting incidents from an article needs curation rights: this deployment "
                   "is read-only, your role is viewer, or its data file cannot be edited here.")
        return
    st.caption("Paste a news report (or choose a .txt, .html, .md or .pdf file): the incidents it "
               "describes are proposed with verbatim quotes, dates resolved against the "
               "publication date. Review each, then save the accepted ones. Offline: nothing "
               "leaves this machine.")
    _form(ctx)
    with st.container():
        S.show_flash(FLASH_ARTICLE)
    held = st.session_state.get(KEY_REVIEW)
    if not held:
        return
    article, drafts = held
    nonce = st.session_state.get(KEY_NONCE, 0)
    st.markdown(f"**Review** · {S.md(article.source.label())}")
    _read_decisions(drafts, nonce)
    _preview(ctx, drafts)
    for draft in drafts:
        _draft(ctx, draft, nonce)
    n, open_ = len(review.accepted(drafts)), review.undecided(drafts)
    note_key = f"article-note-{nonce}"
    st.text_input("Change note (kept in the history)", key=note_key)
    left, right = st.columns([2, 1])
    left.button(f"Save {n} accepted incident(s)", type="primary", disabled=n == 0,
                icon=":material/save:", key=f"article-save-{nonce}", on_click=_save,
                args=(cfg, note_key), use_container_width=True,
                help=f"{open_} proposal(s) not decided yet are left out." if open_ else None)
    right.button("Discard this review", key=f"article-discard-{nonce}", on_click=_discard,
                 use_container_width=True)
    kind, number = st.session_state.get(S.KEY_DIALOG) or (None, None)
    if kind == "draft":
        match = next((d for d in drafts if d.number == number), None)
        if match is not None:
            _edit_dialog(ctx, match, article.source.document)
