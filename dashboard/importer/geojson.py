"""GeoJSON files: parsing (a FeatureCollection, a Feature or a list of Features), an
old-style ``crs`` member honoured by reprojecting to WGS84, and the two ways in.

A file whose features mostly carry our own schema (``sources``, ``date_precision``,
``location_precision``) is imported as it is, each feature validated and only id
collisions fixed; any other GeoJSON is a ``Table`` for the generic column mapping.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.geometry

from .. import load
from ..schema import DataError, validate_feature
from .geometry import GeometryError, clean_geometry
from .rows import Ctx, reserve_id, value_at
from .table import Rejected, Table, table_from_records
from .text import decode_text, show

_OUR_KEYS = frozenset({"sources", "date_precision", "location_precision"})


def parse_geojson(raw: bytes, name: str, warn: list[str]) -> list[Any]:
    """The file's features (reprojected when it names another CRS); ``DataError`` if not GeoJSON."""
    text, notes = decode_text(raw, name)
    warn += notes
    data = load.parse_json_text(text, name)
    features = _features_of(data, name)
    crs = data.get("crs") if isinstance(data, dict) else None
    if crs is not None:
        features = _reproject_features(features, crs, name, warn)
    return features


def _features_of(data: Any, name: str) -> list[Any]:
    if isinstance(data, list) and any(isinstance(f, dict) and f.get("type") == "Feature"
                                      for f in data):
        return data
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise DataError(f"{name}: FeatureCollection has no 'features' list")
        return features
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    got = data.get("type") if isinstance(data, dict) else type(data).__name__
    raise DataError(f"{name}: is JSON but not GeoJSON features (expected a FeatureCollection, "
                    f"got {got!r})")


def _reproject_features(features: list[Any], crs: Any, name: str, warn: list[str]) -> list[Any]:
    """Honour an old-style GeoJSON ``crs`` member by reprojecting to WGS84 lon/lat."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError
    label = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    try:
        source = CRS.from_user_input(label)
    except (CRSError, TypeError):
        warn.append(f"crs {show(crs)} not understood; coordinates read as lon/lat (WGS84)")
        return features
    if source.equals(CRS.from_epsg(4326), ignore_axis_order=True) or "CRS84" in str(label):
        return features
    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    out = []
    for feature in features:
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        try:
            clean, _ = clean_geometry(geom)
        except GeometryError:
            out.append(feature)
            continue
        reprojected = shapely.transform(shapely.geometry.shape(clean),
                                        lambda xy: np.column_stack(transformer.transform(xy[:, 0],
                                                                                         xy[:, 1])))
        out.append({**feature, "geometry": shapely.geometry.mapping(reprojected)})
    warn.append(f"reprojected from {source.to_string()} to EPSG:4326")
    return out


def our_properties(features: list[Any]) -> list[dict[str, Any]] | None:
    """The features' properties when at least half are in our schema, else None."""
    props = [f.get("properties") for f in features if isinstance(f, dict)]
    ours = sum(isinstance(p, dict) and p.keys() >= _OUR_KEYS for p in props)
    return props if features and ours * 2 >= len(features) else None


def import_our_geojson(features: list[Any], ctx: Ctx) -> None:
    """Features already in our schema: validate each; fix only id collisions."""
    for i in ctx.each_row(len(features)):
        number, feature = i + 1, features[i]
        problems = validate_feature(feature, i)
        if problems:
            for p in problems:
                ctx.rejected.append(Rejected(number, p.field,
                                             show(value_at(feature, p.field)
                                                  if isinstance(feature, dict) else feature),
                                             p.message))
            continue
        props = dict(feature["properties"])
        fid = reserve_id(props["id"], props["id"], ctx)
        if fid != props["id"]:
            ctx.renamed += 1
            extra = f"Imported as {fid!r}: id {props['id']!r} was already in use."
            props["notes"] = f"{props['notes']} {extra}" if props.get("notes") else extra
            props["id"] = fid
        ctx.features.append({**feature, "id": fid, "properties": props})


def foreign_table(features: list[Any], ctx: Ctx) -> Table:
    """Features not in our schema as a ``Table``; anything that is not a Feature is rejected."""
    records: list[dict[str, Any]] = []
    geometries: list[Any] = []
    rows: list[int] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            ctx.rejected.append(Rejected(number, "feature", show(feature),
                                         "is not a GeoJSON Feature"))
            continue
        props = feature.get("properties")
        props = dict(props) if isinstance(props, dict) else {}
        if "id" not in props and feature.get("id") is not None:
            props = {"id": feature["id"], **props}
        records.append(props)
        geometries.append(feature.get("geometry"))
        rows.append(number)
    return table_from_records(records, rows, geometries)
