"""One lon/lat box type, ``Bounds``, for every extent the product handles.

The map's view as the browser reports it (``from_leaflet``), a view saved as centre and
zoom (``from_view``), a ``--bbox`` typed on the command line (``parse``), the extent that
fits a set of incidents (``from_frame``) and the eastern flank itself (``FLANK``) are all
``Bounds(minlon, minlat, maxlon, maxlat)``: GeoJSON's order, longitude first. Pure
arithmetic, no I/O; ``filter`` and ``from_frame`` take any GeoDataFrame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import style

TILE_PX = 256  # Web Mercator, as Leaflet draws it: the world is 256 * 2**zoom pixels wide
_USAGE = "expected four numbers minlon,minlat,maxlon,maxlat"


@dataclass(frozen=True)
class Bounds:
    """A lon/lat box: ``minlon, minlat, maxlon, maxlat`` (degrees, EPSG:4326)."""

    minlon: float
    minlat: float
    maxlon: float
    maxlat: float

    # --- making one ----------------------------------------------------------------------

    @classmethod
    def of(cls, value: Bounds | Iterable[float]) -> Bounds:
        """``value`` as Bounds: a Bounds as it is, or four numbers in Bounds' order."""
        if isinstance(value, Bounds):
            return value
        minlon, minlat, maxlon, maxlat = (float(v) for v in value)
        return cls(minlon, minlat, maxlon, maxlat)

    @classmethod
    def parse(cls, text: str) -> Bounds:
        """``"minlon,minlat,maxlon,maxlat"`` -> Bounds; ``ValueError`` naming what is wrong."""
        parts = [p.strip() for p in (text or "").split(",")]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"bbox {text!r}: {_USAGE}") from None
        if len(values) != 4:
            raise ValueError(f"bbox {text!r}: {_USAGE}")
        return cls.of(values).check(text)

    @classmethod
    def from_leaflet(cls, bounds: Mapping[str, Any] | None) -> Bounds | None:
        """The box of Leaflet's ``{"_southWest": {lat, lng}, "_northEast": {...}}`` (what
        ``st_folium`` returns as ``bounds``), clamped to the world; None while a corner is
        missing (the browser has not reported the view yet)."""
        bounds = bounds or {}
        south_west, north_east = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
        corners = (south_west.get("lng"), south_west.get("lat"), north_east.get("lng"),
                   north_east.get("lat"))
        return None if None in corners else cls.of(corners).clamp()

    @classmethod
    def from_frame(cls, frame, fraction: float = 0.1, min_deg: float = 0.5) -> Bounds | None:
        """The box around a GeoDataFrame's geometries, grown by ``fraction`` of its size
        (at least ``min_deg``) on every side and clamped; None for an empty frame."""
        if frame.empty:
            return None
        return cls.of(frame.total_bounds).pad(fraction, min_deg).clamp()

    @classmethod
    def from_view(cls, lat: float, lon: float, zoom: float, width_px: int = 1200,
                  height_px: int = 700) -> Bounds:
        """The box a Web-Mercator map of ``width_px`` x ``height_px`` (256-px tiles, as
        Leaflet) shows centred at ``lat, lon`` at ``zoom``; clamped to lon -180..180 and
        Mercator's lat limit (about ±85.05)."""
        for label, value in (("lat", lat), ("lon", lon), ("zoom", zoom)):
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{label} must be a finite number, got {value!r}")
        if width_px <= 0 or height_px <= 0:
            raise ValueError(f"map size must be positive, got {width_px}x{height_px} px")
        world = TILE_PX * 2.0 ** zoom
        lat = min(max(lat, -85.0), 85.0)  # keeps the centre strictly inside the Mercator square

        def lon_of(x: float) -> float:
            return min(max(x, 0.0), world) / world * 360 - 180

        def lat_of(y: float) -> float:
            y = min(max(y, 0.0), world)
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / world))))

        cx = (lon + 180) / 360 * world
        cy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * world
        return cls(lon_of(cx - width_px / 2), lat_of(cy + height_px / 2),
                   lon_of(cx + width_px / 2), lat_of(cy - height_px / 2))

    # --- reading and changing one --------------------------------------------------------

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(minlon, minlat, maxlon, maxlat)``."""
        return (self.minlon, self.minlat, self.maxlon, self.maxlat)

    @property
    def valid(self) -> bool:
        """min < max on both axes, longitudes within -180..180 and latitudes -90..90."""
        return (-180 <= self.minlon < self.maxlon <= 180
                and -90 <= self.minlat < self.maxlat <= 90)

    def check(self, text: str | None = None) -> Bounds:
        """This box if ``valid``, else ``ValueError`` naming it (as ``text`` when given)."""
        if not self.valid:
            name = repr(text) if text is not None else str(self.as_tuple())
            raise ValueError(f"bbox {name}: need min < max, lon within -180..180, lat -90..90")
        return self

    def clamp(self) -> Bounds:
        """The box cut to the world: lon -180..180, lat -90..90."""
        return Bounds(max(self.minlon, -180.0), max(self.minlat, -90.0),
                      min(self.maxlon, 180.0), min(self.maxlat, 90.0))

    def pad(self, fraction: float, min_deg: float | None = None) -> Bounds:
        """The box grown by ``fraction`` of its width and height on every side (by at
        least ``min_deg`` degrees when given); not clamped."""
        dx = (self.maxlon - self.minlon) * fraction
        dy = (self.maxlat - self.minlat) * fraction
        if min_deg is not None:
            dx, dy = max(dx, min_deg), max(dy, min_deg)
        return Bounds(self.minlon - dx, self.minlat - dy, self.maxlon + dx, self.maxlat + dy)

    def contains(self, lon, lat):
        """True where the point ``lon, lat`` is inside the box, edges included (numbers
        or numpy arrays of them)."""
        return (lon >= self.minlon) & (lon <= self.maxlon) & (lat >= self.minlat) & (lat <= self.maxlat)

    def filter(self, frame):
        """The rows of a GeoDataFrame whose geometry intersects the box."""
        return frame.cx[self.minlon:self.maxlon, self.minlat:self.maxlat]


    def at_least(self, width_deg: float, height_deg: float) -> Bounds:
        """The box grown about its middle to at least ``width_deg`` x ``height_deg``."""
        cx, cy = (self.minlon + self.maxlon) / 2, (self.minlat + self.maxlat) / 2
        w, h = max(self.maxlon - self.minlon, width_deg), max(self.maxlat - self.minlat, height_deg)
        return Bounds(min(self.minlon, cx - w / 2), min(self.minlat, cy - h / 2),
                      max(self.maxlon, cx + w / 2), max(self.maxlat, cy + h / 2))

    # --- on a Web-Mercator screen ---------------------------------------------------------

    @property
    def center(self) -> tuple[float, float]:
        """``(lat, lon)`` of the box's middle on a Web-Mercator map (what Leaflet centres)."""
        y = (_merc_y(self.minlat) + _merc_y(self.maxlat)) / 2
        lat = math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)
        return lat, (self.minlon + self.maxlon) / 2

    def pixels(self, zoom: float) -> tuple[float, float]:
        """``(width, height)`` in screen pixels of this box at ``zoom`` (256-px tiles): the
        size of the map that reported these bounds at that zoom."""
        scale = TILE_PX * 2.0 ** zoom
        return ((self.maxlon - self.minlon) / 360 * scale,
                (_merc_y(self.maxlat) - _merc_y(self.minlat)) / (2 * math.pi) * scale)

    def fit_zoom(self, width_px: float, height_px: float, snap: float = 0.25,
                 lo: float = 3.0, hi: float = 12.0) -> float:
        """The largest zoom (a multiple of ``snap``, within ``lo..hi``) at which the whole box
        fits a map of ``width_px`` x ``height_px``, as Leaflet's ``fitBounds`` would pick."""
        w0, h0 = self.pixels(0)
        fits = [math.log2(px / size) for px, size in ((width_px, w0), (height_px, h0)) if size > 0]
        zoom = min(fits) if fits else hi
        return min(max(math.floor(zoom / snap + 1e-9) * snap, lo), hi)  # 1e-9: a snug fit stays


def _merc_y(lat: float) -> float:
    """Web-Mercator y (radians) of a latitude, kept inside Mercator's limits."""
    lat = min(max(lat, -85.05), 85.05)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


#: The smallest extent a selection is framed in: one incident shows its surroundings (a
#: country's worth of map), not a street.
MIN_FRAME_DEG = (4.0, 3.0)
#: The margin round a selection: this fraction of its box on every side, at least 1 degree.
FRAME_MARGIN, FRAME_MIN_MARGIN_DEG = 0.15, 1.0


def selection_extent(frame) -> Bounds | None:
    """The one rule for framing a selection of incidents, on the map and in every snapshot:
    their box grown by ``FRAME_MARGIN`` (at least ``FRAME_MIN_MARGIN_DEG``) on every side, at
    least ``MIN_FRAME_DEG`` round its centre, cut to the world; None when nothing is selected.

    ``frame`` is the incidents, or their box (minlon, minlat, maxlon, maxlat) or None."""
    if frame is None or (hasattr(frame, "empty") and frame.empty):
        return None
    box = Bounds.of(frame.total_bounds if hasattr(frame, "total_bounds") else frame)
    box = box.pad(FRAME_MARGIN, FRAME_MIN_MARGIN_DEG)
    return box.at_least(*MIN_FRAME_DEG).clamp()


#: The eastern flank, the map's home view (``style.EASTERN_FLANK_BOUNDS``) as Bounds.
FLANK = Bounds(style.EASTERN_FLANK_BOUNDS[0][1], style.EASTERN_FLANK_BOUNDS[0][0],
               style.EASTERN_FLANK_BOUNDS[1][1], style.EASTERN_FLANK_BOUNDS[1][0])
