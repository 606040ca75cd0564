"""Turn outside files (GeoJSON, CSV, ACLED exports, GeoPackage, KML) into incident records.

Every row either becomes a Feature that passes ``schema.validate_feature`` or lands in
``ImportResult.rejected`` with its row number, the field, the offending value and a reason.
Nothing is made up: whatever is derived (country from coordinates, type from keywords,
a resolved day/month order ...) is written into the record's ``notes``.

The module is pure apart from reading the country outlines once (``load.read_countries``)
for the spatial join; it never imports Streamlit. Unreadable files raise a one-line
``schema.DataError`` that names the file.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import html
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pycountry
import shapely
import shapely.geometry

from .schema import (
    GEOMETRY_TYPES,
    INCIDENT_TYPES,
    PLATFORMS,
    TYPE_LABELS,
    DataError,
    OriginValue,
    validate_feature,
)

FORMATS: tuple[str, ...] = ("geojson", "csv", "acled", "gpkg", "kml")
FORMAT_LABELS: dict[str, str] = {
    "geojson": "GeoJSON", "csv": "CSV with coordinate columns", "acled": "ACLED export (CSV)",
    "gpkg": "GeoPackage", "kml": "KML",
}

#: The box (lon 5..50, lat 40..72) the map is about; a point outside it whose swapped
#: coordinates fall inside it has its latitude and longitude the wrong way round.
REGION_OF_INTEREST = (5.0, 40.0, 50.0, 72.0)
#: A point this close (degrees, ~5 km) outside every country outline takes the nearest
#: country: the outlines are simplified, so coastal and border towns can fall just outside.
NEAR_COUNTRY_DEG = 0.05
MAX_VALUE_CHARS = 80
QUOTE_WORDS = 30

# Columns the ACLED export has; the first four identify it.
ACLED_KEY_COLUMNS = ("event_id_cnty", "event_date", "event_type", "sub_event_type")
ACLED_INT_COLUMNS = frozenset({
    "year", "time_precision", "geo_precision", "iso", "inter1", "inter2", "interaction",
    "fatalities", "timestamp", "population_1km", "population_2km", "population_5km",
    "population_best"})
ACLED_FLOAT_COLUMNS = frozenset({"latitude", "longitude"})
# (event_type, sub_event_type) -> our type; anything else is rejected.
ACLED_TYPES: dict[tuple[str, str], str] = {
    ("explosions/remote violence", "air/drone strike"): "strike",
    ("explosions/remote violence", "shelling/artillery/missile attack"): "strike",
    ("strategic developments", "disrupted weapons use"): "interception",
}
ACLED_MAPPED = ("Explosions/Remote violence: Air/drone strike or Shelling/artillery/missile attack; "
                "Strategic developments: Disrupted weapons use")
ACLED_GEO_PRECISION = {"1": "exact", "2": "city", "3": "region"}
ACLED_TIME_PRECISION = {"1": "day", "2": "approx", "3": "approx"}
# Platforms an interception can be of; "Disrupted weapons use" without one of these in the
# notes is a defused explosive or a seized weapon, not something shot out of the sky.
AERIAL_PLATFORMS = frozenset({"drone", "missile", "aircraft", "balloon"})

# Columns the KML driver adds to every placemark (styling, not data from the file).
KML_DRIVER_COLUMNS = frozenset({"altitudeMode", "tessellate", "extrude", "visibility",
                                "drawOrder", "icon"})


@dataclass(frozen=True)
class Rejected:
    """One problem with one row that kept it out of the import."""

    row: int
    field: str
    value: str
    reason: str


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

    def used(self) -> dict[str, str]:
        """``{our field: source column}`` for every field that has a column."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


COLUMN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ColumnMap))


@dataclass
class ImportResult:
    """What an import produced: valid features, the rejected rows and file-level notes."""

    format: str
    rows_read: int
    features: list[dict]
    rejected: list[Rejected]
    warnings: list[str]
    columns: ColumnMap | None
    source_columns: list[str]

    @property
    def rows_rejected(self) -> int:
        """How many rows were rejected (a row can have several entries in ``rejected``)."""
        return len({r.row for r in self.rejected})

    def summary(self) -> str:
        """One line: rows read, imported and rejected."""
        return (f"{self.rows_read} row(s) read as {FORMAT_LABELS.get(self.format, self.format)}: "
                f"{len(self.features)} imported, {self.rows_rejected} rejected")

    def feature_collection(self) -> dict[str, Any]:
        """The imported features as a GeoJSON FeatureCollection."""
        return {"type": "FeatureCollection", "features": self.features}


# --------------------------------------------------------------------------- text helpers

def _show(value: Any) -> str:
    """A value as text for the report, cut to about 80 characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 3] + "..."


def slug(text: str) -> str:
    """Lowercase ASCII slug: letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_QUOTE_RE = re.compile(r"\S+(?:\s+\S+){0," + str(QUOTE_WORDS - 1) + "}")


def quote_prefix(text: str) -> str:
    """The first 30 words of ``text``, exactly as written (a verbatim prefix)."""
    match = _QUOTE_RE.search(text)
    return match.group(0) if match else ""


_HTML_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def _strip_html(text: str) -> str:
    if not _HTML_TAG.search(text) and "&" not in text:
        return text
    plain = html.unescape(_HTML_TAG.sub(" ", text))
    return re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", "\n", plain)).strip()


def _first_line(exc: BaseException) -> str:
    # GDAL names the in-memory copy of the upload (/vsimem/pyogrio_<hex>); that helps no one.
    text = re.sub(r"\s*/vsimem/\S+\s*", " ", str(exc)).strip().splitlines()
    return text[0].strip() if text else type(exc).__name__


def decode_text(raw: bytes, name: str) -> tuple[str, list[str]]:
    """Decode UTF-8 (BOM allowed), UTF-16 with BOM, or Windows-1252; binary -> ``DataError``."""
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{name}: starts like UTF-16 text but cannot be decoded") from None
        notes.append("decoded as UTF-16")
    elif b"\x00" in raw:
        raise DataError(f"{name}: is a binary file, not text (it contains NUL bytes)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise DataError(f"{name}: is neither UTF-8 nor Windows-1252 text; "
                                "is it a binary file?") from None
            notes.append("decoded as Windows-1252")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r" or ch == "\x7f")
    if controls > len(sample) // 100:
        raise DataError(f"{name}: looks like binary data, not text "
                        f"({controls} control characters in the first {len(sample)})")
    return text, notes


# --------------------------------------------------------------------------- detection

_NORM = re.compile(r"[^a-z0-9]+")


def _norm(column: str) -> str:
    return _NORM.sub("_", str(column).strip().lower()).strip("_")


def _is_acled_header(columns: Iterable[str]) -> bool:
    names = {_norm(c) for c in columns}
    return all(c in names for c in ACLED_KEY_COLUMNS)


def detect_format(name: str, raw: bytes) -> str:
    """One of ``FORMATS``, from the content first and the file extension second.

    An ACLED export is a CSV whose header has ``event_id_cnty``, ``event_date``,
    ``event_type`` and ``sub_event_type``. Raises ``DataError`` for empty, binary or
    unrecognised files.
    """
    if not raw.strip():
        raise DataError(f"{name}: file is empty")
    if raw.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if raw.startswith(b"PK\x03\x04"):
        raise DataError(f"{name}: is a ZIP archive (KMZ, a zipped shapefile or an Excel "
                        "workbook?); unzip it or export it as CSV, GeoJSON, GeoPackage or KML")
    ext = Path(name).suffix.lower()
    if ext == ".gpkg":
        raise DataError(f"{name}: has a .gpkg extension but is not a GeoPackage (SQLite) file")
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    head = raw[:8192].decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if "<kml" in head.lower() or ext == ".kml":
            return "kml"
        raise DataError(f"{name}: is XML or HTML but not KML; unknown format "
                        f"(expected one of {', '.join(FORMATS)})")
    if head.startswith(("{", "[")) or ext in (".geojson", ".json"):
        return "geojson"
    if ext == ".kml":
        return "kml"
    if ext in (".csv", ".tsv", ".txt", ""):
        if ext == "":
            decode_text(raw[:65536], name)   # raises for binary data
        header = next((line for line in head.splitlines() if line.strip()), "")
        if ext == "" and not any(sep in header for sep in ",;\t|"):
            raise DataError(f"{name}: unknown format (not JSON, XML, SQLite or delimited text); "
                            f"expected one of {', '.join(FORMATS)}")
        return "acled" if _is_acled_header(re.split(r"[,;\t|]", header)) else "csv"
    raise DataError(f"{name}: unknown format {ext!r}; expected one of {', '.join(FORMATS)} "
                    "(.geojson/.json, .csv, .gpkg, .kml)")


# --------------------------------------------------------------------------- column guessing

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
             "classification", "incident"),
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
}
# Order of the token pass: more specific fields first so "end_time" is not taken as a date.
_TOKEN_FIELDS = ("lat", "lon", "end_date", "date", "country", "url", "source", "summary")
# Fields that may share a column with another field (a KML "name" is place and summary).
_SHAREABLE = frozenset({"place", "summary"})


def guess_columns(columns: list[str]) -> ColumnMap:
    """Guess which columns hold coordinates, date, type, country, place, text and source."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
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
        for norm, column in by_norm.items():
            if column not in taken and words & set(norm.split("_")):
                chosen[target] = column
                taken.add(column)
                break
    return ColumnMap(**chosen)


# --------------------------------------------------------------------------- tables

@dataclass
class _Table:
    """Rows read from a file: text cells, original values and (optionally) geometries."""

    columns: list[str]
    text: pd.DataFrame                       # every cell as stripped text, "" when missing
    rows: list[int]                          # the row number a user sees, per record
    origin: list[dict[str, OriginValue]]
    geometries: list[Any] | None = None      # raw GeoJSON geometry per record
    rejected: list[Rejected] = field(default_factory=list)   # rows that could not be read
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _sniff_separator(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header):
        base = raw.strip() or f"column_{i + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def read_csv_table(text: str, name: str) -> _Table:
    """Parse delimited text with the csv module (quoted line breaks work).

    Row numbers count data records after the header from 1, blank lines included, as
    in a spreadsheet one row below the header. A record with more fields than the
    header (that are not just empty trailing fields) is rejected; short ones are padded.
    """
    sep = _sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise DataError(f"{name}: is not a readable CSV file (line {reader.line_num}: {exc})") from None
    start = next((i for i, rec in enumerate(records) if any(c.strip() for c in rec)), None)
    if start is None:
        raise DataError(f"{name}: file is empty")
    columns = _unique_names(records[start])
    width = len(columns)
    kept: list[list[str]] = []
    rows: list[int] = []
    rejected: list[Rejected] = []
    for number, rec in enumerate(records[start + 1:], start=1):
        cells = [c.strip() for c in rec]
        if not any(cells):
            continue
        if len(cells) > width:
            if any(cells[width:]):
                rejected.append(Rejected(number, "(row)", _show(sep.join(rec)),
                                         f"has {len(cells)} fields but the header has {width}; "
                                         "is a field with the separator in it not quoted?"))
                continue
            cells = cells[:width]
        kept.append(cells + [""] * (width - len(cells)))
        rows.append(number)
    frame = pd.DataFrame(kept, columns=columns, dtype=object) if kept else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns})
    origin = [{c: v or None for c, v in zip(columns, cells, strict=True)} for cells in kept]
    table = _Table(columns, frame, rows, origin, rejected=rejected)
    if sep != ",":
        table.warnings.append(f"fields separated by {'a tab' if sep == chr(9) else repr(sep)}")
    return table


def _cell_text(value: Any) -> str:
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value).strip()


def _origin_value(value: Any) -> OriginValue:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if np.isnan(value) else value if np.isfinite(value) else str(value)
    if isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _table_from_records(records: list[dict[str, Any]], rows: list[int],
                        geometries: list[Any] | None) -> _Table:
    columns: list[str] = []
    seen: set[str] = set()
    for rec in records:
        for key in rec:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    text = pd.DataFrame([[_cell_text(rec.get(c)) for c in columns] for rec in records],
                        columns=columns, dtype=object)
    origin = [{str(k): _origin_value(v) for k, v in rec.items()} for rec in records]
    return _Table([str(c) for c in columns], text, rows, origin, geometries)


# --------------------------------------------------------------------------- values

_NUMBER = re.compile(r"^([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)\s*°?\s*([NSEWnsew]?)$")


def _parse_coordinate(text: str) -> float | None:
    """``"52.23"``, ``"52,23"``, ``"52.23°N"``, ``"21.0 E"`` -> float; None when not a number."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    sign, digits, hemisphere = match.groups()
    value = float(digits.replace(",", "."))
    return -value if (sign == "-") != (hemisphere.upper() in ("S", "W")) else value


def _parse_coordinates(series: pd.Series) -> tuple[np.ndarray, int]:
    """Vectorised ``_parse_coordinate``: floats (NaN where not a number) and decimal commas."""
    parts = series.astype(str).str.extract(_NUMBER.pattern)
    digits = parts[1]
    commas = int(digits.str.contains(",", regex=False, na=False).sum())
    values = pd.to_numeric(digits.str.replace(",", ".", regex=False), errors="coerce")
    negative = (parts[0] == "-") != parts[2].fillna("").str.upper().isin(["S", "W"])
    values = values.where(~negative, -values)
    return values.to_numpy(dtype=float), commas


def _parse_count(text: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    match = re.fullmatch(r"\+?(\d+)(?:\.0*)?", text)
    if not match:
        return None, "is not a whole number of 0 or more"
    return int(match.group(1)), None


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9

_TIME = r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DMY_TEXT = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{{4}}){_TIME}")
_MDY_TEXT = re.compile(rf"([A-Za-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME}")
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}")
_SLASH = re.compile(rf"(\d{{1,2}})[/-](\d{{1,2}})[/-](\d{{4}}){_TIME}")
_EPOCH = re.compile(r"(\d{10}|\d{13})(?:\.\d+)?")


def _make_date(value: str, year: int, month: int, day: int) -> tuple[str | None, str | None]:
    try:
        return dt.date(year, month, day).isoformat(), None
    except ValueError as exc:
        return None, f"{value} is not a real calendar date ({exc})"


@dataclass(frozen=True)
class _DateParse:
    iso: str | None = None
    error: str | None = None
    note: str | None = None
    slash: tuple[int, int, int] | None = None    # (a, b, year) of an a/b/yyyy date


def _parse_one_date(value: str) -> _DateParse:
    text = value.strip()
    if not text:
        return _DateParse(error="is empty; a date is needed")
    if m := _ISO.fullmatch(text):
        return _DateParse(*_make_date(text, int(m[1]), int(m[2]), int(m[3])))
    if m := _DOTTED.fullmatch(text):
        return _DateParse(*_make_date(text, int(m[3]), int(m[2]), int(m[1])))
    if m := _SLASH.fullmatch(text):
        return _DateParse(slash=(int(m[1]), int(m[2]), int(m[3])))
    if (m := _DMY_TEXT.fullmatch(text)) and m[2].lower() in _MONTHS:
        return _DateParse(*_make_date(text, int(m[3]), _MONTHS[m[2].lower()], int(m[1])))
    if (m := _MDY_TEXT.fullmatch(text)) and m[1].lower() in _MONTHS:
        return _DateParse(*_make_date(text, int(m[3]), _MONTHS[m[1].lower()], int(m[2])))
    if m := _COMPACT.fullmatch(text):
        return _DateParse(*_make_date(text, int(m[1]), int(m[2]), int(m[3])))
    if m := _EPOCH.fullmatch(text):
        seconds = int(m[1]) / (1000 if len(m[1]) == 13 else 1)
        day = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date().isoformat()
        return _DateParse(day, note=f"date {day} converted from the Unix time {text} (UTC)")
    return _DateParse(error=f"{text!r} is not a date format this importer reads "
                            "(YYYY-MM-DD, 15 September 2025, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy)")


def parse_dates(values: pd.Series, column: str) -> list[_DateParse]:
    """Parse a date column, resolving a/b/yyyy dates from the column's other dates.

    ``a > 12`` means day/month, ``b > 12`` month/day. When both are 12 or less and differ,
    the order is taken from the column if all of its unambiguous slash dates agree;
    otherwise the date is ambiguous and gets an error.
    """
    parsed = {v: _parse_one_date(v) for v in pd.unique(values.astype(str))}
    day_first = month_first = False
    for p in parsed.values():
        if p.slash:
            a, b, _ = p.slash
            day_first |= a > 12 >= b
            month_first |= b > 12 >= a
    for value, p in parsed.items():
        if not p.slash:
            continue
        a, b, year = p.slash
        note = None
        if a > 12 and b > 12:
            parsed[value] = _DateParse(error=f"{value} is not a real calendar date "
                                             "(neither part can be a month)")
            continue
        if a > 12 or a == b:
            order = "dmy"
        elif b > 12:
            order = "mdy"
        elif day_first != month_first:
            order = "dmy" if day_first else "mdy"
            note = (f"date {value} read as {'day/month' if day_first else 'month/day'}, like the "
                    f"other dates in column {column!r}")
        else:
            why = ("the column has both orders" if day_first else
                   "no other date in the column settles the order")
            parsed[value] = _DateParse(error=f"ambiguous date {value}: day/month or month/day "
                                             f"({why})")
            continue
        day, month = (a, b) if order == "dmy" else (b, a)
        iso, error = _make_date(value, year, month, day)
        parsed[value] = _DateParse(iso, error, note if iso else None)
    return [parsed[v] for v in values.astype(str)]


# --------------------------------------------------------------------------- countries

_COUNTRY_ALIASES: dict[str, str] = {
    "russia": "RU", "rossiya": "RU", "россия": "RU", "turkey": "TR", "turkiye": "TR",
    "kosovo": "XK", "xk": "XK", "xkx": "XK", "uk": "GB", "great britain": "GB",
    "britain": "GB", "england": "GB", "usa": "US", "united states": "US",
    "macedonia": "MK", "holland": "NL", "czech republic": "CZ", "cesko": "CZ",
    "polska": "PL", "lietuva": "LT", "latvija": "LV", "eesti": "EE", "suomi": "FI",
    "slovensko": "SK", "magyarorszag": "HU", "deutschland": "DE", "ukraina": "UA",
    "украина": "UA", "україна": "UA", "беларусь": "BY", "belorussia": "BY",
    "byelorussia": "BY", "moldavia": "MD", "bosnia": "BA", "vatican": "VA",
}


@functools.lru_cache(maxsize=512)
def country_code(name: str) -> str | None:
    """ISO alpha-2 code for a country name, alpha-2/alpha-3/numeric code or common variant."""
    text = name.strip()
    if not text:
        return None
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    folded = re.sub(r"\s+", " ", folded.replace(".", "")).strip()
    for key in (text.casefold(), folded, folded.removeprefix("the ")):
        if key in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[key]
    for key in (text, folded.removeprefix("the ")):
        try:
            return pycountry.countries.lookup(key).alpha_2
        except LookupError:
            continue
    return None


def country_name(code: str) -> str:
    if code == "XK":
        return "Kosovo"
    record = pycountry.countries.get(alpha_2=code)
    return getattr(record, "common_name", None) or (record.name if record else code)


class CountryIndex:
    """Point-in-country lookup against the country outlines (``iso_a2``)."""

    def __init__(self, countries: Any):
        keep = countries["iso_a2"].astype(str).str.fullmatch(r"[A-Z]{2}")
        self.codes = countries.loc[keep, "iso_a2"].to_numpy(dtype=object)
        self.tree = shapely.STRtree(countries.loc[keep].geometry.to_numpy())

    def lookup(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Country code per point (None outside all) and whether it was the nearest match."""
        codes = np.full(len(xs), None, dtype=object)
        near = np.zeros(len(xs), dtype=bool)
        ok = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
        if not ok.size:
            return codes, near
        points = shapely.points(xs[ok], ys[ok])
        inputs, hits = self.tree.query(points, predicate="within")
        codes[ok[inputs[::-1]]] = self.codes[hits[::-1]]   # reversed: the first hit wins
        missing = np.array([i for i in range(ok.size) if codes[ok[i]] is None], dtype=int)
        if missing.size:
            inputs, hits = self.tree.query_nearest(points[missing], max_distance=NEAR_COUNTRY_DEG)
            codes[ok[missing[inputs[::-1]]]] = self.codes[hits[::-1]]
            near[ok[missing[inputs]]] = True
        return codes, near


@functools.lru_cache(maxsize=1)
def _default_country_index() -> CountryIndex:
    from . import load  # here, not at the top: load pulls in filters and geopandas I/O
    return CountryIndex(load.read_countries())


# --------------------------------------------------------------------------- geometry

class _GeometryError(ValueError):
    pass


def _position(pos: Any) -> tuple[list[float], bool]:
    if not isinstance(pos, (list, tuple)) or len(pos) < 2:
        raise _GeometryError(f"position {_show(pos)} is not [lon, lat]")
    out = []
    for value in pos[:2]:
        if isinstance(value, bool):
            raise _GeometryError(f"coordinate {value!r} is not a number")
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str) and (parsed := _parse_coordinate(value)) is not None:
            number = parsed
        else:
            raise _GeometryError(f"coordinate {_show(value)} is not a number")
        if not np.isfinite(number):
            raise _GeometryError(f"coordinate {value!r} is not a finite number")
        out.append(number)
    return out, len(pos) > 2


def _positions(coords: Any, depth: int) -> tuple[Any, bool]:
    """Clean nested coordinates ``depth`` levels deep; returns them and whether Z was dropped."""
    if depth == 0:
        return _position(coords)
    if not isinstance(coords, (list, tuple)):
        raise _GeometryError(f"coordinates {_show(coords)} are not a list")
    out, had_z = [], False
    for item in coords:
        cleaned, z = _positions(item, depth - 1)
        out.append(cleaned)
        had_z |= z
    return out, had_z


_DEPTH = {"Point": 0, "LineString": 1, "Polygon": 2}
_MULTI = {"MultiPoint": "Point", "MultiLineString": "LineString", "MultiPolygon": "Polygon"}


def clean_geometry(geometry: Any) -> tuple[dict[str, Any], bool]:
    """A 2-D Point/LineString/Polygon with float coordinates; raises ``_GeometryError``.

    String coordinates are parsed, Z is dropped (second return value says so) and a
    Multi* geometry with a single part is unwrapped.
    """
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise _GeometryError("is not a GeoJSON geometry")
    kind, coords = geometry["type"], geometry.get("coordinates")
    if kind in _MULTI and isinstance(coords, (list, tuple)) and len(coords) == 1:
        kind, coords = _MULTI[kind], coords[0]
    if kind not in GEOMETRY_TYPES:
        raise _GeometryError(f"type {kind!r} is not supported (only {', '.join(GEOMETRY_TYPES)}"
                             "; a multi-part geometry must be split)")
    cleaned, had_z = _positions(coords, _DEPTH[kind])
    return {"type": kind, "coordinates": cleaned}, had_z


def _swap_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    def swap(coords: Any, depth: int) -> Any:
        return [coords[1], coords[0]] if depth == 0 else [swap(c, depth - 1) for c in coords]
    return {"type": geometry["type"], "coordinates": swap(geometry["coordinates"],
                                                         _DEPTH[geometry["type"]])}


def _anchor(geometry: dict[str, Any]) -> tuple[float, float]:
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


def _in_roi(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    minx, miny, maxx, maxy = REGION_OF_INTEREST
    return (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy)


# --------------------------------------------------------------------------- the import

@dataclass
class _Ctx:
    name: str
    used_ids: set[str]
    index: CountryIndex | None
    warnings: list[str]
    rejected: list[Rejected] = field(default_factory=list)
    features: list[dict] = field(default_factory=list)
    renamed: int = 0
    existing: frozenset[str] = frozenset()  # ids already in the data (not this file's)

    def countries(self) -> CountryIndex:
        if self.index is None:
            self.index = _default_country_index()
        return self.index


@dataclass
class _Located:
    geometries: list[dict[str, Any] | None]
    countries: list[str | None]       # final country code per row (None: rejected)
    problems: list[list[Rejected]]
    notes: list[list[str]]


def _locate(table: _Table, cols: ColumnMap, given: list[str | None], ctx: _Ctx,
            country_column: str | None) -> _Located:
    """Geometries (from the file's geometry or the lat/lon columns), swaps fixed, countries set.

    ``given`` is the country code from the country column per row (None when absent or
    not recognised); rows without one get the country the point lies in.
    """
    n = len(table)
    problems: list[list[Rejected]] = [[] for _ in range(n)]
    notes: list[list[str]] = [[] for _ in range(n)]
    geoms: list[dict[str, Any] | None] = [None] * n
    from_columns = np.zeros(n, dtype=bool)
    z_dropped = 0
    lat_col, lon_col = cols.lat, cols.lon
    has_columns = bool(lat_col and lon_col)
    if has_columns:
        lats, lat_commas = _parse_coordinates(table.text[lat_col])
        lons, lon_commas = _parse_coordinates(table.text[lon_col])
        if lat_commas or lon_commas:
            ctx.warnings.append(f"{max(lat_commas, lon_commas)} row(s) had coordinates with a "
                                "decimal comma; read as decimal points")
    for i in range(n):
        raw = table.geometries[i] if table.geometries is not None else None
        if raw is not None:
            try:
                geoms[i], had_z = clean_geometry(raw)
                z_dropped += had_z
            except _GeometryError as exc:
                problems[i].append(Rejected(table.rows[i], "geometry", _show(raw), str(exc)))
            continue
        if not has_columns:
            problems[i].append(Rejected(table.rows[i], "geometry", "", "is missing (null)"))
            continue
        bad = False
        for column, values in ((lat_col, lats), (lon_col, lons)):
            if np.isnan(values[i]):
                bad = True
                text = table.text.at[i, column]
                reason = ("is empty; coordinates are needed to place the incident" if not text
                          else "is not a number (decimal degrees expected, e.g. 52.23)")
                problems[i].append(Rejected(table.rows[i], column, _show(text), reason))
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
            xs[i], ys[i] = _anchor(geom)

    # Swapped latitude/longitude: certain when |lat| > 90; likely when the point is outside
    # the map's region and the swapped one inside -- unless the row names a country the
    # point as given is in (a point in Iran stays in Iran).
    hard = (np.abs(ys) > 90) & (np.abs(xs) <= 90)
    soft = ~hard & ~_in_roi(xs, ys) & _in_roi(ys, xs)
    soft_idx = np.flatnonzero(soft)
    if soft_idx.size:
        known = np.array([given[i] is not None for i in soft_idx], dtype=bool)
        check = soft_idx[known]
        if check.size:
            as_is, _ = ctx.countries().lookup(xs[check], ys[check])
            swapped, _ = ctx.countries().lookup(ys[check], xs[check])
            for j, i in enumerate(check):
                soft[i] = swapped[j] == given[i] and as_is[j] != given[i]
    swap = np.flatnonzero(hard | soft)
    for i in swap:
        geoms[i] = _swap_geometry(geoms[i])
        xs[i], ys[i] = ys[i], xs[i]
        notes[i].append("latitude and longitude were swapped in the source (corrected)")
    if swap.size:
        ctx.warnings.append(f"{swap.size} row(s) had lat/lon swapped; corrected")

    for i, geom in enumerate(geoms):
        if geom is None or (abs(xs[i]) <= 180 and abs(ys[i]) <= 90):
            continue
        if from_columns[i]:
            if abs(ys[i]) > 90:
                problems[i].append(Rejected(table.rows[i], lat_col, _show(table.text.at[i, lat_col]),
                                            "latitude is out of range (-90..90)"))
            if abs(xs[i]) > 180:
                problems[i].append(Rejected(table.rows[i], lon_col, _show(table.text.at[i, lon_col]),
                                            "longitude is out of range (-180..180)"))
        else:
            problems[i].append(Rejected(table.rows[i], "geometry", _show(geom["coordinates"]),
                                        "coordinates out of range (lon -180..180, lat -90..90)"))
        geoms[i] = None

    countries: list[str | None] = list(given)
    need = np.array([i for i in range(n) if geoms[i] is not None and given[i] is None], dtype=int)
    if need.size:
        found, near = ctx.countries().lookup(xs[need], ys[need])
        derived = 0
        shown_all = table.text[country_column].tolist() if country_column else [""] * n
        for j, i in enumerate(need):
            shown = shown_all[i]
            if found[j] is None:
                what = (f"country {shown!r} is not a recognised country name or code, and the "
                        if shown else "no country given, and the ")
                problems[i].append(Rejected(
                    table.rows[i], country_column or "country", _show(shown),
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
    return _Located(geoms, countries, problems, notes)


def _countries_given(table: _Table, column: str | None) -> list[str | None]:
    if not column:
        return [None] * len(table)
    codes = {v: country_code(v) for v in pd.unique(table.text[column])}
    return [codes[v] for v in table.text[column]]


def _reserve_id(wanted: str | None, base: str, ctx: _Ctx) -> str:
    """``wanted`` if free, else ``wanted-2``, ``-3`` ...; without one ``base-1``, ``base-2`` ..."""
    if wanted:
        candidate, n = wanted, 2
        while candidate in ctx.used_ids:
            candidate, n = f"{wanted}-{n}", n + 1
    else:
        n = 1
        while (candidate := f"{base}-{n}") in ctx.used_ids:
            n += 1
    ctx.used_ids.add(candidate)
    return candidate


def _value_at(feature: dict[str, Any], path: str) -> Any:
    if path == "geometry":
        geom = feature.get("geometry")
        return geom.get("coordinates") if isinstance(geom, dict) else geom
    node: Any = feature.get("properties")
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _finish(feature: dict[str, Any], row: int, ctx: _Ctx) -> None:
    """Keep the feature if it validates; otherwise reject it with each problem."""
    problems = validate_feature(feature)
    if not problems:
        ctx.features.append(feature)
        return
    ctx.used_ids.discard(feature["properties"]["id"])
    for p in problems:
        ctx.rejected.append(Rejected(row, p.field, _show(_value_at(feature, p.field)), p.message))


def _feature(fid: str, geometry: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}


# -- keyword tables for the generic formats

_TYPE_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("airport_closure", re.compile(r"closure|closed|clos(ing|es)\b|shut|suspend", re.I)),
    ("interception", re.compile(r"intercept|shot[\s_-]*down|shoot[\s_-]*down|downed|neutrali[sz]",
                                re.I)),
    ("crash_debris", re.compile(r"crash|debris|wreck|fragment", re.I)),
    ("airspace_incursion", re.compile(r"incursion|airspace|violation|intru", re.I)),
    ("strike", re.compile(r"strike|attack|explo|shelling|shelled|bombard|\bhit\b|impact", re.I)),
)
TYPE_KEYWORD_HELP = ("incursion/airspace, closure/airport closed, strike/attack/explosion/shelling, "
                     "interception/shot down/intercepted, crash/debris/wreckage")

_PLATFORM_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("drone", re.compile(r"\b(drones?|uavs?|uas|shaheds?|geran|gerbera|quadcopters?|unmanned)\b",
                         re.I)),
    ("missile", re.compile(r"\b(missiles?|iskander|kalibr|kh-\d+|rockets?)\b", re.I)),
    ("balloon", re.compile(r"\bballoons?\b", re.I)),
    ("artillery", re.compile(r"\b(shell(s|ing|ed)?|artillery|mortars?|mlrs|howitzers?)\b", re.I)),
    ("aircraft", re.compile(r"\b(air ?strikes?|aircraft|airplanes?|planes?|jets?|fighters?|"
                            r"helicopters?|bombers?|mig-?\d+|su-\d+|aerial bombs?|glide bombs?)\b",
                            re.I)),
)


def incident_type(value: str) -> tuple[str | None, bool]:
    """Our incident type for a source value, and whether it was an exact match."""
    key = re.sub(r"[\s/-]+", "_", value.strip().lower())
    if key in INCIDENT_TYPES:
        return key, True
    for code, label in TYPE_LABELS.items():
        if value.strip().lower() == label.lower():
            return code, True
    for code, pattern in _TYPE_KEYWORDS:
        if pattern.search(value):
            return code, False
    return None, False


def platform_from_text(*texts: str) -> str | None:
    """The first platform whose keywords appear in the texts (in order), or None."""
    for text in texts:
        key = text.strip().lower()
        if key in PLATFORMS:
            return key
        for code, pattern in _PLATFORM_KEYWORDS:
            if pattern.search(text):
                return code
    return None


_LOCATION_PRECISION = {"exact": "exact", "city": "city", "region": "region", "country": "country",
                       "1": "exact", "2": "city", "3": "region", "town": "city",
                       "village": "city", "admin1": "region", "province": "region"}
_DATE_PRECISION = {"day": "day", "approx": "approx", "approximate": "approx", "range": "range",
                   "1": "day", "2": "approx", "3": "approx", "exact": "day"}


def _import_generic(table: _Table, cols: ColumnMap, ctx: _Ctx, fmt: str) -> None:
    """Rows of a CSV, a foreign GeoJSON, a GeoPackage or a KML -> features or rejections."""
    text = table.text
    given = _countries_given(table, cols.country)
    located = _locate(table, cols, given, ctx, cols.country)
    dates = parse_dates(text[cols.date], cols.date) if cols.date else None
    end_dates = parse_dates(text[cols.end_date], cols.end_date) if cols.end_date else None
    type_cache: dict[str, tuple[str | None, bool]] = {}
    stem = slug(Path(ctx.name).stem) or "import"
    cells = {c: text[c].tolist() for c in set(cols.used().values())}
    inferred_types = 0
    for i in range(len(table)):
        row = table.rows[i]
        problems = located.problems[i]
        notes = [f"Imported from {ctx.name} row {row}"]

        def get(column: str | None, i: int = i) -> str:
            return cells[column][i] if column else ""

        # date
        date = end_date = None
        if dates is None:
            problems.append(Rejected(row, "date", "", "no date column was found or chosen"))
        else:
            d = dates[i]
            if d.error:
                problems.append(Rejected(row, cols.date, _show(get(cols.date)), d.error))
            date = d.iso
            if d.note:
                notes.append(d.note)
        if end_dates is not None and get(cols.end_date):
            e = end_dates[i]
            if e.error:
                problems.append(Rejected(row, cols.end_date, _show(get(cols.end_date)), e.error))
            end_date = e.iso if e.iso != date else None

        # text: summary and the quote that backs it
        summary = get(cols.summary)
        if fmt == "kml" and summary:
            plain = _strip_html(summary)
            if plain != summary:
                notes.append("HTML markup removed from the description")
            summary = plain
        quote_text = get(cols.quote) or summary
        if not summary and quote_text:
            summary = quote_text
        if not quote_text:
            problems.append(Rejected(row, cols.summary or "summary", "",
                                     "no description text to quote as the source"))

        # type
        kind = None
        if cols.type:
            value = get(cols.type)
            if value not in type_cache:
                type_cache[value] = incident_type(value)
            kind, exact = type_cache[value]
            if kind is None:
                problems.append(Rejected(
                    row, cols.type, _show(value),
                    f"no incident type: column {cols.type!r} value {value!r} matches none of "
                    f"{', '.join(INCIDENT_TYPES)} or their keywords ({TYPE_KEYWORD_HELP})"))
            elif not exact:
                notes.append(f"type {kind} derived from {cols.type} {value!r}")
        else:
            kind, _ = incident_type(summary) if summary else (None, False)
            if kind is None:
                problems.append(Rejected(
                    row, "type", "", "no incident type: no type column was chosen and the description "
                                     f"matches none of the keywords ({TYPE_KEYWORD_HELP})"))
            else:
                inferred_types += 1
                notes.append(f"type {kind} inferred from keywords in the description")

        # counts
        counts: dict[str, int | None] = {}
        for name in ("drones", "aircraft", "missiles", "killed", "injured"):
            column = getattr(cols, name)
            counts[name], error = _parse_count(get(column)) if column else (None, None)
            if error:
                problems.append(Rejected(row, column, _show(get(column)), error))

        if problems:
            ctx.rejected.extend(problems)
            continue

        # platform
        platform = None
        if cols.platform and get(cols.platform):
            platform = platform_from_text(get(cols.platform))
            if platform is None:
                notes.append(f"platform {get(cols.platform)!r} not recognised; set to unknown")
            elif platform != get(cols.platform).strip().lower():
                notes.append(f"platform {platform} derived from {cols.platform} "
                             f"{get(cols.platform)!r}")
        else:
            platform = platform_from_text(get(cols.type), summary)
            if platform:
                notes.append(f"platform {platform} derived from keywords in the "
                             f"{'type and ' if cols.type else ''}description")

        # place and region
        country = located.countries[i]
        region = get(cols.region) or None
        place = get(cols.place)
        if fmt == "kml" and place and cols.place == cols.summary:
            place = _strip_html(place)
        if not place:
            place = region or country_name(country)
            notes.append(f"no place given; set to {'the region' if region else 'the country'}")
        precision_text = get(cols.location_precision).lower()
        location_precision = _LOCATION_PRECISION.get(precision_text)
        if location_precision is None:
            location_precision = "exact"
            notes.append("location_precision assumed exact (coordinates as given)"
                         if not precision_text else
                         f"location precision {precision_text!r} not recognised; assumed exact")
        date_precision = _DATE_PRECISION.get(get(cols.date_precision).lower(), "day")
        if end_date:
            date_precision = "range"
        confidence_text = get(cols.confidence).lower()
        confidence = confidence_text if confidence_text in ("high", "medium", "low") else "low"
        if confidence_text and confidence != confidence_text:
            notes.append(f"confidence {confidence_text!r} not recognised; set to low")

        # source
        source_text, url = get(cols.source), get(cols.url) or None
        if source_text.lower().startswith(("http://", "https://")) and not url:
            url = source_text
        document = source_text or url or f"{ctx.name} row {row}"
        source = {"document": document, "quote": quote_prefix(quote_text)}
        if url:
            source["url"] = url

        # id
        wanted = None
        if cols.id and (given_id := slug(get(cols.id))):
            wanted = f"{stem}-{given_id}" if given_id.isdigit() else given_id
        base = f"{country.lower()}-{kind.replace('_', '-')}-{date}"
        fid = _reserve_id(wanted, base, ctx)
        if wanted and fid != wanted:
            ctx.renamed += 1
            notes.append(f"id {wanted!r} already in use; imported as {fid!r}")

        props = {
            "id": fid, "type": kind, "date": date, "end_date": end_date,
            "date_precision": date_precision, "country": country, "region": region,
            "place": place, "location_precision": location_precision, "platform": platform or "unknown",
            "icao": get(cols.icao).upper() or None, **counts, "summary": summary,
            "sources": [source], "confidence": confidence, "related_ids": [],
            "notes": "; ".join(notes + located.notes[i]) + ".",
            "origin": table.origin[i],
        }
        _finish(_feature(fid, located.geometries[i], props), row, ctx)
    if inferred_types:
        ctx.warnings.append(f"{inferred_types} row(s): no type column; type inferred from "
                            "keywords in the description")


ACLED_COLUMNS = ColumnMap(
    lat="latitude", lon="longitude", date="event_date", type="event_type", country="country",
    region="admin1", place="location", summary="notes", source="source", id="event_id_cnty",
    date_precision="time_precision", location_precision="geo_precision", killed="fatalities")


_INT_TEXT = re.compile(r"-?\d+")


def _acled_origin(record: dict[str, OriginValue], kinds: dict[str, str]) -> dict[str, OriginValue]:
    """ACLED's fields with numbers as numbers; ``kinds`` says which column is int or float."""
    out = dict(record)
    for key, kind in kinds.items():
        value = out.get(key)
        if not isinstance(value, str):
            continue
        if kind == "int" and _INT_TEXT.fullmatch(value):
            out[key] = int(value)
        elif kind == "float" and (number := _parse_coordinate(value)) is not None:
            out[key] = number
    return out


def _import_acled(table: _Table, ctx: _Ctx) -> ColumnMap:
    """Rows of an ACLED export -> strikes and interceptions; other event types rejected."""
    # ACLED headers are lowercase, but older exports shout; address columns by normalised name.
    actual = {_norm(c): c for c in table.columns}
    missing = [c for c in ("latitude", "longitude", "event_type", "sub_event_type", "event_date")
               if c not in actual]
    if missing:
        raise DataError(f"{ctx.name}: looks like an ACLED export but has no column(s) "
                        f"{', '.join(missing)}")
    cols = ColumnMap(**{k: actual.get(v) for k, v in ACLED_COLUMNS.used().items()})
    text = table.text

    def column(name: str) -> list[str]:
        return text[actual[name]].tolist() if name in actual else [""] * len(table)

    kinds = {c: "int" if _norm(c) in ACLED_INT_COLUMNS else "float" for c in table.columns
             if _norm(c) in ACLED_INT_COLUMNS | ACLED_FLOAT_COLUMNS}

    given = _countries_given(table, cols.country)
    if "iso" in actual:   # ISO 3166 numeric, for a country name pycountry does not know
        by_iso = _countries_given(table, actual["iso"])
        given = [g or b for g, b in zip(given, by_iso, strict=True)]
    located = _locate(table, cols, given, ctx, cols.country)
    dates = parse_dates(text[actual["event_date"]], actual["event_date"])
    event_dates = column("event_date")
    event_types, sub_types = column("event_type"), column("sub_event_type")
    acled_notes, sources, locations = column("notes"), column("source"), column("location")
    admin1, admin2 = column("admin1"), column("admin2")
    event_ids, fatalities = column("event_id_cnty"), column("fatalities")
    geo_precision, time_precision = column("geo_precision"), column("time_precision")
    for i in range(len(table)):
        row = table.rows[i]
        problems = located.problems[i]
        event_type, sub_type, note_text = event_types[i], sub_types[i], acled_notes[i]
        notes = [f"Imported from ACLED ({ctx.name} row {row}); type and platform derived "
                 "from event_type/sub_event_type/notes"]
        kind = ACLED_TYPES.get((event_type.lower(), sub_type.lower()))
        platform = platform_from_text(note_text)
        if kind is None:
            problems.append(Rejected(
                row, actual["event_type"], _show(f"{event_type} / {sub_type}"),
                f"ACLED event type {event_type!r} with sub-event type {sub_type!r} is not an "
                f"incident type this map covers (mapped: {ACLED_MAPPED})"))
        elif kind == "interception" and platform not in AERIAL_PLATFORMS:
            problems.append(Rejected(
                row, actual["sub_event_type"], _show(sub_type),
                "ACLED 'Disrupted weapons use' whose notes name no drone, missile, aircraft or "
                "balloon (a defused explosive or seized weapon) is not an interception"))
        d = dates[i]
        if d.error:
            problems.append(Rejected(row, actual["event_date"], _show(event_dates[i]),
                                     d.error))
        elif d.note:
            notes.append(d.note)
        killed, error = _parse_count(fatalities[i])
        if error:
            problems.append(Rejected(row, actual["fatalities"], _show(fatalities[i]), error))
        known = f"acled-{slug(event_ids[i])}"
        if slug(event_ids[i]) and known in ctx.existing:
            # An ACLED event id is stable: the same event exported again is not a new incident.
            problems.append(Rejected(row, actual.get("event_id_cnty", "event_id_cnty"), _show(event_ids[i]),
                                     f"already in the data as {known!r}; not imported again "
                                     "(edit or retract that record instead)"))
        if problems:
            ctx.rejected.extend(problems)
            continue

        place_text = locations[i] or admin2[i] or admin1[i]
        summary = note_text or f"{event_type}: {sub_type} at {place_text or 'an unnamed place'}"
        quote = quote_prefix(note_text) or summary
        if not note_text:
            notes.append("ACLED notes empty; summary and quote built from event_type, "
                         "sub_event_type and location")
        country = located.countries[i]
        if not place_text:
            place_text = country_name(country)
            notes.append("no location, admin2 or admin1; place set to the country")
        elif not locations[i]:
            notes.append("no location; place taken from admin2/admin1")
        event_id = event_ids[i]
        document = f"ACLED {event_id}".strip() + (f": {sources[i]}" if sources[i] else "")
        wanted = f"acled-{slug(event_id)}" if slug(event_id) else None
        base = f"{country.lower()}-{kind}-{d.iso}"
        fid = _reserve_id(wanted, base, ctx)
        if wanted and fid != wanted:
            ctx.renamed += 1
            notes.append(f"id {wanted!r} already in use; imported as {fid!r}")
        precision = ACLED_GEO_PRECISION.get(geo_precision[i])
        if precision is None:
            precision = "city"
            notes.append("geo_precision missing; location_precision assumed city")
        props = {
            "id": fid, "type": kind, "date": d.iso, "end_date": None,
            "date_precision": ACLED_TIME_PRECISION.get(time_precision[i], "day"),
            "country": country, "region": admin1[i] or None, "place": place_text,
            "location_precision": precision, "platform": platform or "unknown", "icao": None,
            "drones": None, "aircraft": None, "missiles": None, "killed": killed, "injured": None,
            "summary": summary,
            "sources": [{"document": document, "quote": quote, "publisher": "ACLED"}],
            "confidence": "medium", "related_ids": [],
            "notes": "; ".join(notes + located.notes[i]) + ".",
            "origin": _acled_origin(table.origin[i], kinds),
        }
        _finish(_feature(fid, located.geometries[i], props), row, ctx)
    return cols


# -- GeoJSON

_OUR_KEYS = frozenset({"sources", "date_precision", "location_precision"})


def _parse_geojson(raw: bytes, name: str, warn: list[str]) -> list[Any]:
    text, notes = decode_text(raw, name)
    warn += notes
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated")
        hint = "; is the file truncated?" if truncated else ""
        raise DataError(f"{name}: is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg}){hint}") from None
    except RecursionError:
        raise DataError(f"{name}: JSON is nested too deeply to read") from None
    if isinstance(data, list) and any(isinstance(f, dict) and f.get("type") == "Feature"
                                      for f in data):
        features = data
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise DataError(f"{name}: FeatureCollection has no 'features' list")
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise DataError(f"{name}: is JSON but not GeoJSON features (expected a FeatureCollection, "
                        f"got {got!r})")
    crs = data.get("crs") if isinstance(data, dict) else None
    if crs is not None:
        features = _reproject_features(features, crs, name, warn)
    return features


def _reproject_features(features: list[Any], crs: Any, name: str, warn: list[str]) -> list[Any]:
    """Honour an old-style GeoJSON ``crs`` member by reprojecting to WGS84 lon/lat."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError
    label = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    try:
        source = CRS.from_user_input(label)
    except (CRSError, TypeError):
        warn.append(f"crs {_show(crs)} not understood; coordinates read as lon/lat (WGS84)")
        return features
    if source.equals(CRS.from_epsg(4326), ignore_axis_order=True) or "CRS84" in str(label):
        return features
    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    out = []
    for feature in features:
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        try:
            clean, _ = clean_geometry(geom)
        except _GeometryError:
            out.append(feature)
            continue
        reprojected = shapely.transform(shapely.geometry.shape(clean),
                                        lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                         xy[:, 1])))
        out.append({**feature, "geometry": shapely.geometry.mapping(reprojected)})
    warn.append(f"reprojected from {source.to_string()} to EPSG:4326")
    return out


def _import_our_geojson(features: list[Any], ctx: _Ctx) -> None:
    """Features already in our schema: validate each; fix only id collisions."""
    for number, feature in enumerate(features, start=1):
        problems = validate_feature(feature, number - 1)
        if problems:
            for p in problems:
                ctx.rejected.append(Rejected(number, p.field,
                                             _show(_value_at(feature, p.field)
                                                   if isinstance(feature, dict) else feature),
                                             p.message))
            continue
        props = dict(feature["properties"])
        fid = _reserve_id(props["id"], props["id"], ctx)
        if fid != props["id"]:
            ctx.renamed += 1
            extra = f"Imported as {fid!r}: id {props['id']!r} was already in use."
            props["notes"] = f"{props['notes']} {extra}" if props.get("notes") else extra
            props["id"] = fid
        ctx.features.append({**feature, "id": fid, "properties": props})


def _foreign_table(features: list[Any], ctx: _Ctx) -> _Table:
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    rows: list[int] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            ctx.rejected.append(Rejected(number, "feature", _show(feature),
                                         "is not a GeoJSON Feature"))
            continue
        props = feature.get("properties")
        props = dict(props) if isinstance(props, dict) else {}
        if "id" not in props and feature.get("id") is not None:
            props = {"id": feature["id"], **props}
        records.append(props)
        geometries.append(feature.get("geometry"))
        rows.append(number)
    return _table_from_records(records, rows, geometries)


# -- GeoPackage and KML

def _read_ogr(raw: bytes, name: str, fmt: str, warn: list[str]) -> _Table:
    import pyogrio  # GDAL is heavy to import; only these two formats need it

    label = FORMAT_LABELS[fmt]
    with warnings.catch_warnings():
        # GDAL warns that an in-memory buffer has "no conformant file extension".
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            layers = pyogrio.list_layers(io.BytesIO(raw))
            if fmt == "gpkg":
                spatial = [str(n) for n, kind in layers if kind]
                chosen = spatial[:1] or [str(layers[0][0])] if len(layers) else []
                if len(spatial) > 1:
                    warn.append(f"read layer {chosen[0]!r}; other layers ignored: "
                                f"{', '.join(spatial[1:])}")
            else:
                chosen = [str(n) for n, _ in layers]
            frames = [pyogrio.read_dataframe(io.BytesIO(raw), layer=layer) for layer in chosen]
        except Exception as exc:  # GDAL raises several error types; all mean "cannot read"
            raise DataError(f"{name}: cannot be read as {label} ({_first_line(exc)})") from None
    if not frames:
        raise DataError(f"{name}: {label} has no layers")
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for layer, frame in zip(chosen, frames, strict=True):
        if frame.crs is None:
            warn.append(f"layer {layer!r} has no CRS; coordinates read as lon/lat (WGS84)")
        elif frame.crs.to_epsg() != 4326:
            warn.append(f"layer {layer!r} reprojected from {frame.crs.to_string()} to EPSG:4326")
            frame = frame.to_crs("EPSG:4326")
        data_columns = [c for c in frame.columns if c != frame.geometry.name
                        and not (fmt == "kml" and c in KML_DRIVER_COLUMNS)]
        if fmt == "kml":   # the driver adds empty id/time columns to every placemark
            data_columns = [c for c in data_columns
                            if c not in ("id", "begin", "end", "timestamp") or frame[c].notna().any()]
        for rec, geom in zip(frame[data_columns].to_dict("records"), frame.geometry, strict=True):
            records.append(rec)
            geometries.append(None if geom is None or geom.is_empty
                              else shapely.geometry.mapping(geom))
    table = _table_from_records(records, list(range(1, len(records) + 1)), geometries)
    text = table.text
    if fmt == "kml" and "begin" in text:
        # A placemark has either a TimeStamp or a TimeSpan; read both as one date column.
        if "timestamp" in text:
            text["timestamp"] = text["timestamp"].where(text["timestamp"] != "", text["begin"])
        else:
            text["timestamp"] = text["begin"]
            table.columns.append("timestamp")
    return table


# -- entry point

def header_columns(raw: bytes, name: str) -> list[str]:
    """The column names of a CSV file (empty for other formats or an unreadable file), so a
    user can choose the coordinate columns when they were not recognised."""
    if detect_format(name, raw) not in ("csv", "acled") if raw.strip() else True:
        return []
    try:
        return read_csv_table(decode_text(raw, name)[0], name).columns
    except DataError:
        return []


def _check_columns(cols: ColumnMap, columns: list[str], name: str) -> None:
    for target, column in cols.used().items():
        if column not in columns:
            raise DataError(f"{name}: column {column!r} (chosen for {target}) is not in the file; "
                            f"its columns are: {', '.join(columns)}")


def import_bytes(raw: bytes, name: str, fmt: str | None = None, columns: ColumnMap | None = None,
                 existing_ids: Collection[str] = (), *, countries: Any = None) -> ImportResult:
    """Import a file's bytes into incident features, rejecting (and reporting) bad rows.

    Parameters
    ----------
    raw, name
        The file's content and its name (used in messages, notes and source documents).
    fmt
        One of ``FORMATS``; detected from the content and extension when omitted.
    columns
        Which columns feed which fields, for tabular formats; guessed when omitted.
        Ignored for ACLED (its layout is fixed) and for GeoJSON already in our schema.
    existing_ids
        Ids already in use; imported ids never collide with them (a suffix is added).
    countries
        Country outlines (``iso_a2``) for deriving countries; default ``load.read_countries()``.

    Raises ``DataError`` (one line, naming the file) when the file cannot be read at all.
    """
    if not raw or not raw.strip():
        raise DataError(f"{name}: file is empty")
    fmt = fmt or detect_format(name, raw)
    if fmt not in FORMATS:
        raise DataError(f"{name}: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    warn: list[str] = []
    ctx = _Ctx(name, set(existing_ids), CountryIndex(countries) if countries is not None else None,
               warn, existing=frozenset(existing_ids))
    cols: ColumnMap | None = None
    if fmt == "geojson":
        features = _parse_geojson(raw, name, warn)
        props = [f.get("properties") for f in features if isinstance(f, dict)]
        ours = sum(isinstance(p, dict) and p.keys() >= _OUR_KEYS for p in props)
        if features and ours * 2 >= len(features):
            _import_our_geojson(features, ctx)
            source_columns = sorted({k for p in props if isinstance(p, dict) for k in p})
            return _result(fmt, len(features), ctx, None, source_columns)
        table = _foreign_table(features, ctx)
        rows_read = len(features)
    elif fmt in ("csv", "acled"):
        text, notes = decode_text(raw, name)
        warn += notes
        table = read_csv_table(text, name)
        ctx.rejected += table.rejected
        rows_read = len(table) + len(table.rejected)
        if fmt == "acled":
            if rows_read:
                cols = _import_acled(table, ctx)
            return _result(fmt, rows_read, ctx, cols or ACLED_COLUMNS, table.columns, table)
    else:
        table = _read_ogr(raw, name, fmt, warn)
        rows_read = len(table)
    warn += table.warnings
    cols = columns or guess_columns(table.columns)
    _check_columns(cols, table.columns, name)
    if table.geometries is None and not (cols.lat and cols.lon):
        raise DataError(f"{name}: no coordinate columns found (columns: {', '.join(table.columns)}); "
                        "choose the latitude and longitude columns")
    if not rows_read:
        warn.append("the file has no data rows")
    elif len(table):
        _import_generic(table, cols, ctx, fmt)
    return _result(fmt, rows_read, ctx, cols, table.columns)


def _result(fmt: str, rows_read: int, ctx: _Ctx, cols: ColumnMap | None, source_columns: list[str],
            table: _Table | None = None) -> ImportResult:
    if table is not None:
        ctx.warnings += table.warnings
    if ctx.renamed:
        ctx.warnings.append(f"{ctx.renamed} id(s) were already in use; a suffix was added")
    rejected = sorted(ctx.rejected, key=lambda r: r.row)
    return ImportResult(fmt, rows_read, ctx.features, rejected, ctx.warnings, cols,
                        list(source_columns))


def rejected_frame(result: ImportResult) -> pd.DataFrame:
    """The rejected rows as a table with columns Row, Field, Value, Reason."""
    return pd.DataFrame([(r.row, r.field, r.value, r.reason) for r in result.rejected],
                        columns=["Row", "Field", "Value", "Reason"])
