"""The base map's data, prepared once: countries, airports (with the zoom they show from),
country label spots, and the context layers (cities, rivers, lakes, admin-1 lines).

Everything is turned into compact, script-safe JSON here (coordinates rounded, names
escaped), so the same inputs always give the same page: streamlit-folium keys the map on its
JavaScript, and a constant base map is never remounted.
"""

from __future__ import annotations

import copy
import hashlib
import html
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .calls import JSONText, script_json
from .labels import label_spots

#: Decimals kept in the base map's coordinates: 4 is ~10 m, far below a pixel at zoom 12.
BASE_DECIMALS = 4
#: Admin-1 lines are drawn from zoom 6 on, where 3 decimals (~100 m) is under a pixel.
ADMIN1_DECIMALS = 3
#: Label priorities (lower is placed first; a label that finds no room is hidden): closed
#: airports ("EPWA closed", drawn with the incidents: they are data), then the names of the
#: flank and conflict countries, then the other countries' (cities: ``base``).
CLOSED_PRIORITY, FOCUS_PRIORITY, OTHER_COUNTRY_PRIORITY = 1, 2, 3
FOCUS_GROUPS = {"russia_belarus", "ukraine_moldova"}


@dataclass(frozen=True)
class ContextLayers:
    """The context layers of the web map, as frames from ``load`` (any may be None)."""

    cities: gpd.GeoDataFrame | None = None
    rivers: gpd.GeoDataFrame | None = None
    lakes: gpd.GeoDataFrame | None = None
    admin1: gpd.GeoDataFrame | None = None

    @staticmethod
    def shipped() -> ContextLayers:
        """The layers in ``geodata/`` (read once per file version; a missing file is None)."""
        from .. import load, paths  # only for callers that pass no layers of their own

        files = [getattr(paths, name) for name in _FILES]
        return _shipped(tuple(load.stamp(p) if p.exists() else (str(p), -1, -1) for p in files))


_FILES = ("CITIES", "RIVERS", "LAKES", "ADMIN1")
_READERS = ("read_cities", "read_rivers", "read_lakes", "read_admin1")


@lru_cache(maxsize=2)
def _shipped(stamps: tuple[tuple[str, int, int], ...]) -> ContextLayers:
    from .. import load

    return ContextLayers(*(getattr(load, reader)(Path(path)) if size >= 0 else None
                           for reader, (path, _, size) in zip(_READERS, stamps, strict=True)))


def rounded_geojson(geoms, properties: list[dict] | None = None,
                    decimals: int = BASE_DECIMALS) -> JSONText:
    """A FeatureCollection of ``geoms`` (rounded) with ``properties`` (script-safe JSON)."""
    rounded = shapely.set_precision(np.asarray(geoms), 10.0 ** -decimals)
    props = properties if properties is not None else [{}] * len(rounded)
    features = [f'{{"type":"Feature","properties":{script_json(p)},"geometry":{g}}}'
                for p, g in zip(props, shapely.to_geojson(rounded).tolist(), strict=True)
                if g != "null"]
    return JSONText('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")


def _airports(airports: gpd.GeoDataFrame | None) -> JSONText | None:
    """Airports as points with a tooltip ``t`` ("ICAO · name (IATA)") and a tier ``k``."""
    if airports is None or not len(airports):
        return None
    tips = [html.escape(f"{a.icao} · {a.name}" + (f" ({a.iata})" if a.iata else ""))
            for a in airports.itertuples()]
    tiers = (airports["tier"].astype(int).tolist() if "tier" in airports.columns
             else [1] * len(airports))
    return rounded_geojson(airports.geometry.values,
                           [{"t": t, "k": k} for t, k in zip(tips, tiers, strict=True)])


def _cities(cities: gpd.GeoDataFrame | None) -> list[list]:
    """``[lat, lon, escaped name, 1 for a capital]``: capitals first, then by population."""
    if cities is None or not len(cities):
        return []
    ordered = cities.sort_values(["capital", "population", "name"], ascending=[False, False, True])
    return [[round(g.y, 4), round(g.x, 4), html.escape(n), int(bool(c))]
            for n, c, g in zip(ordered["name"], ordered["capital"], ordered.geometry, strict=True)]


class BaseData:
    """The base map's layers as compact GeoJSON text (coordinates rounded to
    ``BASE_DECIMALS``, names escaped) and, on demand, label spots per country."""

    def __init__(self, countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None,
                 layers: ContextLayers | None = None):
        layers = layers if layers is not None else ContextLayers.shipped()
        self.countries = rounded_geojson(
            countries.geometry.values,
            [{"name": html.escape(n), "group": g}
             for n, g in zip(countries["name"], countries["group"], strict=True)])
        self.codes = list(countries["iso_a2"])
        #: The countries labelled by default: every one not in the "other" group.
        self.named = set(countries.loc[countries["group"] != "other", "iso_a2"])
        flank = countries["eastern_flank"].astype(bool) if "eastern_flank" in countries else False
        focus = countries["group"].isin(FOCUS_GROUPS) | flank
        self._focus = set(countries.loc[focus, "iso_a2"])
        self._names = dict(zip(countries["iso_a2"], countries["name"], strict=True))
        self._geoms = dict(zip(countries["iso_a2"], countries.geometry, strict=True))
        self._labels: dict[str, list] = {}
        self.airports = _airports(airports)
        self.cities = _cities(layers.cities)
        self.rivers = self._lines(layers.rivers)
        self.lakes = self._lines(layers.lakes)
        self.admin1 = self._lines(layers.admin1, ADMIN1_DECIMALS)

    @staticmethod
    def _lines(frame: gpd.GeoDataFrame | None, decimals: int = BASE_DECIMALS) -> JSONText | None:
        if frame is None or not len(frame):
            return None
        return rounded_geojson(frame.geometry.values, decimals=decimals)

    def label(self, code: str) -> list:
        """``[escaped name, priority, [[lat, lon, depth], ...]]``: a country's label and its
        spots (see ``labels.label_spots``)."""
        if code not in self._labels:
            priority = FOCUS_PRIORITY if code in self._focus else OTHER_COUNTRY_PRIORITY
            spots = [[round(lat, 4), round(lon, 4), round(depth, 3)]
                     for lat, lon, depth in label_spots(self._geoms[code])]
            self._labels[code] = [html.escape(self._names[code]), priority, spots]
        return self._labels[code]

    def labels(self, wanted: set[str]) -> list[list]:
        """The labels of ``wanted`` countries: the focus countries first, then by area, so the
        largest get the first choice of spots."""
        codes = [c for c in self.codes if c in wanted]
        codes.sort(key=lambda c: (c not in self._focus, -self._geoms[c].area, c))
        return [self.label(c) for c in codes]


    def shapes(self) -> dict[str, JSONText]:
        """The big layers by name (``SERVED``), as GeoJSON text; absent layers left out."""
        return {name: getattr(self, name) for name in SERVED if getattr(self, name) is not None}

    def by_url(self, urls: dict[str, str]) -> BaseData:
        """A copy whose layers named in ``urls`` are loaded by the browser from there
        (``efm.fetched(url)`` in the page) instead of written into the page."""
        served = copy.copy(self)
        for name, url in urls.items():
            setattr(served, name, JSONText(f"efm.fetched({script_json(url)})"))
        return served


#: The layers big enough to be worth a file of their own (1.2 MB of the shipped base map's
#: 1.25 MB); labels and cities stay in the page.
SERVED = ("countries", "airports", "rivers", "lakes", "admin1")


def publish(base: BaseData, folder: Path) -> dict[str, str]:
    """Write the base map's big layers into ``folder`` as ``<layer>-<content hash>.json`` (a
    new version gets a new name, so a browser may keep a file for good); return the file name
    per layer. Files already there are left as they are. Raises ``OSError`` when the folder
    cannot be written (the caller then keeps the data in the page)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for name, text in base.shapes().items():
        data = text.encode("utf-8")
        names[name] = f"{name}-{hashlib.sha256(data).hexdigest()[:16]}.json"
        target = folder / names[name]
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o644)  # a static file: readable by whoever serves it
            os.replace(tmp, target)
    return names


def base_data(countries: gpd.GeoDataFrame, airports: gpd.GeoDataFrame | None = None,
              layers: ContextLayers | None = None) -> BaseData:
    """The prepared base data for ``build_map(..., base=...)`` (a fraction of a second for
    the shipped geodata): a caller that builds the map on every rerun may keep it.
    ``layers`` defaults to the context layers shipped in ``geodata/``."""
    return BaseData(countries, airports, layers)
