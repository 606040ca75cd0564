"""Incident files as GeoParquet: ``write_geoparquet`` and ``read_geoparquet``.

This module owns the Arrow layout of an incident file (one column per incident field, WKB
geometry with GeoParquet 1.1 ``geo`` metadata), the CRS check (lon/lat WGS84 only), reading
each column back to raw values, and rebuilding a row as a GeoJSON feature so that a bad row
gets the same messages as in a GeoJSON file. ``load.read_incidents`` calls the reader for
``.parquet`` / ``.geoparquet`` files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .columnar import collection_problems
from .load import normalise_frame
from .schema import COUNT_FIELDS, FIELDS, OPTIONAL_FIELDS, SOURCE_FIELDS, TEXT_FIELDS, DataError


def _arrow_schema():
    import pyarrow as pa

    source = pa.struct([(k, pa.string()) for k in SOURCE_FIELDS])
    text = ("id", "type", "date_precision", "country", "region", "place", "location_precision",
            "platform", "icao", "summary", "confidence", "notes", "status", "retraction_reason",
            "start_time", "end_time")
    types = {**{f: pa.string() for f in text}, "date": pa.date32(), "end_date": pa.date32(),
             **{f: pa.int64() for f in COUNT_FIELDS}, "sources": pa.list_(source),
             "related_ids": pa.list_(pa.string()), "origin": pa.string()}
    return pa.schema([(f, types[f]) for f in FIELDS])


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write an incident frame as GeoParquet (WKB geometry, GeoParquet 1.1 metadata).

    Dates are ``date32``, counts ``int64``, ``sources`` a list of structs, ``related_ids`` a
    list of strings and ``origin`` JSON text; ``read_geoparquet`` reads it back unchanged.
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
            arrays[field.name] = pa.array([[{k: s.get(k) for k in SOURCE_FIELDS} for s in v]
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


def _read_table(path: Path):
    """The file's Arrow table and schema metadata; ``DataError`` when it is not Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

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
    return table, metadata


def _geometry_column(path: Path, metadata: dict) -> str:
    """The primary geometry column named by the ``geo`` metadata, once it is WKB in lon/lat."""
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
    return column


def read_geoparquet(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate an incidents GeoParquet file; ``DataError`` naming what is wrong.

    The file needs GeoParquet ``geo`` metadata with a WKB geometry column in lon/lat and
    one column per incident field (``status``, ``retraction_reason``, ``origin`` and the
    times may be left out; a null there means "left out"). Dates may be ``date32``/timestamps or ISO text,
    ``sources`` a list of structs or JSON text, ``related_ids`` a list or JSON text,
    ``origin`` JSON text or null. Rows are screened column-wise, then checked one by one
    where the screen flags them, so the messages are those of a GeoJSON file.
    """
    import pyarrow as pa

    path = Path(path)
    table, metadata = _read_table(path)
    column = _geometry_column(path, metadata)
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
    if field in TEXT_FIELDS:
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
