"""Counts for metrics, legends and charts. Pure functions of a (filtered) incident frame."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .schema import INCIDENT_TYPES


def counts_by_type(gdf: pd.DataFrame) -> pd.Series:
    """Number of incidents of each type, every type present (zero when absent), schema order."""
    return gdf["type"].value_counts().reindex(list(INCIDENT_TYPES), fill_value=0).astype(int)


@dataclass(frozen=True)
class Headline:
    """The figures a briefer reads out first."""

    incidents: int
    countries: int
    airports_closed: int
    drones_reported: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None


def headline(gdf: pd.DataFrame) -> Headline:
    """Headline figures for a frame.

    ``drones_reported`` sums the drone counts given in the records (unreported counts
    add nothing), so it is a floor, not an estimate. ``airports_closed`` counts distinct
    airports with at least one closure.
    """
    closures = gdf[gdf["type"] == "airport_closure"]
    last_day = gdf["end_date"].fillna(gdf["date"]) if len(gdf) else gdf["date"]
    return Headline(
        incidents=len(gdf),
        countries=gdf["country"].nunique(),
        airports_closed=closures["icao"].dropna().nunique(),
        drones_reported=int(pd.to_numeric(gdf["drones"], errors="coerce").fillna(0).sum()),
        first=gdf["date"].min() if len(gdf) else None,
        last=last_day.max() if len(gdf) else None,
    )
