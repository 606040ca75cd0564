"""Where country names go: a point well inside the country's part the map looks at, and a few
alternative spots inside it, for when ``static/efm/layers.js`` finds the first one taken.

The browser places labels (it knows the zoom and what else is on screen); this module only
gives it spots that are guaranteed to lie inside the country. Points are ``(lat, lon)``.
"""

from __future__ import annotations

from functools import lru_cache

import shapely
from shapely.geometry import Polygon, box
from shapely.ops import polylabel

from .. import style

#: Where the map looks: labels go on the part of a country inside this lon/lat box, so
#: Denmark's label sits on Denmark, not on Greenland; Russia's on European Russia.
LABEL_BOX = (-25.0, 30.0, 70.0, 75.0)
#: Simplified before ``polylabel`` (degrees): the spot stays deep inside, found fast.
_SIMPLIFY = 0.02


def _home_box():
    (south, west), (north, east) = style.EASTERN_FLANK_BOUNDS
    return box(west, south, east, north)


def _polygons(geom) -> list[Polygon]:
    return [p for p in getattr(geom, "geoms", [geom]) if isinstance(p, Polygon) and not p.is_empty]


def _main_part(geom) -> Polygon:
    """The part of a (multi)polygon the map looks at: the one with the most area inside the
    home view (the largest part when none reaches it), cut to ``LABEL_BOX``."""
    home = _home_box()
    part = max(_polygons(geom), key=lambda p: (p.intersection(home).area, p.area))
    clipped = _polygons(shapely.clip_by_rect(part, *LABEL_BOX))
    return max(clipped, key=lambda p: p.area) if clipped else part


def _inside_point(shape) -> shapely.Point | None:
    """``polylabel`` of a polygon (its largest piece); None when it is empty."""
    pieces = _polygons(shape)
    if not pieces:
        return None
    piece = max(pieces, key=lambda p: p.area)
    simple = piece.simplify(_SIMPLIFY)
    target = simple if simple.is_valid and not simple.is_empty else piece
    tolerance = max(0.005, (target.area ** 0.5) / 100)
    point = polylabel(Polygon(target.exterior, list(target.interiors)), tolerance=tolerance)
    if not piece.contains(point):  # simplification moved the edge past it: use the real shape
        point = polylabel(piece, tolerance=tolerance)
    return point


def label_point(geom) -> tuple[float, float]:
    """A point well inside the part of a (multi)polygon the map looks at, as (lat, lon)."""
    point = _inside_point(_main_part(geom))
    return point.y, point.x


def label_spots(geom) -> list[tuple[float, float, float]]:
    """``(lat, lon, depth)`` spots for a country's name, all inside it: ``label_point``
    first, then a spot inside each half (west, east, north, south) and each cell of a 4 x 4
    grid over the same part, roomiest first. ``depth`` is the spot's distance from the
    country's edge in degrees: how far the browser may nudge the name and stay inside."""
    return list(_spots(shapely.to_wkb(geom)))


@lru_cache(maxsize=512)
def _spots(wkb: bytes) -> tuple[tuple[float, float, float], ...]:
    part = _main_part(shapely.from_wkb(wkb))
    edge = part.boundary
    first = _inside_point(part)
    x0, y0, x1, y1 = part.bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    cells = [(x0, y0, xm, y1), (xm, y0, x1, y1), (x0, ym, x1, y1), (x0, y0, x1, ym)]
    dx, dy = (x1 - x0) / 4, (y1 - y0) / 4
    cells += [(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy)
              for i in range(4) for j in range(4)]
    others = {}
    for cell in cells:
        spot = _inside_point(shapely.clip_by_rect(part, *cell))
        if spot is not None and not spot.equals(first) and part.contains(spot):
            others[(spot.y, spot.x)] = edge.distance(spot)
    roomy = sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))
    return ((first.y, first.x, edge.distance(first)), *((y, x, d) for (y, x), d in roomy))
