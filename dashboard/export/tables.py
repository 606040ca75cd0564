"""The filtered incidents as data files: GeoJSON (the schema of ``incidents.geojson``), CSV
and GeoPackage, as bytes.

CSV and GeoPackage share one flat table (``CSV_COLUMNS``: every schema field, lists joined,
lon/lat of a representative point); a CSV text cell that a spreadsheet would run as a
formula is defused with a leading ``'``.

Every file is self-contained: ``related_ids`` keeps only the incidents in the same export
(``self_contained``), so a filtered GeoJSON passes ``python -m dashboard validate`` and can
be imported again; links to incidents left out by the filters are dropped. Context overlays
go only into the GeoPackage, a layer each (a GeoJSON or CSV of incidents has no room for
them without breaking the incident schema).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import sources
from ..overlays import Layer, export_frame
from ..schema import COUNT_FIELDS, FIELDS

CSV_COLUMNS: tuple[str, ...] = (*FIELDS, "documents", "depth_km", "lon", "lat", "geometry_type")
#: A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value):
    """JSON-ready value: NaN/NA -> None, numpy ints -> int, timestamps -> ISO dates."""
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.integer):
        return int(value)
    return value


def self_contained(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``incidents`` (a new frame) with each ``related_ids`` cut to the ids in ``incidents``."""
    ids = set(incidents["id"])
    return incidents.assign(related_ids=[[r for r in related if r in ids]
                                         for related in incidents["related_ids"]])


def _records(incidents: gpd.GeoDataFrame) -> list[dict]:
    """Schema properties per incident as plain JSON values (column-wise, not row by row)."""
    columns = {}
    for f in FIELDS:
        column = incidents[f]
        if f in ("date", "end_date"):
            column = column.dt.strftime("%Y-%m-%d")
        column = column.astype(object)
        if f not in ("sources", "related_ids"):
            column = column.where(column.notna(), None)
        columns[f] = column.tolist()
    return [dict(zip(FIELDS, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def to_geojson(incidents: gpd.GeoDataFrame, registry: Mapping[str, Any] | None = None) -> bytes:
    """The incidents as a FeatureCollection in the schema of ``incidents.geojson``, related
    ids cut to the exported incidents (``self_contained``), carrying the source registry of
    the documents they cite as its ``sources`` member (what ``validate`` reads)."""
    incidents = self_contained(incidents)
    cited = sources.cited(incidents["sources"])
    own = {doc: registry[doc] for doc in sorted(cited) if doc in (registry or {})}
    member = f'"sources": {json.dumps(sources.to_json(own), ensure_ascii=False)},\n' if own else ""
    geometries = shapely.to_geojson(incidents.geometry.values)
    features = ",\n".join(
        f'{{"type": "Feature", "id": {json.dumps(props["id"])}, "geometry": {geometry}, '
        f'"properties": {json.dumps(props, ensure_ascii=False, default=int)}}}'
        for props, geometry in zip(_records(incidents), geometries, strict=True))
    return f'{{"type": "FeatureCollection", {member}"features": [\n{features}\n]}}\n'.encode()


def _flat(incidents: gpd.GeoDataFrame, registry: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per incident, lists joined, plain columns (shared by CSV and GeoPackage); each
    source named as readers know it (``sources.label``), its document id in ``documents``."""
    incidents = self_contained(incidents)
    point = incidents.geometry.representative_point()
    out = pd.DataFrame({f: incidents[f].map(_plain) for f in FIELDS}, index=incidents.index)
    out["sources"] = [" | ".join(f"{sources.label(s['document'], registry or {}, s.get('publisher'))}: "
                                 f"“{s['quote']}”" for s in cites)
                      for cites in incidents["sources"]]
    out["documents"] = ["; ".join(s["document"] for s in cites) for cites in incidents["sources"]]
    out["related_ids"] = ["; ".join(ids) for ids in incidents["related_ids"]]
    out["origin"] = [None if o is None else json.dumps(o, ensure_ascii=False)
                     for o in incidents["origin"]]
    for column in COUNT_FIELDS:
        out[column] = incidents[column].astype("Int64")
    out["depth_km"] = incidents.get("depth_km", np.nan)
    out["lon"], out["lat"] = point.x.round(5), point.y.round(5)
    out["geometry_type"] = incidents.geometry.geom_type
    return out[list(CSV_COLUMNS)].reset_index(drop=True)


def _as_text(value):
    """A text cell a spreadsheet shows as text: a leading ``'`` defuses a formula."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(incidents: gpd.GeoDataFrame, registry: Mapping[str, Any] | None = None) -> bytes:
    """One row per incident: every schema field, lon/lat of a representative point, lists
    joined (sources as ``document: “quote”`` separated by `` | ``, related ids by ``; ``).
    UTF-8 with a byte-order mark, so spreadsheet programs read accents right; a text cell
    that would start a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``."""
    flat = _flat(incidents, registry)
    for column in flat.columns:
        if not pd.api.types.is_numeric_dtype(flat[column]):
            flat[column] = flat[column].map(_as_text)
    return flat.to_csv(index=False).encode("utf-8-sig")


def overlay_layer_name(layer: Layer) -> str:
    """The GeoPackage layer of a context overlay: ``overlay_<slug>`` (with its date when dated)."""
    v = layer.version
    return f"overlay_{v.slug}" + (f"_{v.valid_from:%Y%m%d}" if v.valid_from else "")


def to_gpkg(incidents: gpd.GeoDataFrame, registry: Mapping[str, Any] | None = None,
            overlays: Sequence[Layer] = ()) -> bytes:
    """A GeoPackage with the layer ``incidents`` (the CSV's columns plus the geometry) and a
    layer per context overlay shown (``overlay_layer_name``: its full geometry, with its
    name, date, kind and source on every row)."""
    frame = gpd.GeoDataFrame(_flat(incidents, registry).drop(columns=["lon", "lat"]),
                             geometry=incidents.geometry.reset_index(drop=True), crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        # A file rather than memory: pyogrio writes one layer per call, appending to a file.
        frame.to_file(path, driver="GPKG", layer="incidents", engine="pyogrio")
        for layer in overlays:
            export_frame(layer).to_file(path, driver="GPKG", layer=overlay_layer_name(layer),
                                        engine="pyogrio")
        return path.read_bytes()
