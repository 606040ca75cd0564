"""The loaded data and everything derived from it once per file version.

One ``Context`` serves the app, the CLI and brief packs alike: the enriched incidents, the
base layers, the regions and presets, the names of every code, the codes a link may name,
and the data's date span.

A database with more incidents than the app may hold (``memory_rows``) gives a context
holding none: ``database`` is its URL, ``total`` their number, and ``dashboard.selection``
asks the database for what each view shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import db, filters, geo, load, mapping, paths, sources, stats, urlstate
from .schema import DataError

#: The files a context is read from, in ``load_context``'s argument order.
BASE_FILES = (paths.COUNTRIES, paths.AIRPORTS, paths.REGIONS, paths.PRESETS,
              paths.CITIES, paths.RIVERS, paths.LAKES, paths.ADMIN1)


@dataclass(frozen=True)
class Context:
    """Everything read from disk, once per file version."""

    incidents: gpd.GeoDataFrame  # enriched with depth_km and search_text
    countries: gpd.GeoDataFrame
    airports: gpd.GeoDataFrame
    places: filters.Places
    names: dict[str, str]          # country, region and preset codes -> names
    country_options: list[str]     # countries offered in the filter
    first: dt.date                 # the data's date span (today for an empty file)
    last: dt.date
    base: mapping.BaseData         # the base map's layers, prepared once (build_map(base=...))
    sources: dict[str, sources.Source]  # the source registry beside the data (sources.json)
    database: str | None = None    # the database asked for each view (it holds no incident)
    total: int | None = None       # the incidents in the store (None: those held)
    version: tuple = ()            # the stamp (load.stamp) of the data it was read at

    @property
    def size(self) -> int:
        """How many incidents the store holds."""
        return len(self.incidents) if self.total is None else self.total

    def known(self) -> urlstate.Known:
        """The codes a link or a brief pack may name."""
        return urlstate.Known(
            countries=frozenset(self.country_options),
            regions=frozenset(self.places.regions["iso_3166_2"]),
            presets=frozenset(self.places.presets),
            incidents=(frozenset(self.incidents["id"]) if self.database is None
                       else _sql().Ids(self.database)),
        )

    def with_preview(self, preview: gpd.GeoDataFrame | None) -> Context:
        """This context with unsaved rows (an import preview, marked ``preview``) added."""
        if preview is None:
            return self
        merged = pd.concat([self.incidents.assign(preview=False), preview.assign(preview=True)])
        return replace(self, incidents=merged)


def _sql():
    """``dashboard.db.query`` (imported when a database is used: it needs psycopg)."""
    db.backend()  # the one message when psycopg is missing
    from .db import query
    return query


def check_files(*files: Path) -> None:
    """Raise a one-line DataError naming the first file that does not exist."""
    for path in files:
        if not db.is_url(path) and not Path(path).exists():
            raise DataError(f"{path}: file not found")


def load_context(incidents_path: str | Path, countries_path: Path = paths.COUNTRIES,
                 airports_path: Path = paths.AIRPORTS, regions_path: Path = paths.REGIONS,
                 presets_path: Path = paths.PRESETS, cities_path: Path = paths.CITIES,
                 rivers_path: Path = paths.RIVERS, lakes_path: Path = paths.LAKES,
                 admin1_path: Path = paths.ADMIN1, memory_rows: int | None = None) -> Context:
    """Read the incidents and the base layers and derive names, codes and the date span.

    With a database holding more than ``memory_rows`` incidents (None: no limit), none is
    read: the context names the database instead (see the module's docstring)."""
    check_files(incidents_path, countries_path, airports_path, regions_path, presets_path)
    countries = load.read_countries(countries_path)
    regions = load.read_regions(regions_path)
    presets = load.read_presets(presets_path)
    facts = (_sql().facts(str(incidents_path))
             if memory_rows is not None and db.is_url(incidents_path) else None)
    database = str(incidents_path) if facts is not None and facts.count > memory_rows else None
    incidents = geo.enrich(load.read_incidents(incidents_path) if database is None else
                           load.incidents_frame({"type": "FeatureCollection", "features": []}),
                           countries)
    names = {**dict(zip(countries["iso_a2"], countries["name"], strict=True)),
             **dict(zip(regions["iso_3166_2"], regions["name"], strict=True)),
             **{k: p.label for k, p in presets.items()}}
    held = set(facts.countries) if database is not None else set(incidents["country"])
    in_scope = set(countries.loc[countries["group"] != "other", "iso_a2"]) | held
    # An empty data file (a fresh deployment, everything imported later) still opens.
    today = dt.date.today()
    span = stats.headline(incidents) if len(incidents) else None
    first, last = ((facts.first, facts.last) if database is not None else
                   (span.first.date(), span.last.date()) if span else (None, None))
    airports = load.read_airports(airports_path)
    return Context(
        incidents=incidents, countries=countries, airports=airports,
        places=filters.Places(regions, presets), names=names,
        country_options=sorted(in_scope, key=lambda c: names.get(c, c)),
        first=first or today, last=last or today,
        base=mapping.base_data(countries, airports, mapping.ContextLayers(
            load.read_cities(cities_path), load.read_rivers(rivers_path),
            load.read_lakes(lakes_path), load.read_admin1(admin1_path))),
        sources=sources.read(sources.path_for(incidents_path)),
        database=database, total=facts.count if database is not None else None,
    )
