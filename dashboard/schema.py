"""The incident record: field names, allowed values and validation.

Validation reports *every* problem it finds, each as ``<feature id>: <field>: <what is
wrong>``, so a curator can fix a file in one pass instead of one traceback at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import shapely
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from shapely.geometry import shape

IncidentType = Literal[
    "airspace_incursion", "airport_closure", "strike", "interception", "crash_debris"
]
DatePrecision = Literal["day", "approx", "range"]
LocationPrecision = Literal["exact", "city", "region", "country"]
Platform = Literal["drone", "aircraft", "missile", "balloon", "artillery", "unknown"]
Confidence = Literal["high", "medium", "low"]
Status = Literal["active", "retracted"]
OriginValue = str | int | float | bool | None

INCIDENT_TYPES: tuple[str, ...] = get_args(IncidentType)
PLATFORMS: tuple[str, ...] = get_args(Platform)
STATUSES: tuple[str, ...] = get_args(Status)
DATE_PRECISIONS: tuple[str, ...] = get_args(DatePrecision)
LOCATION_PRECISIONS: tuple[str, ...] = get_args(LocationPrecision)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)

TYPE_LABELS: dict[str, str] = {
    "airspace_incursion": "Airspace incursion",
    "airport_closure": "Airport closure",
    "strike": "Strike",
    "interception": "Interception",
    "crash_debris": "Crash / debris",
}

COUNT_FIELDS: tuple[str, ...] = ("drones", "aircraft", "missiles", "killed", "injured")
GEOMETRY_TYPES: tuple[str, ...] = ("Point", "LineString", "Polygon")
MAX_QUOTE_WORDS = 30
#: Largest count accepted: far above any real incident, and safe for 64-bit integer columns.
MAX_COUNT = 1_000_000_000
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
ICAO_PATTERN = r"^[A-Z0-9]{4}$"
#: Location precisions that place an incident at its airport: an airport_closure needs icao.
AIRPORT_PRECISIONS: tuple[str, ...] = ("exact", "city")
#: Required text fields and text fields that may be null (the column-wise screen checks
#: their type; every other field is a date, a count, a list or ``origin``).
TEXT_FIELDS: tuple[str, ...] = ("id", "type", "date", "date_precision", "country", "place",
                                "location_precision", "platform", "summary", "confidence")
NULLABLE_TEXT_FIELDS: tuple[str, ...] = ("region", "icao", "notes", "retraction_reason")


def iso_date(value: str) -> str:
    """Accept exactly ``YYYY-MM-DD`` naming a real calendar day."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid ISO date (YYYY-MM-DD)") from None
    return value


#: A time of day, in UTC: ``2025-11-04T23:00:00Z`` (seconds required, so times compare as text).
UTC_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
#: How far (days) a UTC time may lie outside the incident's dates: a date is the local day
#: the source gives, and a UTC time of the same moment can fall on the day before or after.
TIME_SLACK_DAYS = 1


def utc_time(value: str) -> str:
    """Accept exactly ``YYYY-MM-DDTHH:MM:SSZ`` naming a real moment (UTC)."""
    try:
        if not re.fullmatch(UTC_TIME_PATTERN, value):
            raise ValueError
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ValueError(f"{value!r} is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)") from None
    return value


def _short_quote(value: str) -> str:
    words = len(value.split())
    if words > MAX_QUOTE_WORDS:
        raise ValueError(f"quote has {words} words; at most {MAX_QUOTE_WORDS} allowed")
    return value


def http_url(value: str) -> str:
    """Accept only an absolute ``http://`` or ``https://`` link: anything else (``javascript:``,
    ``data:``, ``file:``, a bare path) must never become a link on a shared screen."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{value[:80]!r} is not a link: it contains spaces or control characters")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value[:80]!r} is not an http(s) link (only http:// and https:// "
                         "links are allowed)")
    return value


IsoDate = Annotated[str, AfterValidator(iso_date)]
UtcTime = Annotated[str, AfterValidator(utc_time)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]


class Source(BaseModel):
    """One source document behind an incident, with a verbatim supporting quote."""

    model_config = ConfigDict(extra="forbid")

    document: NonEmpty
    quote: Annotated[NonEmpty, AfterValidator(_short_quote)]
    publisher: str | None = None
    url: Annotated[str, AfterValidator(http_url)] | None = None


class IncidentProperties(BaseModel):
    """The properties of one incident feature.

    Every field up to ``notes`` must be present. ``status``, ``retraction_reason``,
    ``origin`` (the original fields of an imported record) and the times ``start_time`` /
    ``end_time`` (UTC, when the source gives them) may be left out.
    """

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    type: IncidentType
    date: IsoDate
    end_date: IsoDate | None
    date_precision: DatePrecision
    country: Annotated[str, StringConstraints(pattern=COUNTRY_PATTERN)]
    region: str | None
    place: NonEmpty
    location_precision: LocationPrecision
    platform: Platform
    icao: Annotated[str, StringConstraints(pattern=ICAO_PATTERN)] | None
    drones: Count | None
    aircraft: Count | None
    missiles: Count | None
    killed: Count | None
    injured: Count | None
    summary: NonEmpty
    sources: Annotated[list[Source], Field(min_length=1)]
    confidence: Confidence
    related_ids: list[str]
    notes: str | None
    status: Status = "active"
    retraction_reason: str | None = None
    origin: dict[str, OriginValue] | None = None
    start_time: UtcTime | None = None
    end_time: UtcTime | None = None


FIELDS: tuple[str, ...] = tuple(IncidentProperties.model_fields)
SOURCE_FIELDS: tuple[str, ...] = tuple(Source.model_fields)
OPTIONAL_FIELDS: dict[str, Any] = {
    name: info.default for name, info in IncidentProperties.model_fields.items()
    if not info.is_required()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature."""

    feature_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.feature_id}: {self.field}: {self.message}"


class DataError(Exception):
    """The project's own error for bad incident data; ``problems`` lists each one."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "properties"


def _short(value: Any) -> str:
    """``repr(value)``, cut to 80 characters: a message must stay one readable line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _pydantic_message(err: dict[str, Any]) -> str:
    msg = err["msg"].removeprefix("Value error, ").replace("Input should be", "should be")
    msg = msg.replace(" after validation", "")
    if err["type"] == "missing":
        return "is missing"
    if err["type"] == "extra_forbidden":
        return "is not a known field"
    if err["type"] == "literal_error":
        return f"{_short(err['input'])} is not allowed; {msg}"
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("id",):
        return f"{_short(err['input'])} is not a lowercase slug (letters, digits and hyphens)"
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("country",):
        return f"{_short(err['input'])} is not an ISO 3166-1 alpha-2 code (two capital letters)"
    if err["type"] == "string_pattern_mismatch" and err["loc"] == ("icao",):
        return f"{_short(err['input'])} is not a four-character ICAO code"
    return f"{msg} (got {_short(err['input'])})" if "input" in err and err["type"] != "value_error" else msg


def feature_label(feature: Any, index: int) -> str:
    """The id used in messages: the feature's ``properties.id`` or its position."""
    if isinstance(feature, dict):
        props = feature.get("properties")
        if isinstance(props, dict) and isinstance(props.get("id"), str) and props["id"]:
            label = props["id"]
            return label if len(label) <= 80 else label[:79] + "…"
    return f"feature #{index + 1}"


def _position_problem(position: Any) -> str | None:
    if (not isinstance(position, list) or not 2 <= len(position) <= 3
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)):
        return f"coordinates are malformed: a position must be [lon, lat] numbers, got {_short(position)}"
    if not all(math.isfinite(v) for v in position):
        return f"coordinates are malformed: positions must be finite numbers, got {_short(position)}"
    return None


def _coordinates_problem(kind: str, coords: Any) -> str | None:
    """What is wrong with the shape of a Point, LineString or Polygon's ``coordinates``
    (RFC 7946), before shapely sees them: shapely would silently close an open ring."""
    if kind == "Point":
        return _position_problem(coords)
    if not isinstance(coords, list):
        return f"coordinates are malformed: expected a list, got {_short(coords)}"
    rings = [coords] if kind == "LineString" else coords
    for number, ring in enumerate(rings, 1):
        if not isinstance(ring, list):
            return (f"coordinates are malformed: polygon ring {number} must be a list of "
                    f"positions, got {_short(ring)}")
        for position in ring:
            if problem := _position_problem(position):
                return problem
        if kind == "LineString":
            if len(ring) < 2:
                return f"coordinates are malformed: a LineString needs at least 2 positions, got {len(ring)}"
        elif len(ring) < 4:
            return f"polygon ring {number} has {len(ring)} positions; a closed ring needs at least 4"
        elif ring[0] != ring[-1]:
            return (f"polygon ring {number} is not closed: its first position {ring[0]} differs "
                    f"from its last {ring[-1]}")
    return None


def _point_problems(position: list[float]) -> list[tuple[str, str]]:
    """What is wrong with a well-formed Point position (as shapely would find it, 20 times
    faster: an import checks one per row)."""
    if len(position) == 3:
        return [("geometry", "has 3-D coordinates; only [lon, lat] is allowed")]
    x, y = (float(v) for v in position)
    return _range_problems((x, y, x, y))


def _range_problems(bounds: tuple[float, float, float, float]) -> list[tuple[str, str]]:
    """A geometry outside lon -180..180 / lat -90..90, saying when it looks like [lat, lon]."""
    minx, miny, maxx, maxy = bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return []
    swapped = -180 <= miny <= maxy <= 180 and -90 <= minx <= maxx <= 90
    return [("geometry", f"coordinates out of range (lon -180..180, lat -90..90): bounds {bounds}"
                         + ("; they look like [lat, lon], but GeoJSON order is [lon, lat]"
                            if swapped else ""))]


def _check_geometry(geometry: Any) -> list[tuple[str, str]]:
    """Return (field, message) pairs for what is wrong with a GeoJSON geometry."""
    if geometry is None:
        return [("geometry", "is missing (null)")]
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        got = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        return [("geometry", f"type {_short(got)} is not one of {', '.join(GEOMETRY_TYPES)}")]
    coords = geometry.get("coordinates")
    if coords is None:
        return [("geometry", "coordinates are missing")]
    if coords == []:
        return [("geometry", "has no coordinates")]
    if problem := _coordinates_problem(geometry["type"], coords):
        return [("geometry", problem)]
    if geometry["type"] == "Point":  # checked above: 2 or 3 finite numbers; shapely adds nothing
        return _point_problems(coords)
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        return [("geometry", f"coordinates are malformed ({str(exc).strip()})")]
    if geom.is_empty:
        return [("geometry", "has no coordinates")]
    if shapely.has_z(geom):
        return [("geometry", "has 3-D coordinates; only [lon, lat] is allowed")]
    if problems := _range_problems(geom.bounds):
        return problems
    if not geom.is_valid:
        return [("geometry", f"is not valid: {shapely.is_valid_reason(geom)}")]
    return []


def _check_consistency(props: IncidentProperties) -> list[tuple[str, str]]:
    """Rules that tie fields together."""
    out: list[tuple[str, str]] = []
    if props.end_date is not None and props.end_date < props.date:
        out.append(("end_date", f"{props.end_date} is before date {props.date}"))
    if props.date_precision == "range" and props.end_date is None:
        out.append(("end_date", "is required when date_precision is 'range'"))
    # A closure sits at its airport; only when the source does not name the airport
    # (location known to region or country level) may icao be null.
    if (props.type == "airport_closure" and props.icao is None
            and props.location_precision in AIRPORT_PRECISIONS):
        out.append(("icao", "is required for an airport_closure located at an airport "
                            "(use location_precision 'region' or 'country' when the source "
                            "does not name the airport)"))
    if props.id in props.related_ids:
        out.append(("related_ids", "lists the incident itself"))
    if props.status == "retracted" and not (props.retraction_reason or "").strip():
        out.append(("retraction_reason", "is required when status is 'retracted'"))
    if props.start_time and props.end_time and props.end_time < props.start_time:
        out.append(("end_time", f"{props.end_time} is before start_time {props.start_time}"))
    first = dt.date.fromisoformat(props.date) - dt.timedelta(days=TIME_SLACK_DAYS)
    last = dt.date.fromisoformat(props.end_date or props.date) + dt.timedelta(days=TIME_SLACK_DAYS)
    for name in ("start_time", "end_time"):
        value = getattr(props, name)
        if value and not first <= dt.date.fromisoformat(value[:10]) <= last:
            out.append((name, f"{value} is not on the incident's dates ({props.date}"
                              f"{' to ' + props.end_date if props.end_date else ''})"))
    return out


def validate_feature(feature: Any, index: int = 0) -> list[Problem]:
    """Validate one GeoJSON feature; return every problem found (empty when valid)."""
    label = feature_label(feature, index)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [Problem(label, "type", "is not a GeoJSON Feature")]
    problems = [Problem(label, f, m) for f, m in _check_geometry(feature.get("geometry"))]
    raw = feature.get("properties")
    if not isinstance(raw, dict):
        return [*problems, Problem(label, "properties", "is missing or not an object")]
    try:
        props = IncidentProperties.model_validate(raw)
    except PydanticValidationError as exc:
        problems += [
            Problem(label, _field_name(err["loc"]), _pydantic_message(err))
            for err in exc.errors()
        ]
        return problems
    return problems + [Problem(label, f, m) for f, m in _check_consistency(props)]


def validate_collection(data: Any) -> list[Problem]:
    """Validate a parsed FeatureCollection: every feature, unique ids, known related ids."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        if isinstance(data, dict) and "type" not in data:
            keys = ", ".join(repr(k) for k in list(data)[:5])
            return [Problem("file", "type", "expected a GeoJSON FeatureCollection, got an object "
                                            f"without 'type' (keys: {keys or 'none'})")]
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        return [Problem("file", "type", f"expected a GeoJSON FeatureCollection, got {_short(got)}")]
    features = data.get("features")
    if not isinstance(features, list):
        return [Problem("file", "features", "is missing or not a list")]
    problems: list[Problem] = []
    for i, feature in enumerate(features):
        problems += validate_feature(feature, i)

    labels = [feature_label(f, i) for i, f in enumerate(features)]
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            problems.append(Problem(label, "id", "is used by more than one feature"))
        seen.add(label)
    for feature, label in zip(features, labels, strict=True):
        props = feature.get("properties") if isinstance(feature, dict) else None
        related = props.get("related_ids") if isinstance(props, dict) else None
        for rid in related if isinstance(related, list) else []:
            # Non-text ids are reported by the field validation already (and are unhashable).
            if isinstance(rid, str) and rid not in seen:
                problems.append(Problem(label, "related_ids", f"{rid!r} is not an incident id"))
    return problems
