"""Filters and map aggregation in SQL: a ``FilterSpec`` and the map's view become a ``WHERE``.

The same answers as the in-memory path (``filters.apply`` then ``stats`` / ``aggregate``),
computed by PostgreSQL over indexed columns, so only what the view shows comes back:

- ``count(url, spec, bbox)``: incidents matching ``spec`` whose anchor is in ``bbox``;
- ``density(url, spec, bbox, cell)``: counts per grid cell and type, as ``aggregate.grid``;
- ``features(url, spec, bbox, limit)``: the newest matching incidents as an incident frame;
- ``summary(url, spec)``: the headline figures, timeline (by day or week), breakdown and
  hours at once (``stats.Summary``), in one scan, or summed from ``incident_rollup``;
- ``points(url, spec, bbox, limit)``: the same as ``features``, only their ids, types and
  map points (what clusters draw);
- ``by_ids(url, ids)``: those incidents, as an incident frame.

``where(spec, bbox, places, coarse)`` is the pure part: a ``psycopg.sql.Composed`` and its
parameters (user values are always parameters, never SQL text). A region filter needs the
regions (``places``) and the (country, region) names of the records located only to their
country that it matches (``coarse``; the functions here look them up). Border-depth filters
are not expressed in SQL: ``where`` raises ``Unsupported`` naming the filter.

What the map draws for a view is chosen from these in ``dashboard.selection``. The module
is about 430 lines because every read shares ``where`` and ``_run`` (one condition, one
transaction's settings); the summary and its rollup would be the first part to move out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from psycopg import sql

from .. import geo
from ..aggregate import Grid
from ..bounds import Bounds
from ..filters import CONFIDENCE_RANK, FilterSpec, Places
from ..stats import Headline, Summary, days_table
from .connection import connect
from .pgstore import existing  # which ids exist: the one function, for the store and here

BBox = Bounds | tuple[float, float, float, float]


class Unsupported(NotImplementedError):
    """A filter the SQL path cannot express yet (the message names it)."""


def _any(column: str, key: str, values: Iterable[Any], params: dict[str, Any]) -> sql.Composed:
    params[key] = list(values)
    return sql.SQL("{} = ANY({}::text[])").format(sql.Identifier(column), sql.Placeholder(key))


def region_codes(spec: FilterSpec, places: Places | None) -> tuple[str, ...]:
    """Every region code the spec's region filter and preset name (none: no region test)."""
    codes = tuple(spec.regions or ())
    if spec.preset is not None and places is not None and spec.preset in places.presets:
        codes += tuple(places.presets[spec.preset].regions)
    return codes


def coarse_matches(pairs: Iterable[tuple[str, str]], codes: tuple[str, ...], places: Places
                   ) -> list[str]:
    """Of the (country, region) names ``pairs`` of records located only to their country,
    those naming one of the regions ``codes`` (as ``filters.in_regions`` compares them), as
    ``"CC|region"`` texts."""
    chosen = places.regions[places.regions["iso_3166_2"].isin(codes)]
    names = {(c, geo.region_key(n)) for c, n in zip(chosen["country"], chosen["name"], strict=True)}
    return sorted(f"{c}|{r}" for c, r in pairs if r and (c, geo.region_key(r)) in names)


def _in_regions(codes: tuple[str, ...], places: Places, coarse: Iterable[str] | None, key: str,
                params: dict[str, Any]) -> sql.Composable:
    """``filters.in_regions`` in SQL: by geometry, except for records located only to their
    country, which match by the region they name (``coarse``, from ``coarse_matches``)."""
    if coarse is None:
        raise ValueError("region filters need the matching coarse records (coarse_matches)")
    params[f"{key}_shape"] = geo.union_of(places.regions, "iso_3166_2", codes).wkb
    params[f"{key}_coarse"] = list(coarse)
    return sql.SQL(
        "(CASE WHEN location_precision = 'country' THEN country || '|' || region = "
        "ANY({c}::text[]) ELSE ST_Intersects(geom, ST_GeomFromWKB({s}, 4326)) END)").format(
        c=sql.Placeholder(f"{key}_coarse"), s=sql.Placeholder(f"{key}_shape"))


def where(spec: FilterSpec, bbox: BBox | None = None, places: Places | None = None,
          coarse: Iterable[str] | None = None) -> tuple[sql.Composable, dict[str, Any]]:
    """The ``WHERE`` condition (without the keyword) for ``spec`` and the view ``bbox``, and
    its parameters; the semantics of ``filters.mask`` and ``aggregate.in_view``.

    ``places`` is needed for a preset or a region, ``coarse`` (``coarse_matches``) for a
    region. Raises ``Unsupported`` for border depth.
    """
    if spec.min_depth_km is not None or spec.max_depth_km is not None:
        raise Unsupported("border-depth filters are not available with the database")
    coarse = list(coarse) if coarse is not None else None
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
        in_preset = _any("country", "preset_countries", preset.countries, params)
        if preset.regions:
            in_preset = sql.SQL("({} OR {})").format(
                in_preset, _in_regions(preset.regions, places, coarse, "preset", params))
        parts.append(in_preset)
    if spec.regions is not None:
        if places is None:
            raise ValueError("region filters need the regions layer (Places)")
        parts.append(_in_regions(spec.regions, places, coarse, "regions", params)
                     if spec.regions else sql.SQL("false"))
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


def _condition(conn, spec: FilterSpec, bbox: BBox | None, places: Places | None
               ) -> tuple[sql.Composable, dict[str, Any]]:
    """``where`` with the coarse records a region filter needs, looked up on ``conn``."""
    codes = region_codes(spec, places)
    coarse = None
    if codes and places is not None:
        countries = sorted(set(places.regions.loc[places.regions["iso_3166_2"].isin(codes),
                                                  "country"]))
        pairs = conn.execute("SELECT DISTINCT country, region FROM incidents WHERE "
                             "location_precision = 'country' AND country = ANY(%s::text[])",
                             (countries,)).fetchall()
        coarse = coarse_matches(pairs, codes, places)
    return where(spec, bbox, places, coarse)


#: Memory for one aggregate's hash tables (this transaction only). The planner guesses
#: hundreds of thousands of groups for a summary whose groups (days x types x countries,
#: cells) take tens of MB, and with the default 4 MB (or 64 MB) sorts every matching row
#: instead: 4.2 s against 2.6 s for a country of a 10M table, 8x for the whole table. A
#: hash table that outgrows it spills to disk (PostgreSQL 13+): never more memory than this.
AGGREGATE_MEMORY = "256MB"


def _run(url: str, spec: FilterSpec, bbox: BBox | None, places: Places | None,
         build, extra: dict[str, Any] | None = None, aggregate: bool = False) -> list[tuple]:
    """Rows of ``build(condition)`` for ``spec`` in ``bbox`` (``extra``: more parameters;
    ``aggregate``: a GROUP BY that hashes, see ``AGGREGATE_MEMORY``)."""
    with connect(url) as conn:
        # JIT compiling costs 50-100 ms a query and saves less on these scans
        conn.execute("SET LOCAL jit = off")
        if aggregate:
            conn.execute(f"SET LOCAL work_mem = '{AGGREGATE_MEMORY}'")  # a constant
        cond, params = _condition(conn, spec, bbox, places)
        return conn.execute(build(cond), {**params, **(extra or {})}).fetchall()


def count(url: str, spec: FilterSpec, bbox: BBox | None = None, places: Places | None = None
          ) -> int:
    """How many incidents match ``spec`` with their anchor in ``bbox`` (all when None)."""
    return int(_run(url, spec, bbox, places,
                    sql.SQL("SELECT count(*) FROM incidents WHERE {}").format)[0][0])


def density(url: str, spec: FilterSpec, bbox: BBox | None, cell: float | tuple[float, float],
            places: Places | None = None, counted: BBox | None = None):
    """Counts per grid cell and type of the incidents in view, as ``aggregate.grid`` (cells
    anchored at lon -180, lat -90; ``cell`` is the width, or (width, height), in degrees).

    With ``counted`` (a box inside ``bbox``), also how many of them are in that box, from
    the same scan: ``(grid, count)``."""
    width, height = (cell, cell) if isinstance(cell, int | float) else cell
    extra: dict[str, Any] = {"cell_w": float(width), "cell_h": float(height)}
    inside = sql.SQL("0")
    if counted is not None:
        c = Bounds.of(counted)
        extra.update(c_minlon=c.minlon, c_minlat=c.minlat, c_maxlon=c.maxlon, c_maxlat=c.maxlat)
        inside = sql.SQL("count(*) FILTER (WHERE lon BETWEEN %(c_minlon)s AND %(c_maxlon)s "
                         "AND lat BETWEEN %(c_minlat)s AND %(c_maxlat)s)")
    # floor((x - origin) / size): ST_SnapToGrid's grid, counted per cell rather than rounded
    # to the nearest node, so every incident lands in exactly the cell aggregate.grid uses.
    rows = _run(url, spec, bbox, places, lambda c: sql.SQL(
        "SELECT type, floor((lon + 180) / %(cell_w)s)::bigint AS col, "
        "floor((lat + 90) / %(cell_h)s)::bigint AS row, count(*), {i} FROM incidents "
        "WHERE {c} GROUP BY 2, 3, 1 ORDER BY 2, 3, 1").format(i=inside, c=c), extra,
        aggregate=True)
    grid = _grid([r[:4] for r in rows], width, height)
    return grid if counted is None else (grid, int(sum(r[4] for r in rows)))


def _grid(rows: list[tuple], width: float, height: float) -> Grid:
    """A ``Grid`` of (type, column, row, count) rows (cells of ``width`` x ``height``
    degrees from lon -180, lat -90)."""
    cols = np.array([r[1] for r in rows], dtype=np.int64)
    rws = np.array([r[2] for r in rows], dtype=np.int64)
    cells = pd.DataFrame({"type": np.array([r[0] for r in rows], dtype=object),
                          "lon": -180.0 + (cols + 0.5) * width,
                          "lat": -90.0 + (rws + 0.5) * height,
                          "count": np.array([r[3] for r in rows], dtype=np.int64)})
    if len(cells):
        cells = cells.sort_values(["lon", "lat", "type"], kind="stable").reset_index(drop=True)
    return Grid(cells, width, height)


def features(url: str, spec: FilterSpec, bbox: BBox | None = None, limit: int = 20_000,
             places: Places | None = None) -> gpd.GeoDataFrame:
    """The newest ``limit`` incidents matching ``spec`` in ``bbox`` (newest first, then by
    id), as an incident frame in the layout of ``load.incidents_frame``."""
    return _frame(_run(url, spec, bbox, places, sql.SQL(
        "SELECT feature - 'geometry', ST_AsBinary(geom) FROM incidents WHERE {} "
        "ORDER BY date_start DESC, id LIMIT %(limit)s").format, {"limit": int(limit)}))


def _frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """An incident frame of (feature without its geometry, the geometry as WKB) rows: the
    geometries decoded at once (``shapely.from_wkb``), not feature by feature."""
    import shapely

    from ..load import WGS84, incidents_frame
    from .pgstore import _ordered

    frame = incidents_frame({"type": "FeatureCollection", "features": [
        _ordered({**r[0], "geometry": None}) for r in rows]})
    if rows:
        geoms = shapely.from_wkb([bytes(r[1]) if r[1] is not None else None for r in rows])
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))
    return frame


def points(url: str, spec: FilterSpec, bbox: BBox | None = None, limit: int = 20_000,
           places: Places | None = None) -> pd.DataFrame:
    """The newest ``limit`` incidents matching ``spec`` in ``bbox`` as their map points only:
    ``id`` (also the index), ``type``, ``anchor_lon``, ``anchor_lat`` (what clusters draw)."""
    rows = _run(url, spec, bbox, places, sql.SQL(
        "SELECT id, type, lon, lat FROM incidents WHERE {} ORDER BY date_start DESC, id "
        "LIMIT %(limit)s").format, {"limit": int(limit)})
    frame = pd.DataFrame({"id": pd.Series([r[0] for r in rows], dtype=object),
                          "type": pd.Series([r[1] for r in rows], dtype=object),
                          "anchor_lon": pd.Series([r[2] for r in rows], dtype=float),
                          "anchor_lat": pd.Series([r[3] for r in rows], dtype=float)})
    return frame.set_index("id", drop=False).rename_axis(None)


def _box(prefix: str, box: BBox, params: dict[str, Any]) -> sql.Composable:
    """``lon``/``lat`` inside ``box`` (edges included), its corners as parameters."""
    b = Bounds.of(box)
    params.update({f"{prefix}_minlon": b.minlon, f"{prefix}_minlat": b.minlat,
                   f"{prefix}_maxlon": b.maxlon, f"{prefix}_maxlat": b.maxlat})
    return sql.SQL(f"lon BETWEEN %({prefix}_minlon)s AND %({prefix}_maxlon)s AND "
                   f"lat BETWEEN %({prefix}_minlat)s AND %({prefix}_maxlat)s")


def summary(url: str, spec: FilterSpec, places: Places | None = None,
            grid: tuple[BBox | None, tuple[float, float], BBox | None] | None = None):
    """The ``stats.Summary`` of the incidents matching ``spec``, from one scan: per start
    day, type and country; per start hour and type; the distinct airports closed; the box
    of their anchor points (for points, the box of the geometries ``stats.summary`` gives).

    With ``grid = (around, (width, height), view)``, the same scan also counts the density
    grid of the incidents ``around`` the view (None: all) and how many are in ``view``
    (None: all): ``(summary, grid, count in view)``, as ``density(..., counted=view)``."""
    if grid is None and rolled_up(spec, places):
        return _summary_of_rollup(url, spec, places)
    extra: dict[str, Any] = {}
    cells, inside = sql.SQL("NULL::bigint, NULL::bigint"), sql.SQL("0")
    if grid is not None:
        around, (width, height), view = grid
        extra.update(cell_w=float(width), cell_h=float(height))
        near = _box("n", around, extra) if around is not None else sql.SQL("true")
        cells = sql.SQL("CASE WHEN {n} THEN floor((lon + 180) / %(cell_w)s)::bigint END, "
                        "CASE WHEN {n} THEN floor((lat + 90) / %(cell_h)s)::bigint END"
                        ).format(n=near)
        inside = (sql.SQL("count(*) FILTER (WHERE {})").format(_box("c", view, extra))
                  if view is not None else sql.SQL("count(*)"))
    rows = _run(url, spec, None, places, lambda c: sql.SQL(
        "SELECT grouping(date_start), grouping(start_hour), grouping(icao), "
        + ("grouping(cell_col), " if grid is not None else "1, ") +
        "date_start, start_hour, type, country, icao, count(*), sum(drones), max(date_end), "
        "min(lon), min(lat), max(lon), max(lat), "
        + ("cell_col, cell_row, " if grid is not None else "NULL, NULL, ") + "{i} "
        "FROM (SELECT date_start, start_hour, type, country, icao, drones, date_end, lon, lat, "
        "{cells} FROM incidents WHERE {c}) AS t(date_start, start_hour, type, country, icao, "
        "drones, date_end, lon, lat, cell_col, cell_row) "
        "GROUP BY GROUPING SETS ((date_start, type, country), (start_hour, type), "
        "(type, icao)" + (", (type, cell_col, cell_row)" if grid is not None else "") + ")"
    ).format(i=inside, cells=cells, c=c), extra, aggregate=True)
    out = _summary([r[4:16] for r in rows if r[0] == 0],
                   [r[4:16] for r in rows if r[0] == 1 and r[1] == 0 and r[5] is not None],
                   {r[8] for r in rows if r[0] == 1 and r[1] == 1 and r[2] == 0
                    and r[6] == "airport_closure" and r[8] is not None})
    if grid is None:
        return out
    found = [r for r in rows if r[3] == 0 and r[16] is not None]
    return out, _grid([(r[6], r[16], r[17], r[9]) for r in found], width, height), \
        int(sum(r[18] for r in found))


def rolled_up(spec: FilterSpec, places: Places | None = None) -> bool:
    """Whether ``spec`` filters only by what ``incident_rollup`` (migration 005) keeps:
    dates, countries, types, a preset of countries and retracted records."""
    preset = places.presets.get(spec.preset) if spec.preset and places is not None else None
    return (spec.regions is None and spec.area is None and not (spec.q or "").strip()
            and spec.min_confidence is None and spec.platforms is None and spec.hours is None
            and spec.min_depth_km is None and spec.max_depth_km is None
            and (spec.preset is None or (preset is not None and not preset.regions)))


def _summary_of_rollup(url: str, spec: FilterSpec, places: Places | None) -> Summary:
    """``summary`` summed from ``incident_rollup`` (the spec's condition names only its
    columns, see ``rolled_up``)."""
    rows = _run(url, spec, None, places, lambda c: sql.SQL(
        "SELECT grouping(date_start), grouping(start_hour), grouping(icao), 1, "
        "date_start, nullif(start_hour, -1), type, country, nullif(icao, ''), sum(n)::bigint, "
        "sum(drones), max(date_end), min(minlon), min(minlat), max(maxlon), max(maxlat) "
        "FROM incident_rollup WHERE {} GROUP BY GROUPING SETS ((date_start, type, country), "
        "(start_hour, type), (type, icao))").format(c), aggregate=True)
    return _summary([r[4:16] for r in rows if r[0] == 0],
                    [r[4:16] for r in rows if r[0] == 1 and r[1] == 0 and r[5] is not None],
                    {r[8] for r in rows if r[0] == 1 and r[1] == 1 and r[2] == 0
                     and r[6] == "airport_closure" and r[8] is not None})


def _summary(days: list[tuple], hours: list[tuple], airports: set[str]) -> Summary:
    """A ``Summary`` of the rows of its grouping sets: (date_start, start_hour, type, country,
    icao, count, drones, last day, min lon, min lat, max lon, max lat)."""
    table = days_table([r[0] for r in days], [r[2] for r in days], [r[3] for r in days],
                       [r[5] for r in days])
    hour_table = (pd.DataFrame({"hour": pd.Series([int(r[1]) for r in hours], dtype=int),
                                "type": pd.Series([r[2] for r in hours], dtype=object),
                                "count": pd.Series([int(r[5]) for r in hours], dtype=int)})
                  .sort_values(["hour", "type"]).reset_index(drop=True))
    head = Headline(
        incidents=int(table["count"].sum()), countries=table["country"].nunique(),
        airports_closed=len(airports), drones_reported=int(sum(r[6] or 0 for r in days)),
        first=table["date"].min() if len(table) else None,
        last=pd.Timestamp(max(r[7] for r in days)) if days else None)
    boxes = [r[8:12] for r in days if r[8] is not None]
    extent = ((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes)) if boxes else None)
    return Summary(head, table, hour_table, tuple(sorted(airports)), extent)


def by_ids(url: str, ids: Iterable[str]) -> gpd.GeoDataFrame:
    """The incidents with these ids (those that exist), as an incident frame."""
    with connect(url) as conn:
        return _frame(conn.execute("SELECT feature - 'geometry', ST_AsBinary(geom) FROM "
                                   "incidents WHERE id = ANY(%s::text[]) ORDER BY position",
                                   (list(ids),)).fetchall())


def matching(url: str, spec: FilterSpec, ids: Iterable[str], places: Places | None = None
             ) -> set[str]:
    """Which of ``ids`` match ``spec``."""
    return {r[0] for r in _run(url, spec, None, places, lambda c: sql.SQL(
        "SELECT id FROM incidents WHERE id = ANY(%(ids)s::text[]) AND {}").format(c),
        {"ids": list(ids)})}


class Ids:
    """The incident ids of a database as a container (``id in Ids(url)`` asks it): what a
    link may name when the app holds none of them."""

    def __init__(self, url: str):
        self.url = url

    def __contains__(self, incident_id: object) -> bool:
        return isinstance(incident_id, str) and bool(existing(self.url, [incident_id]))


@dataclass(frozen=True)
class Facts:
    """What the app needs to know of a database before holding any of it."""

    count: int
    first: dt.date | None  # the earliest start, the latest end
    last: dt.date | None
    countries: tuple[str, ...]


def facts(url: str) -> Facts:
    """The number of incidents, their date span and their countries (through the indexes:
    the countries by a loose index scan, one probe per country)."""
    with connect(url) as conn:
        count, first, last = conn.execute(
            "SELECT count(*), min(date_start), max(date_end) FROM incidents").fetchone()
        countries = [r[0] for r in conn.execute(
            "WITH RECURSIVE c AS (SELECT min(country) AS v FROM incidents UNION ALL "
            "SELECT (SELECT min(country) FROM incidents WHERE country > c.v) FROM c "
            "WHERE c.v IS NOT NULL) SELECT v FROM c WHERE v IS NOT NULL")]
    return Facts(int(count), first, last, tuple(countries))
