"""Geometry helpers: distance from the border, drawn/typed areas, region unions, text folding.

Pure functions of frames and strings; no file I/O (see ``load``) and no Streamlit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

#: Countries whose land border with a NATO member ``depth_km`` measures from.
BORDER_COUNTRIES: tuple[str, ...] = ("RU", "BY", "UA")
#: Lambert azimuthal equal-area centred on the eastern flank, for nearest-point search.
METRIC_CRS = "+proj=laea +lat_0=52 +lon_0=25 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
_GEOD = Geod(ellps="WGS84")


def border_line(countries: gpd.GeoDataFrame) -> BaseGeometry:
    """The land border between NATO members and Russia, Belarus or Ukraine (lon/lat lines).

    The country layer is a coverage (neighbours share vertices), so the shared border is
    the part of the NATO boundary that touches those countries; a 0.01° tolerance absorbs
    simplification slivers.
    """
    nato = shapely.union_all(countries.loc[countries["nato"].astype(bool), "geometry"].values)
    others = shapely.union_all(
        countries.loc[countries["iso_a2"].isin(BORDER_COUNTRIES), "geometry"].values)
    return nato.boundary.intersection(others.buffer(0.01))


def depth_km(incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> pd.Series:
    """Distance in km from each incident to the nearest NATO land border with RU/BY/UA.

    Only for incidents in NATO countries located more precisely than "country" (a point
    placed at a country's centre has no meaningful depth); NaN otherwise. The nearest
    border point is found in a metric projection, then the distance is measured on the
    WGS84 ellipsoid, so it is exact to the metre for the border as drawn in geodata.
    """
    out = pd.Series(np.nan, index=incidents.index, dtype=float, name="depth_km")
    nato = set(countries.loc[countries["nato"].astype(bool), "iso_a2"])
    mask = incidents["country"].isin(nato) & (incidents["location_precision"] != "country")
    if not mask.any():
        return out
    # Densify before projecting so long straight border segments stay on their true course.
    border = shapely.segmentize(border_line(countries), 0.02)
    border_m = gpd.GeoSeries([border], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    points_m = incidents.loc[mask].geometry.to_crs(METRIC_CRS)
    # The nearest border segment from a spatial index, then the nearest point on it: the
    # same point as shortest_line(geometry, whole border), at a fraction of the cost.
    segments = _segments(border_m)
    tree = shapely.STRtree(segments)
    _, nearest_segment = tree.query_nearest(points_m.values, all_matches=False)
    nearest_m = shapely.get_point(
        shapely.shortest_line(points_m.values, segments[nearest_segment]), 1)
    nearest = gpd.GeoSeries(nearest_m, crs=METRIC_CRS).to_crs("EPSG:4326")
    # Distance from the geometry itself: its representative point for lines and polygons.
    here = incidents.loc[mask].geometry.representative_point()
    _, _, metres = _GEOD.inv(here.x.values, here.y.values, nearest.x.values, nearest.y.values)
    inside = shapely.distance(points_m.values, segments[nearest_segment]) == 0
    out.loc[mask] = np.where(inside, 0.0, np.round(metres / 1000, 1))
    return out


def _segments(lines: BaseGeometry) -> np.ndarray:
    """Every two-point segment of a (multi)line, as an array of LineStrings."""
    parts = shapely.get_parts(lines)
    segments = []
    for part in parts:
        coords = shapely.get_coordinates(part)
        if len(coords) >= 2:
            segments.append(np.stack([coords[:-1], coords[1:]], axis=1))
    if not segments:
        return np.array([lines], dtype=object)
    pairs = np.concatenate(segments)
    return shapely.linestrings(pairs.reshape(-1, 2), indices=np.repeat(np.arange(len(pairs)), 2))


def parse_area(text: str) -> Polygon | MultiPolygon:
    """Parse ``minlon,minlat,maxlon,maxlat`` or a WKT (Multi)Polygon in lon/lat.

    Raises ``ValueError`` naming what is wrong.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("area is empty")
    if re.fullmatch(r"[-+0-9.eE]+(\s*,\s*[-+0-9.eE]+){3}", text):
        try:
            minx, miny, maxx, maxy = (float(v) for v in text.split(","))
        except ValueError:
            raise ValueError(f"area {text!r}: bounding box values must be numbers") from None
        if not (minx < maxx and miny < maxy):
            raise ValueError(f"area {text!r}: expected minlon,minlat,maxlon,maxlat with min < max")
        geom: BaseGeometry = box(minx, miny, maxx, maxy)
    else:
        try:
            geom = shapely.from_wkt(text)
        except shapely.errors.ShapelyError:
            raise ValueError(f"area {text[:60]!r} is neither a bounding box nor WKT") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"area must be a polygon, got a {geom.geom_type}")
    minx, miny, maxx, maxy = geom.bounds
    if geom.is_empty or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("area coordinates must be lon -180..180, lat -90..90")
    if not geom.is_valid:
        raise ValueError(f"area is not a valid polygon: {shapely.is_valid_reason(geom)}")
    if geom.area == 0:
        raise ValueError("area has no extent")
    return geom


def area_wkt(geom: BaseGeometry) -> str:
    """Compact WKT for a URL: 4 decimals (~10 m) is plenty for a hand-drawn area."""
    return shapely.to_wkt(geom, rounding_precision=4, trim=True)


def area_from_drawings(drawings: list[dict] | None) -> str | None:
    """The area filter (WKT) for the shapes drawn on the map: the union of the polygons
    and rectangles among Leaflet.draw's GeoJSON features; None when there are none."""
    polygons = [shapely.geometry.shape(f["geometry"]) for f in drawings or []
                if isinstance(f, dict) and isinstance(f.get("geometry"), dict)
                and f["geometry"].get("type") in ("Polygon", "MultiPolygon")]
    area = shapely.make_valid(shapely.union_all(polygons)) if polygons else None
    return area_wkt(area) if area is not None and area.area > 0 else None


def union_of(frame: gpd.GeoDataFrame, column: str, values: Iterable[str]) -> BaseGeometry:
    """Union of the geometries whose ``column`` is in ``values``."""
    return shapely.union_all(frame.loc[frame[column].isin(list(values)), "geometry"].values)


_EXTRA_FOLDS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                              "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "ı": "i"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Rzeszów" and "RZESZOW" both become "rzeszow"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: Words that say what kind of region a name is, left out when two names are compared.
_REGION_WORDS = frozenset({"voivodeship", "oblast", "county", "region", "province", "krai",
                           "okrug", "republic", "of", "the", "municipality", "governorate"})


def region_key(name: str | None) -> str:
    """A region name as compared with another: folded, without the kind of region
    ("Lublin Voivodeship" and "lublin" match; "Odesa Oblast" and "Odesa" match)."""
    words = re.findall(r"[a-z0-9]+", fold(name or ""))
    return " ".join(w for w in words if w not in _REGION_WORDS)


def search_text(incidents: pd.DataFrame) -> pd.Series:
    """The folded text that search matches: place, summary and every source quote.

    Column-wise: ASCII text only needs lower-casing (``fold`` of ASCII is ``lower``); the
    rest is folded once per distinct text.
    """
    raw = [" ".join([place, summary, *(s["quote"] for s in sources)])
           for place, summary, sources in zip(incidents["place"].tolist(),
                                              incidents["summary"].tolist(),
                                              incidents["sources"].tolist(), strict=True)]
    ascii_only = np.fromiter((t.isascii() for t in raw), bool, len(raw))
    out = pd.Series(raw, index=incidents.index, dtype=object)
    if ascii_only.any():
        out[ascii_only] = pd.Series(raw, dtype="str")[ascii_only].str.lower().to_numpy(object)
    if not ascii_only.all():
        others = out[~ascii_only]
        folded = {t: fold(t) for t in pd.unique(others.to_numpy())}
        out[~ascii_only] = others.map(folded).to_numpy(object)
    return out.astype("str")  # Arrow-backed text: search runs column-wise, in C


def enrich(incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``incidents`` with the derived columns ``depth_km`` and ``search_text``,
    and ``anchor_lon``/``anchor_lat`` (the point the map counts an incident at, see
    ``aggregate.anchors``), computed once per data version instead of once per rerun."""
    from .aggregate import anchors

    x, y = anchors(incidents.geometry.values) if len(incidents) else ([], [])
    return incidents.assign(depth_km=depth_km(incidents, countries),
                            search_text=search_text(incidents),
                            anchor_lon=np.asarray(x, float), anchor_lat=np.asarray(y, float))
