"""Every read of plain incident and geodata files. All frames come back in EPSG:4326.

This module owns size-limited byte reads, JSON parsing with its checks (encodings, huge
numbers, lone surrogates), the incident frame's layout (``incidents_frame``,
``normalise_frame``), ``read_incidents`` (GeoJSON here; GeoParquet in ``geoparquet``), the
base layers (countries, regions, airports, presets; cities, rivers, lakes and admin-1 lines
for the web map) and cache keys (``stamp``). Large GeoJSON files are read a chunk of
features at a time (``jsonstream``) and screened column-wise by ``columnar``.

It is about 480 lines because the small-file path and the chunked big-file path must give
the same frame and the same messages, and sit side by side so that stays visibly true;
splitting the geodata readers out would be the first cut if it grows.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import db, paths
from .columnar import cross_problems, labels, record_problems
from .filters import Preset
from .jsonstream import SURROGATE_ESCAPE, FeatureStream, Unsure, has_lone_surrogate
from .schema import (
    COUNT_FIELDS,
    FIELDS,
    NULLABLE_TEXT_FIELDS,
    OPTIONAL_FIELDS,
    TEXT_FIELDS,
    DataError,
    Problem,
    validate_collection,
)

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
            # A read allocates all it asks for: ask for the size stat gives (and one byte more,
            # to see growth), never the whole limit (2 GB for incident files).
            raw = f.read(min(size, limit) + 1)
            if len(raw) > size:  # a pipe or a device (stat says 0), or it grew: bounded still
                raw += f.read(limit + 1 - len(raw))
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
    del raw  # the caller's bytes are not needed again: parse with one copy less in memory
    if "\x00" in text:
        raise DataError(f"{path}: contains NUL bytes; it is a binary file, not JSON text")
    return parse_json_text(text, path)


def parse_json_text(text: str, path: str | Path) -> Any:
    """Parse decoded JSON text with the same checks (syntax with line and column, numbers
    too long to convert, nesting, unpaired surrogates): a one-line ``DataError`` otherwise.
    The importer, which decodes other encodings first, reads JSON through this too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated")
        raise DataError(
            f"{path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            + ("; is the file truncated?" if truncated else "")
        ) from None
    except ValueError as exc:  # an integer with more digits than Python converts (4300)
        raise DataError(f"{path}: is not usable JSON (a number has too many digits: "
                        f"{str(exc).split(';')[0]})") from None
    except RecursionError:
        raise DataError(f"{path}: is not usable JSON (arrays or objects nested too deeply)") from None
    if SURROGATE_ESCAPE.search(text) and has_lone_surrogate(data):
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
    for column in ("region", "icao", "notes", "end_date", "retraction_reason", "origin",
                   "start_time", "end_time"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in COUNT_FIELDS:
        frame[column] = frame[column].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame["end_date"] = pd.to_datetime(frame["end_date"], format="%Y-%m-%d")
    return frame.set_index("id", drop=False).rename_axis(None)


def read_incidents(path: str | Path = paths.INCIDENTS) -> gpd.GeoDataFrame:
    """Read and validate an incidents GeoJSON or GeoParquet (``.parquet``) file; raise
    ``DataError`` listing every problem. Large GeoJSON files are validated column-wise
    (``FAST_VALIDATION_MIN``), with the same messages.

    A big GeoJSON file (``STREAM_MIN_BYTES``) is read a chunk of features at a time
    (``jsonstream``), so neither its text nor all its parsed features are held at once; a
    file the stream cannot vouch for is read whole by ``parse_json``, whose checks give the
    message.
    """
    if db.is_url(path):  # the PostgreSQL store: its records, read and validated as a collection
        return _collection_incidents(db.backend().open_snapshot(path).data, db.redact(path))
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        from .geoparquet import read_geoparquet  # not at the top: geoparquet imports this module

        return read_geoparquet(path)
    try:
        return _streamed_incidents(path)
    except Unsure:
        return _collection_incidents(parse_json(read_bytes(path, INCIDENTS_MAX_BYTES), path), path)


def _streamed_incidents(path: str | Path) -> gpd.GeoDataFrame:
    """``read_incidents`` of a big GeoJSON file through ``FeatureStream``, column-wise.

    Raises ``Unsure`` for a file under ``STREAM_MIN_BYTES``, for one the stream cannot
    vouch for and for one with fewer than ``FAST_VALIDATION_MIN`` features: those are read
    whole, and the small ones validated feature by feature."""
    try:
        small = Path(path).stat().st_size < STREAM_MIN_BYTES
    except OSError:
        small = True  # read_bytes says what is wrong
    if small:
        raise Unsure
    stream = FeatureStream(path, INCIDENTS_MAX_BYTES)
    frame, problems, count = _columnar(_batches(stream.features()))
    if count < FAST_VALIDATION_MIN:
        raise Unsure
    if stream.members.get("type") != "FeatureCollection":
        problems = validate_collection(stream.members)
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    return frame


def _collection_incidents(data: Any, path: str | Path) -> gpd.GeoDataFrame:
    """``read_incidents`` of parsed JSON: column-wise from ``FAST_VALIDATION_MIN`` features."""
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


def read_cities(path: Path = paths.CITIES) -> gpd.GeoDataFrame:
    """City points with ``name``, ``country``, ``population``, ``capital``, ``geonameid``."""
    return _read_layer(path)


def read_rivers(path: Path = paths.RIVERS) -> gpd.GeoDataFrame:
    """Large rivers as lines (geometry only)."""
    return _read_layer(path)


def read_lakes(path: Path = paths.LAKES) -> gpd.GeoDataFrame:
    """Large lakes as polygons (geometry only)."""
    return _read_layer(path)


def read_admin1(path: Path = paths.ADMIN1) -> gpd.GeoDataFrame:
    """Admin-1 boundaries inside countries as lines, one feature per ``country``."""
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


# --- large files: limits, column-wise GeoJSON, cache keys -----------------------------------

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


def stamp(path: str | Path) -> tuple[str, int, int]:
    """Cache key of a data file: resolved path, modification time (ns) and size.

    An edited or replaced file gets a new key, so a cache keyed on it re-reads the file. For
    the PostgreSQL store: the URL, its write counter and the last change's number
    (a save made by any app server gives a new key)."""
    if db.is_url(path):
        return db.backend().stamp(path)
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    return str(path), stat.st_mtime_ns, stat.st_size


def normalise_frame(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The incident frame's layout (as ``incidents_frame`` builds it) from columns of
    already validated values: ``FIELDS`` then geometry, indexed by id; optional fields a
    frame lacks get their defaults."""
    missing = {f: d for f, d in OPTIONAL_FIELDS.items() if f not in frame}
    frame = frame.assign(**missing) if missing else frame
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)[[*FIELDS, "geometry"]].copy()
    for column in ("region", "icao", "notes", "retraction_reason", "origin", "start_time",
                   "end_time"):
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
    features = data.get("features") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or data.get("type") != "FeatureCollection"
            or not isinstance(features, list)):
        problems = validate_collection(data)
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    frame, problems, _ = _columnar(_batches(iter(features)) if features else [[]])
    if problems:
        raise DataError(f"{path}: {len(problems)} problem(s) in the data", problems)
    return frame


#: GeoJSON incident files from this size on are read a chunk of features at a time; a
#: smaller one is parsed whole (it needs a few MB at most).
STREAM_MIN_BYTES = 1_000_000
#: Features parsed and screened at a time: their parsed JSON is held until the screen has
#: passed them. Small chunks leave less freed memory behind: on a 44 MB file, 5,000 at a
#: time peaked 25 MB higher than 1,000 at a time, in about the same time.
CHUNK = 1_000
#: Screened rows built into the frame at a time (``normalise_frame`` costs ~5 ms a call).
BUILD = 5_000


def _batches(features: Iterator[Any]) -> Iterator[list]:
    """Lists of ``CHUNK`` features (the last one shorter, never empty)."""
    return iter(lambda: list(itertools.islice(features, CHUNK)), [])


def _columnar(chunks: Iterable[list]) -> tuple[gpd.GeoDataFrame | None, list[Problem], int]:
    """The incident frame, every problem (in ``validate_collection``'s order) and the number
    of features given in chunks. Each chunk is screened as it comes, so only one chunk's
    parsed features are needed at a time. The frame is None when there are problems or no
    chunks."""
    built: list[gpd.GeoDataFrame] = []
    screened: list[pd.DataFrame] = []  # chunks that passed, not built yet
    problems: list[Problem] = []
    names: list[str] = []
    related: list[Any] = []
    keys: dict[str, str] = {}
    for features in chunks:
        start = len(names)
        columns, geoms = _feature_columns(features, keys)
        problems += record_problems(columns, geoms, features.__getitem__, start)
        names += labels(columns["id"], start)
        related += columns["related_ids"].tolist()
        if problems:  # no frame to build: only the messages are wanted now
            built, screened = [], []
        else:
            for i in np.flatnonzero(shapely.is_missing(geoms)):  # flagged, yet valid
                geoms[i] = shapely.geometry.shape(features[i]["geometry"])
            columns["geometry"] = geoms
            screened.append(columns)
            if sum(map(len, screened)) >= BUILD:
                built.append(_built(screened))
        del features, columns, geoms  # not held while the next chunk is parsed
    problems += cross_problems(names, related)
    if screened and not problems:
        built.append(_built(screened))
    if problems or not built:
        return None, problems, len(names)
    return (built[0] if len(built) == 1 else pd.concat(built)), [], len(names)


def _built(screened: list[pd.DataFrame]) -> gpd.GeoDataFrame:
    """``normalise_frame`` of screened chunks, which are dropped from the list."""
    frame = screened[0] if len(screened) == 1 else pd.concat(screened, ignore_index=True)
    screened.clear()
    return normalise_frame(frame)


def _shared_keys(value: Any, keys: dict[str, str]) -> Any:
    """A dict, or a list of dicts, with equal keys given as one string (from ``keys``).

    ``json.loads`` of a whole file gives all equal keys as one string; features parsed one
    at a time each have their own, and the frame keeps ``sources`` and ``origin``."""
    if type(value) is dict:
        return {keys.setdefault(k, k): v for k, v in value.items()}
    if type(value) is list:
        return [_shared_keys(v, keys) if type(v) is dict else v for v in value]
    return value


def _feature_columns(features: list, keys: dict[str, str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The raw property columns and the geometries of features, for ``columnar.screen``
    (a structurally broken feature gets no geometry, so that the screen flags it); the
    dicts of ``sources`` and ``origin`` share their keys through ``keys``."""
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
        f: (_text_or_objects if f in TEXT_FIELDS or f in NULLABLE_TEXT_FIELDS or f == "status"
            else lambda v: pd.Series(v, dtype=object))(
            [p.get(f, OPTIONAL_FIELDS.get(f)) for p in props_list])
        for f in FIELDS})
    for f in ("sources", "origin"):
        columns[f] = pd.Series([_shared_keys(v, keys) for v in columns[f]], dtype=object)
    shapes = [_geojson_geometry(f.get("geometry")) if type(f) is dict else None for f in features]
    geoms = np.empty(len(features), dtype=object)
    points = np.array([type(s) is tuple for s in shapes], bool)
    xy = np.array([s for s in shapes if type(s) is tuple], dtype=float).reshape(-1, 2)
    geoms[points] = shapely.points(xy)
    others = np.flatnonzero(~points)
    geoms[others] = [shapes[i] for i in others]
    geoms[broken] = None
    return columns, geoms
