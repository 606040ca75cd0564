"""Filter widgets' values <-> (FilterSpec, View): the rules the sidebar applies, kept pure.

The sidebar's widgets hold a ``Widgets`` value (one field per widget); ``widgets_for`` gives
the values that show a spec, and ``spec_of`` reads a spec back. Both directions live here so
that ``spec_of(widgets_for(spec)) == spec`` can be tested without Streamlit.

Rules written down once:
- the whole record (``first``..``last``) means "no date constraint", so a link keeps up with
  new data;
- all types ticked means "no type constraint"; none ticked matches nothing;
- "at least low" confidence is the same as any confidence;
- a distance range whose minimum exceeds its maximum is not applied (the sidebar says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .filters import FilterSpec
from .schema import INCIDENT_TYPES

ANY = "any"  # the "any confidence" choice


@dataclass(frozen=True)
class Widgets:
    """The filter widgets' values, as Streamlit holds them."""

    dates: tuple[dt.date, ...] = ()
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = INCIDENT_TYPES
    preset: str | None = None
    regions: tuple[str, ...] = ()
    q: str = ""
    confidence: str | None = ANY
    platforms: tuple[str, ...] = ()
    depth_min: float | None = None
    depth_max: float | None = None
    retracted: bool = False
    hour_from: int | None = None   # UTC; None: from midnight
    hour_to: int | None = None     # UTC, 1..24; None: to midnight


def widgets_for(spec: FilterSpec, first: dt.date, last: dt.date) -> Widgets:
    """The widget values that show ``spec`` (``first``/``last``: the data's date span)."""
    return Widgets(
        dates=(spec.date_from or first, spec.date_to or last),
        countries=tuple(spec.countries or ()),
        types=INCIDENT_TYPES if spec.types is None else tuple(spec.types),
        preset=spec.preset,
        regions=tuple(spec.regions or ()),
        q=spec.q or "",
        # "low" is the weakest level, so "at least low" is the same as any confidence.
        confidence=spec.min_confidence if spec.min_confidence in ("medium", "high") else ANY,
        platforms=tuple(spec.platforms or ()),
        depth_min=spec.min_depth_km,
        depth_max=spec.max_depth_km,
        retracted=spec.retracted,
        hour_from=spec.hours[0] if spec.hours else None,
        hour_to=spec.hours[1] if spec.hours else None,
    )


def depth_conflict(w: Widgets) -> bool:
    """True when 'at least' is more than 'at most': the distance filter is then not applied."""
    return w.depth_min is not None and w.depth_max is not None and w.depth_min > w.depth_max


def picked_dates(dates: tuple[dt.date, ...] | list[dt.date] | None
                 ) -> tuple[dt.date | None, dt.date | None]:
    """(from, to) of a date-range widget; while the user is picking it holds only the first day."""
    picked = tuple(dates or ())
    return (picked + (None, None))[:2]


def spec_of(w: Widgets, first: dt.date, last: dt.date, area: str | None = None) -> FilterSpec:
    """The FilterSpec the widget values describe (``area`` comes from the map, not a widget)."""
    date_from, date_to = picked_dates(w.dates)
    if (date_from, date_to) == (first, last):
        date_from = date_to = None  # the whole record: a link then keeps up with new data
    least, most = (None, None) if depth_conflict(w) else (w.depth_min, w.depth_max)
    types = tuple(w.types or ())
    return FilterSpec(
        date_from=date_from, date_to=date_to,
        countries=tuple(w.countries) or None,
        types=None if set(types) >= set(INCIDENT_TYPES) else tuple(
            t for t in INCIDENT_TYPES if t in types),
        regions=tuple(w.regions) or None,
        preset=w.preset, area=area, q=(w.q or "").strip() or None,
        min_confidence=None if w.confidence in (None, ANY) else w.confidence,
        platforms=tuple(w.platforms) or None,
        min_depth_km=least, max_depth_km=most, retracted=bool(w.retracted),
        hours=hours_of(w),
    )


def hours_of(w: Widgets) -> tuple[int, int] | None:
    """The hour window the two hour widgets describe (None: any time; also when both name
    the same hour, which is no window)."""
    if w.hour_from is None and w.hour_to is None:
        return None
    start, end = w.hour_from or 0, w.hour_to or 24
    return None if start == end else (start, end)


def keep_regions(w: Widgets, allowed: set[str]) -> Widgets:
    """Drop chosen regions that are no longer offered (their country left the filter)."""
    return replace(w, regions=tuple(r for r in w.regions if r in allowed))


def framing_key(spec: FilterSpec) -> FilterSpec:
    """What a change of selection is judged on, to frame the map on it: every filter but the
    area drawn on the map (the user is looking at the map while drawing it)."""
    return replace(spec, area=None)


def clamp_dates(spec: FilterSpec, first: dt.date, last: dt.date) -> tuple[FilterSpec, list[str]]:
    """A spec whose dates lie within the data's span (``first``..``last``), so the date
    widget can show them (a link's dates may lie anywhere); a notice names each adjustment.
    Clamping keeps the order of the two ends, so the range is never reversed."""
    notices: list[str] = []

    def fit(name: str, value: dt.date | None) -> dt.date | None:
        if value is None or first <= value <= last:
            return value
        nearest = first if value < first else last
        side = "before the data starts" if value < first else "after the data ends"
        notices.append(f"{name}={value.isoformat()} is {side} ({first:%-d %b %Y} to "
                       f"{last:%-d %b %Y}); {nearest:%-d %b %Y} is used instead")
        return nearest

    return replace(spec, date_from=fit("from", spec.date_from), date_to=fit("to", spec.date_to)), notices


def region_labels(codes, names, aliases=None) -> dict[str, str]:
    """The region picker's label for each code: its name, the other names it is known by
    (the picker matches what is typed against the label) and its code, e.g.
    "Lublin Voivodeship · Lubelskie (PL-LU)". ``aliases``: "|"-joined names, or None."""
    aliases = [None] * len(codes) if aliases is None else aliases
    labels = {}
    for code, name, other in zip(codes, names, aliases, strict=True):
        others = [a for a in other.split("|") if a] if isinstance(other, str) else []
        labels[code] = f"{name} · {', '.join(others)} ({code})" if others else f"{name} ({code})"
    return labels
