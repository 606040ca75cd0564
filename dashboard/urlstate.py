"""The shareable link: query parameters <-> (FilterSpec, View).

Parameters (repeat a key for several values; ``none`` as the only value means "none of
them", e.g. ``type=none``)::

    from, to              YYYY-MM-DD
    country, type, region, platform   repeated
    preset, q, min_confidence, min_depth_km, max_depth_km
    area                  WKT polygon or minlon,minlat,maxlon,maxlat
    lat, lon, zoom        the map view
    bbox                  minlon,minlat,maxlon,maxlat: an extent, fitted to the screen that opens
                          it (brief-pack slides store this; lat/lon/zoom win when both are given)
    incident              the highlighted incident
    retracted             1: also show retracted records
    present, theme        presentation view (present=1) and projector theme (dark, light)
    presenter             1 (with present=1 and brief): the presenter's window (speaker note,
                          next slide, clock); it drives every window presenting the pack
    brief, slide          the brief pack presented and the slide number (1-based)
    overlay               a context overlay switched on (its slug), repeated

Parsing never raises: a bad value is dropped and named in ``notices``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import geo, ids
from .bounds import Bounds
from .filters import FilterSpec
from .schema import CONFIDENCES, INCIDENT_TYPES, PLATFORMS, iso_date

NONE = "none"
MAX_Q = 200


@dataclass(frozen=True)
class View:
    """Where the map looks and which incident is highlighted."""

    lat: float | None = None
    lon: float | None = None
    zoom: float | None = None
    incident: str | None = None
    present: bool = False          # presentation view
    presenter: bool = False        # the presenter's window of a presentation
    theme: str | None = None       # projector theme: "dark" or "light"
    brief: str | None = None       # brief pack being presented
    slide: int | None = None       # 1-based slide number in that pack
    bbox: Bounds | None = None     # an extent to fit to the screen (instead of lat/lon/zoom)
    overlays: tuple[str, ...] = ()  # slugs of the context overlays switched on


@dataclass(frozen=True)
class Known:
    """Valid codes, so that a link naming something that does not exist is reported."""

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    presets: frozenset[str] = frozenset()
    incidents: frozenset[str] = frozenset()
    overlays: frozenset[str] = frozenset()  # slugs of the stored context overlays


@dataclass
class _Parser:
    params: Mapping[str, Sequence[str]]
    notices: list[str] = field(default_factory=list)

    def one(self, key: str) -> str | None:
        values = [v for v in self.params.get(key, []) if v is not None]
        if len(values) > 1:
            self.notices.append(f"{key}: several values given; used the first ({values[0]!r})")
        return values[0].strip() if values else None

    def value(self, key: str, convert: Callable[[str], Any], what: str) -> Any:
        raw = self.one(key)
        if raw is None or raw == "":
            return None
        try:
            return convert(raw)
        except (ValueError, TypeError) as exc:
            detail = f" ({exc})" if key == "area" else ""
            self.notices.append(f"{key}={raw[:80]!r} is not {what}{detail}; ignored")
            return None

    def many(self, key: str, allowed: frozenset[str] | tuple[str, ...], what: str,
             normalise: Callable[[str], str] = str) -> tuple[str, ...] | None:
        if key not in self.params:
            return None
        raw = [v.strip() for v in self.params[key] if v and v.strip()]
        if raw == [NONE]:
            return ()
        good, bad = [], []
        for value in raw:
            (good if normalise(value) in allowed else bad).append(normalise(value))
        if bad:
            self.notices.append(f"{key}: {', '.join(repr(b) for b in bad)} "
                                f"{'is not a known' if len(bad) == 1 else 'are not known'} {what}; ignored")
        return tuple(dict.fromkeys(good)) or None


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(iso_date(text))


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise ValueError
    return value


def _in_range(lo: float, hi: float) -> Callable[[str], float]:
    def convert(text: str) -> float:
        value = float(text)
        if not lo <= value <= hi:
            raise ValueError
        return value
    return convert


def _choice(options: Sequence[str] | frozenset[str]) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in options:
            raise ValueError
        return text
    return convert


def _area(text: str) -> str:
    return geo.area_wkt(geo.parse_area(text))


PARAMS = ("from", "to", "country", "type", "region", "preset", "q", "min_confidence",
          "platform", "min_depth_km", "max_depth_km", "area", "lat", "lon", "zoom", "bbox", "incident",
          "present", "presenter", "theme", "brief", "slide", "retracted", "overlay", "hours")
THEMES = ("dark", "light")


def _hours(text: str) -> tuple[int, int]:
    start, sep, end = text.partition("-")
    window = (int(start), int(end))
    if not sep or not (0 <= window[0] <= 23 and 1 <= window[1] <= 24) or window[0] == window[1]:
        raise ValueError
    return window


def _pack_name(text: str) -> str:
    if not ids.is_pack_name(text):
        raise ValueError
    return text


def _slide(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError
    return number


def parse(params: Mapping[str, Sequence[str]], known: Known) -> tuple[FilterSpec, View, list[str]]:
    """Read a link's query parameters; return the spec, the view and a notice per problem."""
    p = _Parser(params)
    for key in params:
        if key not in PARAMS:
            p.notices.append(f"unknown parameter {key!r}; ignored")
    date_from = p.value("from", _date, "a date (YYYY-MM-DD)")
    date_to = p.value("to", _date, "a date (YYYY-MM-DD)")
    if date_from and date_to and date_from > date_to:
        p.notices.append(f"from={date_from} is after to={date_to}; both ignored")
        date_from = date_to = None
    least = p.value("min_depth_km", _non_negative, "a distance in km (a number >= 0)")
    most = p.value("max_depth_km", _non_negative, "a distance in km (a number >= 0)")
    if least is not None and most is not None and least > most:
        p.notices.append(f"min_depth_km={least:g} is more than max_depth_km={most:g}; both ignored")
        least = most = None
    q = p.one("q")
    if q and len(q) > MAX_Q:
        p.notices.append(f"q is longer than {MAX_Q} characters; shortened")
        q = q[:MAX_Q]
    spec = FilterSpec(
        date_from=date_from, date_to=date_to,
        countries=p.many("country", known.countries, "country code", str.upper),
        types=p.many("type", INCIDENT_TYPES, "incident type"),
        regions=p.many("region", known.regions, "region code", str.upper),
        preset=p.value("preset", _choice(known.presets), "a known preset"),
        area=p.value("area", _area, "a polygon (WKT or minlon,minlat,maxlon,maxlat)"),
        q=q or None,
        min_confidence=p.value("min_confidence", _choice(CONFIDENCES), "high, medium or low"),
        platforms=p.many("platform", PLATFORMS, "platform"),
        min_depth_km=least, max_depth_km=most,
        retracted=p.value("retracted", _choice(("0", "1")), "0 or 1") == "1",
        hours=p.value("hours", _hours, "hours FROM-TO, UTC (e.g. 22-4)"),
    )
    view = View(
        lat=p.value("lat", _in_range(-90, 90), "a latitude (-90..90)"),
        lon=p.value("lon", _in_range(-180, 180), "a longitude (-180..180)"),
        zoom=p.value("zoom", _in_range(1, 18), "a zoom level (1..18)"),
        incident=p.value("incident", _choice(known.incidents), "a known incident id"),
        present=p.value("present", _choice(("0", "1")), "0 or 1") == "1",
        presenter=p.value("presenter", _choice(("0", "1")), "0 or 1") == "1",
        theme=p.value("theme", _choice(THEMES), "dark or light"),
        brief=p.value("brief", _pack_name, "a brief pack name (a-z, 0-9, - and _)"),
        slide=p.value("slide", _slide, "a slide number (1, 2, ...)"),
        bbox=p.value("bbox", Bounds.parse, "an extent (minlon,minlat,maxlon,maxlat)"),
        overlays=p.many("overlay", known.overlays, "overlay", str.lower) or (),
    )
    if (view.lat is None) != (view.lon is None):
        p.notices.append("lat and lon must be given together; map position ignored")
        view = replace(view, lat=None, lon=None)
    return spec, view, p.notices


def _exact(value: float) -> str:
    """A coordinate as short as it can be written without changing it (an extent must read
    back as the same box, however small)."""
    short = _fmt(value)
    return short if float(short) == value else repr(float(value))


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def encode(spec: FilterSpec, view: View = View()) -> dict[str, str | list[str]]:
    """Query parameters for ``spec`` and ``view``; ``parse`` reads them back unchanged."""
    out: dict[str, str | list[str]] = {}
    if spec.date_from:
        out["from"] = spec.date_from.isoformat()
    if spec.date_to:
        out["to"] = spec.date_to.isoformat()
    for key, values in (("country", spec.countries), ("type", spec.types),
                        ("region", spec.regions), ("platform", spec.platforms)):
        if values is not None:
            out[key] = list(values) or [NONE]
    for key, value in (("preset", spec.preset), ("q", spec.q),
                       ("min_confidence", spec.min_confidence), ("area", spec.area),
                       ("incident", view.incident), ("present", "1" if view.present else None),
                       ("presenter", "1" if view.presenter else None),
                       ("theme", view.theme), ("brief", view.brief),
                       ("slide", str(view.slide) if view.slide else None),
                       ("bbox", ",".join(map(_exact, view.bbox.as_tuple())) if view.bbox else None),
                       ("retracted", "1" if spec.retracted else None),
                       ("hours", f"{spec.hours[0]}-{spec.hours[1]}" if spec.hours else None)):
        if value:
            out[key] = value
    if view.overlays:
        out["overlay"] = list(view.overlays)
    for key, number in (("min_depth_km", spec.min_depth_km), ("max_depth_km", spec.max_depth_km),
                        ("lat", view.lat), ("lon", view.lon), ("zoom", view.zoom)):
        if number is not None:
            out[key] = _fmt(number)
    return out
