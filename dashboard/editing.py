"""The add/edit form as plain values: defaults from a feature, a feature from the form.

The form edits one point location and the first source; everything else a record carries
(further sources, a track or area geometry, status, imported ``origin``) is kept as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from . import ids
from .schema import COUNT_FIELDS, Problem, validate_feature

TEXT_OPTIONAL = ("region", "icao", "notes")


def new_id(country: str, incident_type: str, date: dt.date | str, taken: set[str]) -> str:
    """A readable unused id such as ``pl-airspace-incursion-2025-09-10`` (``-2``, ``-3``…
    appended when taken)."""
    return ids.next_free_id(ids.slug(f"{country}-{incident_type}-{date}") or "incident", taken)


def defaults(feature: dict[str, Any] | None, lat: float | None = None, lon: float | None = None
             ) -> dict[str, Any]:
    """Form values for editing ``feature``, or for a new incident (at ``lat, lon`` if given)."""
    if feature is None:
        return {"id": "", "type": "airspace_incursion", "date": dt.date.today(), "end_date": None,
                "date_precision": "day", "country": "PL", "region": "", "place": "",
                "location_precision": "exact", "platform": "drone", "icao": "",
                **dict.fromkeys(COUNT_FIELDS), "summary": "", "confidence": "medium",
                "related_ids": [], "notes": "", "lat": lat, "lon": lon,
                "document": "", "quote": "", "publisher": "", "url": ""}
    p = feature["properties"]
    point = _point(feature.get("geometry"))
    source = p["sources"][0] if p.get("sources") else {}
    return {
        **{k: p.get(k) for k in ("id", "type", "date_precision", "country", "place",
                                 "location_precision", "platform", "summary", "confidence",
                                 *COUNT_FIELDS)},
        "date": dt.date.fromisoformat(p["date"]),
        "end_date": dt.date.fromisoformat(p["end_date"]) if p.get("end_date") else None,
        **{k: p.get(k) or "" for k in TEXT_OPTIONAL},
        "related_ids": list(p.get("related_ids") or []),
        "lat": point[1] if point else None, "lon": point[0] if point else None,
        **{k: source.get(k) or "" for k in ("document", "quote", "publisher", "url")},
    }


def _point(geometry: Any) -> tuple[float, float] | None:
    """The [lon, lat] a form shows: the point itself, or the first vertex of a line/area."""
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    return (coords[0], coords[1]) if isinstance(coords, list) and len(coords) >= 2 else None


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def to_feature(values: dict[str, Any], original: dict[str, Any] | None = None
               ) -> tuple[dict[str, Any], list[Problem]]:
    """The feature the form describes, and every problem with it (schema rules included)."""
    problems: list[Problem] = []
    label = _text(values.get("id")) or "new incident"
    lat, lon = values.get("lat"), values.get("lon")
    if lat is None or lon is None:
        problems.append(Problem(label, "location", "latitude and longitude are required "
                                                   "(type them, or click the map first)"))
    geometry = (original or {}).get("geometry")
    if lat is not None and lon is not None and (_point(geometry) != (lon, lat)):
        geometry = {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}
    props = copy.deepcopy((original or {}).get("properties", {}))
    source = {"document": _text(values.get("document")) or "", "quote": _text(values.get("quote")) or ""}
    for key in ("publisher", "url"):
        if _text(values.get(key)):
            source[key] = _text(values[key])
    props.update({
        "id": _text(values.get("id")) or "",
        **{k: values.get(k) for k in ("type", "date_precision", "location_precision", "platform",
                                      "confidence")},
        "date": values["date"].isoformat() if values.get("date") else "",
        "end_date": values["end_date"].isoformat() if values.get("end_date") else None,
        "country": (_text(values.get("country")) or "").upper(),
        "place": _text(values.get("place")) or "",
        "summary": _text(values.get("summary")) or "",
        **{k: _text(values.get(k)) for k in TEXT_OPTIONAL},
        **{k: None if values.get(k) is None else int(values[k]) for k in COUNT_FIELDS},
        "sources": [source, *props.get("sources", [])[1:]],
        "related_ids": list(values.get("related_ids") or []),
    })
    if props.get("icao"):
        props["icao"] = props["icao"].upper()
    feature = {"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props}
    if geometry is None and problems:
        problems += [p for p in validate_feature(feature) if p.field != "geometry"]
    else:
        problems += validate_feature(feature)
    return feature, problems
