"""dashboard.importer: outside files -> incident features, with every rejected row reported.

Fixtures are tiny synthetic files in tests/data/import/ (see its README.md); the
GeoPackage is written here with geopandas.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard import importer
from dashboard.importer import ColumnMap, ImportResult, Rejected, import_bytes
from dashboard.schema import DataError, validate_feature

DATA = Path(__file__).parent / "data" / "import"


def run(name: str, **kwargs) -> ImportResult:
    """Import a fixture and check what every import must satisfy."""
    result = import_bytes((DATA / name).read_bytes(), name, **kwargs)
    assert_sound(result)
    return result


def assert_sound(result: ImportResult) -> None:
    """Every feature validates, ids are unique, every rejected entry names row/field/reason."""
    for feature in result.features:
        assert validate_feature(feature) == [], feature["properties"]["id"]
    ids = [f["properties"]["id"] for f in result.features]
    assert len(ids) == len(set(ids))
    assert len(result.features) + result.rows_rejected == result.rows_read
    for r in result.rejected:
        assert r.row >= 1 and r.field and r.reason and len(r.value) <= importer.MAX_VALUE_CHARS


def props(result: ImportResult) -> list[dict]:
    return [f["properties"] for f in result.features]


def by_row(result: ImportResult) -> dict[int, list[Rejected]]:
    out: dict[int, list[Rejected]] = {}
    for r in result.rejected:
        out.setdefault(r.row, []).append(r)
    return out


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


# --------------------------------------------------------------------------- fixtures: counts

@pytest.mark.parametrize(("name", "fmt", "read", "valid", "rejected_rows"), [
    ("cp1252.csv", "csv", 2, 2, []),
    ("mixed_dates.csv", "csv", 8, 6, [7, 8]),
    ("swapped.csv", "csv", 5, 2, [3, 4, 5]),
    ("string_coords.csv", "csv", 3, 2, [3]),
    ("multiline.csv", "csv", 2, 2, []),
    ("acled.csv", "acled", 7, 4, [4, 5, 6]),
    ("ours.geojson", "geojson", 3, 2, [2]),
    ("foreign.geojson", "geojson", 5, 3, [4, 5]),
    ("placemarks.kml", "kml", 2, 2, []),
])
def test_fixture_counts(name, fmt, read, valid, rejected_rows):
    result = run(name)
    assert result.format == fmt
    assert (result.rows_read, len(result.features)) == (read, valid)
    assert sorted(by_row(result)) == rejected_rows


def test_windows_1252_is_decoded_with_a_warning():
    result = run("cp1252.csv")
    assert "decoded as Windows-1252" in result.warnings
    first = props(result)[0]
    assert first["place"] == "Rzeszów"
    assert first["sources"][0]["quote"] == "Synthetic test: drone seen over Rzeszów"
    assert first["origin"]["place"] == "Rzeszów"


def test_mixed_dates_are_parsed_and_bad_ones_reported():
    result = run("mixed_dates.csv")
    assert [p["date"] for p in props(result)] == [
        "2025-09-10", "2025-09-15", "2025-09-13", "2025-04-03", "2025-09-12", "2025-09-10"]
    # 03/04/2025 is read day-first because 13/09/2025 shows the column is dd/mm; noted.
    assert "03/04/2025 read as day/month" in props(result)[3]["notes"]
    rows = by_row(result)
    assert rows[7] == [Rejected(7, "date", "2025-02-30", rows[7][0].reason)]
    assert "not a real calendar date" in rows[7][0].reason
    assert rows[8][0].value == "next week" and "not a date format" in rows[8][0].reason


def test_swapped_and_bad_coordinates():
    result = run("swapped.csv")
    coords = [f["geometry"]["coordinates"] for f in result.features]
    assert coords == [[23.1, 51.5], [23.1, 51.5]]
    assert [p["country"] for p in props(result)] == ["PL", "PL"]
    assert "1 row(s) had lat/lon swapped; corrected" in result.warnings
    assert "swapped in the source (corrected: the row's country" in props(result)[1]["notes"]
    assert "country PL derived from the coordinates" in props(result)[0]["notes"]
    rows = by_row(result)
    # No country says where the Vilnius row lies: rejected, not moved into the map's area.
    assert rows[3][0].field == "geometry" and "outside the map's area" in rows[3][0].reason
    assert {(r.field, r.value) for r in rows[4]} == {("lat", "95"), ("lon", "200")}
    assert "out of range" in rows[4][0].reason
    assert (rows[5][0].field, rows[5][0].value) == ("lat", "abc")
    assert "not a number" in rows[5][0].reason


def test_string_coordinates_semicolons_and_decimal_commas():
    result = run("string_coords.csv")
    assert [f["geometry"]["coordinates"] for f in result.features] == [
        [21.0122, 52.2297], [19.945, 50.0647]]
    assert [p["country"] for p in props(result)] == ["PL", "PL"]   # "Polska", "PL"
    assert result.columns.lat == "y" and result.columns.lon == "x"
    assert any("decimal comma" in w for w in result.warnings)
    # Row 3 (54.35°N 18.65°E, "POL") maps to an airport closure without an ICAO code,
    # which the schema refuses: the schema's problem is reported for that row.
    [problem] = by_row(result)[3]
    assert problem.field == "icao" and "required for an airport_closure" in problem.reason


def test_quoted_line_break_keeps_row_numbers():
    result = run("multiline.csv")
    first, second = props(result)
    assert first["summary"] == "Synthetic test: first line\nsecond line of the same description"
    assert first["sources"][0] == {"document": "multiline.csv row 1",
                                   "quote": "Synthetic test: first line\nsecond line of the same "
                                            "description"}
    assert "row 2" in second["notes"] and second["type"] == "crash_debris"


# --------------------------------------------------------------------------- ACLED

def test_acled_mapping():
    result = run("acled.csv")
    assert result.columns.id == "event_id_cnty" and result.columns.lat == "latitude"
    got = {p["id"]: p for p in props(result)}
    assert list(got) == ["acled-ukr90001", "acled-ukr90002", "acled-rus90003", "acled-mda90007"]
    table = [(p["type"], p["platform"], p["country"], p["date"], p["date_precision"],
              p["location_precision"], p["killed"], p["region"], p["place"]) for p in got.values()]
    assert table == [
        ("strike", "drone", "UA", "2025-09-15", "day", "exact", 0, "Lviv", "Lviv"),
        ("strike", "artillery", "UA", "2025-09-16", "approx", "city", 2, "Kharkiv", "Kharkiv"),
        ("interception", "missile", "RU", "2025-09-17", "day", "region", 0, "Belgorod", "Belgorod"),
        ("strike", "unknown", "MD", "2025-09-20", "day", "city", 0, "Ocnita", "Naslavcea"),
    ]
    lviv = got["acled-ukr90001"]
    assert lviv["sources"] == [{"document": "ACLED UKR90001: Synthetic Source",
                                "quote": "Synthetic test: a Shahed drone hit a warehouse in Lviv.",
                                "publisher": "ACLED"}]
    assert lviv["confidence"] == "medium"
    assert lviv["notes"].startswith("Imported from ACLED (acled.csv row 1); type and platform derived")
    assert len(lviv["origin"]) == len(result.source_columns) == 20
    assert lviv["origin"]["fatalities"] == 0 and lviv["origin"]["latitude"] == 49.8397
    assert lviv["origin"]["event_date"] == "15 September 2025" and lviv["origin"]["admin2"] == "Lvivskyi"
    empty = got["acled-mda90007"]
    assert empty["summary"] == "Explosions/Remote violence: Air/drone strike at Naslavcea"
    assert "ACLED notes empty" in empty["notes"] and empty["origin"]["notes"] is None


@pytest.mark.parametrize(("row", "field", "value", "reason"), [
    (4, "sub_event_type", "Disrupted weapons use", "name no drone, missile, aircraft"),
    (5, "event_type", "Battles / Armed clash", "'Battles' with sub-event type 'Armed clash'"),
    (6, "event_type", "Protests / Peaceful protest", "'Protests' with sub-event type"),
])
def test_acled_rejections(row, field, value, reason):
    [rejected] = by_row(run("acled.csv"))[row]
    assert (rejected.field, rejected.value) == (field, value)
    assert reason in rejected.reason


def test_acled_long_notes_are_quoted_as_a_30_word_prefix():
    words = " ".join(f"w{i}" for i in range(45))
    raw = (DATA / "acled.csv").read_text().splitlines()
    header, row = raw[0], raw[1].replace("Synthetic test: a Shahed drone hit a warehouse in Lviv.",
                                         f"Synthetic drone test {words}")
    result = import_bytes(csv_bytes(f"{header}\n{row}\n"), "long.csv")
    assert_sound(result)
    [p] = props(result)
    quote = p["sources"][0]["quote"]
    assert len(quote.split()) == 30 and p["summary"].startswith(quote)


def test_acled_ids_avoid_duplicates_and_skip_events_already_in_the_data():
    raw = (DATA / "acled.csv").read_text().splitlines()
    text = "\n".join([raw[0], raw[1], raw[1], raw[2]]) + "\n"
    result = import_bytes(csv_bytes(text), "dup.csv")
    assert_sound(result)
    assert [p["id"] for p in props(result)] == ["acled-ukr90001", "acled-ukr90001-2",
                                                "acled-ukr90002"]
    assert "already in use" in props(result)[1]["notes"]
    assert any("already in use" in w for w in result.warnings)
    again = import_bytes(csv_bytes(text), "dup.csv", existing_ids={"acled-ukr90001"})
    assert [p["id"] for p in props(again)] == ["acled-ukr90002"]
    assert {(r.row, r.field, r.value) for r in again.rejected} == {
        (1, "event_id_cnty", "UKR90001"), (2, "event_id_cnty", "UKR90001")}
    assert "already in the data as 'acled-ukr90001'" in again.rejected[0].reason


# --------------------------------------------------------------------------- GeoJSON

def test_geojson_in_our_schema():
    result = run("ours.geojson")
    assert result.columns is None
    assert [f["properties"]["id"] for f in result.features] == ["pl-test-a", "pl-test-c"]
    rejected = {(r.row, r.field, r.value) for r in result.rejected}
    assert rejected == {(2, "type", "flyover"), (2, "date", "2025-13-01")}
    assert "not a valid ISO date" in next(r.reason for r in result.rejected if r.field == "date")


def test_geojson_in_our_schema_renames_colliding_ids():
    result = run("ours.geojson", existing_ids=["pl-test-a"])
    first = result.features[0]
    assert first["id"] == first["properties"]["id"] == "pl-test-a-2"
    assert "'pl-test-a' was already in use" in first["properties"]["notes"]


def test_foreign_geojson():
    result = run("foreign.geojson")
    assert result.columns.used() == {"date": "event_date", "type": "category", "country": "nation",
                                     "place": "name", "summary": "details"}
    got = props(result)
    assert [(p["type"], p["platform"], p["country"], p["place"]) for p in got] == [
        ("crash_debris", "drone", "PL", "Wyryki"),
        ("airspace_incursion", "aircraft", "LV", "Riga"),
        ("interception", "balloon", "RO", "Bucharest"),
    ]
    # 3-D point: Z dropped with a warning; string coordinates with decimal commas; a one-part
    # MultiPoint unwrapped.
    assert [f["geometry"] for f in result.features] == [
        {"type": "Point", "coordinates": [23.1, 51.5]},
        {"type": "Point", "coordinates": [24.1, 56.95]},
        {"type": "Point", "coordinates": [26.1, 44.43]},
    ]
    assert any("3-D" in w for w in result.warnings)
    assert got[0]["origin"] == {"event_date": "2025-09-10", "category": "drone crash",
                                "nation": "Poland", "name": "Wyryki",
                                "details": "Synthetic test: drone wreckage found in a field."}
    assert got[0]["confidence"] == "low"
    assert "Imported from foreign.geojson row 1" in got[0]["notes"]
    rows = by_row(result)
    assert (rows[4][0].field, rows[4][0].reason) == ("geometry", "is missing (null)")
    assert rows[5][0].field == "category" and rows[5][0].value == "parade"
    assert rows[5][0].reason.startswith("no incident type: column 'category' value 'parade'")


def test_geojson_with_projected_crs_is_reprojected():
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
            "features": [{"type": "Feature", "geometry": {"type": "Point",
                                                          "coordinates": [2571464.7, 6710219.1]},
                          "properties": {"date": "2025-09-10", "type": "strike",
                                         "description": "Synthetic test"}}]}
    result = import_bytes(json.dumps(data).encode(), "web.geojson")
    assert_sound(result)
    lon, lat = result.features[0]["geometry"]["coordinates"]
    assert (round(lon, 2), round(lat, 2)) == (23.1, 51.5)
    assert any("reprojected from EPSG:3857" in w for w in result.warnings)


def test_geometry_collection_is_rejected():
    """Multi* geometries are split (tests/test_import_geometry.py); a collection is not."""
    data = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"date": "2025-09-10", "type": "strike", "summary": "x"},
        "geometry": {"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [23.1, 51.5]}]}}]}
    result = import_bytes(json.dumps(data).encode(), "multi.geojson")
    [r] = result.rejected
    assert r.field == "geometry" and "'GeometryCollection' is not supported" in r.reason


# --------------------------------------------------------------------------- GeoPackage, KML

@pytest.fixture
def gpkg_bytes(tmp_path) -> bytes:
    """Two synthetic points stored in EPSG:3035 (not WGS84), plus a second layer."""
    frame = gpd.GeoDataFrame(
        {"incident_type": ["strike", "shot down"],
         "when": pd.to_datetime(["2025-09-10", "2025-09-11"]),
         "location": ["Wyryki", "Riga"],
         "description": ["Synthetic test: a strike", "Synthetic test: a drone was shot down"],
         "killed": [1, None]},
        geometry=[Point(23.1, 51.5), Point(24.1, 56.95)], crs="EPSG:4326").to_crs("EPSG:3035")
    path = tmp_path / "synthetic.gpkg"
    frame.to_file(path, layer="incidents", driver="GPKG", engine="pyogrio")
    frame.iloc[:1].to_file(path, layer="other", driver="GPKG", engine="pyogrio")
    return path.read_bytes()


def test_geopackage(gpkg_bytes):
    assert importer.detect_format("upload.bin", gpkg_bytes) == "gpkg"
    result = import_bytes(gpkg_bytes, "synthetic.gpkg")
    assert_sound(result)
    assert (result.rows_read, len(result.features)) == (2, 2)
    got = props(result)
    assert [(p["type"], p["platform"], p["country"], p["date"], p["killed"]) for p in got] == [
        ("strike", "unknown", "PL", "2025-09-10", 1),
        ("interception", "drone", "LV", "2025-09-11", None),
    ]
    lon, lat = result.features[0]["geometry"]["coordinates"]
    assert (round(lon, 6), round(lat, 6)) == (23.1, 51.5)
    assert any("reprojected from EPSG:3035" in w for w in result.warnings)
    assert any("other layers ignored: other" in w for w in result.warnings)
    assert got[0]["origin"]["when"] == "2025-09-10T00:00:00"


def test_kml_placemarks():
    result = run("placemarks.kml")
    point, line = result.features
    assert point["geometry"] == {"type": "Point", "coordinates": [23.935, 50.474]}   # Z dropped
    assert line["geometry"]["type"] == "LineString"
    p, q = point["properties"], line["properties"]
    assert (p["type"], p["platform"], p["country"], p["place"], p["date"]) == (
        "strike", "missile", "PL", "Przewodów", "2025-09-10")
    assert p["summary"] == "Synthetic test: missile explosion at a farm."    # HTML removed
    assert "HTML markup removed" in p["notes"]
    assert (q["type"], q["date"], q["end_date"], q["date_precision"]) == (
        "airspace_incursion", "2025-09-11", "2025-09-12", "range")
    assert "altitudeMode" not in p["origin"]


# --------------------------------------------------------------------------- CSV specifics

def test_column_map_override():
    text = ("when,N,E,what,where,text\n"
            "10.09.2025,51.5,23.1,drone incursion,Wyryki,Synthetic test\n")
    with pytest.raises(DataError, match="no coordinate columns found .*choose the latitude"):
        import_bytes(csv_bytes(text), "odd.csv")
    cols = ColumnMap(lat="N", lon="E", date="when", type="what", place="where", summary="text")
    result = import_bytes(csv_bytes(text), "odd.csv", columns=cols)
    assert_sound(result)
    assert result.columns == cols and result.source_columns == ["when", "N", "E", "what", "where",
                                                                "text"]
    [p] = props(result)
    assert (p["date"], p["type"], p["country"]) == ("2025-09-10", "airspace_incursion", "PL")


@pytest.mark.parametrize(("text", "field", "reason"), [
    ("date,lat,lon,type,description\n2025-09-10,51.5,23.1,dance,Synthetic test\n",
     "type", "no incident type: column 'type' value 'dance' matches none of"),
    ("date,lat,lon,type,description\n2025-09-10,51.5,23.1,strike,\n",
     "description", "no description text to quote as the source"),
    ("date,lat,lon,type,description\n2025-09-10,43.0,34.0,strike,Synthetic test\n",   # Black Sea
     "country", "lies in no country"),
    ("date,lat,lon,type,description,drones\n2025-09-10,51.5,23.1,strike,Synthetic test,many\n",
     "drones", "not a whole number"),
    ("date,lat,lon,type,description\n2025-09-10,51.5,23.1,strike,Synthetic test,extra\n",
     "(row)", "has 6 fields but the header has 5"),
    ("date,lat,lon,type,description\n03/04/2025,51.5,23.1,strike,Synthetic test\n",
     "date", "ambiguous date 03/04/2025: day/month or month/day"),
    ("date,end_date,lat,lon,type,description\n2025-09-10,2025-09-01,51.5,23.1,strike,Synthetic\n",
     "end_date", "is before date 2025-09-10"),
])
def test_generic_row_rejections(text, field, reason):
    result = import_bytes(csv_bytes(text), "bad.csv")
    assert_sound(result)
    assert result.features == []
    [r] = result.rejected
    assert (r.row, r.field) == (1, field) and reason in r.reason


def test_generated_ids_and_source_columns():
    text = ("date,lat,lon,type,country,description,source,url,confidence,id\n"
            "2025-09-10,51.5,23.1,strike,Poland,Synthetic a,Synthetic News,https://example.org/a,high,\n"
            "2025-09-10,51.5,23.1,strike,Poland,Synthetic b,,,bogus,\n"
            "2025-09-10,51.5,23.1,strike,Poland,Synthetic c,,,,PL/Test 7\n")
    result = import_bytes(csv_bytes(text), "ids.csv", existing_ids={"pl-strike-2025-09-10-1"})
    assert_sound(result)
    a, b, c = props(result)
    assert [a["id"], b["id"], c["id"]] == ["pl-strike-2025-09-10-2", "pl-strike-2025-09-10-3",
                                           "pl-test-7"]
    assert a["sources"] == [{"document": "Synthetic News", "quote": "Synthetic a",
                             "url": "https://example.org/a"}]
    assert a["confidence"] == "high" and b["confidence"] == "low"
    assert "confidence 'bogus' not recognised" in b["notes"]
    assert b["sources"][0]["document"] == "ids.csv row 2"


def test_named_country_keeps_a_point_outside_the_region_unswapped():
    # Tabriz (46.29E, 38.08N) is outside the flank box and its swap (38.08E, 46.29N) is inside,
    # but the row says Iran and the point is in Iran: not swapped.
    text = "date,lat,lon,type,country,description\n2025-09-10,38.08,46.29,strike,Iran,Synthetic\n"
    result = import_bytes(csv_bytes(text), "iran.csv")
    assert_sound(result)
    assert result.features[0]["geometry"]["coordinates"] == [46.29, 38.08]
    assert not any("swapped" in w for w in result.warnings)


def test_a_correct_point_outside_the_region_is_not_swapped_into_it():
    """Tehran given the right way round (no country column) is not moved near Belgorod."""
    text = "date,lat,lon,type,place,description\n2025-09-10,35.6892,51.3890,strike,Tehran,Synthetic\n"
    result = import_bytes(csv_bytes(text), "tehran.csv")
    assert result.features == []
    [r] = result.rejected
    assert r.field == "geometry" and "outside the map's area" in r.reason
    assert not any("swapped" in w for w in result.warnings)


def test_a_transposed_file_is_swapped_as_a_whole():
    rows = "".join(f"2025-09-1{i},{lon},{lat},strike,P{i},Synthetic\n"
                   for i, (lat, lon) in enumerate([(52.2, 21.0), (50.06, 19.94), (54.35, 18.65)]))
    result = import_bytes(csv_bytes("date,lat,lon,type,place,description\n" + rows), "t.csv")
    assert [f["geometry"]["coordinates"] for f in result.features] == [[21.0, 52.2], [19.94, 50.06],
                                                                      [18.65, 54.35]]
    assert any("transposed" in w for w in result.warnings)


def test_no_type_column_infers_type_from_description_and_says_so():
    text = "date,lat,lon,description\n2025-09-10,51.5,23.1,Synthetic test: drone debris found\n"
    result = import_bytes(csv_bytes(text), "notype.csv")
    assert_sound(result)
    [p] = props(result)
    assert p["type"] == "crash_debris" and "inferred from keywords" in p["notes"]


def test_rejected_frame():
    frame = importer.rejected_frame(run("swapped.csv"))
    assert list(frame.columns) == ["Row", "Field", "Value", "Reason"]
    assert frame["Row"].tolist() == [3, 4, 4, 5]


def test_utf16_acled_export():
    raw = (DATA / "acled.csv").read_text(encoding="utf-8").encode("utf-16")
    result = import_bytes(raw, "acled_utf16.csv")
    assert_sound(result)
    assert result.format == "acled" and len(result.features) == 4
    assert "decoded as UTF-16" in result.warnings


def test_bom_and_header_only():
    result = import_bytes(b"\xef\xbb\xbflat,lon,date\n", "empty_rows.csv")
    assert result.rows_read == 0 and "the file has no data rows" in result.warnings
    assert result.source_columns == ["lat", "lon", "date"]


# --------------------------------------------------------------------------- unit tables

@pytest.mark.parametrize(("values", "expected"), [
    (["2025-09-10", "2025-09-10T23:59:00+02:00", "2025/09/10"], ["2025-09-10"] * 3),
    (["15 September 2025", "1 Sept 2025", "Sep 15, 2025"], ["2025-09-15", "2025-09-01", "2025-09-15"]),
    (["13/09/2025", "03/04/2025"], ["2025-09-13", "2025-04-03"]),     # column is dd/mm
    (["09/13/2025", "03/04/2025"], ["2025-09-13", "2025-03-04"]),     # column is mm/dd
    (["05/05/2025"], ["2025-05-05"]),                                 # same either way
    (["10.09.2025", "20250910"], ["2025-09-10", "2025-09-10"]),
    (["13/09/2025", "09/13/2025", "03/04/2025"], ["2025-09-13", "2025-09-13", None]),  # mixed
    (["2025-02-30", "31/02/2025", "", "yesterday"], [None, None, None, None]),
])
def test_parse_dates(values, expected):
    parsed = importer.parse_dates(pd.Series(values), "date")
    assert [p.iso for p in parsed] == expected
    assert all((p.iso is None) == (p.error is not None) for p in parsed)


@pytest.mark.parametrize(("name", "code"), [
    ("Poland", "PL"), ("POL", "PL"), ("pl", "PL"), ("Czech Republic", "CZ"), ("Czechia", "CZ"),
    ("Russian Federation", "RU"), ("Russia", "RU"), ("Republic of Moldova", "MD"),
    ("Moldova", "MD"), ("Türkiye", "TR"), ("Turkey", "TR"), ("Kosovo", "XK"), ("642", "RO"),
    ("Polska", "PL"), ("Atlantis", None), ("", None),
])
def test_country_code(name, code):
    assert importer.country_code(name) == code


@pytest.mark.parametrize(("columns", "expected"), [
    (["Latitude", "Longitude", "Event Date"], {"lat": "Latitude", "lon": "Longitude",
                                               "date": "Event Date"}),
    (["y", "x", "time", "category", "title"], {"lat": "y", "lon": "x", "date": "time",
                                                "type": "category", "summary": "title"}),
    (["lat", "lng", "date", "end_date", "description", "name"],
     {"lat": "lat", "lon": "lng", "date": "date", "end_date": "end_date",
      "summary": "description", "place": "name"}),
    (["gps_lat", "gps_lon", "source_url"], {"lat": "gps_lat", "lon": "gps_lon", "url": "source_url"}),
    (["foo", "bar"], {}),
])
def test_guess_columns(columns, expected):
    assert importer.guess_columns(columns).used() == expected


@pytest.mark.parametrize(("name", "raw", "fmt"), [
    ("a.geojson", b'{"type": "FeatureCollection", "features": []}', "geojson"),
    ("a.txt", b' \n[{"type": "Feature"}]', "geojson"),
    ("a.csv", b"lat,lon\n1,2\n", "csv"),
    ("export.csv", b"\xef\xbb\xbfevent_id_cnty,event_date,event_type,sub_event_type,latitude\n",
     "acled"),
    ("a.kml", b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>', "kml"),
    ("upload", b"SQLite format 3\x00rest", "gpkg"),
])
def test_detect_format(name, raw, fmt):
    assert importer.detect_format(name, raw) == fmt


def _random_bytes(n: int) -> bytes:
    rng = random.Random(3)
    return bytes(rng.randrange(256) for _ in range(n))


@pytest.mark.parametrize(("name", "raw", "fmt", "message"), [
    ("empty.csv", b"", None, r"^empty\.csv: file is empty$"),
    ("blank.csv", b" \r\n\n", None, "file is empty"),
    ("noise.csv", _random_bytes(3000), None, "binary file, not text"),
    ("noise.geojson", bytes([0x81, 0x8D, 0x41]) * 50, None, "neither UTF-8 nor Windows-1252"),
    ("cut.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry"',
     None, r"not valid JSON .*is the file truncated\?"),
    ("list.json", b"[1, 2, 3]", None, "is JSON but not GeoJSON"),
    ("plain.csv", b"date,place\n2025-09-10,Wyryki\n", None,
     r"no coordinate columns found \(columns: date, place\); choose the latitude and longitude"),
    ("data.xlsx", b"PK\x03\x04rest", None, "ZIP archive"),
    ("data.xyz", b"hello", None, "unknown format '.xyz'"),
    ("a.csv", b"lat,lon\n1,2\n", "shapefile", "unknown format 'shapefile'"),
    ("fake.gpkg", b"SQLite format 3\x00" + b"\x00" * 100, None, "cannot be read as GeoPackage"),
    ("cut.kml", b"<?xml version='1.0'?><kml><Document><Placemark>", None, "cannot be read as KML"),
    ("page.html", b"<html><body>hi</body></html>", None, "not KML; unknown format"),
])
def test_unreadable_files_raise_one_line_data_error(name, raw, fmt, message):
    with pytest.raises(DataError, match=message) as info:
        import_bytes(raw, name, fmt=fmt)
    text = str(info.value)
    assert text.startswith(f"{name}: ") and "\n" not in text and "/vsimem/" not in text


def test_column_map_naming_a_missing_column():
    with pytest.raises(DataError, match=r"column 'zz' \(chosen for lon\) is not in the file"):
        import_bytes(b"a,b\n1,2\n", "f.csv", columns=ColumnMap(lat="a", lon="zz"))


def test_quote_prefix_is_verbatim():
    text = "  One  two\nthree " + " ".join(str(i) for i in range(40))
    quote = importer.quote_prefix(text)
    assert text.strip().startswith(quote) and len(quote.split()) == 30


def test_gpkg_bytes_via_bytesio_roundtrip(gpkg_bytes):
    # The reader takes the upload's bytes directly (no temp file): same bytes, same result.
    assert import_bytes(io.BytesIO(gpkg_bytes).getvalue(), "x.gpkg").rows_read == 2


def test_a_header_wider_than_any_incident_table_is_refused_before_its_rows_are_read():
    from dashboard.importer.csv import MAX_COLUMNS
    raw = (",".join(["x"] * (MAX_COLUMNS + 1)) + "\n" + "1," * MAX_COLUMNS + "1\n").encode()
    with pytest.raises(DataError, match=f"wide.csv: the header has {MAX_COLUMNS + 1:,} columns; "
                                        f"at most {MAX_COLUMNS:,} are read"):
        importer.import_bytes(raw, "wide.csv")
    assert importer.header_columns(raw, "wide.csv") == []
    fits = (",".join(["x"] * MAX_COLUMNS) + "\n").encode()
    assert len(importer.header_columns(fits, "fits.csv")) == MAX_COLUMNS


def test_header_columns_reads_the_header_as_the_import_does():
    raw = b'\n\n"lat, deg",lon,,lon\n"52.1\n",21,x,y\n'
    assert importer.header_columns(raw, "h.csv") == ["lat, deg", "lon", "column_3", "lon_2"]
