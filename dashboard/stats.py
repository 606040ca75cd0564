"""Counts for metrics, legends and charts. Pure functions of a (filtered) incident frame."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .detail import time_text
from .schema import COUNT_FIELDS, INCIDENT_TYPES, TYPE_LABELS


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


TABLE_COLUMNS: tuple[str, ...] = (
    "date", "time", "type", "country", "region", "place", "platform", "drones", "aircraft", "missiles",
    "killed", "injured", "confidence", "depth_km", "id",
)


#: Rows the app's table shows at most: a browser table of a million rows would take the
#: page down; the counts, charts and exports always cover every filtered incident.
TABLE_LIMIT = 5_000


def table(gdf: pd.DataFrame, limit: int | None = None, names: dict[str, str] | None = None
          ) -> pd.DataFrame:
    """The incident table as people read it: one row per incident, newest first; dates as
    dates, types by their label, countries by name with the code ("Poland (PL)"), counts as
    whole numbers with blanks (missing) where the source gives none, empty text rather than
    None. Only the ``limit`` newest when given (found without sorting the whole frame)."""
    columns = [c for c in TABLE_COLUMNS if c in gdf.columns]
    if "start_time" in gdf.columns:
        columns = [c for c in [*columns, "start_time", "end_time"] if c in gdf.columns]
    if limit is not None and len(gdf) > limit:
        cutoff = gdf["date"].nlargest(limit).iloc[-1]
        gdf = gdf[gdf["date"] >= cutoff]
    out = pd.DataFrame(gdf[columns]).copy()
    if "start_time" in out:
        out.insert(1, "time", [time_text(a, b, d) or "" for a, b, d in
                               zip(out.pop("start_time"), out.pop("end_time"), out["date"],
                                   strict=True)])
    out["date"] = out["date"].dt.date
    out = out.sort_values(["date", "id"], ascending=[False, True]).reset_index(drop=True)
    out = out.head(limit) if limit is not None else out
    out["type"] = out["type"].map(TYPE_LABELS).fillna(out["type"])
    out["country"] = [f"{(names or {}).get(c, c)} ({c})" for c in out["country"]]
    for name in COUNT_FIELDS:
        if name in out:
            out[name] = pd.array(out[name], dtype="Int64")
    for name in ("region", "place", "platform", "confidence", "id"):
        if name in out:
            out[name] = out[name].fillna("").astype(str)
    return out


def timeline(gdf: pd.DataFrame, freq: str = "D") -> pd.DataFrame:
    """Incidents per day (``freq="D"``) or week (``"W"``, weeks starting Monday) by type:
    columns ``period`` (start of the day or week), ``type``, ``count``."""
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    if gdf.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             "type": pd.Series(dtype=object), "count": pd.Series(dtype=int),
                             "end": pd.Series(dtype="datetime64[ns]")})
    period = gdf["date"].dt.to_period("W-SUN" if freq == "W" else "D").dt.start_time
    counts = (pd.DataFrame({"period": period, "type": gdf["type"]})
              .groupby(["period", "type"]).size().rename("count").reset_index())
    counts["end"] = counts["period"] + pd.Timedelta(days=7 if freq == "W" else 1)
    return counts.sort_values(["period", "type"]).reset_index(drop=True)


def timeline_domain(date_from: dt.date | None, date_to: dt.date | None, first: dt.date,
                    last: dt.date, freq: str = "D") -> tuple[pd.Timestamp, pd.Timestamp]:
    """The timeline's x axis: exactly the selected days (open ends: the data's span), from
    the first day's start to the end of the last day; by week, whole weeks from Monday."""
    start = pd.Timestamp(date_from or first)
    end = pd.Timestamp(date_to or last) + pd.Timedelta(days=1)
    if freq == "W":
        start -= pd.Timedelta(days=start.weekday())
        end += pd.Timedelta(days=(7 - end.weekday()) % 7)
    return start, end


def by_country_and_type(gdf: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Counts with one row per country (most incidents first), one column per type, and a
    ``Total``; country codes become names where ``names`` has them."""
    # value_counts + unstack: the same table as pd.crosstab, ~10x faster on a million rows.
    pivot = (pd.DataFrame({"country": gdf["country"], "type": gdf["type"]}).value_counts()
             .unstack(fill_value=0).reindex(columns=list(INCIDENT_TYPES), fill_value=0))
    pivot.columns.name = "type"
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.sort_values(["total"], ascending=False)
    pivot.index = [(names or {}).get(c, c) for c in pivot.index]
    pivot.index.name = "country"
    return pivot


def brush_span(values: list, weekly: bool = False) -> tuple[dt.date, dt.date] | None:
    """The date range of a brush on the timeline: its two ends as epoch milliseconds or ISO
    strings; with ``weekly`` bars the end runs to the last day of its week."""
    if not values or len(values) != 2:
        return None
    start, end = sorted(dt.date.fromisoformat(v[:10]) if isinstance(v, str)
                        else dt.datetime.fromtimestamp(v / 1000, dt.UTC).date() for v in values)
    return start, end + dt.timedelta(days=6) if weekly else end


def by_hour(gdf: pd.DataFrame) -> pd.DataFrame:
    """Incidents by the UTC hour they started (``filters.start_hours``), per type: columns
    ``hour`` (0..23), ``type`` and ``count``; incidents without a time are not counted."""
    from .filters import start_hours

    hours = start_hours(gdf)
    timed = ~np.isnan(hours)
    if not timed.any():
        return pd.DataFrame({"hour": pd.Series(dtype=int), "type": pd.Series(dtype=str),
                             "count": pd.Series(dtype=int)})
    counts = (pd.DataFrame({"hour": hours[timed].astype(int),
                            "type": np.asarray(gdf["type"])[timed]})
              .value_counts().rename("count").reset_index())
    return counts.sort_values(["hour", "type"]).reset_index(drop=True)



@dataclass(frozen=True)
class Summary:
    """Everything the metrics, timeline, breakdown and hour chart show of a selection, in
    three small tables: made from a frame (``summary``) or by the database
    (``db.query.summary``), so the app can show a selection it does not hold."""

    headline: Headline
    days: pd.DataFrame   # date (Timestamp, the start day), type, country, count
    hours: pd.DataFrame  # as by_hour: hour, type, count
    closed: tuple[str, ...] = ()  # the ICAO codes of the airports closed, sorted
    #: (minlon, minlat, maxlon, maxlat) of the geometries (from a database: of the points
    #: the map counts them at), None when nothing matches: what the map is fitted to
    extent: tuple[float, float, float, float] | None = None

    def counts_by_type(self) -> pd.Series:
        """As ``counts_by_type`` of the selection."""
        return (self.days.groupby("type")["count"].sum()
                .reindex(list(INCIDENT_TYPES), fill_value=0).astype(int))

    def timeline(self, freq: str = "D") -> pd.DataFrame:
        """As ``timeline`` of the selection."""
        if freq not in ("D", "W"):
            raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
        days = self.days
        period = days["date"] - pd.to_timedelta(days["date"].dt.day_of_week, unit="D") \
            if freq == "W" else days["date"]
        counts = (pd.DataFrame({"period": period, "type": days["type"], "count": days["count"]})
                  .groupby(["period", "type"])["count"].sum().reset_index())
        counts["count"] = counts["count"].astype(int)
        counts["end"] = counts["period"] + pd.Timedelta(days=7 if freq == "W" else 1)
        return counts.sort_values(["period", "type"]).reset_index(drop=True)

    def by_country_and_type(self, names: dict[str, str] | None = None) -> pd.DataFrame:
        """As ``by_country_and_type`` of the selection."""
        pivot = (self.days.groupby(["country", "type"])["count"].sum().unstack(fill_value=0)
                 .reindex(columns=list(INCIDENT_TYPES), fill_value=0).astype(int))
        pivot.columns.name = "type"
        pivot["total"] = pivot.sum(axis=1)
        pivot = pivot.sort_values(["total"], ascending=False, kind="stable")
        pivot.index = [(names or {}).get(c, c) for c in pivot.index]
        pivot.index.name = "country"
        return pivot


def days_table(dates, types, countries, counts=None) -> pd.DataFrame:
    """The ``Summary.days`` table: one row per (start day, type, country) with its count
    (``counts``: of each row given; None: one each), sorted by day, type and country."""
    def values(column):  # a frame's column as it is (its text dtype: 25x faster than objects)
        return column.values if isinstance(column, pd.Series) else np.asarray(column, dtype=object)
    frame = pd.DataFrame({"date": pd.to_datetime(values(dates)), "type": values(types),
                          "country": values(countries)})
    if counts is None:  # value_counts: the same table as a groupby, several times faster
        out = frame.value_counts(sort=False).rename("count").reset_index()
    else:
        frame["count"] = np.asarray(counts, dtype=np.int64)
        out = frame.groupby(["date", "type", "country"])["count"].sum().reset_index()
    out = out.sort_values(["date", "type", "country"]).reset_index(drop=True)
    out["count"] = out["count"].astype(int)
    return out


def summary(gdf: pd.DataFrame) -> Summary:
    """The ``Summary`` of a frame."""
    closed = gdf.loc[gdf["type"] == "airport_closure", "icao"].dropna().unique()
    extent = tuple(float(v) for v in gdf.total_bounds) if len(gdf) else None
    return Summary(headline(gdf), days_table(gdf["date"], gdf["type"], gdf["country"]),
                   by_hour(gdf), tuple(sorted(closed)), extent)
