"""Place names found in article text: airports, cities, admin-1 regions, countries and
demonyms, built once from ``geodata/`` (no network).

Matching is case-insensitive on accent-folded text (``fold``: "Rzeszów" = "rzeszow",
"Łódź" = "lodz"), at word boundaries, longest name first ("Copenhagen Airport" beats
"Copenhagen"), with a short inflection tail allowed on long names ("Rzeszowa", "Vilniaus")
and an English possessive ("Poland's").
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import shape

from .. import paths
from .text import fold

#: Kinds of place, most specific first; the kind sets ``location_precision``.
KINDS: tuple[str, ...] = ("airport", "city", "region", "country")
PRECISION: dict[str, str] = {"airport": "exact", "city": "city", "region": "region",
                             "country": "country", "demonym": "country"}
#: Demonyms and adjectives -> ISO alpha-2. A demonym names a country weakly (``Polish
#: airspace`` is a place, ``Russian drones`` an origin; see ``propose``).
DEMONYMS: dict[str, str] = {
    "polish": "PL", "danish": "DK", "estonian": "EE", "latvian": "LV", "lithuanian": "LT",
    "romanian": "RO", "moldovan": "MD", "belarusian": "BY", "belarussian": "BY",
    "russian": "RU", "ukrainian": "UA", "finnish": "FI", "norwegian": "NO", "swedish": "SE",
    "german": "DE", "bulgarian": "BG", "hungarian": "HU", "slovak": "SK", "czech": "CZ",
    "dutch": "NL", "turkish": "TR", "georgian": "GE",
}
#: Country names written in articles that Natural Earth spells otherwise.
COUNTRY_ALIASES: dict[str, str] = {
    "czechia": "CZ", "the czech republic": "CZ", "belorussia": "BY", "moldavia": "MD",
    "the netherlands": "NL", "holland": "NL", "the uk": "GB", "britain": "GB",
    "great britain": "GB", "russian federation": "RU", "kaliningrad": "RU",
}
#: Unit words dropped from region names to get the name articles use ("Kursk" for
#: "Kursk Oblast"), and the words articles add back ("the Kursk region").
REGION_WORDS: tuple[str, ...] = ("voivodeship", "oblast", "region", "county", "province",
                                 "krai", "municipality", "governorate", "district")
#: Airport-name words that articles drop ("Vilnius Airport" for "Vilnius International Airport").
AIRPORT_FILLERS: tuple[str, ...] = ("international", "airport")
#: Words that never start an airport alias ("the airport" names no airport).
_GENERIC = frozenset({"the", "an", "a", "airport", "international", "city", "regional", "new",
                      "old", "central", "north", "south", "east", "west", "main", "military"})
_MIN_INFLECTED = 5     # names at least this long may take a case ending (``ENDINGS``)
#: Case endings of the region's languages, accent-folded ("Rzeszowie", "Lublina", "Kyjevi",
#: "Vilniuje"), never an English suffix: "Baltic" is not an inflected "Balti".
ENDINGS = ("a", "u", "e", "y", "i", "o", "ie", "em", "om", "ow", "ach", "ami", "iu", "ui",
           "uje", "oje", "je", "ja", "os", "as", "us", "is", "ai", "ei", "ije", "iem", "ym", "im")


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: what a matched name stands for."""

    name: str                   # the display name ("Vilnius International Airport")
    kind: str                   # airport, city, region, country, demonym
    country: str                # ISO alpha-2
    point: tuple[float, float]  # (lon, lat)
    icao: str | None = None
    region: str | None = None   # region name, for a region (or the airport's city)
    tier: int = 0               # an airport's size tier (1: the largest)

    @property
    def precision(self) -> str:
        """The schema's ``location_precision`` for this kind of place."""
        return PRECISION[self.kind]


@dataclass(frozen=True)
class Mention:
    """A place named in the text: the span (into the text searched) and the place."""

    start: int
    end: int
    place: Place


_ENDING = "(?:" + "|".join(sorted(ENDINGS, key=len, reverse=True)) + ")?"


class Gazetteer:
    """Names -> places, with one compiled pattern over every folded name."""

    def __init__(self, names: dict[str, Place]):
        self.names = names
        alternatives = sorted(names, key=len, reverse=True)
        body = "|".join(re.escape(n) + (_ENDING if len(n) >= _MIN_INFLECTED
                                        and names[n].kind in ("city", "region") else "")
                        for n in alternatives)
        self.pattern = re.compile(rf"(?<![\w-])(?:{body})(?:'s)?(?![\w-])")
        self._stems = {n: n for n in names}

    def _lookup(self, matched: str) -> Place | None:
        key = matched.removesuffix("'s")
        if key in self.names:
            return self.names[key]
        for cut in (1, 2, 3):    # an inflected form: the longest name it extends
            if len(key) - cut >= _MIN_INFLECTED and key[:-cut] in self.names:
                return self.names[key[:-cut]]
        return None

    def find(self, text: str) -> list[Mention]:
        """Every place named in ``text``, left to right, overlaps resolved to the longest."""
        folded = fold(text)
        out = []
        for m in self.pattern.finditer(folded):
            place = self._lookup(m.group(0))
            if place is not None:
                out.append(Mention(m.start(), m.end(), place))
        return out

    def airports_of(self, city: Place) -> list[Place]:
        """The airports serving a city (same city name and country), largest first."""
        return [p for p in self.airports if p.country == city.country
                and fold(p.region or "") == fold(city.name)]

    airports: list[Place]
    countries: dict[str, Place]   # ISO code -> the country
    in_scope: set[str]            # the countries the map covers (not the "other" group)


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _add(names: dict[str, Place], name: str, place: Place) -> None:
    key = " ".join(fold(name).split())
    if len(key) >= 3 and key not in names:   # first (most specific kind) wins
        names[key] = place


def build(geodata: Path | None = None) -> Gazetteer:
    """A gazetteer from the airports, cities, regions and countries in ``geodata/``."""
    root = geodata or paths.GEODATA
    names: dict[str, Place] = {}
    airports: list[Place] = []
    airport_rows = sorted(_read(root / "airports.geojson"), key=lambda f: f["properties"]["tier"])
    for f in airport_rows:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"][:2]
        place = Place(p["name"], "airport", p["country"], (lon, lat), p["icao"], p["city"],
                      p["tier"])
        airports.append(place)
        full = p["name"]
        _add(names, full, place)
        short = " ".join(w for w in full.split() if w.lower() != "international")
        _add(names, short, place)
        for form in (f"{p['city']} airport", f"{p['city']} international airport",
                     f"airport of {p['city']}", f"{p['city']}'s airport",
                     f"{full.split()[0]} airport"):
            if form.split()[0].lower() not in _GENERIC:
                _add(names, form, place)
    cities = sorted(_read(root / "cities.geojson"), key=lambda f: -f["properties"]["population"])
    capitals: dict[str, Place] = {}
    for f in cities:
        p = f["properties"]
        place = Place(p["name"], "city", p["country"], tuple(f["geometry"]["coordinates"][:2]))
        _add(names, p["name"], place)
        if p["capital"]:
            capitals.setdefault(p["country"], place)
    for a in airports:   # towns known only as an airport's city: placed at the airport
        _add(names, a.region or "", Place(a.region or a.name, "city", a.country, a.point, None,
                                          a.region))
    for f in _read(root / "regions.geojson"):
        p = f["properties"]
        point = shape(f["geometry"]).representative_point()
        place = Place(p["name"], "region", p["country"], (round(point.x, 4), round(point.y, 4)),
                      None, p["name"])
        variants = [p["name"], *[a for a in (p.get("aliases") or "").split("|") if a]]
        for v in variants:
            base = re.sub(rf"\s+(?:{'|'.join(REGION_WORDS)})$", "", v, flags=re.I)
            for word in REGION_WORDS:
                _add(names, f"{base} {word}", place)
            _add(names, v, place)
            if not re.search(r"[А-я]", base):
                _add(names, base, place)
    countries = _read(root / "countries.geojson")
    for f in countries:
        p = f["properties"]
        capital = capitals.get(p["iso_a2"])
        if capital is None:
            pt = shape(f["geometry"]).representative_point()
            point = (round(pt.x, 4), round(pt.y, 4))
        else:
            point = capital.point
        place = Place(p["name"], "country", p["iso_a2"], point)
        _add(names, p["name"], place)
    by_code = {pl.country: pl for pl in names.values() if pl.kind == "country"}
    for alias, code in COUNTRY_ALIASES.items():
        if code in by_code:
            names.setdefault(alias, by_code[code])
    for word, code in DEMONYMS.items():
        if code in by_code:
            c = by_code[code]
            names.setdefault(word, Place(c.name, "demonym", code, c.point))
    gaz = Gazetteer(names)
    gaz.airports = airports
    gaz.countries = by_code
    gaz.in_scope = {f["properties"]["iso_a2"] for f in countries
                    if f["properties"].get("group", "other") != "other"}
    return gaz


@functools.lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The gazetteer of the project's own ``geodata/``, built once per process."""
    return build()
