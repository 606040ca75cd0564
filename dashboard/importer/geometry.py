"""Geometry clean-up: any GeoJSON geometry to a 2-D Point, LineString or Polygon with float
coordinates (``clean_geometry``), latitude/longitude swapped back, the anchor point used
for swap checks and country lookups, and the map's region of interest.

A geometry that cannot be cleaned raises ``GeometryError`` with the reason, which the row
pipeline reports as the row's rejection.

Multi-part geometries: the schema holds one Point (a place), LineString (a track) or Polygon
(an area) per incident, and the map, the exports and the GeoParquet store rely on that. A
Multi* geometry with one part is unwrapped; one with several is split by ``split_parts``
(applied to the whole table by ``shapes.split_multipart``) into one record per part, each
noting "part k of n" of its source row, so that every position in the file is kept as given
and every record stays valid. Nothing is merged into a representative point or a hull,
which would place the incident where the file does not. A GeometryCollection (parts of
different kinds) and an empty geometry are rejected with the reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely.geometry

from ..schema import GEOMETRY_TYPES
from .text import show
from .values import parse_coordinate

#: The box (lon 5..50, lat 40..72) the map is about; a point outside it whose swapped
#: coordinates fall inside it has its latitude and longitude the wrong way round.
REGION_OF_INTEREST = (5.0, 40.0, 50.0, 72.0)


class GeometryError(ValueError):
    """A geometry this importer cannot use; the message says why."""


def _position(pos: Any) -> tuple[list[float], bool]:
    if not isinstance(pos, (list, tuple)) or len(pos) < 2:
        raise GeometryError(f"position {show(pos)} is not [lon, lat]")
    out = []
    for value in pos[:2]:
        if isinstance(value, bool):
            raise GeometryError(f"coordinate {value!r} is not a number")
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str) and (parsed := parse_coordinate(value)) is not None:
            number = parsed
        else:
            raise GeometryError(f"coordinate {show(value)} is not a number")
        if not np.isfinite(number):
            raise GeometryError(f"coordinate {value!r} is not a finite number")
        out.append(number)
    return out, len(pos) > 2


def _positions(coords: Any, depth: int) -> tuple[Any, bool]:
    """Clean nested coordinates ``depth`` levels deep; returns them and whether Z was dropped."""
    if depth == 0:
        return _position(coords)
    if not isinstance(coords, (list, tuple)):
        raise GeometryError(f"coordinates {show(coords)} are not a list")
    out, had_z = [], False
    for item in coords:
        cleaned, z = _positions(item, depth - 1)
        out.append(cleaned)
        had_z |= z
    return out, had_z


_DEPTH = {"Point": 0, "LineString": 1, "Polygon": 2}
_MULTI = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}


def clean_geometry(geometry: Any) -> tuple[dict[str, Any], bool]:
    """A 2-D Point/LineString/Polygon with float coordinates; raises ``GeometryError``.

    String coordinates are parsed, Z is dropped (second return value says so) and a
    Multi* geometry with a single part is unwrapped.
    """
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise GeometryError("is not a GeoJSON geometry")
    kind, coords = geometry["type"], geometry.get("coordinates")
    if kind == "GeometryCollection":
        raise GeometryError(f"type {kind!r} is not supported: its parts may be of different "
                            f"kinds; give each part ({', '.join(GEOMETRY_TYPES)}) as a feature")
    if (kind in GEOMETRY_TYPES or kind in _MULTI) and isinstance(coords, (list, tuple)) \
            and not coords:
        raise GeometryError(f"is an empty {kind} (no coordinates)")
    if kind in _MULTI and isinstance(coords, (list, tuple)) and len(coords) == 1:
        kind, coords = _MULTI[kind], coords[0]
    if kind not in GEOMETRY_TYPES:
        raise GeometryError(f"type {kind!r} is not supported (only {', '.join(GEOMETRY_TYPES)}"
                            "; a multi-part geometry must be split)")
    cleaned, had_z = _positions(coords, _DEPTH[kind])
    return {"type": kind, "coordinates": cleaned}, had_z


def split_parts(geometry: Any) -> list[Any]:
    """A Multi* geometry of two or more parts as one geometry per part; anything else as it is.

    >>> split_parts({"type": "MultiPoint", "coordinates": [[23.1, 51.5], [23.2, 51.6]]})
    [{'type': 'Point', 'coordinates': [23.1, 51.5]}, {'type': 'Point', 'coordinates': [23.2, 51.6]}]
    """
    if isinstance(geometry, dict) and geometry.get("type") in _MULTI:
        coords = geometry.get("coordinates")
        if isinstance(coords, (list, tuple)) and len(coords) > 1:
            return [{"type": _MULTI[geometry["type"]], "coordinates": part} for part in coords]
    return [geometry]


def swap_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """The cleaned geometry with every position's two coordinates swapped."""
    def swap(coords: Any, depth: int) -> Any:
        return [coords[1], coords[0]] if depth == 0 else [swap(c, depth - 1) for c in coords]
    return {"type": geometry["type"], "coordinates": swap(geometry["coordinates"],
                                                         _DEPTH[geometry["type"]])}


def anchor(geometry: dict[str, Any]) -> tuple[float, float]:
    """A point of the geometry for swap checks and the country lookup."""
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"]
        return x, y
    try:
        point = shapely.geometry.shape(geometry).representative_point()
        return point.x, point.y
    except Exception:  # an invalid ring or line: fall back to its first vertex
        coords = geometry["coordinates"]
        while isinstance(coords[0], list):
            coords = coords[0]
        return coords[0], coords[1]


def in_roi(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Whether each point (lon ``xs``, lat ``ys``) is inside ``REGION_OF_INTEREST``."""
    minx, miny, maxx, maxy = REGION_OF_INTEREST
    return (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy)
