"""The loaded data and everything derived from it once per file version.

One ``Context`` serves the app, the CLI and brief packs alike: the enriched incidents, the
base layers, the regions and presets, the names of every code, the codes a link may name,
and the data's date span.
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

    def known(self) -> urlstate.Known:
        """The codes a link or a brief pack may name."""
        return urlstate.Known(
            countries=frozenset(self.country_options),
            regions=frozenset(self.places.regions["iso_3166_2"]),
            presets=frozenset(self.places.presets),
            incidents=frozenset(self.incidents["id"]),
        )

    def with_preview(self, preview: gpd.GeoDataFrame | None) -> Context:
        """This context with unsaved rows (an import preview, marked ``preview``) added."""
        if preview is None:
            return self
        merged = pd.concat([self.incidents.assign(preview=False), preview.assign(preview=True)])
        return replace(self, incidents=merged)


def check_files(*files: Path) -> None:
    """Raise a one-line DataError naming the first file that does not exist."""
    for path in files:
        if not db.is_url(path) and not Path(path).exists():
            raise DataError(f"{path}: file not found")


def load_context(incidents_path: str | Path, countries_path: Path = paths.COUNTRIES,
                 airports_path: Path = paths.AIRPORTS, regions_path: Path = paths.REGIONS,
                 presets_path: Path = paths.PRESETS, cities_path: Path = paths.CITIES,
                 rivers_path: Path = paths.RIVERS, lakes_path: Path = paths.LAKES,
                 admin1_path: Path = paths.ADMIN1) -> Context:
    """Read the incidents and the base layers and derive names, codes and the date span."""
    check_files(incidents_path, countries_path, airports_path, regions_path, presets_path)
    countries = load.read_countries(countries_path)
    regions = load.read_regions(regions_path)
    presets = load.read_presets(presets_path)
    incidents = geo.enrich(load.read_incidents(incidents_path), countries)
    names = {**dict(zip(countries["iso_a2"], countries["name"], strict=True)),
             **dict(zip(regions["iso_3166_2"], regions["name"], strict=True)),
             **{k: p.label for k, p in presets.items()}}
    in_scope = set(countries.loc[countries["group"] != "other", "iso_a2"]) | set(incidents["country"])
    # An empty data file (a fresh deployment, everything imported later) still opens.
    today = dt.date.today()
    span = stats.headline(incidents) if len(incidents) else None
    airports = load.read_airports(airports_path)
    return Context(
        incidents=incidents, countries=countries, airports=airports,
        places=filters.Places(regions, presets), names=names,
        country_options=sorted(in_scope, key=lambda c: names.get(c, c)),
        first=span.first.date() if span else today,
        last=span.last.date() if span else today,
        base=mapping.base_data(countries, airports, mapping.ContextLayers(
            load.read_cities(cities_path), load.read_rivers(rivers_path),
            load.read_lakes(lakes_path), load.read_admin1(admin1_path))),
        sources=sources.read(sources.path_for(incidents_path)),
    )
