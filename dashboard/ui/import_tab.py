"""The Import tab: upload, column choice, report, unsaved preview on the map, save."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import geopandas as gpd
import streamlit as st

from dashboard import auth, geo, importer, load, settings, sources, store
from dashboard.context import Context
from dashboard.importer import jobs
from dashboard.schema import DataError
from dashboard.ui import import_mapping
from dashboard.ui import state as S

MAPPED = ("lat", "lon", "date", "type", "country", "place", "summary", "source", "platform")
ACCEPTED = ["geojson", "json", "csv", "txt", "gpkg", "kml", "kmz"]


def _upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def _run_import(ctx: Context, upload, fmt: str | None, columns: importer.ColumnMap | None,
                chosen: dict):
    """Import the uploaded file once per (file, format, column choice); kept in the session.

    A small file is imported in this run; a big one in a worker process (``jobs``), whose
    progress is shown until it is done: None until then (or when it was cancelled)."""
    ss = st.session_state
    key = (upload.file_id, fmt, columns, import_mapping.key_of(chosen))
    cached = ss.get(S.KEY_IMPORT)
    if cached and cached[0] == key:
        return cached[1]
    if upload.size < jobs.INLINE_BYTES:
        result = importer.import_bytes(upload.getvalue(), upload.name, fmt, columns,
                                       **_held(ctx), **chosen)
    else:
        result = _in_worker(ctx, upload, key, chosen)
        if result is None:
            return None
    if ctx.database is not None:
        result = _against_database(ctx, upload, fmt, columns, chosen, result)
    ss[S.KEY_IMPORT] = (key, result, upload.name)
    return result


def _against_database(ctx: Context, upload, fmt, columns, chosen: dict,
                      result: importer.ImportResult) -> importer.ImportResult:
    """With a database too big to hold, the import was made against no saved record: made
    again against the records its ids name (``updates.against_store``)."""
    from dashboard.db import query
    from dashboard.importer.updates import against_store

    def again(ids: set[str]) -> importer.ImportResult:
        with st.spinner(f"Matching against the {len(ids):,} saved records these ids name…"):
            return importer.import_bytes(upload.getvalue(), upload.name, fmt, columns,
                                         **_held(ctx, ids), **chosen)
    return against_store(result, lambda ids: query.existing(ctx.database, ids), again)


def _held(ctx: Context, ids: set[str] | None = None) -> dict:
    """What an import is matched against: the ids taken, the saved records that came from
    a file (their ``origin``: a re-import updates them), and the profiles shipped and saved
    beside the data. With a database too big to hold: only the records ``ids``."""
    cfg = settings.load_settings()
    if ctx.database is not None:
        snapshot = store.open_snapshot(cfg.store, ids=sorted(ids or ()))
        return {"existing_ids": snapshot.ids, "profiles": importer.available_profiles(cfg.data),
                "existing": [f for f in snapshot.features if f["properties"].get("origin")]}
    held = ctx.incidents.loc[ctx.incidents["origin"].notna(), ["id", "origin"]]
    existing = [f for f in store.open_snapshot(cfg.store, ids=held["id"]).features
                if f["properties"]["id"] in set(held["id"])] if len(held) else []
    return {"existing_ids": set(ctx.incidents["id"]), "existing": existing,
            "profiles": importer.available_profiles(cfg.data)}


def _in_worker(ctx: Context, upload, key: tuple, chosen: dict) -> importer.ImportResult | None:
    """The result of the upload's import job (started here), or None while it runs."""
    ss = st.session_state
    running = ss.get(S.KEY_IMPORT_JOB)
    if running and running[0] == key:
        job = running[1]
    else:
        cancel_job()
        job = jobs.ImportJob(upload.getvalue(), upload.name, key[1], key[2], **_held(ctx),
                             **chosen)
        ss[S.KEY_IMPORT_JOB] = (key, job)
    status = job.poll()
    if status.state == "done":
        ss[S.KEY_IMPORT_JOB] = None
        return job.result
    if status.state == "failed":
        raise DataError(job.error or status.stage)
    if status.state == "cancelled":
        st.warning(S.md(f"Import of {upload.name} stopped ({status.stage.lower()}); nothing "
                        "was added."), icon=":material/cancel:")
        st.button("Import again", icon=":material/refresh:", on_click=cancel_job)
        return None
    _progress(job)
    return None


def cancel_job() -> None:
    """Stop this session's import job, if one is running, and forget it."""
    running = st.session_state.get(S.KEY_IMPORT_JOB)
    if running:
        running[1].cancel()
    st.session_state[S.KEY_IMPORT_JOB] = None


@st.fragment(run_every=0.5)
def _progress(job: jobs.ImportJob) -> None:
    """The job's progress, redrawn twice a second; the whole page reruns once it is over."""
    status = job.poll()
    if status.finished:
        st.rerun()
    st.progress(status.fraction, text=S.md(f"Importing {job.name}. {status.describe()}"))
    st.button("Cancel import", icon=":material/cancel:", on_click=job.cancel,
              key="import-cancel")


def preview_frame(ctx: Context) -> gpd.GeoDataFrame | None:
    """The valid rows of the current upload as incidents, when the user asked to see them on
    the map; None otherwise."""
    cached = st.session_state.get(S.KEY_IMPORT)
    if not cached or not st.session_state.get(S.KEY_IMPORT_PREVIEW) or not cached[1].features:
        return None
    return geo.enrich(load.incidents_frame(cached[1].feature_collection()), ctx.countries)


def _save(cfg: settings.Settings) -> None:
    ss = st.session_state
    _, result, name = ss[S.KEY_IMPORT]
    try:
        saved = sources.save_import(cfg.store, result.features, name, ss.get(S.KEY_IMPORT_NOTE, ""),
                                    updated=result.updated, user=auth.current_id())
    except (DataError, settings.ReadOnlyError) as exc:
        problems = "; ".join(str(p) for p in getattr(exc, "problems", [])[:5])
        S.flash(S.FLASH_STORE, "error",
                f"Import not saved: {exc}" + (f" ({problems})" if problems else ""))
        return
    updated = f" and updated {len(result.updated)}" if result.updated else ""
    S.flash(S.FLASH_STORE, "success", f"Added {len(result.features)}{updated} incidents from "
                                      f"{name} ({len(saved.features)} in the data now).")
    ss[S.KEY_IMPORT] = None
    ss[S.KEY_IMPORT_PREVIEW] = False
    ss[S.KEY_UPLOAD_NONCE] = ss.get(S.KEY_UPLOAD_NONCE, 0) + 1


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


def _chosen_columns(upload, widget: str) -> importer.ColumnMap | None:
    """The detected columns with the user's choices on top ("—" removes a column)."""
    ss = st.session_state
    chosen = {f: ss[widget + f] for f in MAPPED if widget + f in ss}
    if not chosen:
        return None
    cached = ss.get(S.KEY_IMPORT)
    known = (cached[1].source_columns if cached and cached[0][0] == upload.file_id
             else importer.header_columns(upload.getvalue(), upload.name))
    return replace(importer.guess_columns(known), **chosen)


def _report(result, chosen: str | None) -> None:
    st.markdown(S.md(result.summary()))
    st.caption(S.md(f"Format: {importer.FORMAT_LABELS[result.format]}, "
                    + ("as chosen above" if chosen else "detected from the file")))
    read, valid, rejected = st.columns(3)
    read.metric("Rows read", result.rows_read)
    valid.metric("Valid", len(result.features), help="new incidents" if result.updated
                 or result.unchanged else None)
    rejected.metric("Rejected", result.rows_rejected)
    if result.updated or result.unchanged:
        st.caption(S.md(f"Already in the data (same source id): {len(result.updated)} updated, "
                        f"{len(result.unchanged)} unchanged."))
    for warning in result.warnings:
        st.info(S.md(warning))
    if result.rejected:
        st.markdown("**Rejected rows**")
        st.dataframe(importer.rejected_frame(result), hide_index=True, use_container_width=True)


def _save_controls(cfg: settings.Settings, result) -> None:
    st.checkbox(f"Show the {len(result.features)} valid rows on the map (preview, not saved), "
                "filtered like the rest", key=S.KEY_IMPORT_PREVIEW)
    if not settings.editable(cfg):
        st.caption("This deployment cannot save imports (read-only, your role is viewer, or the "
                   "data file is not GeoJSON).")
        return
    st.text_input("Note for the change history", key=S.KEY_IMPORT_NOTE,
                  placeholder=f"e.g. ACLED weekly export, {dt.date.today():%-d %b %Y}")
    updated = f" and update {len(result.updated)}" if result.updated else ""
    st.button(f"Add {len(result.features)}{updated} incidents to the data", type="primary",
              icon=":material/save:", on_click=_save, args=(cfg,))


def import_panel(ctx: Context, cfg: settings.Settings) -> None:
    """The Import tab (``ctx``: the saved data, which imported ids are checked against)."""
    ss = st.session_state
    st.caption("GeoJSON (ours or any other), CSV with coordinate columns, ACLED export CSV, "
               f"GeoPackage or KML, up to {_upload_limit_mb()} MB. Nothing is kept until you "
               "save; every saved import is logged in the change history.")
    left, right = st.columns([3, 2])
    upload = left.file_uploader("File to import", key=f"upload-{ss.get(S.KEY_UPLOAD_NONCE, 0)}",
                                type=ACCEPTED)
    fmt = right.selectbox("Format", [None, *importer.FORMATS], key=S.KEY_IMPORT_FORMAT,
                          format_func=lambda f: "Detect from the file" if f is None
                          else importer.FORMAT_LABELS[f])
    if upload is None:
        ss[S.KEY_IMPORT] = None
        cancel_job()
        return
    if upload.size > _upload_limit_mb() * 1024 * 1024:
        st.error(f"{S.md(upload.name)} is {upload.size / 1e6:.1f} MB; the limit is "
                 f"{_upload_limit_mb()} MB (server.maxUploadSize in .streamlit/config.toml).")
        return
    widget = f"col-{upload.file_id}-"  # the user's column choices for this file
    chosen = import_mapping.choices(upload, cfg)
    try:
        result = _run_import(ctx, upload, fmt, _chosen_columns(upload, widget), chosen)
        if result is None:  # a big file still importing, or stopped
            return
    except DataError as exc:
        ss[S.KEY_IMPORT] = None
        st.error(S.md(f"Cannot import: {exc}"))
        if chosen:   # a profile or mapping that does not fit this file: let it be undone
            import_mapping.profile_picker(upload, cfg)
        header = importer.header_columns(upload.getvalue(), upload.name)
        if header:  # a table whose coordinate columns were not recognised: let the user say
            _column_choice(widget, header, importer.guess_columns(header), expanded=True)
        return
    if result.columns is not None and fmt != "acled" and result.format != "acled":
        _column_choice(widget, result.source_columns, result.columns, expanded=not result.features)
    _report(result, fmt)
    import_mapping.controls(upload, cfg, result, fmt, chosen)
    if result.features or result.updated:
        _save_controls(cfg, result)
