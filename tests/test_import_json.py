"""dashboard.importer.jsonlist: JSON event lists (TimeMap exports, hand-kept trackers, JSON
Lines) -> the generic profile.

Fixtures are tiny synthetic files in tests/data/import/ (see its README.md); the shapes the
fixtures do not cover are built inline, a few bytes each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import importer
from dashboard.importer import ImportResult, import_bytes, lookup_titles
from dashboard.importer.jsonlist import FLAG_COLUMN, read_json_table
from dashboard.importer.places import flag_country, strip_flags
from dashboard.schema import DataError, validate_feature

DATA = Path(__file__).parent / "data" / "import"
ASSOCIATIONS = lookup_titles((DATA / "timemap_associations.json").read_bytes(),
                             "timemap_associations.json")


def run(raw: bytes, name: str, **kwargs) -> ImportResult:
    """Import bytes and check what every import must satisfy."""
    result = import_bytes(raw, name, **kwargs)
    for feature in result.features:
        assert validate_feature(feature) == [], feature["properties"]["id"]
    assert len(result.features) + result.rows_rejected == result.rows_read
    assert all(r.row >= 1 and r.field and r.reason for r in result.rejected)
    return result


def fixture(name: str, **kwargs) -> ImportResult:
    return run((DATA / name).read_bytes(), name, **kwargs)


def summary(result: ImportResult) -> list[tuple]:
    """(id, type, date, country, (lon, lat)) per imported record."""
    return [(p["id"], p["type"], p["date"], p["country"], tuple(f["geometry"]["coordinates"]))
            for f in result.features for p in [f["properties"]]]


def rows(records: list) -> bytes:
    return json.dumps(records, ensure_ascii=False).encode()


# --------------------------------------------------------------------------- the fixtures

@pytest.mark.parametrize(("name", "lookups", "expected", "rejected"), [
    # US dates (03/13 settles month/day), association ids read as titles, a row without
    # coordinates rejected.
    ("timemap.json", ASSOCIATIONS, [
        ("civ0001", "strike", "2025-03-10", "UA", (24.03, 49.84)),
        ("civ0002", "crash_debris", "2025-03-13", "UA", (26.25, 50.62)),
    ], {3: {"latitude", "longitude"}}),
    # Record 2 holds two incidents (rows 2, 3); record 3's country comes from its flag;
    # record 4 has no usable coordinates; record 5 is a string.
    ("tracker.json", None, [
        ("tr-1", "airspace_incursion", "2025-10-03", "BE", (6.22, 50.46)),
        ("tr-2", "airport_closure", "2025-10-03", "DK", (9.85, 57.09)),
        ("tr-2-2", "airport_closure", "2025-10-04", "DK", (9.15, 55.74)),
        ("tr-3", "crash_debris", "2025-10-05", "PL", (22.0, 50.04)),
    ], {5: {"lat", "lng"}, 6: {"record"}}),
    # JSON Lines with a blank line; coordinates in a nested object; one pair as numbers.
    ("events.jsonl", None, [
        ("ev-1", "strike", "2025-09-10", "PL", (23.1, 51.5)),
        ("ev-2", "interception", "2025-09-11", "LT", (25.28, 54.69)),
        ("ev-3", "airspace_incursion", "2025-09-12", "EE", (26.72, 58.38)),
    ], {}),
])
def test_fixture_records(name, lookups, expected, rejected):
    result = fixture(name, lookups=lookups)
    assert result.format == "json"
    assert summary(result) == expected
    assert {row: {r.field for r in result.rejected if r.row == row}
            for row in {r.row for r in result.rejected}} == rejected


def test_timemap_ids_are_kept_in_the_origin():
    [first, second] = props = [f["properties"] for f in fixture("timemap.json",
                                                                  lookups=ASSOCIATIONS).features]
    assert first["origin"]["associations"] == "ASSOC_3"
    assert second["origin"]["associations"] == "ASSOC_4; ASSOC_1"
    assert all("derived from associations" in p["notes"] for p in props)


def test_timemap_object_with_events_and_lookup_arrays():
    """TimeMap servers' one-object form: the lookups travel with the events."""
    events = json.loads((DATA / "timemap.json").read_text())
    data = {"events": events,
            "associations": json.loads((DATA / "timemap_associations.json").read_text()),
            "sources": [{"id": "SRC1", "title": "Synthetic video one"},
                        {"id": "SRC2", "title": "Synthetic photo two"}]}
    result = run(rows(data), "timemap_server.json")
    assert [p[1] for p in summary(result)] == ["strike", "crash_debris"]
    assert ([f["properties"]["sources"][0]["document"] for f in result.features]
            == ["Synthetic video one", "Synthetic video one; Synthetic photo two"])


def test_category_id_through_a_mapping_passed_in():
    raw = rows([{"id": "E1", "date": "2025-03-10", "latitude": "50.1", "longitude": "24.2",
                 "category": "CAT_2", "description": "Synthetic test"}])
    [feature] = run(raw, "cats.json", lookups={"CAT_2": "Shelling"}).features
    assert feature["properties"]["type"] == "strike"
    assert feature["properties"]["origin"]["category"] == "CAT_2"


# --------------------------------------------------------------------------- nesting, keys

def test_nested_incidents_inherit_the_parents_fields_and_their_own_win():
    table = read_json_table((DATA / "tracker.json").read_bytes(), "tracker.json")
    text = table.text.set_index(table.text.index + 1)          # by row number
    assert table.rows == [1, 2, 3, 4, 5]                         # row 6 is rejected
    assert list(text.loc[[2, 3], "location"]) == ["Aalborg Airport", "Billund Airport"]
    assert list(text.loc[[2, 3], "Date"]) == ["03 Oct 2025, before 01:45", "2025-10-04"]
    assert list(text.loc[[2, 3], "Country"]) == ["Denmark", "Denmark"]
    assert text.at[3, "description"] == "Synthetic test: a second airport closed"
    assert text.at[2, "description"] == "Synthetic test: airport closed after drone reports"
    assert "incidents" not in table.columns
    assert table.notes[1] == ["from record 2, incident 1 of the file"]
    assert table.notes[2] == ["from record 2, incident 2 of the file"]
    assert table.notes[4] == ["from record 4 of the file"]      # numbers shifted by the nesting


@pytest.mark.parametrize(("records", "columns", "warning"), [
    # differ only in case, spaces or underscores: one column, the first spelling
    ([{"Date": "1"}, {"date": "2"}, {"DATE ": "3"}], ["Date"], "keys 'DATE ' and 'Date' and 'date'"),
    ([{"event_type": "a"}, {"Event Type": "b"}], ["event_type"], "read as one column 'event_type'"),
    # exact synonyms of one field never held together: one column
    ([{"lng": "1"}, {"lon": "2"}, {"long": "3"}], ["lng"], "name one field (lon)"),
    # held together in a record: kept apart (TimeMap's date and time)
    ([{"date": "1", "time": "2"}, {"date": "3"}], ["date", "time"], None),
])
def test_key_unification(records, columns, warning):
    table = read_json_table(rows(records), "keys.json")
    assert table.columns == columns
    assert len(table.text) == len(records) and table.text.iloc[:, 0].tolist()[0] != ""
    if warning:
        assert any(warning in w for w in table.warnings), table.warnings
    else:
        assert table.warnings == []


@pytest.mark.parametrize(("raw", "column", "values"), [
    # a top-level object with one array of objects
    (b'{"data": [{"a": 1}, {"a": 2}]}', "a", ["1", "2"]),
    (b'{"meta": {"n": 1}, "events": [{"a": "x"}]}', "a", ["x"]),
    # JSON Lines, a blank line between
    (b'{"a": 1}\n\n{"a": 2}\n', "a", ["1", "2"]),
    # nested objects as dotted keys; arrays of scalars joined
    (b'[{"location": {"lat": "50.1", "lon": "24"}}]', "location.lat", ["50.1"]),
    (b'[{"tags": ["drone", "night", null, ""]}]', "tags", ["drone; night"]),
    # "TRUE"/"FALSE" strings read as booleans (a JSON true reads the same)
    (b'[{"ok": "TRUE"}, {"ok": "FALSE"}, {"ok": true}]', "ok", ["true", "false", "true"]),
])
def test_json_shapes(raw, column, values):
    assert read_json_table(raw, "shape.json").text[column].tolist() == values


def test_booleans_keep_their_text_in_the_origin():
    [feature, *_] = fixture("tracker.json").features
    assert feature["properties"]["origin"]["confirmed"] == "TRUE"
    assert feature["properties"]["origin"]["Country"] == "Belgium 🇧🇪"


# --------------------------------------------------------------------------- flags

@pytest.mark.parametrize(("text", "code", "stripped"), [
    ("Elsenborn Military Base, Belgium 🇧🇪", "BE", "Elsenborn Military Base, Belgium"),
    ("🇵🇱 Rzeszów", "PL", "Rzeszów"),
    ("Pristina 🇽🇰", "XK", "Pristina"),
    ("Brussels 🇪🇺", None, "Brussels"),                        # the EU flag names no country
    ("London \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "GB",
     "London"),                                               # England's flag (tag letters)
    ("Lviv, Ukraine", None, "Lviv, Ukraine"),
])
def test_flag_country(text, code, stripped):
    assert flag_country(text) == code
    assert strip_flags(text) == stripped


def test_flag_fills_a_country_column_when_no_key_names_one():
    raw = rows([{"date": "2025-10-03", "lat": "50.46", "lon": "6.22", "type": "incursion",
                 "where": "Elsenborn Military Base 🇧🇪", "description": "Synthetic test"}])
    result = run(raw, "flags.json")
    [p] = [f["properties"] for f in result.features]
    assert p["country"] == "BE" and p["origin"][FLAG_COLUMN] == "BE"
    assert "country BE read from the emoji flag" in p["notes"]
    assert result.columns.country == FLAG_COLUMN


def test_flag_fills_an_empty_country():
    p = fixture("tracker.json").features[3]["properties"]
    assert (p["id"], p["country"], p["place"]) == ("tr-3", "PL", "Near Rzeszów")
    assert "country PL read from the emoji flag" in p["notes"]
    assert p["origin"]["Country"] is None                      # the file gave none


# --------------------------------------------------------------------------- detection, errors

@pytest.mark.parametrize(("name", "raw", "fmt"), [
    ("a.json", b'[{"lat": 1, "lon": 2}]', "json"),
    ("a.jsonl", b'{"lat": 1}\n{"lat": 2}\n', "json"),
    ("a.json", b'{"events": [{"lat": 1}], "associations": []}', "json"),
    ("a.json", b'{"type": "FeatureCollection", "features": []}', "geojson"),
    ("a.json", b'{"features": [], "type": "FeatureCollection"}', "geojson"),
    ("a.json", b'[{"type": "Feature", "geometry": null, "properties": {}}]', "geojson"),
    ("a.geojson", b'[{"lat": 1}]', "geojson"),
])
def test_detect_json_formats(name, raw, fmt):
    assert importer.detect_format(name, raw) == fmt


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("obj.json", b'{"a": 1, "b": {"c": [1, 2]}}',
     r"no array of objects in it \(found an object with keys a, b\)"),
    ("nums.json", b"[1, 2, 3]", r"is JSON but not GeoJSON .*an array of 3 values, none an object"),
    ("nocoords.json", b'[{"date": "2025-10-03", "place": "Wyryki"}]',
     r"no coordinate columns found \(columns: date, place\)"),
    ("bad.json", b'[\n  {"lat": 1},\n  {"lat": 2,}\n]',
     r"is not valid JSON \(line 3, column 13: Expecting property name"),
    ("bad.jsonl", b'{"lat": 1}\n{"lat": 2\n',
     r"is not valid JSON \(line 2, column 10: Expecting ',' delimiter"),
    ("deep.json", b"[" * 50_000_000, r"nested too deeply"),
    ("fc.json", b'{"features": [], "type": "FeatureCollection"}',
     r"is GeoJSON, not a JSON event list; import it as GeoJSON"),
])
def test_unusable_json_raises_one_line_data_error(name, raw, message):
    fmt = "json" if name == "fc.json" else None
    with pytest.raises(DataError, match=message) as info:
        import_bytes(raw, name, fmt=fmt)
    assert str(info.value).startswith(f"{name}: ") and "\n" not in str(info.value)


def test_lookup_file_without_titles():
    with pytest.raises(DataError, match=r"^a\.json: is not a lookup table"):
        lookup_titles(b'[{"id": "A"}]', "a.json")


def test_header_columns_of_a_json_event_list():
    assert importer.header_columns(b'[{"y": 1, "x": 2}, {"Y": 3, "when": "z"}]', "a.json") == [
        "y", "x", "when"]
