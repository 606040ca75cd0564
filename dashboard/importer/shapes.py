"""Geometries a table carries beyond lat/lon columns: a WKT column read into the table's
geometries (``read_wkt_column``), and multi-part geometries split into one record per part
(``split_multipart``; why splitting, see ``geometry``).

Both take a ``Table`` and return a new one (the input is left as it was); rows that cannot
be used are reported in ``ctx.rejected`` with the value and the reason, and left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.geometry

from .columns import ColumnMap
from .geometry import split_parts
from .rows import Ctx
from .table import Rejected, Table
from .text import first_line, show
from .values import parse_coordinates

#: Lat/lon columns and a WKT point further apart than this (in degrees, either axis) are
#: reported in a warning; the lat/lon columns are used either way.
WKT_TOLERANCE_DEG = 0.01


def take_rows(table: Table, index: list[int], geometries: list[Any] | None,
              notes: list[list[str]] | None = None) -> Table:
    """A new table of the records at ``index`` (repeats allowed), with these geometries."""
    text = table.text.iloc[index].reset_index(drop=True)
    old_notes = table.notes or [[] for _ in range(len(table))]
    return Table(list(table.columns), text, [table.rows[i] for i in index],
                 [dict(table.origin[i]) for i in index], geometries, list(table.rejected),
                 list(table.warnings), notes if notes is not None else [old_notes[i] for i in index])


def _parse_wkt(values: list[str]) -> tuple[list[Any], list[str | None]]:
    """Shapely geometries (None where unreadable) and, per value, why it is unreadable."""
    geoms = shapely.from_wkt(np.array(values, dtype=object), on_invalid="ignore")
    reasons: list[str | None] = [None] * len(values)
    for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
        if not values[i]:
            reasons[i] = "is empty; a geometry (WKT, e.g. POINT (30.52 50.45)) is needed"
        elif geoms[i] is not None:
            reasons[i] = f"is an empty {geoms[i].geom_type} (no coordinates)"
        else:
            try:   # only the failures are parsed again, for GEOS's message
                shapely.from_wkt(values[i])
                reasons[i] = "is not WKT"
            except Exception as exc:  # GEOSException, or a TypeError for odd input
                reasons[i] = f"is not valid WKT ({first_line(exc)})"
    return list(geoms), reasons


def read_wkt_column(table: Table, cols: ColumnMap, ctx: Ctx) -> Table:
    """The table with its geometries read from the WKT column ``cols.wkt``.

    Only for a table without geometries of its own (a CSV). When the latitude and longitude
    columns are chosen too they are used, and the WKT only checked against them: rows whose
    WKT point differs by more than ``WKT_TOLERANCE_DEG`` are counted in a warning. Otherwise
    the WKT is the geometry, and a row whose WKT cannot be read is rejected with the reason.
    """
    column = cols.wkt
    if not column or table.geometries is not None or not len(table):
        return table
    values = table.text[column].tolist()
    geoms, reasons = _parse_wkt(values)
    if cols.lat and cols.lon:
        _compare(table, cols, geoms, ctx)
        return table
    keep = [i for i, reason in enumerate(reasons) if reason is None]
    for i, reason in enumerate(reasons):
        if reason is not None:
            ctx.rejected.append(Rejected(table.rows[i], column, show(values[i]), reason))
    return take_rows(table, keep, [shapely.geometry.mapping(geoms[i]) for i in keep])


def _compare(table: Table, cols: ColumnMap, geoms: list[Any], ctx: Ctx) -> None:
    """Warn (once) about rows whose WKT point and lat/lon columns disagree."""
    lats, _ = parse_coordinates(table.text[cols.lat])
    lons, _ = parse_coordinates(table.text[cols.lon])
    points = np.array([g if g is not None and g.geom_type == "Point" and not g.is_empty
                       else None for g in geoms], dtype=object)
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    with np.errstate(invalid="ignore"):
        far = (np.abs(xs - lons) > WKT_TOLERANCE_DEG) | (np.abs(ys - lats) > WKT_TOLERANCE_DEG)
    rows = [table.rows[i] for i in np.flatnonzero(far)]
    if rows:
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        ctx.warnings.append(
            f"{len(rows)} row(s) (rows {shown}): the {cols.wkt} point and the {cols.lat}/"
            f"{cols.lon} columns differ by more than {WKT_TOLERANCE_DEG}°; {cols.lat}/{cols.lon} "
            "used")


def split_multipart(table: Table, id_column: str | None, ctx: Ctx) -> Table:
    """The table with every Multi* geometry of two or more parts as one record per part.

    Each part keeps its source row's number and cells; its notes say "part k of n of the
    <type> in row r (id ...)", and an id from ``id_column`` gets the suffix ``-p<k>`` so the
    parts' ids do not collide. A warning says how many geometries were split.
    """
    if table.geometries is None:
        return table
    index: list[int] = []
    geometries: list[Any] = []
    notes: list[list[str]] = []
    part_numbers: list[int] = []
    old_notes = table.notes or [[] for _ in range(len(table))]
    split = 0
    for i, geometry in enumerate(table.geometries):
        parts = split_parts(geometry)
        split += len(parts) > 1
        source = table.text.at[i, id_column] if id_column else ""
        for k, part in enumerate(parts, start=1):
            index.append(i)
            geometries.append(part)
            part_numbers.append(k if len(parts) > 1 else 0)
            notes.append(old_notes[i] if len(parts) == 1 else [*old_notes[i], (
                f"part {k} of {len(parts)} of the {geometry['type']} in row {table.rows[i]}"
                + (f" (id {source!r})" if source else "")
                + "; each part imported as an incident of its own")])
    if not split:
        return table
    out = take_rows(table, index, geometries, notes)
    if id_column:
        out.text[id_column] = [f"{v}-p{k}" if k and v else v
                               for v, k in zip(out.text[id_column], part_numbers, strict=True)]
    ctx.warnings.append(f"{split} multi-part geometr{'y' if split == 1 else 'ies'} split into "
                        f"{len(index) - len(table) + split} incidents, one per part (each "
                        "part's notes name its source row)")
    return out
