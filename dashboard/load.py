"""Every read of incident and geodata files. All frames come back in EPSG:4326."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import paths
from .filters import Preset
from .schema import COUNT_FIELDS, FIELDS, OPTIONAL_FIELDS, DataError, validate_collection

WGS84 = "EPSG:4326"


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes; every way that can fail becomes a one-line ``DataError``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    return raw


def parse_json(raw: bytes, path: str | Path) -> Any:
    """Parse UTF-8 JSON (a byte-order mark is allowed); a one-line ``DataError`` otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: is not UTF-8 text (byte {exc.start}); is it a binary file?"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{path}: is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


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
    """Read and validate an incidents GeoJSON; raise ``DataError`` listing every problem."""
    data = read_json(path)
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
