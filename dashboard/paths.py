"""Where the shipped data lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCIDENTS = ROOT / "incidents.geojson"
GEODATA = ROOT / "geodata"
COUNTRIES = GEODATA / "countries.geojson"
REGIONS = GEODATA / "regions.geojson"
AIRPORTS = GEODATA / "airports.geojson"
PRESETS = GEODATA / "presets.json"
# Context layers of the web map (see geodata/README.md).
CITIES = GEODATA / "cities.geojson"
RIVERS = GEODATA / "rivers.geojson"
LAKES = GEODATA / "lakes.geojson"
ADMIN1 = GEODATA / "admin1.geojson"
SOURCES = ROOT.parent / "shared" / "sources"
STATIC = Path(__file__).resolve().parent / "static"
