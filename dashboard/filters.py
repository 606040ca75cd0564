"""What the user asked to see: one immutable ``FilterSpec`` and pure functions over frames.

Filters never mutate their input; when nothing matches they return an empty frame with
the same columns (``gdf.iloc[:0]``), so the map, table and exports never special-case it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from . import geo
from .schema import CONFIDENCES, TYPE_LABELS

_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3

#: Confidence levels from weakest to strongest (``min_confidence`` keeps this level and up).
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class Preset:
    """A one-click group: incidents in any of ``countries`` or intersecting any of ``regions``."""

    key: str
    label: str
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Places:
    """What region and preset filters match against: admin-1 polygons and the presets."""

    regions: gpd.GeoDataFrame
    presets: Mapping[str, Preset] = field(default_factory=dict)


@dataclass(frozen=True)
class FilterSpec:
    """The filters in force. ``None`` means "no constraint"; an empty tuple matches nothing.

    ``area`` is a lon/lat polygon as WKT (or ``minlon,minlat,maxlon,maxlat``);
    ``regions`` are ISO 3166-2 codes; ``preset`` is a key of the presets file.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    preset: str | None = None
    area: str | None = None
    q: str | None = None
    min_confidence: str | None = None
    platforms: tuple[str, ...] | None = None
    min_depth_km: float | None = None
    max_depth_km: float | None = None
    retracted: bool = False  # also show retracted records (hidden by default)
    #: (from, to) hours of the day, UTC, 0..23 and 1..24, by the hour an incident started;
    #: from > to wraps past midnight ((22, 4): 22:00 to 04:00). Incidents without a time
    #: are left out while it is set.
    hours: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(
                f"date range is reversed: from {self.date_from} is after to {self.date_to}"
            )
        if self.min_confidence is not None and self.min_confidence not in CONFIDENCES:
            raise ValueError(f"min_confidence {self.min_confidence!r} is not one of "
                             f"{', '.join(CONFIDENCES)}")
        for name in ("min_depth_km", "max_depth_km"):
            value = getattr(self, name)
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        if (self.min_depth_km is not None and self.max_depth_km is not None
                and self.min_depth_km > self.max_depth_km):
            raise ValueError(f"depth range is reversed: at least {self.min_depth_km} km is more "
                             f"than at most {self.max_depth_km} km")
        if self.area is not None:
            geo.parse_area(self.area)  # raises ValueError naming the problem
        if self.hours is not None:
            start, end = self.hours
            if not (0 <= start <= 23 and 1 <= end <= 24 and start != end):
                raise ValueError(f"hours must be (from 0..23, to 1..24) and not the same hour, "
                                 f"got {self.hours!r}")


def start_hours(gdf: pd.DataFrame) -> np.ndarray:
    """The UTC hour each incident started (its end when only that is known); NaN without a
    time."""
    if "start_time" not in gdf:
        return np.full(len(gdf), np.nan)
    when = gdf["start_time"].where(gdf["start_time"].notna(), gdf["end_time"])
    return pd.to_datetime(when, format="%Y-%m-%dT%H:%M:%SZ", errors="coerce").dt.hour.to_numpy(
        float, na_value=np.nan)


def in_hours(hours: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """True where an hour lies in ``window`` (wrapping past midnight when from > to)."""
    start, end = window
    with np.errstate(invalid="ignore"):
        if start < end:
            return (hours >= start) & (hours < end)
        return (hours >= start) | (hours < end)


def _need(places: Places | None) -> Places:
    if places is None:
        raise ValueError("region and preset filters need the regions layer (Places)")
    return places


def _positions_intersecting(gdf: gpd.GeoDataFrame, shape) -> np.ndarray:
    """Row positions of the geometries intersecting ``shape``, through the frame's spatial
    index (built once per frame and kept with it): exact, like ``gdf.intersects``."""
    return np.asarray(gdf.sindex.query(shape, predicate="intersects"), dtype=np.intp)


def _restrict(keep: np.ndarray, positions: np.ndarray) -> np.ndarray:
    hit = np.zeros(len(keep), bool)
    hit[positions] = True
    return keep & hit


#: Location precisions coarser than an admin region: such a record's point is only its
#: country's centre, so a region filter matches it by its own ``region`` field, never by
#: where the point happens to fall.
COARSER_THAN_REGION = ("country",)


def in_regions(gdf: gpd.GeoDataFrame, codes: tuple[str, ...], places: Places) -> np.ndarray:
    """True where an incident lies in any of the regions ``codes``: by geometry, except for
    records located only to country level, which match when their ``region`` names one."""
    hit = np.zeros(len(gdf), bool)
    hit[_positions_intersecting(gdf, geo.union_of(places.regions, "iso_3166_2", codes))] = True
    coarse = np.array(gdf["location_precision"].isin(COARSER_THAN_REGION), bool)
    if coarse.any():
        chosen = places.regions[places.regions["iso_3166_2"].isin(codes)]
        names = {(c, geo.region_key(n)) for c, n in zip(chosen["country"], chosen["name"], strict=True)}
        rows = np.flatnonzero(coarse)
        named = [(c, geo.region_key(r)) in names if r else False
                 for c, r in zip(gdf["country"].iloc[rows], gdf["region"].iloc[rows], strict=True)]
        hit[rows] = named
    return hit


def mask(gdf: gpd.GeoDataFrame, spec: FilterSpec, places: Places | None = None) -> np.ndarray:
    """A boolean array over ``gdf``'s rows: True where the incident matches every filter.

    Column-wise on the whole frame (no intermediate frames are copied); the cheap tests
    run first and text search only looks at the rows still in, so a filter change on a
    million incidents costs a few hundred milliseconds.
    """
    n = len(gdf)
    keep = np.ones(n, bool) if spec.retracted else np.array(gdf["status"] != "retracted", bool)
    if spec.date_to is not None:
        keep &= (gdf["date"] <= pd.Timestamp(spec.date_to)).to_numpy(bool)
    if spec.date_from is not None:
        last_day = gdf["end_date"].fillna(gdf["date"])
        keep &= (last_day >= pd.Timestamp(spec.date_from)).to_numpy(bool)
    for column, values in (("country", spec.countries), ("type", spec.types),
                           ("platform", spec.platforms)):
        if values is not None:
            keep &= gdf[column].isin(values).to_numpy(bool)
    if spec.min_confidence is not None:
        levels = [c for c, rank in CONFIDENCE_RANK.items()
                  if rank >= CONFIDENCE_RANK[spec.min_confidence]]
        keep &= gdf["confidence"].isin(levels).to_numpy(bool)
    if spec.min_depth_km is not None or spec.max_depth_km is not None:
        if "depth_km" not in gdf:
            raise ValueError("depth filters need a depth_km column (see geo.depth_km)")
        depth = gdf["depth_km"].to_numpy(float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            keep &= ~np.isnan(depth)
            if spec.min_depth_km is not None:
                keep &= depth >= spec.min_depth_km
            if spec.max_depth_km is not None:
                keep &= depth <= spec.max_depth_km
    if spec.hours is not None:
        keep &= in_hours(start_hours(gdf), spec.hours)
    words = geo.fold(spec.q or "").split()
    if words and keep.any():
        rows = np.flatnonzero(keep)
        text = (gdf["search_text"] if "search_text" in gdf else geo.search_text(gdf)).iloc[rows]
        text = text.astype("str")
        found = np.ones(len(rows), bool)
        for word in words:
            found &= text.str.contains(word, regex=False).to_numpy(bool)
        keep[rows[~found]] = False
    if spec.preset is not None:
        places = _need(places)
        if spec.preset not in places.presets:
            raise ValueError(f"unknown preset {spec.preset!r}; known: {', '.join(places.presets)}")
        preset = places.presets[spec.preset]
        in_preset = np.array(gdf["country"].isin(preset.countries), bool)
        if preset.regions:
            in_preset |= in_regions(gdf, preset.regions, places)
        keep &= in_preset
    if spec.regions is not None:
        keep &= in_regions(gdf, spec.regions, _need(places))
    if spec.area is not None:
        keep = _restrict(keep, _positions_intersecting(gdf, geo.parse_area(spec.area)))
    return keep


def apply(gdf: gpd.GeoDataFrame, spec: FilterSpec, places: Places | None = None
          ) -> gpd.GeoDataFrame:
    """Return the incidents matching every filter in ``spec``; never mutates ``gdf``.

    ``places`` (regions and presets) is needed only when the spec names a region or preset.
    """
    keep = mask(gdf, spec, places)
    if not keep.any():
        return gdf.iloc[:0].copy()
    if keep.all():
        # Under copy-on-write (pandas 3) a shallow copy is a new frame that cannot change
        # ``gdf``: no million-row copy when nothing is filtered out.
        return gdf.copy(deep=not _COPY_ON_WRITE)
    return gdf.iloc[np.flatnonzero(keep)]


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _where(spec: FilterSpec, names: Mapping[str, str]) -> str:
    """"in Poland", "in Baltic states", "in Poland, within Lublin Voivodeship": the places the
    filters keep, each narrowing the one before; "in all countries" only when none is set."""
    if spec.countries == () or spec.regions == ():
        return "in no " + ("countries" if spec.countries == () else "regions")
    places = [_list([names.get(c, c) for c in spec.countries]) if spec.countries else None,
              names.get(spec.preset, spec.preset) if spec.preset else None,
              _list([names.get(r, r) for r in spec.regions]) if spec.regions else None]
    places = [p for p in places if p]
    return "in " + ", within ".join(places) if places else "in all countries"


def _when(spec: FilterSpec, style: str = "%-d %b %Y") -> str:
    if spec.date_from and spec.date_to:
        return (f"on {spec.date_from:{style}}" if spec.date_from == spec.date_to
                else f"from {spec.date_from:{style}} to {spec.date_to:{style}}")
    if spec.date_from:
        return f"from {spec.date_from:{style}}"
    if spec.date_to:
        return f"up to {spec.date_to:{style}}"
    return "at any date"


def short_title(spec: FilterSpec, names: Mapping[str, str] | None = None, limit: int = 60) -> str:
    """A slide title for ``spec``: places, then types when not all, then dates, e.g.
    "Poland · Airport closure · 10 Sep 2025" (at most ``limit`` characters)."""
    names = names or {}
    where = _where(spec, names).removeprefix("in ")
    parts = ["Eastern flank" if where == "all countries" else where]
    if spec.types is not None and set(spec.types) < set(TYPE_LABELS):
        parts.append(_list([TYPE_LABELS.get(t, t) for t in spec.types]) if spec.types else "no types")
    when = _when(spec)
    if when != "at any date":
        parts.append(when.removeprefix("on ").removeprefix("from ").replace(" to ", " – "))
    title = " · ".join(parts)
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def describe(spec: FilterSpec, country_names: Mapping[str, str] | None = None) -> str:
    """A one-line caption for what ``spec`` shows, e.g. for a map subtitle."""
    names = country_names or {}
    if spec.types is None or set(spec.types) >= set(TYPE_LABELS):
        what = "All incident types"
    elif not spec.types:
        what = "No incident types"
    else:
        what = _list([TYPE_LABELS.get(t, t) for t in spec.types])

    parts = [f"{what} {_where(spec, names)}, {_when(spec)}"]
    if spec.area:
        parts.append("inside the drawn area")
    if spec.min_depth_km is not None or spec.max_depth_km is not None:
        lo, hi = spec.min_depth_km, spec.max_depth_km
        span = (f"{lo:g}–{hi:g} km" if lo is not None and hi is not None
                else f"at least {lo:g} km" if lo is not None else f"at most {hi:g} km")
        parts.append(f"{span} from the Russia/Belarus/Ukraine border")
    if spec.q and spec.q.strip():
        parts.append(f"matching “{spec.q.strip()}”")
    if spec.min_confidence:
        parts.append(f"confidence {spec.min_confidence} or higher")
    if spec.platforms is not None:
        parts.append("platform " + (_list(list(spec.platforms)) if spec.platforms else "none"))
    if spec.hours is not None:
        parts.append(f"starting {spec.hours[0]:02d}:00–{spec.hours[1] % 24:02d}:00 UTC "
                     "(incidents with a time)")
    if spec.retracted:
        parts.append("retracted records included")
    return " · ".join(parts)


def chosen_regions(spec: FilterSpec, places: Places | None) -> tuple[str, ...]:
    """The admin regions the spec names, its own and its preset's (to outline them)."""
    preset = places.presets.get(spec.preset) if places and spec.preset else None
    return tuple(dict.fromkeys([*(spec.regions or ()), *(preset.regions if preset else ())]))
