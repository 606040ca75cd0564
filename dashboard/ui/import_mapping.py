"""The Import tab's profile, value mapping and constants, and "save as profile".

The choices live in session state per uploaded file and are read before the import runs
(``choices``), so a change re-imports the file with them; the widgets that make them are
drawn after the report (``controls``), where the file's columns are known.
"""

from __future__ import annotations

import streamlit as st

from dashboard import importer, settings
from dashboard.importer import profiles
from dashboard.schema import INCIDENT_TYPES, PLATFORMS, TYPE_LABELS, DataError
from dashboard.ui import state as S

#: Fields whose values can be mapped in the tab (their values are a fixed list).
MAPPABLE = ("type", *(f for f in profiles.TARGETS if f != "type"), "platform")
AUTO = "(recognise from the file)"
#: Session key of what is read from an upload once (distinct values, lookup titles).
CACHE = "import_mapping_cache"
#: Distinct values offered for mapping one by one (a column with more is free text).
MAX_VALUES = 30


def _targets(field: str) -> list[str]:
    return list(PLATFORMS if field == "platform" else profiles.TARGETS[field]) + [profiles.SKIP]


def _keys(upload) -> dict[str, str]:
    base = f"imp-{upload.file_id}-"
    return {k: base + k for k in ("profile", "column", "field", "values", "editor", "set_type",
                                  "set_platform", "save_name", "lookup")}


def choices(upload, cfg: settings.Settings) -> dict:
    """The profile, mapping and constants chosen for ``upload`` (``import_bytes`` keywords)."""
    ss, k = st.session_state, _keys(upload)
    out: dict = {}
    name = ss.get(k["profile"])
    if name and name != AUTO:
        found = importer.available_profiles(cfg.data)
        if name in found:
            out["profile"] = found[name]
    column, field = ss.get(k["column"]), ss.get(k["field"]) or "type"
    values = ss.get(k["values"]) or []
    mapped = {value: ss[f"{k['editor']}{i}"] for i, (value, _) in enumerate(values[:MAX_VALUES])
              if ss.get(f"{k['editor']}{i}")}
    if column and mapped:
        out["mapping"] = {field: profiles.ValueMap(column, mapped)}
    constants = {f: ss[k[f"set_{f}"]] for f in ("type", "platform") if ss.get(k[f"set_{f}"])}
    if constants:
        out["constants"] = constants
    lookup = ss.get(k["lookup"])
    if lookup is not None:
        titles = _once(f"{k['lookup']}-{lookup.file_id}", lambda: _lookup_titles(lookup))
        if isinstance(titles, str):
            st.error(S.md(f"Lookup file not used: {titles}"))
        else:
            out["lookups"] = titles
    return out


def _once(key: str, make):
    """``make()`` once per ``key`` in this session (a file read again on every rerun, a
    filter change included, cost the whole file each time)."""
    cache = st.session_state.setdefault(CACHE, {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _lookup_titles(upload) -> dict[str, str] | str:
    try:
        return importer.lookup_titles(upload.getvalue(), upload.name)
    except DataError as exc:
        return str(exc)


def key_of(chosen: dict) -> tuple:
    """A hashable account of ``choices`` (part of the import's cache key)."""
    profile = chosen.get("profile")
    mapping = tuple((f, v.column, tuple(sorted(v.map.items())))
                    for f, v in sorted(chosen.get("mapping", {}).items()))
    return (profile.name if profile else None, mapping,
            tuple(sorted(chosen.get("constants", {}).items())),
            tuple(sorted(chosen.get("lookups", {}).items())))


def _distinct(upload, column: str, fmt: str | None) -> list[tuple[str, int]]:
    try:
        table = importer.read_table(upload.getvalue(), upload.name, fmt)
    except DataError:
        return []
    return profiles.distinct_values(table, column) if column in table.columns else []


def profile_picker(upload, cfg: settings.Settings) -> None:
    """The import profile to use for ``upload`` (also shown when a chosen one does not fit)."""
    known = importer.available_profiles(cfg.data)
    st.selectbox("Import profile", [AUTO, *sorted(known)], key=_keys(upload)["profile"],
                 format_func=lambda n: n if n == AUTO else f"{known[n].title()} ({n})",
                 help="A profile names the columns, value mappings and constants of one kind "
                      "of file (ACLED, UCDP GED, TimeMap, or one you saved).")


def controls(upload, cfg: settings.Settings, result: importer.ImportResult, fmt: str | None,
             chosen: dict) -> None:
    """Profile picker, a column's values mapped to ours, constants, and saving them."""
    ss, k = st.session_state, _keys(upload)
    in_force = [f"{f} from {v.column} ({len(v.map)} value(s) mapped)"
                for f, v in chosen.get("mapping", {}).items()]
    in_force += [f"{f} set to {v} for every row" for f, v in chosen.get("constants", {}).items()]
    if in_force:
        st.caption(S.md("Applied: " + "; ".join(in_force) + "."))
    # Never expanded by argument: a changed argument redraws the expander closed mid-choice.
    with st.expander("Profile, value mapping and constants"):
        profile_picker(upload, cfg)
        left, right = st.columns(2)
        column = left.selectbox("Map the values of column", [None, *result.source_columns],
                                key=k["column"],
                                format_func=lambda c: "—" if c is None else c)
        field = right.selectbox("to our", list(MAPPABLE), key=k["field"])
        if column:
            values = _once(f"{k['values']}-{column}-{fmt}",
                           lambda: _distinct(upload, column, fmt))
            if ss.get(k["values"]) != values:
                ss[k["values"]] = values
                for i in range(MAX_VALUES):   # another column: its own mapping
                    ss.pop(f"{k['editor']}{i}", None)
            grid = st.columns(3)
            for i, (value, rows) in enumerate(values[:MAX_VALUES]):
                grid[i % 3].selectbox(f"{value[:60]} ({rows:,} row{'s' if rows != 1 else ''})",
                                      [None, *_targets(field)],
                                      key=f"{k['editor']}{i}",
                                      format_func=lambda t: "— (as it is)" if t is None else t)
            more = len(values) - MAX_VALUES
            st.caption("Values left at “as it is” go through unchanged; “skip” rejects the "
                       "row as not an incident this map covers."
                       + (f" {more} rarer values are not listed: map them with a profile or "
                          "the CLI's --map." if more > 0 else ""))
        st.file_uploader("Lookup file for ids in the events (a TimeMap associations.json or "
                         "categories.json; optional)", type=["json"], key=k["lookup"],
                         help="Category or association ids in a JSON event list are then read "
                              "as their titles, so types and mappings see words.")
        left, right = st.columns(2)
        left.selectbox("Set the type of every row", [None, *INCIDENT_TYPES], key=k["set_type"],
                       format_func=lambda t: "— (from the file)" if t is None else TYPE_LABELS[t])
        right.selectbox("Set the platform of every row", [None, *PLATFORMS],
                        key=k["set_platform"],
                        format_func=lambda p: "— (from the file)" if p is None else p)
        _save(cfg, result, chosen, k)


def _save(cfg: settings.Settings, result: importer.ImportResult, chosen: dict,
          k: dict[str, str]) -> None:
    if not settings.editable(cfg) or not (chosen.get("mapping") or chosen.get("constants")):
        return
    left, right = st.columns([3, 1])
    left.text_input("Save these choices as a profile named", key=k["save_name"],
                    placeholder="e.g. my-monitor (lower-case letters, digits, - and _)")
    right.button("Save profile", on_click=_save_profile, args=(cfg, result, chosen, k),
                 key=k["save_name"] + "-button")
    S.show_flash(S.FLASH_PROFILE)


def _save_profile(cfg: settings.Settings, result: importer.ImportResult, chosen: dict,
                  k: dict[str, str]) -> None:
    name = (st.session_state.get(k["save_name"]) or "").strip()
    used = {f: c for f, c in (result.columns.used() if result.columns else {}).items()}
    mapping = chosen.get("mapping", {})
    match = sorted({*used.values(), *(v.column for v in mapping.values())})
    try:
        profile = profiles.parse_profile({
            "name": name, "label": name, "match": match, "columns": used,
            "values": {f: {"column": v.column, "map": v.map} for f, v in mapping.items()},
            "constants": chosen.get("constants", {}),
            **({"source_id": used["id"]} if "id" in used else {})}, "the profile")
        path = profiles.save_profile(profile, cfg.data)
    except (DataError, OSError) as exc:
        S.flash(S.FLASH_PROFILE, "error", f"Profile not saved: {exc}")
        return
    S.flash(S.FLASH_PROFILE, "success", f"Saved profile {name!r} ({path.name}); files with "
                                        "these columns are now recognised as it.")
