"""Synthetic but schema-valid incidents for benchmarks (never real events).

``generate(n, seed)`` builds a realistic-looking incident frame over the eastern flank,
column by column with numpy, so a million records take seconds:

- 45 % clustered around cities and airports, 25 % along the land borders of NATO with
  Russia, Belarus, Ukraine and Moldova, 20 % along the front line in Ukraine, 10 % scattered;
- all five incident types, with platforms, counts and precisions that fit the type;
- dates over two years (2024-2025), more in the later months, 10 % multi-day ranges;
- 4 % tracks (LineString) and 2 % areas (Polygon); 0.5 % retracted records.

The same ``n`` and ``seed`` always give the same frame (and the same files). Countries come
from ``geodata/countries.geojson`` (point in polygon), closures sit on real airports of
``geodata/airports.geojson``.

Writers: ``write_geojson`` (streamed, one feature per line) and ``write_geoparquet`` (via
``dashboard.geoparquet.write_geoparquet``). ``synthetic(n, seed)`` keeps the old FeatureCollection
interface for ``bench_map.py`` and ``bench_export.py``.

Run ``python bench/synthetic.py 100000 --out /tmp/bench`` to write both files.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard import geoparquet, load
from dashboard.schema import FIELDS, INCIDENT_TYPES, TYPE_LABELS

WGS84 = "EPSG:4326"

# (place, country, lon, lat, weight): cities and towns that attract incidents.
CITIES: tuple[tuple[str, str, float, float, float], ...] = (
    ("Warsaw", "PL", 21.01, 52.23, 3), ("Rzeszów", "PL", 22.00, 50.04, 4),
    ("Lublin", "PL", 22.57, 51.25, 3), ("Białystok", "PL", 23.16, 53.13, 2),
    ("Gdańsk", "PL", 18.65, 54.35, 1), ("Kraków", "PL", 19.94, 50.06, 1),
    ("Vilnius", "LT", 25.28, 54.69, 2), ("Kaunas", "LT", 23.90, 54.90, 1),
    ("Riga", "LV", 24.10, 56.95, 2), ("Daugavpils", "LV", 26.50, 55.87, 1),
    ("Tallinn", "EE", 24.75, 59.44, 2), ("Narva", "EE", 28.19, 59.38, 1),
    ("Helsinki", "FI", 24.94, 60.17, 1), ("Lappeenranta", "FI", 28.19, 61.06, 1),
    ("Bucharest", "RO", 26.10, 44.43, 1), ("Constanța", "RO", 28.63, 44.17, 2),
    ("Galați", "RO", 28.05, 45.44, 2), ("Tulcea", "RO", 28.80, 45.18, 3),
    ("Iași", "RO", 27.60, 47.16, 1), ("Chișinău", "MD", 28.86, 47.01, 2),
    ("Kyiv", "UA", 30.52, 50.45, 6), ("Kharkiv", "UA", 36.23, 49.99, 6),
    ("Odesa", "UA", 30.72, 46.48, 5), ("Lviv", "UA", 24.03, 49.84, 3),
    ("Dnipro", "UA", 35.05, 48.46, 4), ("Zaporizhzhia", "UA", 35.14, 47.84, 4),
    ("Izmail", "UA", 28.84, 45.35, 2), ("Sumy", "UA", 34.80, 50.91, 3),
    ("Mykolaiv", "UA", 31.99, 46.97, 3), ("Kherson", "UA", 32.62, 46.64, 3),
    ("Kursk", "RU", 36.19, 51.73, 3), ("Belgorod", "RU", 36.59, 50.60, 3),
    ("Bryansk", "RU", 34.36, 53.25, 2), ("Kaliningrad", "RU", 20.51, 54.71, 2),
    ("Saint Petersburg", "RU", 30.31, 59.94, 1), ("Pskov", "RU", 28.33, 57.82, 1),
    ("Moscow", "RU", 37.62, 55.75, 2), ("Minsk", "BY", 27.56, 53.90, 2),
    ("Brest", "BY", 23.69, 52.10, 2), ("Hrodna", "BY", 23.83, 53.68, 1),
    ("Homel", "BY", 30.99, 52.44, 1), ("Kirkenes", "NO", 30.05, 69.73, 1),
    ("Košice", "SK", 21.26, 48.72, 1), ("Budapest", "HU", 19.04, 47.50, 1),
    ("Varna", "BG", 27.91, 43.20, 1),
)

# Land borders of NATO with RU/BY/UA/MD, as rough polylines (lon, lat).
BORDERS: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = (
    ("Polish-Belarusian border", ((23.5, 53.95), (23.9, 53.15), (23.2, 52.3), (23.65, 51.6))),
    ("Polish-Ukrainian border", ((23.65, 51.6), (24.1, 50.85), (23.5, 50.4), (22.6, 49.6),
                                 (22.6, 49.1))),
    ("Lithuanian-Belarusian border", ((23.5, 53.95), (24.4, 53.9), (25.8, 54.2), (25.7, 54.8),
                                      (26.8, 55.3))),
    ("Latvian-Russian border", ((27.7, 55.8), (28.2, 56.2), (27.9, 57.3), (27.4, 57.5))),
    ("Estonian-Russian border", ((27.4, 57.5), (27.8, 57.9), (27.6, 58.9), (28.0, 59.4))),
    ("Finnish-Russian border", ((27.8, 60.5), (29.5, 61.5), (31.5, 62.9), (29.9, 64.5),
                                (30.0, 66.0), (29.0, 69.0))),
    ("Romanian-Moldovan border", ((26.6, 48.25), (28.1, 46.6), (28.2, 45.5))),
    ("Danube border", ((28.2, 45.45), (29.7, 45.2))),
    ("Kaliningrad border", ((19.6, 54.45), (22.8, 54.37))),
)
FRONT_LINE = ((37.6, 49.7), (37.8, 49.0), (38.0, 48.6), (37.2, 48.3), (37.2, 47.8),
              (35.9, 47.45), (35.0, 47.4), (33.5, 46.8), (32.6, 46.5))
REGION_BOX = (14.0, 43.0, 40.0, 70.0)   # minlon, minlat, maxlon, maxlat
MIX = {"city": 0.45, "border": 0.25, "front": 0.20, "scatter": 0.10}

TYPE_WEIGHTS = {"airspace_incursion": 0.30, "airport_closure": 0.08, "strike": 0.30,
                "interception": 0.22, "crash_debris": 0.10}
PLATFORM_WEIGHTS = {
    "airspace_incursion": {"drone": .6, "aircraft": .2, "balloon": .1, "missile": .05, "unknown": .05},
    "airport_closure": {"drone": .7, "unknown": .3},
    "strike": {"drone": .6, "missile": .3, "artillery": .1},
    "interception": {"drone": .7, "missile": .25, "aircraft": .05},
    "crash_debris": {"drone": .8, "missile": .15, "unknown": .05},
}
PUBLISHERS = ("Ministry of Defence", "Border Guard", "Air Force Command", "Regional governor",
              "Air navigation services", "Police", "Wire service")
QUOTES = {
    "airspace_incursion": "an object entered our airspace and was tracked by radar",
    "airport_closure": "the airport suspended departures and arrivals for several hours",
    "strike": "a strike damaged infrastructure near {place}",
    "interception": "air defence forces intercepted the targets over {place}",
    "crash_debris": "fragments were found in a field near {place}",
}
START = np.datetime64("2024-01-01")
DAYS = 731


def _along(rng: np.random.Generator, line: tuple[tuple[float, float], ...], n: int, spread: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points along a polyline (uniform by length) with Gaussian sideways spread."""
    pts = np.asarray(line, dtype=float)
    seg = np.diff(pts, axis=0)
    length = np.hypot(seg[:, 0], seg[:, 1])
    which = rng.choice(len(seg), size=n, p=length / length.sum())
    t = rng.random(n)
    xy = pts[which] + seg[which] * t[:, None]
    return xy[:, 0] + rng.normal(0, spread, n), xy[:, 1] + rng.normal(0, spread * 0.6, n)


def _positions(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                              np.ndarray]:
    """lon, lat, place name and a fallback country per incident, from the mixture."""
    kinds = rng.choice(len(MIX), size=n, p=list(MIX.values()))
    lon, lat = np.empty(n), np.empty(n)
    place = np.empty(n, dtype=object)
    country = np.empty(n, dtype=object)

    idx = np.flatnonzero(kinds == 0)
    weights = np.array([c[4] for c in CITIES], dtype=float)
    pick = rng.choice(len(CITIES), size=len(idx), p=weights / weights.sum())
    radius = rng.gamma(1.5, 0.08, len(idx))       # most within ~20 km, a tail further out
    angle = rng.uniform(0, 2 * np.pi, len(idx))
    lon[idx] = np.array([c[2] for c in CITIES])[pick] + radius * np.cos(angle) * 1.6
    lat[idx] = np.array([c[3] for c in CITIES])[pick] + radius * np.sin(angle)
    place[idx] = np.array([c[0] for c in CITIES], dtype=object)[pick]
    country[idx] = np.array([c[1] for c in CITIES], dtype=object)[pick]

    idx = np.flatnonzero(kinds == 1)
    which = rng.integers(0, len(BORDERS), len(idx))
    for b, (name, line) in enumerate(BORDERS):
        sel = idx[which == b]
        lon[sel], lat[sel] = _along(rng, line, len(sel), 0.12)
        place[sel] = name
        country[sel] = "PL"

    idx = np.flatnonzero(kinds == 2)
    lon[idx], lat[idx] = _along(rng, FRONT_LINE, len(idx), 0.25)
    place[idx] = "Front line"
    country[idx] = "UA"

    idx = np.flatnonzero(kinds == 3)
    minx, miny, maxx, maxy = REGION_BOX
    lon[idx] = rng.uniform(minx, maxx, len(idx))
    lat[idx] = rng.uniform(miny, maxy, len(idx))
    place[idx] = "Open country"
    country[idx] = "RU"
    np.clip(lon, -179.9, 179.9, out=lon)
    np.clip(lat, -89.9, 89.9, out=lat)
    return lon, lat, place, country


def _weighted(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _counts(rng: np.random.Generator, when: np.ndarray, high: int) -> pd.Series:
    values = rng.integers(1, high, len(when))
    return pd.Series(pd.array(np.where(when, values, 0), dtype="Int64")).where(when, pd.NA)


def _geometries(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, types: np.ndarray
                ) -> np.ndarray:
    """Points, with 4 % tracks (incursions and interceptions) and 2 % areas (the others)."""
    n = len(lon)
    geoms = shapely.points(lon, lat)
    u = rng.random(n)
    tracked = np.isin(types, ["airspace_incursion", "interception"])
    tracks = np.flatnonzero(tracked & (u < 0.04 / 0.52))
    areas = np.flatnonzero(~tracked & (u < 0.02 / 0.48))
    if len(tracks):
        k = 5  # vertices per track
        heading = rng.uniform(np.pi * 0.6, np.pi * 1.4, len(tracks))  # mostly westwards
        steps = rng.uniform(0.05, 0.25, (len(tracks), k - 1))
        turn = np.cumsum(rng.normal(0, 0.25, (len(tracks), k - 1)), axis=1) + heading[:, None]
        dx = np.concatenate([np.zeros((len(tracks), 1)), np.cumsum(steps * np.cos(turn), 1)], 1)
        dy = np.concatenate([np.zeros((len(tracks), 1)), np.cumsum(steps * np.sin(turn) * .6, 1)], 1)
        coords = np.stack([lon[tracks, None] + dx, lat[tracks, None] + dy], axis=-1)
        coords[..., 0] = np.clip(coords[..., 0], -179.9, 179.9)
        coords[..., 1] = np.clip(coords[..., 1], -89.9, 89.9)
        geoms[tracks] = shapely.linestrings(coords.reshape(-1, 2),
                                            indices=np.repeat(np.arange(len(tracks)), k))
    if len(areas):
        k = 8  # a convex octagon-ish outline, so always valid
        angles = np.sort(rng.uniform(0, 2 * np.pi, (len(areas), k)), axis=1)
        radius = rng.uniform(0.02, 0.15, (len(areas), 1))
        ring = np.stack([lon[areas, None] + radius * np.cos(angles) * 1.6,
                         lat[areas, None] + radius * np.sin(angles)], axis=-1)
        ring = np.concatenate([ring, ring[:, :1]], axis=1)
        polys = shapely.polygons(shapely.linearrings(
            ring.reshape(-1, 2), indices=np.repeat(np.arange(len(areas)), k + 1)))
        # Random angles can make a self-touching ring; the convex hull is always valid.
        geoms[areas] = shapely.convex_hull(polys)
    return geoms


def _country_of(lon: np.ndarray, lat: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """ISO code of the country each point lies in (the fallback at sea)."""
    countries = load.read_countries()
    tree = shapely.STRtree(countries.geometry.values)
    point_idx, country_idx = tree.query(shapely.points(lon, lat), predicate="within")
    out = fallback.copy()
    out[point_idx] = countries["iso_a2"].to_numpy()[country_idx]
    return out


# Airports that close (the busier ones near the border); a closure goes to the nearest.
CLOSING_AIRPORTS = ("EPWA", "EPRZ", "EPLB", "EPMO", "EPGD", "EPKK", "EYVI", "EYKA", "EVRA",
                    "EETN", "EFHK", "EFLP", "ENKR", "LROP", "LRIA", "LRCK", "LRTC", "LUKK",
                    "LZKZ", "LHBP", "LBWN", "UKBB", "UKLL", "UKOO", "UUEE", "ULLI", "UUWW",
                    "UUOK", "UUOB", "UMMS", "UMKK")


def _nearest_airports(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """ICAO code, lon, lat and name of the closing airport nearest to each point."""
    airports = load.read_airports()
    if airports["icao"].isin(CLOSING_AIRPORTS).sum() >= 5:
        airports = airports[airports["icao"].isin(CLOSING_AIRPORTS)]
    tree = shapely.STRtree(airports.geometry.values)
    nearest = tree.nearest(shapely.points(lon, lat))
    geom = airports.geometry.values[nearest]
    return (airports["icao"].to_numpy()[nearest], shapely.get_x(geom), shapely.get_y(geom),
            airports["name"].to_numpy()[nearest])


def generate(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` synthetic incidents, in the layout of ``dashboard.load.incidents_frame``."""
    rng = np.random.default_rng(seed)
    lon, lat, place, fallback = _positions(rng, n)
    types = _weighted(rng, TYPE_WEIGHTS, n)
    platform = np.empty(n, dtype=object)
    for kind, weights in PLATFORM_WEIGHTS.items():
        sel = types == kind
        platform[sel] = _weighted(rng, weights, int(sel.sum()))

    location = _weighted(rng, {"exact": .25, "city": .5, "region": .2, "country": .05}, n)
    icao = np.full(n, None, dtype=object)
    closures = np.flatnonzero(types == "airport_closure")
    if len(closures):
        codes, ax, ay, names = _nearest_airports(lon[closures], lat[closures])
        icao[closures], lon[closures], lat[closures] = codes, ax, ay
        place[closures] = names
        location[closures] = "exact"
    country = _country_of(lon, lat, fallback)

    # More incidents in later months: day = DAYS * u ** 0.7.
    day = np.minimum((DAYS * rng.random(n) ** 0.7).astype(int), DAYS - 1)
    date = START + day.astype("timedelta64[D]")
    precision = _weighted(rng, {"day": .85, "approx": .05, "range": .10}, n)
    ranged = precision == "range"
    end_date = np.where(ranged, date + rng.integers(1, 6, n).astype("timedelta64[D]"),
                        np.datetime64("NaT"))

    ids = np.char.add("syn-", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)
    label = np.array([TYPE_LABELS[t].lower() for t in INCIDENT_TYPES], dtype=object)[
        pd.Categorical(types, categories=INCIDENT_TYPES).codes]
    summary = "Synthetic " + label + " near " + place + "."
    quote_by_type = pd.Series(types).map(QUOTES).to_numpy()
    publisher = np.array(PUBLISHERS, dtype=object)[rng.integers(0, len(PUBLISHERS), n)]
    sources = [[{"document": f"synthetic-{i % 5000:04d}.txt", "quote": q.format(place=p),
                 "publisher": pub, "url": None}]
               for i, q, p, pub in zip(range(n), quote_by_type, place, publisher, strict=True)]
    related = np.flatnonzero(rng.random(n) < 0.02)
    related = related[related > 0]
    related_ids: list[list[str]] = [[] for _ in range(n)]
    for i in related:
        related_ids[i] = [ids[i - 1]]
    retracted = rng.random(n) < 0.005
    strikes = types == "strike"

    frame = pd.DataFrame({
        "id": ids, "type": types, "date": date, "end_date": end_date,
        "date_precision": precision, "country": country, "region": None, "place": place,
        "location_precision": location, "platform": platform, "icao": icao,
        "drones": _counts(rng, platform == "drone", 40),
        "aircraft": _counts(rng, platform == "aircraft", 4),
        "missiles": _counts(rng, platform == "missile", 12),
        "killed": _counts(rng, strikes & (rng.random(n) < 0.1), 6),
        "injured": _counts(rng, strikes & (rng.random(n) < 0.2), 15),
        "summary": summary, "sources": sources,
        "confidence": _weighted(rng, {"high": .3, "medium": .45, "low": .25}, n),
        "related_ids": related_ids, "notes": None,
        "status": np.where(retracted, "retracted", "active"),
        "retraction_reason": np.where(retracted, "Synthetic retraction.", None),
        "origin": None,
    })
    geometry = _geometries(rng, lon, lat, types)
    return load.normalise_frame(gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84))


def _json_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, np.integer):
        return int(value)
    return value


def features(frame: gpd.GeoDataFrame):
    """GeoJSON features (dicts) of a frame, one at a time."""
    columns = {f: frame[f].astype(object).tolist() for f in FIELDS}
    for column in ("date", "end_date"):
        columns[column] = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in frame[column]]
    geoms = shapely.to_geojson(frame.geometry.values).tolist()
    for i, geom in enumerate(geoms):
        props = {f: _json_value(columns[f][i]) for f in FIELDS}
        yield {"type": "Feature", "geometry": json.loads(geom), "properties": props}


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a FeatureCollection, one feature per line (streamed; no whole-file string)."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for i, feature in enumerate(features(frame)):
            out.write((",\n" if i else "") + json.dumps(feature, ensure_ascii=False,
                                                        separators=(",", ":")))
        out.write("\n]}\n")
    return path


def write_geoparquet(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write GeoParquet in the layout ``dashboard.load.read_incidents`` reads."""
    return geoparquet.write_geoparquet(frame, path)


def synthetic(n: int, seed: int = 1) -> dict:
    """``n`` valid incidents as a GeoJSON FeatureCollection (not real events)."""
    return {"type": "FeatureCollection", "features": list(features(generate(n, seed)))}


def write_both(n: int, out_dir: str | Path, seed: int = 1) -> tuple[Path, Path]:
    """Write ``synthetic-<n>.geojson`` and ``synthetic-<n>.parquet`` (reused when present)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    geojson = out_dir / f"synthetic-{n}-s{seed}.geojson"
    parquet = out_dir / f"synthetic-{n}-s{seed}.parquet"
    if not (geojson.exists() and parquet.exists()):
        frame = generate(n, seed)
        write_geoparquet(frame, parquet)
        write_geojson(frame, geojson)
    return geojson, parquet


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="/tmp/efm-bench")
    args = parser.parse_args()
    for written in write_both(args.n, args.out, args.seed):
        print(written, f"{written.stat().st_size / 2**20:.1f} MB")
