"""The detail card of the selected incident: fields, sources, related incidents, history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import detail, filters, settings, sources, store
from dashboard.context import Context
from dashboard.schema import TYPE_LABELS
from dashboard.selection import Selection
from dashboard.ui import curation
from dashboard.ui import selected as selected_
from dashboard.ui import state as S
from dashboard.ui.map_panel import select


def _history(cfg: settings.Settings, incident_id: str) -> None:
    entries = store.history(cfg.store, incident_id)
    with st.expander(f"Change history ({len(entries)})"):
        if not entries:
            st.caption("No recorded changes: the record is as first curated.")
            return
        for e in reversed(entries):
            head = f"{e.at.replace('T', ' ')[:16]} UTC · {e.action}" + (f" · {e.user}" if e.user else "")
            note = e.note or (f"from {e.source}" if e.source else "")
            st.markdown(f"**{S.md(head)}**" + (f" — {S.md(note)}" if note else ""))
            for name, (old, new) in (e.changes.get(incident_id) or {}).items():
                st.caption(S.md(f"{name}: {detail.shorten(old)} → {detail.shorten(new)}"))


def _sources(ctx: Context, row: pd.Series) -> None:
    st.markdown("**Sources**")
    for source in row["sources"]:
        st.markdown(f"> “{S.md(source['quote'])}”")
        st.caption(S.md(sources.label(source["document"], ctx.sources, source.get("publisher"))))
    related = [r for r in row["related_ids"] if r in ctx.incidents.index]
    if related:
        st.markdown("**Related incidents**")
        for rid in related:
            st.button(S.md(f"{TYPE_LABELS[ctx.incidents.loc[rid, 'type']]}: "
                           f"{ctx.incidents.loc[rid, 'place']} ({rid})"),
                      key=f"related-{rid}", on_click=select, args=(rid, ctx))
    if row["origin"]:
        with st.expander("Original imported fields"):
            st.dataframe([{"Field": k, "Value": "" if v is None else str(v)}
                          for k, v in row["origin"].items()], hide_index=True,
                         use_container_width=True)


def _curation_buttons(cfg: settings.Settings, row: pd.Series) -> None:
    if row.get("preview") is True:
        st.caption("Import preview: not saved yet.")
        return
    if not settings.editable(cfg):
        return
    edit, retract = st.columns(2)
    edit.button("Edit", icon=":material/edit:", key="edit-incident", use_container_width=True,
                on_click=curation.open_dialog, args=(cfg, "incident", row["id"]))
    if row["status"] == "retracted":
        retract.button("Restore", icon=":material/undo:", key="restore-incident",
                       use_container_width=True, on_click=curation.restore, args=(cfg, row["id"]))
    else:
        retract.button("Retract", icon=":material/block:", key="retract-incident",
                       use_container_width=True, on_click=curation.open_dialog,
                       args=(cfg, "retract", row["id"]))


def detail_card(ctx: Context, sel: Selection, spec: filters.FilterSpec,
                cfg: settings.Settings) -> None:
    """The selected incident's card, or a hint how to select one."""
    selected = st.session_state.get(S.KEY_SELECTED)
    if selected not in ctx.incidents.index:
        st.info("Click a symbol on the map, or select a row in the table, to see the incident's "
                "details and sources here.")
        return
    row = ctx.incidents.loc[selected]
    with st.container(border=True, key="detail_card"):
        st.markdown(f"#### {S.md(TYPE_LABELS[row['type']])}: {S.md(row['place'])}")
        if row["status"] == "retracted":
            st.warning(f"Retracted: {S.md(row['retraction_reason'])}")
        if not selected_.in_selection(ctx, sel, spec, selected):
            st.caption("Not in the current filter selection.")
        st.markdown("  \n".join(f"**{S.md(label)}:** {S.md(value)}"
                                for label, value in detail.fields(row)))
        _sources(ctx, row)
        _curation_buttons(cfg, row)
        _history(cfg, selected)
        st.button("Clear selection", on_click=select, args=(None, ctx), key="clear-selection")
