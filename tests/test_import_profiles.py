"""Import profiles, value mapping and constants (``dashboard.importer.profiles``)."""

from __future__ import annotations

import json

import pytest

from dashboard import cli, importer, paths
from dashboard.importer import profiles
from dashboard.schema import DataError

DATA = paths.ROOT / "tests" / "data" / "import"
MONITOR_MAP = "type=event_group:Shelling=strike,Airstrike=strike,Drone=airspace_incursion,Protest=skip"


def run(name: str, **kw) -> importer.ImportResult:
    return importer.import_bytes((DATA / name).read_bytes(), name, **kw)


def by_source_id(result: importer.ImportResult) -> dict[str, dict]:
    return {f["properties"]["origin"]["id"]: f["properties"] for f in result.features}


def test_a_category_column_mapped_value_by_value():
    """Monitor-style CSV: its own categories mapped to ours (case and spaces ignored), a
    skipped value rejected with a reason, the rest through the usual checks."""
    field, vmap = profiles.parse_map_option(MONITOR_MAP)
    result = run("monitor.csv", mapping={field: vmap})
    got = by_source_id(result)
    assert {k: v["type"] for k, v in got.items()} == {
        "m1": "strike", "m2": "strike", "m3": "airspace_incursion", "m7": "strike"}
    assert len(result.features) == 5   # m2 twice: the second under a suffixed id
    reasons = {r.row: r.reason for r in result.rejected}
    assert "mapped to skip" in reasons[4] and "latitude equals longitude" in reasons[6]


def test_without_a_mapping_the_categories_go_through_the_keywords():
    result = run("monitor.csv")
    types = sorted(f["properties"]["type"] for f in result.features)
    assert "airspace_incursion" not in types   # "Drone" alone says nothing about what it did


def test_constants_set_a_field_for_every_row(tmp_path, capsys):
    out = tmp_path / "incidents.geojson"
    assert cli.main(["import", str(DATA / "monitor.csv"), "--out", str(out), "--dry-run",
                     "--set", "type=strike", "--set", "platform=drone"]) == 0
    assert "6 imported, 1 rejected" in capsys.readouterr().out
    result = run("monitor.csv", constants={"type": "strike", "platform": "drone"})
    assert {f["properties"]["type"] for f in result.features} == {"strike"}
    assert {f["properties"]["platform"] for f in result.features} == {"drone"}


@pytest.mark.parametrize("option, message", [
    ("type=event_group", "expected FIELD=COLUMN:VALUE=OURS"),
    ("type=event_group:Shelling", "is not VALUE=OURS"),
    ("kind=event_group:Shelling=strike", "'kind' is not a field"),
    ("type=event_group:Shelling=bombing", "'bombing' is not a type"),
])
def test_a_bad_map_option_names_the_problem(option, message, tmp_path, capsys):
    assert cli.main(["import", str(DATA / "monitor.csv"), "--dry-run", "--out",
                     str(tmp_path / "x.geojson"), "--map", option]) == 1
    assert message in capsys.readouterr().err


def test_a_mapped_column_the_file_lacks_is_one_line():
    with pytest.raises(DataError, match="column 'category' is not in the file"):
        run("monitor.csv", mapping={"type": profiles.ValueMap("category", {"x": "strike"})})


def test_ucdp_ged_is_recognised_and_its_codes_mapped():
    result = run("ucdp_wkt.csv")
    assert result.profile == "UCDP GED" and "with the UCDP GED profile" in result.summary()
    got = {str(f["properties"]["origin"]["id"]): f["properties"] for f in result.features}
    first = got["900001"]
    assert first["killed"] == 2 and first["date"] == "2025-09-10"
    assert first["date_precision"] == "day" and first["location_precision"] == "exact"
    assert first["sources"][0]["publisher"] == "UCDP"
    assert first["sources"][0]["quote"] == "Synthetic test: drone strike on Kyiv"


def test_the_shipped_profiles_are_valid_and_named_by_file():
    shipped = profiles.available()
    assert {"acled", "ucdp-ged", "timemap"} <= set(shipped)
    for name in shipped:
        assert (profiles.SHIPPED / f"{name}.json").exists()


def test_a_saved_profile_round_trips_and_replaces_a_shipped_one(tmp_path):
    data = tmp_path / "incidents.geojson"
    field, vmap = profiles.parse_map_option(MONITOR_MAP)
    mine = profiles.Profile("monitor", "Our monitor", match=("event_group", "source_url"),
                            values={field: vmap}, constants={"confidence": "medium"},
                            source_id="id")
    path = profiles.save_profile(mine, data)
    assert profiles.read_profile(path) == mine
    found = profiles.available(data)
    assert found["monitor"] == mine
    # Recognised by its columns: the mapping applies with no option given.
    result = run("monitor.csv", profiles=found)
    assert result.profile == "Our monitor"
    assert {f["properties"]["confidence"] for f in result.features} == {"medium"}
    assert any(r.reason.endswith("(not an incident this map covers)") for r in result.rejected)


@pytest.mark.parametrize("data, message", [
    ([], "a profile is a JSON object"),
    ({"name": "Bad Name"}, "'name' must be lower-case"),
    ({"name": "x", "colour": "red"}, "unknown key(s) colour"),
    ({"name": "x", "columns": {"latitude": "lat"}}, "'latitude' is not a field"),
    ({"name": "x", "values": {"type": {"column": "c", "map": {"a": "bomb"}}}}, "'bomb' is not a type"),
    ({"name": "x", "values": {"type": "c"}}, "values.type must be"),
    ({"name": "x", "constants": {"confidence": "certain"}}, "'certain' is not a confidence"),
    ({"name": "x", "reader": "ucdp"}, "'reader' must be"),
])
def test_a_malformed_profile_names_what_is_wrong(data, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        profiles.parse_profile(data, "p.json")


def test_a_broken_user_profile_does_not_hide_the_others(tmp_path):
    folder = tmp_path / "import-profiles"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "ok.json").write_text(json.dumps({"name": "ok"}), encoding="utf-8")
    found = profiles.available(tmp_path / "incidents.geojson")
    assert "ok" in found and "acled" in found and "broken" not in found


def test_distinct_values_with_counts_most_frequent_first():
    table = importer.csv.read_csv_table((DATA / "monitor.csv").read_text(encoding="utf-8"), "m")
    values = profiles.distinct_values(table, "event_group")
    # "Airstrike" and "airstrike" (case) are one value; ties in order of the text.
    assert values == [("Airstrike", 2), ("Drone", 2), ("Shelling", 2), ("Protest", 1)]


def test_an_explicit_profile_wins_over_the_recognised_one():
    none = profiles.Profile("plain")
    result = run("ucdp_wkt.csv", profile=none)
    assert result.profile == "plain"


def test_ucdp_ged_accuracy_with_the_shipped_profile():
    """A UCDP-GED-shaped export (Windows-1252, a line break inside a quoted field, both of
    GED's date shapes in one column, ranges, WKT): with the shipped profile at least 95 % of
    the rows describing a strike import with the right type, date, range, country and point,
    and every other row is rejected with a reason that names what is missing."""
    truth = {t["id"]: t for t in json.loads((DATA / "ucdp_ged.truth.json").read_text())}
    result = run("ucdp_ged.csv")
    assert result.profile == "UCDP GED"
    got = {str(f["properties"]["origin"]["id"]): f for f in result.features}
    incidents = [t for t in truth.values() if t["type"]]
    right = [t for t in incidents if t["id"] in got
             and got[t["id"]]["properties"]["type"] == t["type"]
             and got[t["id"]]["properties"]["date"] == t["date"]
             and got[t["id"]]["properties"]["end_date"] == t["end_date"]
             and got[t["id"]]["properties"]["country"] == t["country"]
             and got[t["id"]]["geometry"]["coordinates"] == t["point"]]
    assert len(right) >= 0.95 * len(incidents), (len(right), len(incidents))
    others = {t["id"] for t in truth.values() if not t["type"]}
    assert not others & set(got)
    rows = {r.row for r in result.rejected}
    assert len(rows) == len(others)
    assert all("no incident type" in r.reason for r in result.rejected)
    kharkiv = got["500000"]["properties"]
    assert kharkiv["date_precision"] == "range" and kharkiv["sources"][0]["publisher"] == "UCDP"
    assert kharkiv["summary"] == "Synthetic test: Russian missile strike on Kharkiv"
