"""Context overlays in the app: the stored overlays (cached per index version), the sidebar's
toggles, the layers the map and the exports draw, and the "Add a context overlay" section of
the Import tab. Every rule is in ``dashboard.overlays`` (storage, versions in force) and
``dashboard.mapping.overlays`` (how they are drawn)."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st

from dashboard import filters, mapping, overlays, settings
from dashboard.overlays import KINDS, Layer, OverlayError, Version
from dashboard.ui import state as S

_AUTO = "found from the file"


def folder() -> Path:
    """Where this deployment keeps its overlays (beside the data, or ``$EFM_OVERLAYS_DIR``)."""
    return overlays.folder_for(settings.load_settings().data)


@st.cache_resource(show_spinner=False, max_entries=8)
def _index(stamp: tuple[str, int, int]) -> list[Version]:
    return overlays.read_index(Path(stamp[0]).parent)


@st.cache_resource(show_spinner=False, max_entries=64)
def _geometry(folder_path: str, version: Version) -> gpd.GeoDataFrame:
    """A version's display copy, read once (``Version`` is frozen: its file names carry a
    hash of the content, so a new version is a new key)."""
    return overlays.read_geometry(Path(folder_path), version)


def available() -> list[Version]:
    """Every stored version; none (and a warning) when the index cannot be read."""
    where = folder()
    try:
        return _index(overlays.stamp(where))
    except OverlayError as exc:
        st.warning(S.md(f"Context overlays are not shown: {exc}"))
        return []


def known_slugs() -> frozenset[str]:
    """The overlays a link may name."""
    try:
        return frozenset(overlays.names(overlays.read_index(folder())))
    except OverlayError:
        return frozenset()


def toggles() -> None:
    """The sidebar's "Context overlays" toggles: one per stored overlay (shown when any is)."""
    ss = st.session_state
    names = overlays.names(available())
    # An overlay removed since it was switched on (or named by an old link) drops out.
    ss[S.KEY_OVERLAYS] = [s for s in ss.get(S.KEY_OVERLAYS) or [] if s in names]
    if not names:
        return
    st.sidebar.pills(
        "Context overlays", list(names), selection_mode="multi", key=S.KEY_OVERLAYS,
        format_func=lambda s: names.get(s, s),
        help="Areas and lines that are not incidents (occupied territory, front lines, "
             "restricted airspace ...), drawn under the incidents. With dated versions, the "
             "one in force at the end of the date filter is shown. Add them in the Import tab.")


def chosen_layers(spec: filters.FilterSpec) -> list[Layer]:
    """The overlays switched on, each in its version in force at the end of the dates."""
    versions = available()
    where = folder()
    shown = overlays.shown(versions, st.session_state.get(S.KEY_OVERLAYS) or [], spec.date_to)
    out = []
    for version in shown:
        try:
            out.append(Layer(version, _geometry(str(where), version), where))
        except OverlayError as exc:
            st.warning(S.md(str(exc)))
    return out


def map_groups(spec: filters.FilterSpec) -> list[folium.FeatureGroup]:
    """Feature groups of the overlays switched on (and their legend rows) for ``st_folium``."""
    return mapping.overlay_layers(chosen_layers(spec))


# --- adding and removing -------------------------------------------------------------------------

def _field(name: str, nonce: int):
    return st.session_state.get(f"overlay_{name}_{nonce}")


def _add(nonce: int) -> None:
    """Button callback: store the overlay described by the section's widgets (read from the
    session, so a value typed just before the click counts)."""
    upload, dated, kind = _field("file", nonce), _field("dated", nonce), _field("kind", nonce)
    missing = ("a file" if upload is None else "a name" if not (_field("name", nonce) or "").strip()
               else "the date it is valid from" if dated and _field("day", nonce) is None else None)
    if missing:
        S.flash(S.FLASH_OVERLAY, "error", f"Overlay not added: give {missing} first.")
        return
    try:
        version, notes = overlays.add(
            folder(), upload.getvalue(), upload.name, _field("name", nonce) or "",
            valid_from=_field("day", nonce) if dated else None,
            kind=None if kind in (None, _AUTO) else kind, colour=_field("colour", nonce),
            source=_field("source", nonce) or "", cfg=settings.load_settings())
    except (OverlayError, settings.ReadOnlyError, OSError) as exc:
        S.flash(S.FLASH_OVERLAY, "error", f"Overlay not added: {exc}")
        return
    ss = st.session_state
    ss[S.KEY_OVERLAY_NONCE] = nonce + 1
    ss[S.KEY_OVERLAYS] = [*dict.fromkeys([*(ss.get(S.KEY_OVERLAYS) or []), version.slug])]
    S.flash(S.FLASH_OVERLAY, "success",
            f"Added {version.label}: {version.features} feature(s), {version.kind}, switched "
            "on in the sidebar." + "".join(f" {n}." for n in notes))


def _remove(version: Version) -> None:
    try:
        overlays.remove(folder(), version.name,
                        version.valid_from.isoformat() if version.valid_from else "undated",
                        cfg=settings.load_settings())
    except (OverlayError, settings.ReadOnlyError, OSError) as exc:
        S.flash(S.FLASH_OVERLAY, "error", f"Overlay not removed: {exc}")
        return
    S.flash(S.FLASH_OVERLAY, "success", f"Removed {version.label}.")


def _stored(versions: list[Version], writable: bool) -> None:
    for version in versions:
        text, button = st.columns([6, 1], vertical_alignment="center")
        text.markdown(S.md(f"{version.label} · {version.kind} · {version.features} feature(s)"
                           + (f" · {version.source}" if version.source else "")))
        if writable:
            button.button("Remove", key=f"overlay_remove_{version.file}", on_click=_remove,
                          args=(version,), help="Remove this version of the overlay")


def overlay_section(cfg: settings.Settings) -> None:
    """"Add a context overlay": a file (GeoJSON, GeoPackage, KML or a zipped shapefile) with a
    name, an optional date, kind, colour and source; and the overlays stored, each removable.
    On a read-only deployment only the list is shown."""
    st.markdown("#### Context overlays")
    st.caption("Areas and lines that are not incidents: occupied territory, front lines, "
               "restricted airspace, a zone of interest. They are drawn under the incidents "
               "and switched on in the sidebar (*Context overlays*).")
    S.show_flash(S.FLASH_OVERLAY)
    versions = available()
    writable = settings.writable(cfg)
    if versions:
        _stored(versions, writable)
    if not writable:
        st.caption("This deployment is read-only (or your role is viewer): overlays cannot be "
                   "added or removed here.")
        return
    with st.expander("Add a context overlay"):
        nonce = st.session_state.get(S.KEY_OVERLAY_NONCE, 0)
        st.file_uploader("Area or line layer (GeoJSON, GeoPackage, KML, zipped shapefile)",
                         type=["geojson", "json", "gpkg", "kml", "zip"],
                         key=f"overlay_file_{nonce}")
        st.text_input("Name", key=f"overlay_name_{nonce}", placeholder="e.g. Occupied territory")
        dated_col, day_col = st.columns([1, 2], vertical_alignment="bottom")
        dated = dated_col.checkbox("Valid from a date", key=f"overlay_dated_{nonce}",
                                   help="Several dated versions of one name: the map shows the "
                                        "one in force at the end of the date filter.")
        day_col.date_input("Valid from", key=f"overlay_day_{nonce}", disabled=not dated,
                           format="YYYY-MM-DD", value=None)
        kind_col, colour_col = st.columns(2)
        kind_col.selectbox("Kind", [_AUTO, *KINDS], key=f"overlay_kind_{nonce}")
        colour_col.color_picker("Colour", key=f"overlay_colour_{nonce}",
                                value=overlays.COLOURS[len(overlays.names(versions))
                                                       % len(overlays.COLOURS)])
        st.text_input("Source / attribution", key=f"overlay_source_{nonce}",
                      placeholder="e.g. ISW, 2025-09-15")
        # Never disabled: a value typed just before the click would not have enabled it yet;
        # the callback names what is missing instead.
        st.button("Add overlay", key=f"overlay_add_{nonce}", on_click=_add, args=(nonce,))
