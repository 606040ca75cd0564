"""The shipped data: it validates, quotes are verbatim, places agree with the geodata,
and the documentation names every field."""

from __future__ import annotations

import os
import re

import pytest
from shapely.geometry import Point

from dashboard import load, paths
from dashboard.schema import FIELDS


@pytest.fixture(scope="module")
def incidents():
    return load.read_incidents()


@pytest.fixture(scope="module")
def countries():
    return load.read_countries()


@pytest.fixture(scope="module")
def airports():
    return load.read_airports()


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def documents():
    if not paths.SOURCES.is_dir():
        reason = f"source articles not found at {paths.SOURCES}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return {p.name: _collapse(p.read_text(encoding="utf-8")) for p in paths.SOURCES.glob("*.txt")}


#: Records in the shipped ``incidents.geojson`` (curated from the source articles): change it
#: together with the data. An empty or cut-down file would still read without error.
SHIPPED_INCIDENTS = 40
#: Source articles that report no incident of their own, so no record cites them:
#: 000 is a Carnegie Politika commentary (18 October 2025) naming no dated event.
UNCITED = {"000_512b65a397a2e65b.txt"}


def test_shipped_incidents_validate(incidents):
    assert len(incidents) == SHIPPED_INCIDENTS
    assert incidents["id"].is_unique


def test_every_quote_is_verbatim_in_its_document(incidents, documents):
    missing = [
        f"{row.id}: {src['document']}: {src['quote']!r}"
        for row in incidents.itertuples()
        for src in row.sources
        if _collapse(src["quote"]) not in documents.get(src["document"], "")
    ]
    assert missing == []


def test_every_source_document_is_cited(incidents, documents):
    cited = {src["document"] for sources in incidents["sources"] for src in sources}
    assert cited <= set(documents)
    assert set(documents) - cited == UNCITED


def test_every_icao_is_a_known_airport(incidents, airports):
    assert set(incidents["icao"].dropna()) <= set(airports["icao"])


def test_closures_sit_at_their_airport(incidents, airports):
    at = airports.set_index("icao").geometry
    closures = incidents[(incidents["type"] == "airport_closure") & incidents["icao"].notna()]
    far = [i for i, row in closures.iterrows() if row.geometry.distance(at[row["icao"]]) > 0.05]
    assert far == []


def test_every_country_is_on_the_map(incidents, countries):
    assert set(incidents["country"]) <= set(countries["iso_a2"])


def test_every_incident_lies_in_or_next_to_its_country(incidents, countries):
    """Catches swapped coordinates and wrong country codes (0.2° slack for coasts,
    simplified borders and incidents over territorial waters)."""
    shapes = countries.set_index("iso_a2").geometry
    off = [i for i, row in incidents.iterrows()
           if row.geometry.distance(shapes[row["country"]]) > 0.2]
    assert off == []


def test_related_ids_are_symmetric(incidents):
    ids = set(incidents["id"])
    one_way = [(row.id, rid) for row in incidents.itertuples() for rid in row.related_ids
               if rid in ids and row.id not in incidents.loc[rid, "related_ids"]]
    assert one_way == []


@pytest.mark.parametrize(
    ("lon", "lat", "iso"),
    [(34.10, 44.95, "UA"),  # Simferopol: internationally recognised borders
     (33.52, 44.60, "UA"),  # Sevastopol
     (20.51, 54.71, "RU"),  # Kaliningrad
     (27.56, 53.90, "BY"),  # Minsk
     (21.01, 52.23, "PL")],
)
def test_borders(countries, lon, lat, iso):
    assert list(countries[countries.contains(Point(lon, lat))]["iso_a2"]) == [iso]


def test_crimea_regions_are_ukrainian():
    regions = load.read_regions()
    hit = regions[regions.contains(Point(34.10, 44.95))]
    assert list(hit["country"]) == ["UA"]


def test_country_groups(countries):
    groups = dict(zip(countries["iso_a2"], countries["group"], strict=True))
    assert {groups[c] for c in ("RU", "BY")} == {"russia_belarus"}
    assert {groups[c] for c in ("UA", "MD")} == {"ukraine_moldova"}
    assert {groups[c] for c in ("PL", "EE", "RO", "DK", "DE", "FI", "NO")} == {"nato"}


def test_readme_documents_every_incident_field():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert [f for f in FIELDS if f"`{f}`" not in readme] == []


@pytest.mark.parametrize("name", ["countries", "regions", "airports"])
def test_geodata_readme_documents_every_field(name):
    doc = (paths.GEODATA / "README.md").read_text(encoding="utf-8")
    frame = load._read_layer(paths.GEODATA / f"{name}.geojson")
    assert [c for c in frame.columns if c != "geometry" and f"`{c}`" not in doc] == []
