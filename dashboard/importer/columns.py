"""Which source column feeds which of our fields: ``ColumnMap`` and ``guess_columns``.

The guess tries exact (normalised) column names per field in order of preference, then a
token pass for names such as ``gps_lat`` or ``event_latitude``. A user can override any
choice; ``check_columns`` refuses a choice that names a column the file does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..schema import DataError
from .text import norm


@dataclass(frozen=True)
class ColumnMap:
    """Which source column feeds which of our fields (``None``: not in the file)."""

    lat: str | None = None
    lon: str | None = None
    date: str | None = None
    end_date: str | None = None
    type: str | None = None
    platform: str | None = None
    country: str | None = None
    region: str | None = None
    place: str | None = None
    summary: str | None = None
    source: str | None = None
    url: str | None = None
    quote: str | None = None
    id: str | None = None
    confidence: str | None = None
    date_precision: str | None = None
    location_precision: str | None = None
    icao: str | None = None
    drones: str | None = None
    aircraft: str | None = None
    missiles: str | None = None
    killed: str | None = None
    injured: str | None = None
    wkt: str | None = None      # a geometry as WKT text (``POINT (30.52 50.45)``)

    def used(self) -> dict[str, str]:
        """``{our field: source column}`` for every field that has a column."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


COLUMN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ColumnMap))

# Exact (normalised) names in order of preference; the token pass below catches
# "gps_lat", "event_latitude" and the like.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "id": ("id", "event_id_cnty", "event_id", "incident_id", "uid", "identifier", "ref"),
    "lat": ("lat", "latitude", "y", "lat_dd", "latitude_dd", "decimal_latitude", "lat_wgs84",
            "ycoord", "y_coord"),
    "lon": ("lon", "lng", "long", "longitude", "x", "lon_dd", "longitude_dd", "decimal_longitude",
            "lon_wgs84", "xcoord", "x_coord"),
    "end_date": ("end_date", "date_end", "enddate", "end", "end_time", "date_to", "to_date",
                 "until"),
    "date": ("date", "event_date", "incident_date", "time", "datetime", "date_time", "timestamp",
             "when", "start_date", "date_start", "begin", "start", "day", "date_from"),
    "type": ("type", "event_type", "incident_type", "category", "kind", "class",
             "classification", "incident", "associations"),
    "platform": ("platform", "weapon", "weapon_type", "means", "vehicle", "asset"),
    "country": ("country", "country_name", "country_code", "iso2", "iso_a2", "iso_3166_1",
                "iso3", "iso_a3", "nation", "cntry"),
    "region": ("region", "admin1", "province", "voivodeship", "oblast", "state", "district",
               "county"),
    "place": ("place", "location", "city", "town", "village", "locality", "site", "place_name",
              "settlement", "municipality", "name"),
    "summary": ("description", "summary", "notes", "note", "details", "text", "comment",
                "comments", "remarks", "desc", "name", "title", "headline"),
    "source": ("source", "sources", "source_name", "document", "publisher", "reference",
               "citation"),
    "url": ("url", "link", "source_url", "href", "website", "web"),
    "quote": ("quote", "source_quote", "excerpt", "quotation"),
    "confidence": ("confidence", "reliability", "certainty"),
    "date_precision": ("date_precision", "time_precision"),
    "location_precision": ("location_precision", "geo_precision", "precision",
                           "location_accuracy"),
    "icao": ("icao", "icao_code", "airport_icao"),
    "drones": ("drones", "n_drones", "drone_count", "num_drones", "number_of_drones"),
    "aircraft": ("aircraft", "n_aircraft", "aircraft_count", "num_aircraft"),
    "missiles": ("missiles", "n_missiles", "missile_count", "num_missiles"),
    "killed": ("killed", "fatalities", "deaths", "dead", "casualties_killed"),
    "injured": ("injured", "wounded", "injuries"),
    "wkt": ("geom_wkt", "wkt", "wkt_geom", "geometry_wkt", "geometry", "the_geom", "geom",
            "shape"),
}
# Order of the token pass: more specific fields first so "end_time" is not taken as a date.
_TOKEN_FIELDS = ("lat", "lon", "end_date", "date", "country", "url", "source", "summary")
# Fields that may share a column with another field (a KML "name" is place and summary).
_SHAREABLE = frozenset({"place", "summary"})


def guess_columns(columns: list[str]) -> ColumnMap:
    """Guess which columns hold coordinates, date, type, country, place, text and source."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(norm(column), column)
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for target, candidates in _CANDIDATES.items():
        for cand in candidates:
            column = by_norm.get(cand)
            if column is not None and (column not in taken or target in _SHAREABLE):
                chosen[target] = column
                taken.add(column)
                break
    for target in _TOKEN_FIELDS:
        if target in chosen:
            continue
        words = {c for c in _CANDIDATES[target] if len(c) > 2}
        for normed, column in by_norm.items():
            if column not in taken and words & set(normed.split("_")):
                chosen[target] = column
                taken.add(column)
                break
    return ColumnMap(**chosen)


def field_named(column: str) -> str | None:
    """The field whose exact names include ``column`` (compared normalised): "lng" -> "lon"."""
    key = norm(column)
    return next((target for target, names in _CANDIDATES.items() if key in names), None)


def check_columns(cols: ColumnMap, columns: list[str], name: str) -> None:
    """Raise ``DataError`` when ``cols`` names a column that is not in ``columns``."""
    for target, column in cols.used().items():
        if column not in columns:
            raise DataError(f"{name}: column {column!r} (chosen for {target}) is not in the file; "
                            f"its columns are: {', '.join(columns)}")
