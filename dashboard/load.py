"""Every read of incident and geodata files. All frames come back in EPSG:4326."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import paths
from .filters import Preset
from .schema import COUNT_FIELDS, FIELDS, OPTIONAL_FIELDS, DataError, Problem, validate_collection

WGS84 = "EPSG:4326"


#: Largest file any reader accepts (decimal MB, as people read file sizes). A bigger file is
#: refused before it is read, so a stray dump cannot exhaust the server's memory.
MAX_BYTES = 50_000_000


def _size(size: int) -> str:
    """``52.4 MB``, ``50 MB``, ``2 GB``; bytes below a megabyte (small limits, in tests)."""
    for unit, scale in (("GB", 1_000_000_000), ("MB", 1_000_000)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def _too_big(size: int, limit: int) -> str:
    shown, most = _size(size), _size(limit)
    if shown == most:  # just over the limit: rounding would hide the difference
        shown, most = f"{size:,} bytes", f"{limit:,} bytes"
    return f"file is {shown}; the limit is {most}"


def read_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """A file's bytes; every way that can fail becomes a one-line ``DataError``.

    Files over ``max_bytes`` (default ``MAX_BYTES``) are refused before they are read.
    """
    path = Path(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise DataError(f"{path}: {_too_big(size, limit)}")
        with path.open("rb") as f:
            raw = f.read(limit + 1)  # bounded even when stat cannot tell (a pipe, a device)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise DataError(f"{path}: file is larger than {_size(limit)}, the limit")
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    return raw


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(data: Any) -> bool:
    """Whether any string (key or value) in parsed JSON holds an unpaired UTF-16 surrogate,
    which JSON's ``\\udXXX`` escapes allow but no UTF-8 text, page or export can hold."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parse_json(raw: bytes, path: str | Path) -> Any:
    """Parse UTF-8 JSON (a byte-order mark is allowed); a one-line ``DataError`` otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}: is not UTF-8 text (it is UTF-16); save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ("is it a binary file?" if b"\x00" in raw[:8192] else
                "save it as UTF-8 (it may be Windows-1252 or Latin-1)")
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError(f"{path}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                        f"{exc.start}, line {line}); {hint}") from None
    if "\x00" in text:
        raise DataError(f"{path}: contains NUL bytes; it is a binary file, not JSON text")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError as exc:  # an integer with more digits than Python converts (4300)
        raise DataError(f"{path}: is not usable JSON (a number has too many digits: "
                        f"{str(exc).split(';')[0]})") from None
    except RecursionError:
        raise DataError(f"{path}: is not usable JSON (arrays or objects nested too deeply)") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        raise DataError(f"{path}: is not valid JSON text: a string holds an unpaired UTF-16 "
                        "surrogate escape (\\udXXX)")
    return data


def read_json(path: str | Path) -> Any:
    """Read and parse a JSON file, with one-line ``DataError`` messages for every failure."""
    return parse_json(read_bytes(path), path)


def incidents_frame(data: dict[str, Any]) -> gpd.GeoDataFrame:
    """Build the incident frame from an already validated FeatureCollection.

    ``date`` and ``end_date`` become datetimes, counts nullable ``Int64``, missing text
    ``None``; list fields (``sources``, ``related_ids``) stay Python lists.
    """
    features = data["features"]
    if not features:
        frame = gpd.GeoDataFrame({f: pd.Series(dtype=object) for f in FIELDS},
                                 geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    else:
        frame = gpd.GeoDataFrame.from_features(features, crs=WGS84)
        for column, default in OPTIONAL_FIELDS.items():
            frame[column] = (frame[column].where(frame[column].notna(), default)
                             if column in frame else default)
        frame = frame[[*FIELDS, "geometry"]]
    for column in ("region", "icao", "notes", "end_date", "retraction_reason", "origin"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in COUNT_FIELDS:
        frame[column] = frame[column].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame["end_date"] = pd.to_datetime(frame["end_date"], format="%Y-%m-%d")
    return frame.set_index("id", drop=False).rename_axis(None)


def read_incidents(path: str | Path = paths.INCIDENTS) -> gpd.GeoDataFrame:
    """Read and validate an incidents GeoJSON or GeoParquet (``.parquet``) file; raise
    ``DataError`` listing every problem. Large GeoJSON files are validated column-wise
    (``FAST_VALIDATION_MIN``), with the same messages."""
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        return read_geoparquet(path)
    data = parse_json(read_bytes(path, INCIDENTS_MAX_BYTES), path)
    features = data.get("features") if isinstance(data, dict) else None
    if isinstance(features, list) and len(features) >= FAST_VALIDATION_MIN:
        return geojson_incidents(data, path)
    problems = validate_collection(data)
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    return incidents_frame(data)


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise DataError(f"{path}: file not found")
    frame = gpd.read_file(path, engine="pyogrio")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise DataError(f"{path}: expected CRS EPSG:4326, got {frame.crs}")
    return frame


def read_countries(path: Path = paths.COUNTRIES) -> gpd.GeoDataFrame:
    """Country polygons with ``iso_a2``, ``name``, ``nato``, ``group`` ..."""
    return _read_layer(path)


def read_regions(path: Path = paths.REGIONS) -> gpd.GeoDataFrame:
    """Admin-1 polygons with ``iso_3166_2``, ``name``, ``country``."""
    return _read_layer(path)


def read_airports(path: Path = paths.AIRPORTS) -> gpd.GeoDataFrame:
    """Airport points with ``icao``, ``iata``, ``name``, ``city``, ``country``."""
    return _read_layer(path)


def read_presets(path: Path = paths.PRESETS) -> dict[str, Preset]:
    """Region presets from the JSON data file (keys starting with ``_`` are comments)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected an object of presets")
    presets = {}
    for key, item in data.items():
        if key.startswith("_"):
            continue
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise DataError(f"{path}: preset {key!r} needs a string 'label'")
        lists = {f: item.get(f, []) for f in ("countries", "regions")}
        for name, values in lists.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise DataError(f"{path}: preset {key!r}: {name!r} must be a list of codes")
        if not lists["countries"] and not lists["regions"]:
            raise DataError(f"{path}: preset {key!r} names no countries or regions")
        presets[key] = Preset(key, item["label"], tuple(lists["countries"]),
                              tuple(lists["regions"]))
    return presets


# --- large files: GeoParquet, columnar validation, cache keys ------------------------------

#: The incident file may be ACLED-sized (a million GeoJSON features is ~700 MB), so it gets
#: its own, larger limit than ``MAX_BYTES``; prefer GeoParquet for such data (5x smaller,
#: ~20x faster to read).
INCIDENTS_MAX_BYTES = 2_000_000_000
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
#: From this many features on, validation screens the records column by column and runs the
#: per-feature (pydantic) validation only on the records the screen flags. The problems
#: reported are the same either way: only a flagged record can have one, and a flagged
#: record gets the exact per-feature messages. Below it, every feature goes through pydantic.
FAST_VALIDATION_MIN = 5_000

_STRING_FIELDS = ("id", "type", "date", "date_precision", "country", "place",
                  "location_precision", "platform", "summary", "confidence")
_NULLABLE_STRINGS = ("region", "icao", "notes", "retraction_reason")
_ENUMS = {"type": "INCIDENT_TYPES", "date_precision": "DatePrecision",
          "location_precision": "LocationPrecision", "platform": "PLATFORMS",
          "confidence": "CONFIDENCES"}
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_URL_RE = re.compile(r"https?://[^/?#\[\]\s]+(?:[/?#][^\[\]\s]*)?", re.IGNORECASE)
_SOURCE_KEYS = frozenset({"document", "quote", "publisher", "url"})


def stamp(path: str | Path) -> tuple[str, int, int]:
    """Cache key of a data file: resolved path, modification time (ns) and size.

    An edited or replaced file gets a new key, so a cache keyed on it re-reads the file."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    return str(path), stat.st_mtime_ns, stat.st_size


def _enum_values(name: str) -> tuple[str, ...]:
    from typing import get_args

    from . import schema

    value = getattr(schema, name)
    return value if isinstance(value, tuple) else get_args(value)


def _strict_strings(series: pd.Series, nullable: bool) -> np.ndarray:
    """True where a value is a str (or None when ``nullable``); JSON numbers, booleans,
    lists are not text (pydantic does not coerce them either)."""
    if series.dtype != object:  # a str/arrow column only holds text and nulls
        return np.ones(len(series), bool) if nullable else series.notna().to_numpy()
    return np.fromiter(((type(v) is str) or (nullable and v is None) for v in series),
                       bool, len(series))


def _non_blank(series: pd.Series) -> np.ndarray:
    text = series.where(_strict_strings(series, False), None).astype("str")
    return (text.str.strip().str.len() > 0).fillna(False).to_numpy(bool)


def _matches(series: pd.Series, pattern: str) -> np.ndarray:
    text = series.where(_strict_strings(series, False), None).astype("str")
    return text.str.fullmatch(pattern).fillna(False).to_numpy(bool)


def _dates(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(valid, datetimes) for ISO date text; date or timestamp columns are valid as they are."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.notna().to_numpy(), series
    ok = _matches(series, _DATE_RE)
    when = pd.to_datetime(series.where(ok, None), format="%Y-%m-%d", errors="coerce")
    return ok & when.notna().to_numpy(), when


def _equals(series: pd.Series, value: str) -> np.ndarray:
    return series.isin([value]).to_numpy(bool)


def _count_ok(series: pd.Series) -> np.ndarray:
    from . import schema

    most = getattr(schema, "MAX_COUNT", 10**9)
    if series.dtype == object:
        return np.fromiter((v is None or (type(v) is int and 0 <= v <= most) for v in series),
                           bool, len(series))
    values = series.astype("Float64")
    return (values.isna() | ((values >= 0) & (values <= most) & (values % 1 == 0))
            ).fillna(False).to_numpy(bool)


def _source_ok(sources: Any) -> bool:
    if type(sources) is not list or not sources:
        return False
    for s in sources:
        if type(s) is not dict or not s.keys() <= _SOURCE_KEYS:
            return False
        doc, quote = s.get("document"), s.get("quote")
        if type(doc) is not str or type(quote) is not str or not doc.strip():
            return False
        words = len(quote.split())
        if not 0 < words <= 30:
            return False
        publisher, url = s.get("publisher"), s.get("url")
        if publisher is not None and type(publisher) is not str:
            return False
        if url is not None and (type(url) is not str or not _URL_RE.fullmatch(url)
                                or any(ord(c) < 32 or ord(c) == 127 for c in url)):
            return False
    return True


def _origin_ok(origin: Any) -> bool:
    if origin is None:
        return True
    if type(origin) is not dict:
        return False
    return all(type(k) is str and (v is None or type(v) in (str, int, bool)
                                   or (type(v) is float and math.isfinite(v)))
               for k, v in origin.items())


def _geometry_ok(geoms: np.ndarray) -> np.ndarray:
    """Vectorised geometry rules: Point/LineString/Polygon, not empty, 2-D, in range, valid."""
    present = ~shapely.is_missing(geoms)
    kind = shapely.get_type_id(geoms)
    ok = present & np.isin(kind, (0, 1, 3)) & ~shapely.is_empty(geoms) & ~shapely.has_z(geoms)
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        ok &= ((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
               & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90))
    ok &= np.isfinite(bounds).all(axis=1)
    ok[ok] &= shapely.is_valid(geoms[ok])
    return ok


def screen(columns: pd.DataFrame, geoms: np.ndarray) -> np.ndarray:
    """Columnar screen of the incident rules: False for every record that may break one.

    ``columns`` holds the raw property values (``None`` where absent; optional fields filled
    with their defaults), ``geoms`` the shapely geometries (``None`` where unusable). A
    record that passes the screen passes ``schema.validate_feature``; a flagged one is
    re-checked there, which writes the messages.
    """
    ok = _geometry_ok(geoms)
    for field in _STRING_FIELDS:
        ok &= _strict_strings(columns[field], nullable=False)
    for field in _NULLABLE_STRINGS:
        ok &= _strict_strings(columns[field], nullable=True)
    for field, name in _ENUMS.items():
        ok &= columns[field].isin(_enum_values(name)).to_numpy(bool)
    ok &= columns["status"].isin(_enum_values("STATUSES")).to_numpy(bool)
    from .schema import ID_PATTERN

    ok &= _matches(columns["id"], ID_PATTERN.removeprefix("^").removesuffix("$"))
    ok &= _matches(columns["country"], "[A-Z]{2}")
    icao = columns["icao"]
    ok &= icao.isna().to_numpy() | _matches(icao, "[A-Z0-9]{4}")
    ok &= _non_blank(columns["place"]) & _non_blank(columns["summary"])
    for field in COUNT_FIELDS:
        ok &= _count_ok(columns[field])
    start_ok, start = _dates(columns["date"])
    end = columns["end_date"]
    end_ok, end_when = _dates(end)
    no_end = end.isna().to_numpy()
    ok &= start_ok & (no_end | (end_ok & (end_when >= start).fillna(False).to_numpy(bool)))
    ok &= ~(_equals(columns["date_precision"], "range") & no_end)
    closure_needs_icao = (_equals(columns["type"], "airport_closure")
                          & icao.isna().to_numpy()
                          & columns["location_precision"].isin(["exact", "city"]).to_numpy(bool))
    ok &= ~closure_needs_icao
    retracted = _equals(columns["status"], "retracted")
    reason = columns["retraction_reason"]
    ok &= ~retracted | _non_blank(reason)
    ok &= np.fromiter((_source_ok(s) for s in columns["sources"]), bool, len(columns))
    ok &= np.fromiter((type(r) is list and all(type(x) is str for x in r) and i not in r
                       for i, r in zip(columns["id"], columns["related_ids"], strict=True)),
                      bool, len(columns))
    ok &= np.fromiter((_origin_ok(o) for o in columns["origin"]), bool, len(columns))
    return ok


def _labels(ids: pd.Series) -> list[str]:
    """Feature labels as ``schema.feature_label`` writes them (long ids are cut)."""
    from .schema import feature_label

    return [feature_label({"properties": {"id": v}}, i) if type(v) is not str or not v
            or len(v) > 80 else v for i, v in enumerate(ids)]


def collection_problems(columns: pd.DataFrame, geoms: np.ndarray, feature_at) -> list[Problem]:
    """Every problem of a collection given as columns, in ``validate_collection``'s order.

    ``feature_at(i)`` rebuilds feature ``i`` as a GeoJSON dict, for the flagged records.
    """
    from .schema import validate_feature

    problems: list[Problem] = []
    for i in np.flatnonzero(~screen(columns, geoms)):
        problems += validate_feature(feature_at(int(i)), int(i))
    labels = pd.Series(_labels(columns["id"]), dtype=object)
    for label in labels[labels.duplicated()]:
        problems.append(Problem(label, "id", "is used by more than one feature"))
    seen = set(labels)
    for label, related in zip(labels, columns["related_ids"], strict=True):
        for rid in related if isinstance(related, list) else []:
            if isinstance(rid, str) and rid not in seen:
                problems.append(Problem(label, "related_ids", f"{rid!r} is not an incident id"))
    return problems


def normalise_frame(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The incident frame's layout (as ``incidents_frame`` builds it) from columns of
    already validated values: ``FIELDS`` then geometry, indexed by id."""
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)[[*FIELDS, "geometry"]].copy()
    for column in ("region", "icao", "notes", "retraction_reason", "origin"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    for column in COUNT_FIELDS:
        out[column] = out[column].astype("Int64")
    for column in ("date", "end_date"):
        values = out[column]
        out[column] = (values if pd.api.types.is_datetime64_any_dtype(values)
                       else pd.to_datetime(values.astype(object).where(values.notna(), None),
                                           format="%Y-%m-%d")).astype("datetime64[us]")
    for column in ("id", "type", "date_precision", "country", "place", "location_precision",
                   "platform", "summary", "confidence", "status"):
        out[column] = out[column].astype("str")
    return out.set_index("id", drop=False).rename_axis(None)


def _geojson_geometry(geometry: Any) -> Any:
    """A shapely geometry for a plain, well-formed 2-D GeoJSON LineString/Polygon; for a
    Point its ``(x, y)``; None for anything else (the feature is then validated alone)."""
    if type(geometry) is not dict:
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return (coords[0], coords[1]) if _position_ok(coords) else None
    if kind == "LineString":
        good = type(coords) is list and len(coords) >= 2 and all(map(_position_ok, coords))
        return shapely.LineString(coords) if good else None
    if kind == "Polygon":
        good = type(coords) is list and len(coords) >= 1 and all(
            type(r) is list and len(r) >= 4 and r[0] == r[-1] and all(map(_position_ok, r))
            for r in coords)
        return shapely.Polygon(coords[0], coords[1:]) if good else None
    return None


def _position_ok(p: Any) -> bool:
    return (type(p) is list and len(p) == 2 and type(p[0]) in (int, float)
            and type(p[1]) in (int, float) and math.isfinite(p[0]) and math.isfinite(p[1]))


def _text_or_objects(values: list) -> pd.Series:
    """Text values as an Arrow-backed str column when every value is text or null (fast to
    screen); otherwise as objects, so the screen sees the numbers, lists... as they are."""
    import pyarrow as pa

    try:
        return pd.Series(pd.arrays.ArrowStringArray(pa.array(values, type=pa.string()))
                         ).astype("str")
    except (pa.ArrowException, TypeError, ValueError):
        return pd.Series(values, dtype=object)


def geojson_incidents(data: Any, path: str | Path = "data") -> gpd.GeoDataFrame:
    """Validate and build the incident frame from a parsed FeatureCollection, column-wise.

    Same problems as ``validate_collection`` (raised as one ``DataError``), same frame as
    ``incidents_frame``; used for large files (see ``FAST_VALIDATION_MIN``).
    """
    from .schema import validate_collection

    features = data.get("features") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or data.get("type") != "FeatureCollection"
            or not isinstance(features, list)):
        problems = validate_collection(data)
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    required = [f for f in FIELDS if f not in OPTIONAL_FIELDS]
    allowed = set(FIELDS)
    props_list = []
    broken = np.zeros(len(features), bool)
    for i, feature in enumerate(features):
        props = feature.get("properties") if type(feature) is dict else None
        if type(props) is not dict:
            broken[i] = True
            props = {}
        elif (feature.get("type") != "Feature" or not props.keys() <= allowed
              or not all(f in props for f in required)):
            broken[i] = True
        props_list.append(props)
    columns = pd.DataFrame({
        f: (_text_or_objects if f in _STRING_FIELDS or f in _NULLABLE_STRINGS or f == "status"
            else lambda v: pd.Series(v, dtype=object))(
            [p.get(f, OPTIONAL_FIELDS.get(f)) for p in props_list])
        for f in FIELDS})
    shapes = [_geojson_geometry(f.get("geometry")) if type(f) is dict else None for f in features]
    geoms = np.empty(len(features), dtype=object)
    points = np.array([type(s) is tuple for s in shapes], bool)
    xy = np.array([s for s in shapes if type(s) is tuple], dtype=float).reshape(-1, 2)
    geoms[points] = shapely.points(xy)
    others = np.flatnonzero(~points)
    geoms[others] = [shapes[i] for i in others]
    # A structurally broken feature must be flagged whatever its columns say.
    geoms[broken] = None
    problems = collection_problems(columns, geoms, lambda i: features[i])
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    for i in np.flatnonzero(shapely.is_missing(geoms)):  # flagged by the screen, yet valid
        geoms[i] = shapely.geometry.shape(features[i]["geometry"])
    columns["geometry"] = geoms
    return normalise_frame(columns)


# GeoParquet ---------------------------------------------------------------------------------

def _arrow_schema():
    import pyarrow as pa

    source = pa.struct([("document", pa.string()), ("quote", pa.string()),
                        ("publisher", pa.string()), ("url", pa.string())])
    text = ("id", "type", "date_precision", "country", "region", "place", "location_precision",
            "platform", "icao", "summary", "confidence", "notes", "status", "retraction_reason")
    types = {**{f: pa.string() for f in text}, "date": pa.date32(), "end_date": pa.date32(),
             **{f: pa.int64() for f in COUNT_FIELDS}, "sources": pa.list_(source),
             "related_ids": pa.list_(pa.string()), "origin": pa.string()}
    return pa.schema([(f, types[f]) for f in FIELDS])


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write an incident frame as GeoParquet (WKB geometry, GeoParquet 1.1 metadata).

    Dates are ``date32``, counts ``int64``, ``sources`` a list of structs, ``related_ids`` a
    list of strings and ``origin`` JSON text; ``read_incidents`` reads it back unchanged.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyproj import CRS

    schema = _arrow_schema()
    arrays = {}
    for field in schema:
        values = frame[field.name]
        if field.name in ("date", "end_date"):
            arrays[field.name] = pa.array(values.dt.date.astype(object).where(values.notna(), None),
                                          type=pa.date32())
        elif field.name in COUNT_FIELDS:
            arrays[field.name] = pa.array(values.astype("Int64"), type=pa.int64())
        elif field.name == "origin":
            arrays[field.name] = pa.array([None if v is None else json.dumps(v) for v in values],
                                          type=pa.string())
        elif field.name == "sources":
            arrays[field.name] = pa.array([[{k: s.get(k) for k in _SOURCE_KEYS} for s in v]
                                           for v in values], type=field.type)
        else:
            arrays[field.name] = pa.array(values.astype(object).where(values.notna(), None).tolist(),
                                          type=field.type)
    geoms = frame.geometry.values
    arrays["geometry"] = pa.array(shapely.to_wkb(np.asarray(geoms)), type=pa.binary())
    kinds = sorted(set(shapely.get_type_id(np.asarray(geoms)).tolist()))
    names = {0: "Point", 1: "LineString", 3: "Polygon"}
    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "crs": CRS("OGC:CRS84").to_json_dict(),
                                    "geometry_types": [names.get(k, "Unknown") for k in kinds],
                                    "bbox": [float(v) for v in frame.total_bounds]}}}
    table = pa.table(arrays).replace_schema_metadata({"geo": json.dumps(geo)})
    path = Path(path)
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)
    return path


def _parquet_crs_ok(crs: Any) -> bool:
    """GeoParquet CRS: absent/null means OGC:CRS84; otherwise it must be lon/lat WGS84."""
    if crs is None:
        return True
    from pyproj import CRS

    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # pyproj raises its own CRSError or ValueError for junk
        return False
    return parsed.to_epsg() == 4326 or parsed.equals(CRS.from_user_input("OGC:CRS84"))


def read_geoparquet(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate an incidents GeoParquet file; ``DataError`` naming what is wrong.

    The file needs GeoParquet ``geo`` metadata with a WKB geometry column in lon/lat and
    one column per incident field (``status``, ``retraction_reason``, ``origin`` may be left
    out; a null there means "left out"). Dates may be ``date32``/timestamps or ISO text,
    ``sources`` a list of structs or JSON text, ``related_ids`` a list or JSON text,
    ``origin`` JSON text or null. Rows are screened column-wise, then checked one by one
    where the screen flags them, so the messages are those of a GeoJSON file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a file")
    try:
        file = pq.ParquetFile(path)
        metadata = file.schema_arrow.metadata or {}
        table = file.read()
    except (pa.ArrowException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: is not a readable Parquet file ({first})") from None
    if b"geo" not in metadata:
        raise DataError(f"{path}: is Parquet but not GeoParquet (no 'geo' metadata); write it "
                        "with geopandas' to_parquet or `python -m dashboard` export")
    try:
        geo = json.loads(metadata[b"geo"])
        column = geo["primary_column"]
        spec = geo["columns"][column]
    except (ValueError, KeyError, TypeError):
        raise DataError(f"{path}: its GeoParquet 'geo' metadata is malformed") from None
    if spec.get("encoding", "WKB").upper() != "WKB":
        raise DataError(f"{path}: geometry encoding {spec.get('encoding')!r} is not supported; "
                        "use WKB")
    if not _parquet_crs_ok(spec.get("crs")):
        raise DataError(f"{path}: expected CRS EPSG:4326 (lon/lat), got "
                        f"{str(spec.get('crs'))[:80]}")
    names = set(table.column_names) - {column}
    required = [f for f in FIELDS if f not in OPTIONAL_FIELDS]
    missing = [f for f in required if f not in names]
    if missing:
        raise DataError(f"{path}: column(s) {', '.join(missing)} missing; expected one column "
                        f"per incident field ({', '.join(FIELDS)})")
    extra = sorted(names - set(FIELDS))
    if extra:
        raise DataError(f"{path}: column(s) {', '.join(extra)} are not incident fields")
    columns = {}
    for field in FIELDS:
        if field not in names:
            columns[field] = pd.Series([OPTIONAL_FIELDS[field]] * table.num_rows, dtype=object)
            continue
        columns[field] = _parquet_column(path, field, table.column(field))
    if "status" in names:
        columns["status"] = columns["status"].fillna("active")
    frame = pd.DataFrame(columns)
    try:
        geoms = shapely.from_wkb(table.column(column).to_numpy(zero_copy_only=False), on_invalid="ignore")
    except (pa.ArrowException, shapely.errors.ShapelyError, TypeError) as exc:
        raise DataError(f"{path}: geometry column {column!r} is not WKB ({exc})") from None
    problems = collection_problems(frame, geoms, lambda i: _parquet_feature(frame, geoms, i, names))
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    frame["geometry"] = geoms
    return normalise_frame(frame)


def _parquet_column(path: Path, field: str, values) -> pd.Series:
    """One Parquet column as raw values for the screen, checking its Arrow type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = values.type
    if pa.types.is_dictionary(kind):
        values = values.cast(kind.value_type)
        kind = values.type
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if field in COUNT_FIELDS:
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_null(kind)):
            raise DataError(f"{path}: column {field!r} should hold whole numbers, got {kind}")
        return pd.Series(values.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    if field in ("date", "end_date"):
        if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            return pd.Series(pc.cast(values, pa.timestamp("s")).to_pandas())
        if not (text or pa.types.is_null(kind)):
            raise DataError(f"{path}: column {field!r} should hold dates or ISO date text, got {kind}")
        return pd.Series(values.to_pylist(), dtype=object)
    if field in ("sources", "related_ids", "origin"):
        if text:
            return pd.Series([_json_cell(path, field, v) for v in values.to_pylist()], dtype=object)
        if field == "origin" and not pa.types.is_null(kind):
            raise DataError(f"{path}: column 'origin' should hold JSON text, got {kind}")
        if field != "origin" and not (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
            raise DataError(f"{path}: column {field!r} should hold lists or JSON text, got {kind}")
        out = values.to_pylist()
        if field == "sources":  # Parquet structs have every key; absent ones come back null
            out = [[{k: v for k, v in s.items() if v is not None or k in ("document", "quote")}
                    if isinstance(s, dict) else s for s in row] if isinstance(row, list) else row
                   for row in out]
        return pd.Series(out, dtype=object)
    if not (text or pa.types.is_null(kind)):
        raise DataError(f"{path}: column {field!r} should hold text, got {kind}")
    if field in _STRING_FIELDS:
        return pd.Series(values.to_pandas(), dtype="str")
    return pd.Series(values.to_pylist(), dtype=object)  # None, not NaN, where null


def _json_cell(path: Path, field: str, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        raise DataError(f"{path}: column {field!r} holds text that is not JSON: "
                        f"{value[:60]!r}") from None


def _parquet_feature(frame: pd.DataFrame, geoms: np.ndarray, i: int, names: set[str]) -> dict:
    """Row ``i`` as a GeoJSON feature, for the per-feature messages."""
    props = {}
    for field in FIELDS:
        if field not in names:
            continue
        value = frame[field].iloc[i]
        if not isinstance(value, list | dict) and pd.isna(value):
            value = None
        elif isinstance(value, pd.Timestamp):
            value = None if pd.isna(value) else value.strftime("%Y-%m-%d")
        elif isinstance(value, np.integer) or isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None and field in OPTIONAL_FIELDS:
            continue
        props[field] = value
    geom = geoms[i]
    geometry = None if geom is None else json.loads(shapely.to_geojson(geom))
    return {"type": "Feature", "geometry": geometry, "properties": props}
