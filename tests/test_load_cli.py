"""Reading files and the ``python -m dashboard validate`` CLI: clear one-line messages."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from dashboard import paths
from dashboard.cli import main
from dashboard.load import read_incidents
from dashboard.schema import DataError
from tests.conftest import collection, make_feature


def write(tmp_path, name, content: bytes | str):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.geojson", "", "file is empty"),
        ("blank.geojson", "  \n ", "file is empty"),
        ("truncated.geojson", '{"type": "FeatureCollection", "features": [',
         "is not valid JSON (line 1, column"),
        ("binary.geojson", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
        ("list.geojson", "[1, 2]", "1 problem(s) in the data"),
    ],
)
def test_read_incidents_bad_files(tmp_path, name, content, expected):
    with pytest.raises(DataError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_incidents(write(tmp_path, name, content))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="missing.geojson: file not found"):
        read_incidents(tmp_path / "missing.geojson")


def test_read_incidents_with_bom_and_types(tmp_path):
    path = write(tmp_path, "ok.geojson",
                 "\ufeff" + json.dumps(collection(make_feature(), make_feature(
                     id="ro-crash-2025-09-13", type="crash_debris", end_date="2025-09-14",
                     date_precision="range"))))
    frame = read_incidents(path)
    assert list(frame["id"]) == ["pl-incursion-2025-09-10", "ro-crash-2025-09-13"]
    assert frame.crs.to_epsg() == 4326
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame.loc["ro-crash-2025-09-13", "end_date"].day == 14
    assert frame.loc["pl-incursion-2025-09-10", "sources"][0]["document"] == "doc.txt"


def test_cli_good_file(tmp_path, capsys):
    path = write(tmp_path, "ok.geojson", json.dumps(collection(make_feature())))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: OK, 1 incidents (1 airspace_incursion)"


def test_cli_bad_data_lists_each_problem(tmp_path, capsys):
    path = write(tmp_path, "bad.geojson", json.dumps(collection(
        make_feature(date="2025-13-01"),
        make_feature(id="ro-x-2025-09-13", type="bombing"),
    )))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "pl-incursion-2025-09-10: date: '2025-13-01' is not a valid ISO date (YYYY-MM-DD)",
        "ro-x-2025-09-13: type: 'bombing' is not allowed; should be 'airspace_incursion', "
        "'airport_closure', 'strike', 'interception' or 'crash_debris'",
    ]
    assert "2 problem(s)" in out.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "file not found"), ("", "file is empty"), ("not json", "is not valid JSON")],
)
def test_cli_unreadable_file_one_line_no_traceback(tmp_path, content, expected):
    path = tmp_path / "x.geojson"
    if content is not None:
        path.write_text(content)
    run = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(path)],
                         capture_output=True, text=True, cwd=paths.ROOT)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {expected}"), lines


# --- GeoParquet and large files ----------------------------------------------------------

def _parquet_of(frame, tmp_path, name="x.parquet"):
    from dashboard import geoparquet

    return geoparquet.write_geoparquet(frame, tmp_path / name)


def test_geoparquet_round_trip(tiny, tmp_path):
    from geopandas.testing import assert_geodataframe_equal

    back = read_incidents(_parquet_of(tiny, tmp_path))
    assert_geodataframe_equal(back, tiny, check_dtype=False)
    assert back.crs.to_epsg() == 4326
    assert back.loc["pl-incursion-2025-09-10", "sources"] == tiny.loc[
        "pl-incursion-2025-09-10", "sources"]


def _table_file(tmp_path, table, name="t.parquet"):
    import pyarrow.parquet as pq

    path = tmp_path / name
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace_schema_metadata({}), "is Parquet but not GeoParquet"),
        (lambda t: t.drop_columns(["summary"]), "column(s) summary missing"),
        (lambda t: t.append_column("colour", t.column("id")), "column(s) colour are not incident fields"),
        (lambda t: t.set_column(t.schema.get_field_index("drones"), "drones",
                                t.column("id")), "column 'drones' should hold whole numbers"),
    ],
)
def test_geoparquet_schema_errors(tiny, tmp_path, change, expected):
    import pyarrow.parquet as pq

    table = pq.read_table(_parquet_of(tiny, tmp_path))
    with pytest.raises(DataError, match=re.escape(expected)):
        read_incidents(_table_file(tmp_path, change(table)))


def test_geoparquet_not_a_parquet_file(tmp_path):
    with pytest.raises(DataError, match=r"x\.parquet: is not a readable Parquet file"):
        read_incidents(write(tmp_path, "x.parquet", "not parquet at all"))
    with pytest.raises(DataError, match="missing.parquet: file not found"):
        read_incidents(tmp_path / "missing.parquet")


def _bad_collection() -> dict:
    """Valid features mixed with one or more problems of every kind the schema checks."""
    good = [make_feature(id=f"ok-{i}") for i in range(6)]
    bad = [
        make_feature(id="bad-date", date="2025-13-01"),
        make_feature(id="bad-type", type="bombing"),
        make_feature(id="bad-count", drones=-1),
        make_feature(id="bool-count", drones=True),
        make_feature(id="bad-country", country="Poland"),
        make_feature(id="blank-place", place="   "),
        make_feature(id="no-quote", sources=[{"document": "d.txt", "quote": ""}]),
        make_feature(id="long-quote", sources=[{"document": "d", "quote": "word " * 31}]),
        make_feature(id="extra-source-key", sources=[{"document": "d", "quote": "q", "page": 3}]),
        make_feature(id="bad-url", sources=[{"document": "d", "quote": "q", "url": "javascript:x"}]),
        make_feature(id="ends-early", end_date="2025-09-01"),
        make_feature(id="range-no-end", date_precision="range"),
        make_feature(id="closure-no-icao", type="airport_closure", icao=None),
        make_feature(id="self-related", related_ids=["self-related"]),
        make_feature(id="unknown-related", related_ids=["nobody"]),
        make_feature(id="retracted-no-reason", status="retracted"),
        make_feature({"type": "Point", "coordinates": [200, 10]}, id="far-away"),
        make_feature({"type": "Point", "coordinates": [20, 50, 3]}, id="three-d"),
        make_feature({"type": "MultiPoint", "coordinates": [[20, 50]]}, id="multi"),
        make_feature({"type": "Polygon", "coordinates": [[[20, 50], [21, 51], [21, 50], [20, 51],
                                                          [20, 50]]]}, id="bow-tie"),
        make_feature(id="ok-1"),  # a duplicate id
        make_feature(id="Not A Slug"),
        {"type": "Feature", "geometry": None, "properties": None},
        "not a feature",
    ]
    extra = make_feature(id="extra-field")
    extra["properties"]["colour"] = "red"
    missing = make_feature(id="missing-field")
    del missing["properties"]["summary"]
    return collection(*good, *bad, extra, missing)


def test_columnar_validation_reports_exactly_what_pydantic_reports():
    from dashboard.load import geojson_incidents
    from dashboard.schema import validate_collection

    data = _bad_collection()
    expected = validate_collection(data)
    assert len(expected) >= 25
    with pytest.raises(DataError) as caught:
        geojson_incidents(data)
    assert caught.value.problems == expected


def test_columnar_build_equals_the_feature_build():
    from geopandas.testing import assert_geodataframe_equal

    from dashboard.load import geojson_incidents, incidents_frame

    data = collection(*(make_feature(id=f"ok-{i}", drones=i, end_date="2025-09-11" if i % 2 else None)
                        for i in range(10)),
                      make_feature({"type": "LineString", "coordinates": [[20, 50], [21, 51]]},
                                   id="track"),
                      make_feature(id="linked", related_ids=["track"], status="retracted",
                                   retraction_reason="duplicate", origin={"src": "acled", "n": 3}))
    assert_geodataframe_equal(geojson_incidents(data), incidents_frame(data), check_dtype=False)


def test_geoparquet_rows_get_the_geojson_messages(tiny, tmp_path):
    broken = tiny.copy()
    broken.loc["ee-incursion-2025-09-19", "country"] = "Estonia"
    broken.loc["ro-crash-2025-09-13", "drones"] = -3
    with pytest.raises(DataError, match="2 problem") as caught:
        read_incidents(_parquet_of(broken, tmp_path))
    assert [str(p) for p in caught.value.problems] == [
        "ee-incursion-2025-09-19: country: 'Estonia' is not an ISO 3166-1 alpha-2 code "
        "(two capital letters)",
        "ro-crash-2025-09-13: drones: should be greater than or equal to 0 (got -3)",
    ]


def test_stamp_changes_when_the_file_changes(tmp_path):
    """The app's data cache is keyed on load.stamp: an edited file is read again."""
    import functools
    import os

    from dashboard import load

    path = write(tmp_path, "ok.geojson", json.dumps(collection(make_feature())))
    reads = []

    @functools.lru_cache
    def cached(key):
        reads.append(key)
        return read_incidents(key[0])

    assert len(cached(load.stamp(path))) == 1
    assert len(cached(load.stamp(path))) == 1 and len(reads) == 1  # unchanged: cache hit
    path.write_text(json.dumps(collection(make_feature(), make_feature(id="b-2"))))
    os.utime(path, ns=(1, 1))  # even with an old mtime, the size differs
    assert len(cached(load.stamp(path))) == 2 and len(reads) == 2
    before = load.stamp(path)
    path.write_text(path.read_text().replace("b-2", "b-3"))  # same size, new mtime
    assert load.stamp(path) != before
    with pytest.raises(DataError, match="file not found"):
        load.stamp(tmp_path / "gone.parquet")


# --- a filtered GeoJSON export validates ----------------------------------------------------

@pytest.mark.parametrize(
    ("filters", "links"),
    [
        # Closures point at the PL incursion, which this selection leaves out: links dropped.
        (["--country", "PL", "--type", "airport_closure"],
         {"pl-airport-closure-eplb-2025-09-10": [], "pl-airport-closure-eprz-2025-09-10": [],
          "pl-airport-closure-epwa-2025-09-10": []}),
        # Strikes point at interceptions (left out): dropped.
        (["--type", "strike", "--country", "RU"],
         {"ru-strike-belgorod-2024-08-07": [], "ru-strike-voronezh-2024-08-07": []}),
        # Every PL incident is in: every link kept.
        (["--country", "PL"],
         {"pl-crash-debris-2025-09-10": ["pl-incursion-2025-09-10", "pl-interception-2025-09-10"],
          "pl-airport-closure-epwa-2025-09-10": ["pl-incursion-2025-09-10"]}),
    ],
)
def test_filtered_geojson_export_validates(tmp_path, capsys, filters, links):
    out = tmp_path / "export.geojson"
    assert main(["export", "--format", "geojson", "--out", str(out), *filters]) == 0
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0, capsys.readouterr().out
    related = {f["id"]: f["properties"]["related_ids"]
               for f in json.loads(out.read_text())["features"]}
    for incident_id, expected in links.items():
        assert related[incident_id] == expected
