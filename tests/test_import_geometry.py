"""Geometry of imported files: degrees-minutes-seconds, WKT columns, KMZ, Multi* geometries.

Fixtures are tiny synthetic files in tests/data/import/ (see its README.md; written by
make_fixtures.py there); a few cases build their bytes inline where that says more.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from dashboard import importer
from dashboard.importer import ImportResult, import_bytes
from dashboard.importer.geometry import GeometryError, clean_geometry, split_parts
from dashboard.importer.kmz import kml_from_kmz
from dashboard.importer.values import (
    coordinate_problem,
    parse_coordinate,
    parse_coordinates,
    parse_dms,
)
from dashboard.schema import DataError, validate_collection, validate_feature

DATA = Path(__file__).parent / "data" / "import"
KYIV_LAT = 50 + 27 / 60          # 50°27'00"
KYIV_LON = 30 + 31 / 60 + 24 / 3600


def run(name: str, **kwargs) -> ImportResult:
    """Import a fixture; every feature must validate and ids must be unique."""
    result = import_bytes((DATA / name).read_bytes(), name, **kwargs)
    for feature in result.features:
        assert validate_feature(feature) == [], feature["properties"]["id"]
    ids = [f["properties"]["id"] for f in result.features]
    assert len(ids) == len(set(ids))
    return result


def rejected_rows(result: ImportResult) -> list[int]:
    return sorted({r.row for r in result.rejected})


# --------------------------------------------------------------------------- degrees-minutes-seconds

@pytest.mark.parametrize(("text", "expected"), [
    ("50°27'00\"N", KYIV_LAT),
    ("50° 27′ 0″ N", KYIV_LAT),                  # Unicode primes, spaces
    ("50 27 00 N", KYIV_LAT),                    # spaces only, with a hemisphere
    ("N50°27.5'", 50 + 27.5 / 60),               # hemisphere first, decimal minutes
    ("50d27m00s", KYIV_LAT),                     # letters for the marks
    ("-30°15'", -30.25),                         # a sign, degrees and minutes only
    ("30°15'W", -30.25),
    ("50º27’00”S", -KYIV_LAT),                   # look-alike marks a word processor types
    ("50°27'30.5\"", 50 + 27 / 60 + 30.5 / 3600),
    ("52.23", 52.23),                            # the decimal forms still work
    ("52,23", 52.23),
    ("54.35°N", 54.35),
])
def test_parse_coordinate_reads_dms(text, expected):
    assert parse_coordinate(text) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "reason"), [
    ("50°75'00\"N", "minutes 75 are not under 60"),
    ("50°27'61\"N", "seconds 61 are not under 60"),
    ("50°60'N", "minutes 60 are not under 60"),
    ("N50°27'S", "two hemisphere letters"),
    ("-50°27'S", "both a sign (-) and a hemisphere letter (S)"),
    ("50.5°27'", "fraction before its last part"),
    ("50 27", "separated only by spaces; that needs a hemisphere letter"),
])
def test_wrong_dms_is_rejected_with_the_reason(text, reason):
    assert parse_coordinate(text) is None
    value, why = parse_dms(text)
    assert value is None and reason in why
    assert coordinate_problem(text).startswith("is not a valid degrees-minutes-seconds coordinate")


@pytest.mark.parametrize(("text", "problem"), [
    ("", "is empty"),
    ("abc", "is not a number (decimal degrees expected"),
    ("50:27:00", "is not a number"),
])
def test_not_a_coordinate_at_all(text, problem):
    assert parse_coordinate(text) is None
    assert coordinate_problem(text).startswith(problem)


def test_parse_coordinates_sends_only_non_decimal_values_to_the_dms_parser(monkeypatch):
    calls: list[str] = []
    real = importer.values.parse_dms

    def spy(text: str):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(importer.values, "parse_dms", spy)
    values, commas = parse_coordinates(pd.Series(["52.1", "52,2", "50°27'N", "50°27'N", "", "x"]))
    assert values[:3] == pytest.approx([52.1, 52.2, 50.45]) and values[3] == pytest.approx(50.45)
    assert pd.isna(values[4]) and pd.isna(values[5]) and commas == 1
    assert calls == ["50°27'N"]     # once per distinct value; decimals and empties never


def test_dms_csv():
    result = run("dms.csv")
    assert (result.rows_read, len(result.features), rejected_rows(result)) == (8, 6, [7, 8])
    for feature in result.features[:5]:
        assert feature["geometry"]["coordinates"] == pytest.approx([KYIV_LON, KYIV_LAT], abs=1e-3)
    assert result.features[5]["properties"]["country"] == "PL"
    reasons = {r.row: (r.field, r.reason) for r in result.rejected}
    assert reasons[7] == ("lat", "is not a valid degrees-minutes-seconds coordinate: minutes 75 "
                                 "are not under 60")
    assert reasons[8][1].endswith("seconds 61 are not under 60")


# --------------------------------------------------------------------------- WKT columns

def ucdp_columns(**changes) -> importer.ColumnMap:
    """The guessed mapping of ucdp_wkt.csv with the headline as the description."""
    header = (DATA / "ucdp_wkt.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    return replace(importer.guess_columns(header), summary="source_headline", **changes)


@pytest.mark.parametrize(("columns", "expected"), [
    (["id", "latitude", "longitude", "geom_wkt"], "geom_wkt"),
    (["WKT", "date"], "WKT"),
    (["the_geom", "date"], "the_geom"),
    (["Shape", "date"], "Shape"),
    (["geometry", "date"], "geometry"),
    (["shape_area", "date"], None),            # no token pass for WKT: not a geometry
])
def test_wkt_column_is_guessed(columns, expected):
    assert importer.guess_columns(columns).wkt == expected


def test_lat_lon_are_preferred_to_wkt_and_a_disagreement_is_a_warning():
    result = run("ucdp_wkt.csv", fmt="csv", columns=ucdp_columns())
    assert (len(result.features), result.rejected) == (4, [])
    lviv = result.features[1]["geometry"]["coordinates"]
    assert lviv == [24.0297, 49.8397]           # the columns, not the WKT's 24.0797
    [warning] = [w for w in result.warnings if "geom_wkt" in w]
    assert warning.startswith("1 row(s) (rows 2): the geom_wkt point and the latitude/longitude "
                              "columns differ by more than 0.01°")


def test_wkt_alone_places_rows_and_rejects_bad_wkt_with_the_value():
    result = run("ucdp_wkt.csv", fmt="csv", columns=ucdp_columns(lat=None, lon=None))
    assert [f["geometry"]["coordinates"] for f in result.features] == [[30.5234, 50.4501],
                                                                       [24.0797, 49.8397]]
    bad, empty = result.rejected
    assert (bad.row, bad.field, bad.value) == (3, "geom_wkt", "POINT (36.2304")
    assert re.fullmatch(r"is not valid WKT \(.+\)", bad.reason)
    assert (empty.row, empty.field, empty.reason) == (4, "geom_wkt",
                                                      "is an empty Point (no coordinates)")
    assert len(result.features) + result.rows_rejected == result.rows_read


@pytest.mark.parametrize(("wkt", "kind", "count"), [
    ("POINT Z (23.1 51.5 120)", "Point", 1),                       # Z dropped (a warning)
    ("LINESTRING (23.6 52.1, 23.3 51.9)", "LineString", 1),
    ("POLYGON ((21.9 50, 22.1 50, 22.1 50.2, 21.9 50.2, 21.9 50))", "Polygon", 1),
    ("MULTIPOINT ((23.1 51.5), (23.2 51.6))", "Point", 2),         # split like GeoJSON's
])
def test_wkt_kinds(wkt, kind, count):
    raw = f'date,type,country,description,wkt\n2025-09-10,strike,PL,Synthetic test,"{wkt}"\n'
    result = import_bytes(raw.encode(), "wkt.csv")
    assert [f["geometry"]["type"] for f in result.features] == [kind] * count


# --------------------------------------------------------------------------- KMZ

def test_kmz_import_equals_the_kml_import():
    kml, kmz = run("placemarks.kml"), run("placemarks.kmz")
    assert (kml.format, kmz.format) == ("kml", "kmz")
    as_kml = json.loads(json.dumps(kmz.features).replace("placemarks.kmz", "placemarks.kml"))
    assert as_kml == kml.features and kmz.warnings == kml.warnings
    assert importer.detect_format("upload.zip", (DATA / "placemarks.kmz").read_bytes()) == "kmz"


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


KML = (DATA / "placemarks.kml").read_bytes()


@pytest.mark.parametrize(("members", "expected"), [
    ({"doc.kml": KML, "files/icon.png": b"\x89PNG"}, "doc.kml"),
    ({"a/first.kml": KML, "second.kml": b"<kml/>"}, "a/first.kml"),   # no doc.kml: the first
    ({"other.kml": b"<kml/>", "doc.kml": KML}, "doc.kml"),             # doc.kml wins
])
def test_kmz_member_chosen(members, expected):
    warn: list[str] = []
    assert kml_from_kmz(zipped(members), "x.kmz", warn) == members[expected]
    assert bool(warn) == (len([m for m in members if m.endswith(".kml")]) > 1)


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("images.kmz", zipped({"icon.png": b"\x89PNG"}),
     r"^images\.kmz: is a ZIP archive without a KML document \(\.kml\) in it; not a KMZ$"),
    ("cut.kmz", (DATA / "placemarks.kmz").read_bytes()[:60], "is not a readable ZIP archive"),
    ("junk.kmz", b"PK\x03\x04" + b"\0" * 64, "is not a readable ZIP archive"),
    ("bad.kmz", zipped({"doc.kml": b"<kml><Document><Placemark>"}),
     r"cannot be read as KMZ \(zipped KML\)"),
    ("data.zip", zipped({"table.csv": b"a,b\n"}), "is a ZIP archive .*unzip it"),
])
def test_kmz_errors_are_one_line(name, raw, message):
    with pytest.raises(DataError, match=message) as info:
        import_bytes(raw, name)
    assert str(info.value).startswith(f"{name}: ") and "\n" not in str(info.value)


def test_zip_bomb_is_refused_by_what_is_really_unpacked():
    raw = zipped({"doc.kml": b" " * 5000})        # 5,000 bytes that zip to a few dozen
    with pytest.raises(DataError, match=r"^bomb\.kmz: doc\.kml unzips to more than 0 MB, the "
                                        r"limit for a KMZ's KML \(a guard against zip bombs\)"):
        kml_from_kmz(raw, "bomb.kmz", [], limit=4096)
    assert importer.kmz.MAX_KML_BYTES == 200 * 2**20


# --------------------------------------------------------------------------- Multi* geometries

def test_multi_geojson_splits_each_part_into_an_incident():
    result = run("multi.geojson")
    assert (result.rows_read, len(result.features), rejected_rows(result)) == (5, 7, [4, 5])
    got = [(f["properties"]["id"], f["geometry"]["type"]) for f in result.features]
    assert got == [("debris-p1", "Point"), ("debris-p2", "Point"), ("debris-p3", "Point"),
                   ("tracks-p1", "LineString"), ("tracks-p2", "LineString"),
                   ("areas-p1", "Polygon"), ("areas-p2", "Polygon")]
    notes = result.features[1]["properties"]["notes"]
    assert "part 2 of 3 of the MultiPoint in row 1 (id 'debris')" in notes
    assert result.features[1]["properties"]["origin"]["id"] == "debris"   # the file's own id
    assert "3 multi-part geometries split into 7 incidents, one per part" in result.warnings[0]
    assert validate_collection(result.feature_collection()) == []


def test_multi_geojson_rejections():
    reasons = {r.row: (r.field, r.reason) for r in run("multi.geojson").rejected}
    assert reasons[4][0] == "geometry" and "'GeometryCollection' is not supported" in reasons[4][1]
    assert reasons[5] == ("geometry", "is an empty MultiPoint (no coordinates)")


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]},
     [{"type": "Point", "coordinates": [1, 2]}, {"type": "Point", "coordinates": [3, 4]}]),
    ({"type": "MultiPoint", "coordinates": [[1, 2]]},           # one part: clean_geometry unwraps
     [{"type": "MultiPoint", "coordinates": [[1, 2]]}]),
    ({"type": "Point", "coordinates": [1, 2]}, [{"type": "Point", "coordinates": [1, 2]}]),
    (None, [None]),
])
def test_split_parts(geometry, expected):
    assert split_parts(geometry) == expected


@pytest.mark.parametrize(("geometry", "reason"), [
    ({"type": "Point", "coordinates": []}, "is an empty Point (no coordinates)"),
    ({"type": "MultiPolygon", "coordinates": []}, "is an empty MultiPolygon (no coordinates)"),
    ({"type": "GeometryCollection", "geometries": []}, "'GeometryCollection' is not supported"),
])
def test_clean_geometry_rejects(geometry, reason):
    with pytest.raises(GeometryError, match=re.escape(reason)):
        clean_geometry(geometry)


def test_a_split_part_without_a_file_id_gets_a_generated_id():
    data = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "date": "2025-09-10", "type": "strike", "country": "PL", "summary": "Synthetic test"},
        "geometry": {"type": "MultiPoint", "coordinates": [[23.1, 51.5], [23.2, 51.6]]}}]}
    result = import_bytes(json.dumps(data).encode(), "nameless.geojson")
    assert [f["properties"]["id"] for f in result.features] == ["pl-strike-2025-09-10-1",
                                                                "pl-strike-2025-09-10-2"]
    assert "part 1 of 2 of the MultiPoint in row 1;" in result.features[0]["properties"]["notes"]
