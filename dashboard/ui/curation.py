"""Curating in the app: the add/edit and retract dialogs, restore, and the sidebar's Add button.

Every dialog works on a ``store.Snapshot`` taken when it opened: its version is what a later
save checks against, so a change made elsewhere meanwhile is refused, never overwritten.
"""

from __future__ import annotations

import streamlit as st

from dashboard import auth, editing, settings, sources, store
from dashboard.context import Context
from dashboard.schema import (
    CONFIDENCES,
    DATE_PRECISIONS,
    INCIDENT_TYPES,
    LOCATION_PRECISIONS,
    PLATFORMS,
    TYPE_LABELS,
    DataError,
)
from dashboard.ui import state as S

COUNTS = ("drones", "aircraft", "missiles", "killed", "injured")


def save_problem(exc: Exception) -> None:
    """Show why a save was refused, inside the open dialog (which stays open)."""
    lines = [str(exc), *(str(p) for p in getattr(exc, "problems", [])[:30])]
    st.error("Not saved. " + "\n\n".join(S.md(line) for line in lines))


def _index(options, value) -> int:
    options = list(options)
    return options.index(value) if value in options else 0


def close_dialog() -> None:
    """Forget the open dialog."""
    st.session_state[S.KEY_DIALOG] = None


def _where_and_what(ctx: Context, d: dict) -> dict:
    v: dict = {}
    countries = list(dict.fromkeys([*ctx.country_options, d["country"]]))
    a, b, c = st.columns(3)
    v["type"] = a.selectbox("Type", INCIDENT_TYPES, _index(INCIDENT_TYPES, d["type"]),
                            format_func=TYPE_LABELS.get)
    v["date"] = b.date_input("Date", d["date"], format="YYYY-MM-DD")
    v["end_date"] = c.date_input("End date (optional)", d["end_date"], format="YYYY-MM-DD")
    v["date_precision"] = a.selectbox("Date precision", DATE_PRECISIONS,
                                      _index(DATE_PRECISIONS, d["date_precision"]))
    v["country"] = b.selectbox("Country", countries, _index(countries, d["country"]),
                               format_func=lambda x: f"{ctx.names.get(x, x)} ({x})")
    v["region"] = c.text_input("Region (optional)", d["region"])
    v["place"] = a.text_input("Place", d["place"])
    v["location_precision"] = b.selectbox("Location precision", LOCATION_PRECISIONS,
                                          _index(LOCATION_PRECISIONS, d["location_precision"]))
    v["platform"] = c.selectbox("Platform", PLATFORMS, _index(PLATFORMS, d["platform"]))
    v["lat"] = a.number_input("Latitude", -90.0, 90.0, d["lat"], format="%.5f",
                              help="Click the map before opening this form to fill it in.")
    v["lon"] = b.number_input("Longitude", -180.0, 180.0, d["lon"], format="%.5f")
    v["icao"] = c.text_input("Airport ICAO (closures)", d["icao"], max_chars=4)
    for col, name in zip(st.columns(len(COUNTS)), COUNTS, strict=True):
        v[name] = col.number_input(name.capitalize(), 0, None, d[name], step=1)
    return v


def _source_fields(ctx: Context, d: dict) -> dict:
    """The cited document: one from the source registry, or a new one (registered on save)."""
    registry = ctx.sources
    docs = sorted(registry, key=lambda k: registry[k].label())
    v: dict = {"registered": st.selectbox(
        "Source (from the registry)", [None, *docs], _index([None, *docs], d["document"] or None),
        format_func=lambda k: "— a new document, named below —" if k is None else registry[k].label(),
        help="Register a document once and cite it from many incidents.")}
    a, b = st.columns([2, 1])
    v["document"] = a.text_input("New document (file name or id)",
                                 "" if d["document"] in registry else d["document"])
    v["publisher"] = b.text_input("Publisher (optional)", d["publisher"])
    a, b = st.columns([2, 1])
    v["source_title"] = a.text_input("Title of the new document")
    v["source_published"] = b.text_input("Published (YYYY-MM-DD, optional)")
    return v


def cited(ctx: Context, v: dict, was: str | None) -> sources.Source | None:
    """Settle the form's source fields into ``document``/``publisher``; the new registry
    entry to save, if the document is new (``was``: the document the record cited before,
    which needs nothing new). ``DataError`` when a new document has no title."""
    chosen = v.pop("registered")
    title, published = v.pop("source_title").strip(), v.pop("source_published").strip()
    if chosen:
        v["document"] = chosen
        v["publisher"] = v["publisher"] or ctx.sources[chosen].publisher or ""
        return None
    document = (v["document"] or "").strip()
    if not document or document in ctx.sources or document == was:
        return None  # the schema names an empty document; a registered one needs nothing
    if not title:
        raise DataError(f"document {document!r} is not in the source registry: give its title "
                        "(and its publisher and date, if known), or pick a registered source")
    return sources.parse_entry(document, {"title": title, "publisher": v["publisher"] or None,
                                          "published": published or None, "url": v.get("url") or None},
                               "new source")


def related_options(ctx: Context, d: dict, incident_id: str | None) -> list[str]:
    """The incidents a record may be related to in the form: those the app holds (saved
    ones: not an import preview's rows) and those it already names, not itself."""
    held = ctx.incidents
    if "preview" in held:
        held = held[held["preview"] != True]  # noqa: E712 (NaN: saved)
    return sorted((set(held["id"]) | set(d["related_ids"])) - {incident_id})


def _sources_and_notes(ctx: Context, d: dict, incident_id: str | None, is_new: bool) -> dict:
    v: dict = {"summary": st.text_area("Summary", d["summary"], height=68)}
    v.update(_source_fields(ctx, d))
    v["quote"] = st.text_area("Supporting quote (verbatim, at most 30 words)", d["quote"], height=68)
    v["url"] = st.text_input("Source link (optional, http/https)", d["url"])
    a, b = st.columns([1, 2])
    v["confidence"] = a.selectbox("Confidence", CONFIDENCES, _index(CONFIDENCES, d["confidence"]))
    v["related_ids"] = b.multiselect(
        "Related incidents", related_options(ctx, d, incident_id), d["related_ids"],
        help=None if ctx.database is None else "From the incidents shown (the newest that "
        "match the filters): filter to the ones you want to relate.")
    v["notes"] = st.text_area("Notes: what was inferred, and from what", d["notes"], height=68)
    v["id"] = st.text_input("Id", d["id"], disabled=not is_new,
                            placeholder="left empty: made from country, type and date")
    return v


def incident_fields(ctx: Context, d: dict, incident_id: str | None, is_new: bool) -> dict:
    """The incident form's widgets, filled from ``d`` (``editing.defaults``); their values."""
    return {**_where_and_what(ctx, d), **_sources_and_notes(ctx, d, incident_id, is_new)}


@st.dialog("Incident", width="large", on_dismiss=close_dialog)
def _incident_dialog(ctx: Context, incident_id: str | None) -> None:
    """Add a new incident (``incident_id`` None) or edit one; validated before saving."""
    ss = st.session_state
    base: store.Snapshot = ss[S.KEY_EDIT_BASE]
    original = base.feature(incident_id) if incident_id else None
    d = editing.defaults(original, *(ss.get(S.KEY_MAP_POINT) or (None, None)))
    if original is None:
        st.caption("Every incident needs its source document and a short verbatim quote. "
                   "Say in the notes what was inferred (location, date).")
    with st.form("incident_form", border=False):
        v = incident_fields(ctx, d, incident_id, original is None)
        note = st.text_input("Change note (kept in the history)")
        submitted = st.form_submit_button("Save", type="primary")
    if not submitted:
        return
    if original is None and not (v["id"] or "").strip():
        v["id"] = editing.new_id(v["country"], v["type"], v["date"], base.known_ids)
    try:
        new_source = cited(ctx, v, d["document"] if original is not None else None)
    except DataError as exc:
        save_problem(exc)
        return
    feature, problems = editing.to_feature(v, original)
    if problems:
        save_problem(DataError(f"{len(problems)} problem(s):", problems))
        return
    try:
        (store.edit if original else store.add)(base, feature, note, user=auth.current_id())
        if new_source is not None:  # after the incident: a refused save registers nothing
            registry = sources.path_for(base.path)
            sources.save(registry, sources.with_source(sources.read(registry), new_source))
    except (DataError, settings.ReadOnlyError) as exc:
        save_problem(exc)
        return
    S.flash(S.FLASH_STORE, "success", f"Saved {feature['id']}.")
    ss[S.KEY_SELECTED] = feature["id"]
    close_dialog()
    st.rerun()


@st.dialog("Retract incident", on_dismiss=close_dialog)
def _retract_dialog(incident_id: str) -> None:
    st.markdown(f"Retract **{S.md(incident_id)}**? The record stays in the data, marked "
                "retracted with your reason, and is hidden unless “Show retracted records” "
                "is ticked.")
    with st.form("retract_form", border=False):
        reason = st.text_area("Reason (required)")
        submitted = st.form_submit_button("Retract", type="primary")
    if submitted:
        try:
            store.retract(st.session_state[S.KEY_EDIT_BASE], incident_id, reason,
                          user=auth.current_id())
        except (DataError, settings.ReadOnlyError) as exc:
            save_problem(exc)
            return
        S.flash(S.FLASH_STORE, "success", f"Retracted {incident_id}.")
        close_dialog()
        st.rerun()


def open_dialog(cfg: settings.Settings, kind: str, incident_id: str | None) -> None:
    """Button callback: open a curation dialog on a snapshot of the data (of a database:
    of the one record edited, or none for a new one)."""
    try:
        st.session_state[S.KEY_EDIT_BASE] = store.open_snapshot(
            cfg.store, ids=[incident_id] if incident_id else [])
    except DataError as exc:
        S.flash(S.FLASH_STORE, "error", str(exc))
        return
    st.session_state[S.KEY_DIALOG] = (kind, incident_id)


def dialogs(ctx: Context, cfg: settings.Settings) -> None:
    """Show the open curation dialog, if any (it stays open until saved or dismissed)."""
    kind, incident_id = st.session_state.get(S.KEY_DIALOG) or (None, None)
    if kind is None or not settings.editable(cfg) or S.KEY_EDIT_BASE not in st.session_state:
        return
    if kind == "incident":
        _incident_dialog(ctx, incident_id)
    elif kind == "retract" and incident_id:
        _retract_dialog(incident_id)


def restore(cfg: settings.Settings, incident_id: str) -> None:
    """Button callback: restore a retracted record."""
    try:
        store.restore(store.open_snapshot(cfg.store, ids=[incident_id]), incident_id,
                      user=auth.current_id())
    except (DataError, settings.ReadOnlyError) as exc:
        S.flash(S.FLASH_STORE, "error", f"Not restored: {exc}")
        return
    S.flash(S.FLASH_STORE, "success", f"Restored {incident_id}.")


def curation_sidebar(cfg: settings.Settings) -> None:
    """The sidebar's curation panel (or why this deployment cannot curate)."""
    sb = st.sidebar
    if cfg.read_only:
        sb.caption("Read-only deployment: adding, editing, retracting, saving imports and "
                   "changing brief packs are switched off.")
        return
    if not settings.writable(cfg):
        sb.caption("Your role is viewer: you can browse, filter, export and present, but not "
                   "curate, import or change brief packs.")
        return
    if not settings.editable(cfg):
        sb.caption(f"The data file {cfg.data.name} is not GeoJSON, so it cannot be edited here.")
        return
    with sb.expander("Curate incidents"):
        point = st.session_state.get(S.KEY_MAP_POINT)
        st.caption(f"Map point: {point[0]:.4f}, {point[1]:.4f} (click the map to move it)"
                   if point else "Click the map to place a new incident, or type coordinates.")
        st.button("Add incident", icon=":material/add_location:", use_container_width=True,
                  key="add_incident", on_click=open_dialog, args=(cfg, "incident", None))
