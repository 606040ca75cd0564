"""Streamlit shell: widgets -> FilterSpec -> filtered frame -> map, counts, caption.

The only module that imports streamlit. Everything it shows comes from pure functions in
``load``, ``filters``, ``stats`` and ``mapping``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import filters, load, mapping, paths, stats
from dashboard.schema import INCIDENT_TYPES, TYPE_LABELS, DataError

MAP_HEIGHT = 740
# Constant page CSS (no data in it): more map, less chrome.
PAGE_CSS = """<style>
  .block-container { padding-top: 2.6rem; padding-bottom: 0.5rem; }
  [data-testid="stMetricValue"] { font-size: 1.55rem; }
  [data-testid="stMetric"] { padding: 0; }
</style>"""
KEY_DATES = "f_dates"
KEY_COUNTRIES = "f_countries"
KEY_TYPES = "f_types"
KEY_TILES = "online_tiles"


def _stamp(path: Path) -> tuple[str, float, int]:
    """Cache key for a file: path, mtime and size, so an edited file is re-read."""
    stat = path.stat()
    return str(path), stat.st_mtime, stat.st_size


@st.cache_resource(show_spinner=False)
def _incidents(stamp: tuple[str, float, int]) -> gpd.GeoDataFrame:
    return load.read_incidents(stamp[0])


@st.cache_resource(show_spinner=False)
def _geodata(countries: tuple[str, float, int], airports: tuple[str, float, int]
             ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return load.read_countries(Path(countries[0])), load.read_airports(Path(airports[0]))


def _show_data_error(exc: DataError) -> None:
    st.error(f"The incident data could not be loaded: {exc}")
    if exc.problems:
        st.code("\n".join(str(p) for p in exc.problems[:200]), language=None)
        if len(exc.problems) > 200:
            st.caption(f"… and {len(exc.problems) - 200} more.")
    st.info("Fix the file (check it with `python -m dashboard validate`), then reload.")


def _sidebar(incidents: gpd.GeoDataFrame, names: dict[str, str]) -> tuple[filters.FilterSpec, bool]:
    """Draw the filter widgets and return the FilterSpec they describe."""
    sb = st.sidebar
    sb.header("Filters")
    span = stats.headline(incidents)
    picked = sb.date_input("Dates", value=(span.first.date(), span.last.date()),
                           min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1),
                           key=KEY_DATES, format="YYYY-MM-DD")
    # While the user is picking, the widget holds only the first day of the range.
    date_from, date_to = (tuple(picked) + (None, None))[:2] if picked else (None, None)

    present = sorted(incidents["country"].unique(), key=lambda c: names.get(c, c))
    chosen = sb.multiselect("Countries", present, key=KEY_COUNTRIES,
                            format_func=lambda c: f"{names.get(c, c)} ({c})",
                            placeholder="All countries")
    types = sb.pills("Incident types", list(INCIDENT_TYPES), selection_mode="multi",
                     default=list(INCIDENT_TYPES), format_func=TYPE_LABELS.get, key=KEY_TYPES)
    with sb.expander("Basemap"):
        tiles = st.checkbox("Online map tiles (OpenStreetMap, needs internet)", key=KEY_TILES)
    spec = filters.FilterSpec(
        date_from=date_from, date_to=date_to,
        countries=tuple(chosen) or None,
        types=tuple(t for t in INCIDENT_TYPES if t in types),
    )
    return spec, tiles


def _metrics(shown: gpd.GeoDataFrame) -> None:
    counts = stats.counts_by_type(shown)
    head = stats.headline(shown)
    cols = st.columns(len(INCIDENT_TYPES) + 2)
    cols[0].metric("Incidents", head.incidents)
    cols[1].metric("Countries", head.countries)
    for col, incident_type in zip(cols[2:], INCIDENT_TYPES, strict=True):
        col.metric(TYPE_LABELS[incident_type], int(counts[incident_type]))


def main() -> None:
    st.set_page_config(page_title="Eastern Flank Incident Map", page_icon="🛰️", layout="wide")
    st.html(PAGE_CSS)
    try:
        incidents = _incidents(_stamp(paths.INCIDENTS))
        countries, airports = _geodata(_stamp(paths.COUNTRIES), _stamp(paths.AIRPORTS))
    except (DataError, FileNotFoundError) as exc:
        _show_data_error(exc if isinstance(exc, DataError) else DataError(str(exc)))
        st.stop()

    names = dict(zip(countries["iso_a2"], countries["name"], strict=True))
    spec, tiles = _sidebar(incidents, names)
    shown = filters.apply(incidents, spec)
    as_of = stats.headline(incidents).last

    st.markdown("### Eastern Flank Incident Map")
    st.caption(f"{filters.describe(spec, names)} · {len(shown)} of {len(incidents)} incidents · "
               f"data as of {as_of:%-d %b %Y}")
    _metrics(shown)

    if shown.empty:
        st.warning(f"No incidents match these filters ({filters.describe(spec, names)}). "
                   "Widen the date range, or clear the country or type filters.")
        return

    base = mapping.build_map(countries, airports, online_tiles=tiles)
    st_folium(
        base,
        key="map",
        feature_group_to_add=mapping.incident_layers(shown, airports),
        layer_control=folium.LayerControl(collapsed=True),
        returned_objects=[],  # nothing on the map reruns the script
        use_container_width=True,
        height=MAP_HEIGHT,
    )
    st.caption("Basemap: Natural Earth (public domain), internationally recognised borders. "
               "Airports: airportsdata (MIT). Click a symbol for its summary and source quote.")


if __name__ == "__main__":  # streamlit runs the script as __main__; tests import constants
    main()
