"""What the app shows for one ``FilterSpec``: every matching incident, held in memory, or,
from a database too big to hold (``Context.database``), the newest of them and the
database's own counts; and what the map draws of it for one view.

``held`` and ``asked`` give the same ``Selection`` for the same data: ``shown`` (all the
matching incidents, or the newest ``limit`` of them), ``total`` and a ``stats.Summary`` of
all of them. ``map_data`` is ``mapping.auto_layers``'s choice made by the database: how
many are in view, and the incidents to draw one by one or the density grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from . import aggregate, filters, geo, stats, style
from .bounds import FLANK, Bounds

#: How many of the newest matching incidents a selection asked of the database holds: the
#: table's rows (the counts, charts and map cover every one; exports read their own).
WINDOW = 1_000
#: How many of the newest matching incidents the exports and brief-pack PDFs read from such
#: a database (``python -m dashboard db export`` writes them all).
EXPORT_ROWS = 100_000


@dataclass(frozen=True)
class Selection:
    """The incidents matching a spec as the app holds them."""

    shown: gpd.GeoDataFrame  # every matching incident, or the newest of them (``partial``)
    total: int               # how many match
    summary: stats.Summary   # of all ``total`` of them

    @property
    def partial(self) -> bool:
        """Whether ``shown`` holds only the newest of the matching incidents."""
        return len(self.shown) < self.total


def held(incidents: gpd.GeoDataFrame, spec: filters.FilterSpec,
         places: filters.Places | None = None) -> Selection:
    """The selection of incidents held in memory."""
    shown = filters.apply(incidents, spec, places)
    return Selection(shown, len(shown), stats.summary(shown))


def asked(url: str, spec: filters.FilterSpec, places: filters.Places | None,
          countries: gpd.GeoDataFrame, limit: int = WINDOW) -> Selection:
    """The selection asked of the database: its summary, and the newest ``limit`` matching
    incidents (enriched as the context's, ``geo.enrich``)."""
    from .db import query

    return _with_newest(url, spec, places, countries, limit, query.summary(url, spec, places))


def newest(url: str, spec: filters.FilterSpec, places: filters.Places | None,
           countries: gpd.GeoDataFrame, limit: int = EXPORT_ROWS) -> gpd.GeoDataFrame:
    """The newest ``limit`` incidents matching ``spec`` in the database, enriched as the
    context's (``geo.enrich``): what the table, exports and brief PDFs hold."""
    from .db import query

    return geo.enrich(query.features(url, spec, None, limit, places), countries)


def _with_newest(url: str, spec: filters.FilterSpec, places: filters.Places | None,
                 countries: gpd.GeoDataFrame, limit: int, summary: stats.Summary) -> Selection:
    """The selection of ``summary``, holding the newest ``limit`` matching incidents."""
    return Selection(newest(url, spec, places, countries, limit), summary.headline.incidents,
                     summary)


def _grid_and_count(url: str, spec: filters.FilterSpec, places: filters.Places | None,
                    view: Bounds | None, near: Bounds | None, cell: tuple[float, float]):
    """The density grid around the view and the count in view, from one scan (everywhere,
    and all of them, before a view is reported)."""
    from .db import query

    if view is None:
        grid = query.density(url, spec, None, cell, places)
        return grid, grid.total()
    return query.density(url, spec, near, cell, places, counted=view)


def asked_with_map(url: str, spec: filters.FilterSpec, places: filters.Places | None,
                   countries: gpd.GeoDataFrame, bounds: Bounds | None, zoom: float | None,
                   limit: int = WINDOW) -> tuple[Selection, MapData | None]:
    """``asked``, and from the same scan the map's density for the view ``bounds`` at
    ``zoom`` when that is what the map draws there (``map_data`` would give the same);
    None when the map draws clusters or symbols there (``map_data`` reads those)."""
    from .db import query

    view, near, cell, cell_km = _cells(bounds, zoom)
    if query.rolled_up(spec, places):  # the summary without a scan; the grid scans the view
        summary = query.summary(url, spec, places)
        grid, count = _grid_and_count(url, spec, places, view, near, cell)
    else:
        summary, grid, count = query.summary(url, spec, places, grid=(near, cell, view))
    sel = _with_newest(url, spec, places, countries, limit, summary)
    if aggregate.choose(count) != aggregate.DENSITY:
        return sel, None
    return sel, MapData(aggregate.DENSITY, count, pd.DataFrame(), grid, cell_km)


def _cells(bounds: Bounds | None, zoom: float | None
           ) -> tuple[Bounds | None, Bounds | None, tuple[float, float], float]:
    """The view, the box around it counted for density (None: everywhere), the density
    cell (width, height) in degrees and its width in km, as ``mapping.auto_layers`` has
    them (before a view is reported: cells sized for the eastern flank)."""
    view = Bounds.of(bounds) if bounds is not None else None
    near = aggregate.padded(view) if view is not None else None
    around = near or aggregate.padded(FLANK)
    mid_lat = (around.minlat + around.maxlat) / 2
    width, height = aggregate.cell_degrees(zoom if zoom is not None else style.HOME_ZOOM, mid_lat)
    return view, near, (width, height), width * 111.32 * math.cos(math.radians(mid_lat))


@dataclass(frozen=True)
class MapData:
    """What the map draws for one view: the representation (``aggregate.choose``), the
    number of incidents in view, the incidents to draw one by one (symbols: whole records;
    clusters: their ids, types and points, ``query.points``) and, for density, the grid
    counted around the view and its cells' width in km."""

    representation: str
    in_view: int
    incidents: pd.DataFrame
    grid: aggregate.Grid | None = None
    cell_km: float | None = None


def map_data(url: str, spec: filters.FilterSpec, places: filters.Places | None,
             bounds: Bounds | None, zoom: float | None, total: int) -> MapData:
    """``mapping.auto_layers``'s choice for the view ``bounds`` at ``zoom`` (None before
    the browser has reported them), made in the database: counted in view; up to
    ``aggregate.SYMBOLS_MAX`` or ``CLUSTERS_MAX`` incidents read (all of the ``total``
    matching when they are few enough, else those in and around the view, else in it);
    above that a grid of cells of about ``aggregate.CELL_PX`` pixels around the view."""
    from .db import query

    view, near, cell, cell_km = _cells(bounds, zoom)
    if total > aggregate.CLUSTERS_MAX:  # density is likely: the grid and the count in one scan
        grid, count = _grid_and_count(url, spec, places, view, near, cell)
        if aggregate.choose(count) == aggregate.DENSITY:
            return MapData(aggregate.DENSITY, count, pd.DataFrame(), grid, cell_km)
    else:
        count = query.count(url, spec, view, places)
    kind = aggregate.choose(count)
    if kind != aggregate.DENSITY:
        cap = aggregate.SYMBOLS_MAX if kind == aggregate.SYMBOLS else aggregate.CLUSTERS_MAX
        box = None
        if total > cap and near is not None:
            box = near if query.count(url, spec, near, places) <= cap else view
        read = query.features if kind == aggregate.SYMBOLS else query.points
        return MapData(kind, count, read(url, spec, box, cap, places))
    grid = query.density(url, spec, near, cell, places)
    return MapData(kind, count, pd.DataFrame(), grid, cell_km)
