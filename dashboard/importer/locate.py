"""Rows placed on the map: each row's geometry (its own, or a point from the lat/lon
columns), swapped latitude/longitude corrected, out-of-range coordinates rejected, and a
country for every row that names none, from the point's position.

``locate`` runs these steps in order over a whole ``Table`` and returns, per row, the
geometry, the country, the problems and the notes; the profiles build records from that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .columns import ColumnMap
from .geometry import GeometryError, anchor, clean_geometry, in_roi, swap_geometry
from .rows import Ctx
from .table import Rejected, Table
from .text import show
from .values import coordinate_problem, parse_coordinates


@dataclass
class Located:
    """Per row: the geometry and country (None when rejected), problems and notes."""

    geometries: list[dict[str, Any] | None]
    countries: list[str | None]       # final country code per row (None: rejected)
    problems: list[list[Rejected]]
    notes: list[list[str]]


@dataclass
class _Points:
    """Work in progress of ``locate``: geometries, their anchor points and where they came from."""

    geoms: list[dict[str, Any] | None]
    from_columns: np.ndarray          # True where the point was built from the lat/lon columns
    xs: np.ndarray
    ys: np.ndarray


def locate(table: Table, cols: ColumnMap, given: list[str | None], ctx: Ctx,
           country_column: str | None) -> Located:
    """Geometries (from the file's geometry or the lat/lon columns), swaps fixed, countries set.

    ``given`` is the country code from the country column per row (None when absent or
    not recognised); rows without one get the country the point lies in.
    """
    n = len(table)
    problems: list[list[Rejected]] = [[] for _ in range(n)]
    notes: list[list[str]] = [list(table.notes[i]) if table.notes else [] for i in range(n)]
    points = _geometries(table, cols, ctx, problems)
    _fix_swaps(points, given, ctx, notes, _outside_problem(table, problems))
    _drop_out_of_range(points, table, cols, problems)
    countries = _derive_countries(points, table, given, ctx, country_column, problems, notes)
    return Located(points.geoms, countries, problems, notes)


def _geometries(table: Table, cols: ColumnMap, ctx: Ctx,
                problems: list[list[Rejected]]) -> _Points:
    """Each row's cleaned geometry, else a point from the lat/lon columns, else a problem."""
    n = len(table)
    geoms: list[dict[str, Any] | None] = [None] * n
    from_columns = np.zeros(n, dtype=bool)
    z_dropped = 0
    lat_col, lon_col = cols.lat, cols.lon
    has_columns = bool(lat_col and lon_col)
    if has_columns:
        lats, lat_commas = parse_coordinates(table.text[lat_col])
        lons, lon_commas = parse_coordinates(table.text[lon_col])
        if lat_commas or lon_commas:
            ctx.warnings.append(f"{max(lat_commas, lon_commas)} row(s) had coordinates with a "
                                "decimal comma; read as decimal points")
    for i in range(n):
        raw = table.geometries[i] if table.geometries is not None else None
        if raw is not None:
            try:
                geoms[i], had_z = clean_geometry(raw)
                z_dropped += had_z
            except GeometryError as exc:
                problems[i].append(Rejected(table.rows[i], "geometry", show(raw), str(exc)))
            continue
        if not has_columns:
            problems[i].append(Rejected(table.rows[i], "geometry", "", "is missing (null)"))
            continue
        bad = False
        for column, values in ((lat_col, lats), (lon_col, lons)):
            if np.isnan(values[i]):
                bad = True
                text = table.text.at[i, column]
                problems[i].append(Rejected(table.rows[i], column, show(text),
                                            coordinate_problem(text)))
        if not bad:
            geoms[i] = {"type": "Point", "coordinates": [float(lons[i]), float(lats[i])]}
            from_columns[i] = True
    if z_dropped:
        ctx.warnings.append(f"{z_dropped} geometr{'y' if z_dropped == 1 else 'ies'} had 3-D "
                            "coordinates; the height (Z) was dropped")
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    for i, geom in enumerate(geoms):
        if geom is not None:
            xs[i], ys[i] = anchor(geom)
    return _Points(geoms, from_columns, xs, ys)


#: Share of the placed rows that must look swapped before a whole file counts as having its
#: latitude and longitude columns transposed (and at least this many rows).
TRANSPOSED_SHARE, TRANSPOSED_MIN_ROWS = 0.9, 3


def _outside_problem(table: Table, problems: list[list[Rejected]]):
    """A callback rejecting row ``i`` as outside the map's area (its swap would be inside)."""
    def reject(i: int, x: float, y: float) -> None:
        problems[i].append(Rejected(
            table.rows[i], "geometry", f"{y:g}, {x:g}",
            f"the point (lat {y:g}, lon {x:g}) is outside the map's area; with latitude and "
            "longitude swapped it would be inside, but nothing in the file says they are "
            "(no country column naming the swapped place); fix the row or its country"))
    return reject


def _fix_swaps(points: _Points, given: list[str | None], ctx: Ctx, notes: list[list[str]],
               reject) -> None:
    """Swap latitude and longitude back only where the file's own evidence says so.

    Certain when |lat| > 90. Otherwise a point outside the map's region whose swap is inside
    is swapped when the row's country names the swapped place and not the given one, or when
    nearly every row of the file looks swapped (the columns are transposed). Without such
    evidence it is not "corrected" into the region: the row is rejected (``reject``) as
    outside the map's area, saying why (a point in Tehran never becomes one near Belgorod).
    """
    xs, ys = points.xs, points.ys
    hard = (np.abs(ys) > 90) & (np.abs(xs) <= 90)
    soft = ~hard & ~in_roi(xs, ys) & in_roi(ys, xs)
    placed = int(np.count_nonzero(~np.isnan(xs)))
    transposed = (soft.sum() >= max(TRANSPOSED_MIN_ROWS, TRANSPOSED_SHARE * placed))
    evidence = np.zeros(len(xs), bool)
    check = np.array([i for i in np.flatnonzero(soft) if given[i] is not None], dtype=int)
    if check.size and not transposed:
        as_is, _ = ctx.countries().lookup(xs[check], ys[check])
        swapped, _ = ctx.countries().lookup(ys[check], xs[check])
        for j, i in enumerate(check):
            evidence[i] = swapped[j] == given[i] and as_is[j] != given[i]
    for i in np.flatnonzero(soft & ~evidence & ~np.bool_(transposed)):
        if given[i] is None or not _country_holds(ctx, given[i], xs[i], ys[i]):
            reject(i, xs[i], ys[i])
            points.geoms[i] = None
    swap = np.flatnonzero(hard | (soft & (evidence | np.bool_(transposed))))
    why = ("the file's latitude and longitude columns are transposed" if transposed
           else "the row's country is where the swapped point lies")
    for i in swap:
        points.geoms[i] = swap_geometry(points.geoms[i])
        xs[i], ys[i] = ys[i], xs[i]
        notes[i].append("latitude and longitude were swapped in the source (corrected: "
                        + ("latitude over 90" if hard[i] else why) + ")")
    if swap.size:
        ctx.warnings.append(f"{swap.size} row(s) had lat/lon swapped; corrected"
                            + (" (the columns are transposed)" if transposed else ""))


def _country_holds(ctx: Ctx, code: str, x: float, y: float) -> bool:
    """Whether the point as given lies in the row's own country (then it is kept as it is)."""
    found, _ = ctx.countries().lookup(np.array([x]), np.array([y]))
    return found[0] == code


def _drop_out_of_range(points: _Points, table: Table, cols: ColumnMap,
                       problems: list[list[Rejected]]) -> None:
    """Reject (and drop the geometry of) every row whose coordinates are off the globe, or
    whose latitude and longitude columns hold the same number."""
    xs, ys = points.xs, points.ys
    lat_col, lon_col = cols.lat, cols.lon
    for i, geom in enumerate(points.geoms):
        if geom is not None and points.from_columns[i] and xs[i] == ys[i] and xs[i] != 0:
            # The same number in both columns is a copy slip, not a place (50.45, 50.45 is
            # in Kazakhstan when the row says Kyiv): never guess which one is right.
            problems[i].append(Rejected(table.rows[i], f"{lat_col}/{lon_col}",
                                        show(table.text.at[i, lat_col]),
                                        "latitude equals longitude: one of them was probably "
                                        "copied into the other; give both"))
            points.geoms[i] = None
            continue
        if geom is None or (abs(xs[i]) <= 180 and abs(ys[i]) <= 90):
            continue
        if points.from_columns[i]:
            if abs(ys[i]) > 90:
                problems[i].append(Rejected(table.rows[i], lat_col, show(table.text.at[i, lat_col]),
                                            "latitude is out of range (-90..90)"))
            if abs(xs[i]) > 180:
                problems[i].append(Rejected(table.rows[i], lon_col, show(table.text.at[i, lon_col]),
                                            "longitude is out of range (-180..180)"))
        else:
            problems[i].append(Rejected(table.rows[i], "geometry", show(geom["coordinates"]),
                                        "coordinates out of range (lon -180..180, lat -90..90)"))
        points.geoms[i] = None


def _derive_countries(points: _Points, table: Table, given: list[str | None], ctx: Ctx,
                      country_column: str | None, problems: list[list[Rejected]],
                      notes: list[list[str]]) -> list[str | None]:
    """``given``, with the country the point lies in for every placed row that names none."""
    n = len(table)
    xs, ys = points.xs, points.ys
    countries: list[str | None] = list(given)
    need = np.array([i for i in range(n) if points.geoms[i] is not None and given[i] is None],
                    dtype=int)
    if not need.size:
        return countries
    found, near = ctx.countries().lookup(xs[need], ys[need])
    derived = 0
    shown_all = table.text[country_column].tolist() if country_column else [""] * n
    for j, i in enumerate(need):
        shown = shown_all[i]
        if found[j] is None:
            what = (f"country {shown!r} is not a recognised country name or code, and the "
                    if shown else "no country given, and the ")
            problems[i].append(Rejected(
                table.rows[i], country_column or "country", show(shown),
                f"{what}point ({xs[i]:.5f}, {ys[i]:.5f}) lies in no country of the map's "
                "country layer"))
            continue
        derived += 1
        countries[i] = found[j]
        how = ("nearest country outline, within ~5 km" if near[j]
               else "coordinates")
        notes[i].append(f"country {found[j]} derived from the {how}"
                        + (f" (country {shown!r} not recognised)" if shown else ""))
    if derived:
        ctx.warnings.append(f"country derived from coordinates for {derived} row(s) "
                            "(no country column, or a name not recognised)")
    return countries
