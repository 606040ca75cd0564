"""GeoPackage, KML and KMZ files, read through GDAL (pyogrio) into a ``Table``.

A GeoPackage gives its first spatial layer (others are named in a warning); a KML gives
all its layers (folders). Layers are reprojected to EPSG:4326; the KML driver's styling
columns are dropped, and a placemark's TimeStamp or TimeSpan becomes one date column. A KMZ
is unzipped (``kmz.kml_from_kmz``) and its KML read the same way.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import pandas as pd
import shapely.geometry

from ..schema import DataError
from .detect import FORMAT_LABELS
from .kmz import kml_from_kmz
from .table import Table, table_from_records
from .text import first_line

# Columns the KML driver adds to every placemark (styling, not data from the file).
KML_DRIVER_COLUMNS = frozenset({"altitudeMode", "tessellate", "extrude", "visibility",
                                "drawOrder", "icon"})


def read_ogr(raw: bytes, name: str, fmt: str, warn: list[str]) -> Table:
    """A GeoPackage (``fmt="gpkg"``), KML (``"kml"``) or KMZ (``"kmz"``) file's features as a
    ``Table``."""
    label = FORMAT_LABELS[fmt]
    if fmt == "kmz":
        raw, fmt = kml_from_kmz(raw, name, warn), "kml"
    chosen, frames = _read_layers(raw, name, fmt, label, warn)
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for layer, frame in zip(chosen, frames, strict=True):
        frame = _to_wgs84(frame, layer, warn)
        for rec, geom in zip(frame[_data_columns(frame, fmt)].to_dict("records"), frame.geometry,
                             strict=True):
            records.append(rec)
            geometries.append(None if geom is None or geom.is_empty
                              else shapely.geometry.mapping(geom))
    table = table_from_records(records, list(range(1, len(records) + 1)), geometries)
    if fmt == "kml":
        _kml_dates(table)
    return table


def _read_layers(raw: bytes, name: str, fmt: str, label: str,
                 warn: list[str]) -> tuple[list[str], list[Any]]:
    """The names of the layers to read and their frames; ``DataError`` (naming the format as
    ``label``) when GDAL cannot read it."""
    import pyogrio  # GDAL is heavy to import; only these formats need it

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
            raise DataError(f"{name}: cannot be read as {label} ({first_line(exc)})") from None
    if not frames:
        raise DataError(f"{name}: {label} has no layers")
    return chosen, frames


def _to_wgs84(frame: Any, layer: str, warn: list[str]) -> Any:
    if frame.crs is None:
        warn.append(f"layer {layer!r} has no CRS; coordinates read as lon/lat (WGS84)")
    elif frame.crs.to_epsg() != 4326:
        warn.append(f"layer {layer!r} reprojected from {frame.crs.to_string()} to EPSG:4326")
        frame = frame.to_crs("EPSG:4326")
    return frame


def _data_columns(frame: Any, fmt: str) -> list[str]:
    columns = [c for c in frame.columns if c != frame.geometry.name
               and not (fmt == "kml" and c in KML_DRIVER_COLUMNS)]
    if fmt == "kml":   # the driver adds empty id/time columns to every placemark
        columns = [c for c in columns
                   if c not in ("id", "begin", "end", "timestamp") or frame[c].notna().any()]
    return columns


def _kml_dates(table: Table) -> None:
    """A placemark has either a TimeStamp or a TimeSpan; read both as one date column."""
    text: pd.DataFrame = table.text
    if "begin" not in text:
        return
    if "timestamp" in text:
        text["timestamp"] = text["timestamp"].where(text["timestamp"] != "", text["begin"])
    else:
        text["timestamp"] = text["begin"]
        table.columns.append("timestamp")
