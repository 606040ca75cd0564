"""How many incidents the map can draw one by one, and what it draws instead.

Pure functions of coordinates and counts (numpy, shapely); no folium, no Streamlit.
``mapping.auto_layers`` turns their results into map layers.

Three representations, chosen from the number of incidents *in view* (the map's bounds):

- ``symbols``: one symbol per incident with tooltip and popup, up to ``SYMBOLS_MAX``;
- ``clusters``: one small marker per incident, grouped by the browser into numbered
  clusters (Leaflet.markercluster), up to ``CLUSTERS_MAX``;
- ``density``: incidents counted server-side per grid cell and per type (``grid``); the
  browser gets one circle per non-empty cell and type, whatever the number of incidents.

Zooming in or filtering down brings the number in view under a threshold, and the map
goes back to clusters, then symbols.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from .bounds import Bounds
from .schema import INCIDENT_TYPES

#: Individual symbols (with tooltip and popup: ~1.3 KB each to the browser and ~0.5 ms each
#: to build) up to this many incidents in view; with the base map (~0.75 MB) a change
#: then sends under 2 MB and is built in about 0.3 s.
SYMBOLS_MAX = 500
#: Client-side clusters (~40 bytes per incident to the browser) up to this many in view.
CLUSTERS_MAX = 20_000
#: Above ``CLUSTERS_MAX``: a server-side grid, cells of about this many screen pixels.
CELL_PX = 40
#: Incidents just outside the view are drawn too (this fraction of the view's size on
#: each side), so a small pan does not show an empty edge before the map updates.
VIEW_MARGIN = 0.5
TILE_PX = 256  # Web Mercator: the world is 256 * 2**zoom pixels wide

SYMBOLS, CLUSTERS, DENSITY = "symbols", "clusters", "density"


def choose(count_in_view: int) -> str:
    """The representation for ``count_in_view`` incidents in the map's view:
    ``"symbols"`` up to ``SYMBOLS_MAX``, ``"clusters"`` up to ``CLUSTERS_MAX``, else
    ``"density"``."""
    if count_in_view <= SYMBOLS_MAX:
        return SYMBOLS
    if count_in_view <= CLUSTERS_MAX:
        return CLUSTERS
    return DENSITY


def type_codes(types) -> np.ndarray:
    """The position of each type in ``INCIDENT_TYPES`` (-1 when unknown), column-wise
    (Arrow's ``index_in``: ~10 ms for a million, where hashing Python strings takes ~1 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(types if isinstance(types, pd.Series) else np.asarray(types, dtype=object),
                      from_pandas=True)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string()) if len(values) else pa.array([], pa.string())
    codes = pc.index_in(values, value_set=pa.array(INCIDENT_TYPES))
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def incident_anchors(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``anchors`` of a frame's geometries, from its precomputed ``anchor_lon`` and
    ``anchor_lat`` columns when it has them (see ``geo.enrich``)."""
    if "anchor_lon" in incidents and "anchor_lat" in incidents:
        return (incidents["anchor_lon"].to_numpy(float, na_value=np.nan),
                incidents["anchor_lat"].to_numpy(float, na_value=np.nan))
    return anchors(incidents.geometry.values)


def anchors(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One (lon, lat) per geometry: the point itself, or a point on a track or area
    (``representative_point``), as float arrays."""
    geoms = np.asarray(geoms)
    points = shapely.get_type_id(geoms) == 0
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[points], y[points] = shapely.get_x(geoms[points]), shapely.get_y(geoms[points])
    if not points.all():
        reps = shapely.point_on_surface(geoms[~points])
        x[~points], y[~points] = shapely.get_x(reps), shapely.get_y(reps)
    return x, y


def padded(bounds: Bounds | tuple[float, float, float, float], margin: float = VIEW_MARGIN
           ) -> Bounds:
    """``bounds`` grown by ``margin`` of its width and height on every side (clamped)."""
    return Bounds.of(bounds).pad(margin).clamp()


def in_view(x: np.ndarray, y: np.ndarray, bounds: Bounds | tuple[float, float, float, float] | None
            ) -> np.ndarray:
    """True for the anchors inside ``bounds`` (all of them when ``bounds`` is None)."""
    if bounds is None:
        return np.ones(len(x), bool)
    return Bounds.of(bounds).contains(x, y)


def degrees_per_pixel(zoom: float) -> float:
    """Longitude degrees per screen pixel at ``zoom`` (Web Mercator)."""
    return 360.0 / (TILE_PX * 2.0 ** zoom)


def cell_degrees(zoom: float, latitude: float = 52.0, cell_px: int = CELL_PX
                 ) -> tuple[float, float]:
    """Width and height in degrees of a grid cell about ``cell_px`` pixels square at
    ``zoom`` near ``latitude``; snapped to powers of two so cells stay put while panning."""
    width = cell_px * degrees_per_pixel(zoom)
    width = 2.0 ** round(math.log2(width))
    height = width * max(math.cos(math.radians(min(abs(latitude), 85.0))), 0.05)
    height = 2.0 ** round(math.log2(height))
    return width, height


@dataclass(frozen=True)
class Grid:
    """Counts per grid cell and incident type (only the non-empty ones).

    ``cells`` has columns ``type``, ``lon``, ``lat`` (cell centre), ``count``; ``width`` and
    ``height`` are the cell size in degrees.
    """

    cells: pd.DataFrame
    width: float
    height: float

    def total(self, incident_type: str | None = None) -> int:
        """Incidents counted (of one type, or all)."""
        cells = self.cells if incident_type is None else self.cells[
            self.cells["type"] == incident_type]
        return int(cells["count"].sum())


def grid(x: np.ndarray, y: np.ndarray, types, width: float, height: float) -> Grid:
    """Count incidents per (cell, type) on a lon/lat grid anchored at (-180, -90).

    ``types`` are type names, or their positions in ``INCIDENT_TYPES`` (``type_codes``).

    Every incident lands in exactly one cell, so the counts of a type add up to the
    number of incidents of that type given.
    """
    types = np.asarray(types) if not isinstance(types, pd.Series) else types
    codes = (np.asarray(types, dtype=np.int64) if np.issubdtype(getattr(types, "dtype", object),
                                                                  np.integer)
             else type_codes(types))
    if len(codes) and ((codes < 0) | (codes >= len(INCIDENT_TYPES))).any():
        raise ValueError("unknown incident type in the data")
    if len(x) == 0:
        return Grid(pd.DataFrame({"type": pd.Series(dtype=object), "lon": pd.Series(dtype=float),
                                  "lat": pd.Series(dtype=float),
                                  "count": pd.Series(dtype=np.int64)}), width, height)
    col = np.floor((np.asarray(x) + 180.0) / width).astype(np.int64)
    row = np.floor((np.asarray(y) + 90.0) / height).astype(np.int64)
    col0, row0 = col.min(), row.min()
    ncol, nrow = int(col.max() - col0 + 1), int(row.max() - row0 + 1)
    ntypes = len(INCIDENT_TYPES)
    if ncol * nrow * ntypes <= 50_000_000:  # dense counting: one bincount
        key = ((col - col0) * nrow + (row - row0)) * ntypes + codes
        counts = np.bincount(key, minlength=ncol * nrow * ntypes)
        found = np.flatnonzero(counts)
        number = counts[found]
        type_code = found % ntypes
        cell = found // ntypes
        cols, rows = cell // nrow + col0, cell % nrow + row0
    else:  # a sparse spread (world-wide data at a fine zoom): sort instead
        key = np.stack([col, row, codes.astype(np.int64)], axis=1)
        unique, number = np.unique(key, axis=0, return_counts=True)
        cols, rows, type_code = unique[:, 0], unique[:, 1], unique[:, 2]
    cells = pd.DataFrame({
        "type": np.asarray(INCIDENT_TYPES, dtype=object)[type_code],
        "lon": -180.0 + (cols + 0.5) * width,
        "lat": -90.0 + (rows + 0.5) * height,
        "count": number.astype(np.int64),
    })
    return Grid(cells, width, height)


def simplify(geoms: np.ndarray, zoom: float | None, pixels: float = 1.0) -> np.ndarray:
    """Tracks and areas simplified to about ``pixels`` screen pixels at ``zoom`` (points,
    and everything when ``zoom`` is None, unchanged). Topology is kept: a simplified
    area stays a valid polygon."""
    geoms = np.asarray(geoms)
    if zoom is None:
        return geoms
    out = geoms.copy()
    shapes = shapely.get_type_id(geoms) != 0
    if shapes.any():
        out[shapes] = shapely.simplify(geoms[shapes], pixels * degrees_per_pixel(zoom),
                                       preserve_topology=True)
    return out
