"""What the user asked to see: one immutable ``FilterSpec`` and pure functions over frames.

Filters never mutate their input; when nothing matches they return an empty frame with
the same columns (``gdf.iloc[:0]``), so the map, table and exports never special-case it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from .schema import TYPE_LABELS


@dataclass(frozen=True)
class FilterSpec:
    """The filters in force. ``None`` means "no constraint"; an empty tuple matches nothing."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(
                f"date range is reversed: from {self.date_from} is after to {self.date_to}"
            )


def by_date(gdf: gpd.GeoDataFrame, start: dt.date | None, end: dt.date | None
            ) -> gpd.GeoDataFrame:
    """Incidents whose [date, end_date] span overlaps [start, end] (both inclusive)."""
    mask = pd.Series(True, index=gdf.index)
    if end is not None:
        mask &= gdf["date"] <= pd.Timestamp(end)
    if start is not None:
        last_day = gdf["end_date"].fillna(gdf["date"])
        mask &= last_day >= pd.Timestamp(start)
    return gdf[mask]


def by_values(gdf: gpd.GeoDataFrame, column: str, values: tuple[str, ...] | None
              ) -> gpd.GeoDataFrame:
    """Rows whose ``column`` is one of ``values`` (all rows when ``values`` is None)."""
    if values is None:
        return gdf
    return gdf[gdf[column].isin(values)]


def apply(gdf: gpd.GeoDataFrame, spec: FilterSpec) -> gpd.GeoDataFrame:
    """Return the incidents matching every filter in ``spec``; never mutates ``gdf``."""
    out = by_date(gdf, spec.date_from, spec.date_to)
    out = by_values(out, "country", spec.countries)
    out = by_values(out, "type", spec.types)
    return out.copy() if len(out) else gdf.iloc[:0].copy()


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(spec: FilterSpec, country_names: Mapping[str, str] | None = None) -> str:
    """A one-line caption for what ``spec`` shows, e.g. for a map subtitle."""
    names = country_names or {}
    if spec.types is None or set(spec.types) >= set(TYPE_LABELS):
        what = "All incident types"
    elif not spec.types:
        what = "No incident types"
    else:
        what = _list([TYPE_LABELS.get(t, t) for t in spec.types])

    if spec.countries is None:
        where = "in all countries"
    elif not spec.countries:
        where = "in no countries"
    else:
        where = "in " + _list([names.get(c, c) for c in spec.countries])

    if spec.date_from and spec.date_to:
        when = (f"on {spec.date_from:%-d %b %Y}" if spec.date_from == spec.date_to
                else f"from {spec.date_from:%-d %b %Y} to {spec.date_to:%-d %b %Y}")
    elif spec.date_from:
        when = f"from {spec.date_from:%-d %b %Y}"
    elif spec.date_to:
        when = f"up to {spec.date_to:%-d %b %Y}"
    else:
        when = "at any date"
    return f"{what} {where}, {when}"
