"""Filters and map aggregation in SQL: a ``FilterSpec`` and the map's view become a ``WHERE``.

The same answers as the in-memory path (``filters.apply`` then ``stats`` / ``aggregate``),
computed by PostgreSQL over indexed columns, so only what the view shows comes back:

- ``count(url, spec, bbox)``: incidents matching ``spec`` whose anchor is in ``bbox``;
- ``timeline(url, spec)``: per day (or week) and type, as ``stats.timeline``;
- ``breakdown(url, spec)``: per country and type, as ``stats.by_country_and_type``;
- ``density(url, spec, bbox, cell)``: counts per grid cell and type, as ``aggregate.grid``;
- ``features(url, spec, bbox, limit)``: the newest matching incidents as an incident frame;
- ``view(url, spec, bbox, zoom)``: what the map draws (``aggregate.choose``), in one scan.

``where(spec, bbox)`` is the pure part: a ``psycopg.sql.Composed`` and its parameters
(user values are always parameters, never SQL text). Region, preset-with-regions and
border-depth filters are not expressed in SQL yet: ``where`` raises ``Unsupported`` naming
the filter (the caller can fall back to the in-memory path).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql

from .. import geo
from ..aggregate import CELL_PX, DENSITY, Grid, cell_degrees, choose
from ..bounds import Bounds
from ..filters import CONFIDENCE_RANK, FilterSpec, Places
from ..schema import INCIDENT_TYPES
from .connection import connect

BBox = Bounds | tuple[float, float, float, float]


class Unsupported(NotImplementedError):
    """A filter the SQL path cannot express yet (the message names it)."""


def _any(column: str, key: str, values: Iterable[Any], params: dict[str, Any]) -> sql.Composed:
    params[key] = list(values)
    return sql.SQL("{} = ANY({}::text[])").format(sql.Identifier(column), sql.Placeholder(key))


def where(spec: FilterSpec, bbox: BBox | None = None, places: Places | None = None
          ) -> tuple[sql.Composable, dict[str, Any]]:
    """The ``WHERE`` condition (without the keyword) for ``spec`` and the view ``bbox``, and
    its parameters; the semantics of ``filters.mask`` and ``aggregate.in_view``.

    ``places`` is needed only for a preset. Raises ``Unsupported`` for regions, a preset
    with regions and border depth.
    """
    if spec.regions is not None:
        raise Unsupported("region filters are not available in SQL yet")
    if spec.min_depth_km is not None or spec.max_depth_km is not None:
        raise Unsupported("border-depth filters are not available in SQL yet")
    params: dict[str, Any] = {}
    parts: list[sql.Composable] = []
    if not spec.retracted:
        parts.append(sql.SQL("status <> 'retracted'"))
    if spec.date_to is not None:  # overlap: starts on or before the last day chosen …
        params["date_to"] = spec.date_to
        parts.append(sql.SQL("date_start <= %(date_to)s"))
    if spec.date_from is not None:  # … and ends (end_date, else date) on or after the first
        params["date_from"] = spec.date_from
        parts.append(sql.SQL("date_end >= %(date_from)s"))
        # the same, as a range of the date_start index: no record is longer than the longest
        parts.append(sql.SQL("date_start >= %(date_from)s - (SELECT coalesce(max(date_end - "
                             "date_start), 0) FROM incidents)"))
    for column, values in (("country", spec.countries), ("type", spec.types),
                           ("platform", spec.platforms)):
        if values is not None:
            parts.append(_any(column, column, values, params))
    if spec.min_confidence is not None:
        levels = [c for c, rank in CONFIDENCE_RANK.items()
                  if rank >= CONFIDENCE_RANK[spec.min_confidence]]
        parts.append(_any("confidence", "confidence", levels, params))
    if spec.hours is not None:
        params["hour_from"], params["hour_to"] = spec.hours
        joint = "AND" if spec.hours[0] < spec.hours[1] else "OR"  # from > to wraps midnight
        parts.append(sql.SQL(f"(start_hour >= %(hour_from)s {joint} start_hour < %(hour_to)s)"))
    for i, word in enumerate(geo.fold(spec.q or "").split()):
        # LIKE '%word%' (the word's own % _ \\ escaped) can use the trigram index (003)
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[f"word{i}"] = f"%{escaped}%"
        parts.append(sql.SQL("search_text LIKE {} ESCAPE '\\'").format(sql.Placeholder(f"word{i}")))
    if spec.preset is not None:
        if places is None:
            raise ValueError("preset filters need the presets (Places)")
        if spec.preset not in places.presets:
            raise ValueError(f"unknown preset {spec.preset!r}; known: {', '.join(places.presets)}")
        preset = places.presets[spec.preset]
        if preset.regions:
            raise Unsupported(f"preset {spec.preset!r} names regions, which are not available "
                              "in SQL yet")
        parts.append(_any("country", "preset_countries", preset.countries, params))
    if spec.area is not None:
        params["area"] = geo.parse_area(spec.area).wkb
        parts.append(sql.SQL("ST_Intersects(geom, ST_GeomFromWKB(%(area)s, 4326))"))
    if bbox is not None:
        b = Bounds.of(bbox)
        params.update(minlon=b.minlon, minlat=b.minlat, maxlon=b.maxlon, maxlat=b.maxlat)
        # && finds the candidates through the index (its boxes are rounded outwards to
        # float4); lon/lat decide exactly, edges included, as Bounds.contains
        parts.append(sql.SQL("anchor && ST_MakeEnvelope(%(minlon)s, %(minlat)s, %(maxlon)s, "
                             "%(maxlat)s, 4326) AND lon BETWEEN %(minlon)s AND %(maxlon)s "
                             "AND lat BETWEEN %(minlat)s AND %(maxlat)s"))
    return (sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")), params


def _rows(url: str, query: sql.Composable, params: dict[str, Any]) -> list[tuple]:
    with connect(url) as conn:
        # JIT compiling costs 50-100 ms a query and saves less on these scans
        conn.execute("SET LOCAL jit = off")
        return conn.execute(query, params).fetchall()


def count(url: str, spec: FilterSpec, bbox: BBox | None = None, places: Places | None = None
          ) -> int:
    """How many incidents match ``spec`` with their anchor in ``bbox`` (all when None)."""
    cond, params = where(spec, bbox, places)
    return int(_rows(url, sql.SQL("SELECT count(*) FROM incidents WHERE {}").format(cond),
                     params)[0][0])


def timeline(url: str, spec: FilterSpec, freq: str = "D", places: Places | None = None
             ) -> pd.DataFrame:
    """Incidents per day (``"D"``) or week from Monday (``"W"``) and type, by start date:
    columns ``period``, ``type``, ``count``, ``end``, as ``stats.timeline``."""
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    cond, params = where(spec, None, places)
    period = sql.SQL("date_start" if freq == "D" else "date_trunc('week', date_start)::date")
    rows = _rows(url, sql.SQL("SELECT {p} AS period, type, count(*) FROM incidents WHERE {c} "
                              "GROUP BY 1, 2 ORDER BY 1, 2").format(p=period, c=cond), params)
    out = pd.DataFrame({"period": pd.to_datetime(pd.Series([r[0] for r in rows], dtype=object)),
                        "type": pd.Series([r[1] for r in rows], dtype=object),
                        "count": pd.Series([r[2] for r in rows], dtype=int)})
    out["end"] = out["period"] + pd.Timedelta(days=7 if freq == "W" else 1)
    return out


def breakdown(url: str, spec: FilterSpec, names: dict[str, str] | None = None,
              places: Places | None = None) -> pd.DataFrame:
    """One row per country (most incidents first, then by code), one column per type and
    ``total``, as ``stats.by_country_and_type``; codes become names where ``names`` has them."""
    cond, params = where(spec, None, places)
    rows = _rows(url, sql.SQL("SELECT country, type, count(*) FROM incidents WHERE {} "
                              "GROUP BY 1, 2").format(cond), params)
    long = pd.DataFrame(rows, columns=["country", "type", "count"])
    pivot = (long.pivot_table(index="country", columns="type", values="count", aggfunc="sum",
                              fill_value=0)
             .reindex(columns=list(INCIDENT_TYPES), fill_value=0).astype(int))
    pivot.columns.name = "type"
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.reset_index().sort_values(["total", "country"], ascending=[False, True])
    pivot = pivot.set_index("country")
    pivot.index = [(names or {}).get(c, c) for c in pivot.index]
    pivot.index.name = "country"
    return pivot


def density(url: str, spec: FilterSpec, bbox: BBox | None, cell: float | tuple[float, float],
            places: Places | None = None) -> Grid:
    """Counts per grid cell and type of the incidents in view, as ``aggregate.grid`` (cells
    anchored at lon -180, lat -90; ``cell`` is the width, or (width, height), in degrees)."""
    width, height = (cell, cell) if isinstance(cell, int | float) else cell
    cond, params = where(spec, bbox, places)
    params.update(cell_w=float(width), cell_h=float(height))
    # floor((x - origin) / size): ST_SnapToGrid's grid, counted per cell rather than rounded
    # to the nearest node, so every incident lands in exactly the cell aggregate.grid uses.
    rows = _rows(url, sql.SQL(
        "SELECT type, floor((lon + 180) / %(cell_w)s)::bigint AS col, "
        "floor((lat + 90) / %(cell_h)s)::bigint AS row, count(*) FROM incidents "
        "WHERE {} GROUP BY 2, 3, 1 ORDER BY 2, 3, 1").format(cond), params)
    types = np.array([r[0] for r in rows], dtype=object)
    cols = np.array([r[1] for r in rows], dtype=np.int64)
    rws = np.array([r[2] for r in rows], dtype=np.int64)
    cells = pd.DataFrame({"type": types, "lon": -180.0 + (cols + 0.5) * width,
                          "lat": -90.0 + (rws + 0.5) * height,
                          "count": np.array([r[3] for r in rows], dtype=np.int64)})
    return Grid(cells, width, height)


def features(url: str, spec: FilterSpec, bbox: BBox | None = None, limit: int = 20_000,
             places: Places | None = None):
    """The newest ``limit`` incidents matching ``spec`` in ``bbox`` (newest first, then by
    id), as an incident frame in the layout of ``load.incidents_frame``."""
    from ..load import incidents_frame
    from .pgstore import _ordered

    cond, params = where(spec, bbox, places)
    params["limit"] = int(limit)
    rows = _rows(url, sql.SQL("SELECT feature FROM incidents WHERE {} "
                              "ORDER BY date_start DESC, id LIMIT %(limit)s").format(cond), params)
    return incidents_frame({"type": "FeatureCollection",
                            "features": [_ordered(r[0]) for r in rows]})


def view(url: str, spec: FilterSpec, bbox: BBox, zoom: float, places: Places | None = None
         ) -> tuple[str, int, Any]:
    """What the map draws for ``bbox`` at ``zoom``: (representation, count in view, data),
    the data being an incident frame for symbols and clusters, else a density ``Grid``
    (``aggregate.choose`` picks; cells of about ``CELL_PX`` pixels).

    One scan: the grid is counted first and its total is the count in view; only when that
    is small enough for symbols or clusters are the incidents themselves read.
    """
    b = Bounds.of(bbox)
    grid = density(url, spec, b, cell_degrees(zoom, (b.minlat + b.maxlat) / 2, CELL_PX), places)
    n = grid.total()
    kind = choose(n)
    return (kind, n, grid) if kind == DENSITY else (kind, n, features(url, spec, b, n, places))
