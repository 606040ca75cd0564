"""A big GeoJSON file is read a chunk of features at a time: the same frame and the same
problems as the whole-file validation, at a fraction of the memory (issue 15)."""

from __future__ import annotations

import copy
import json
import tracemalloc

import pytest
from geopandas.testing import assert_geodataframe_equal

from bench.synthetic import generate, write_geojson
from dashboard import load
from dashboard.schema import DataError, validate_collection

#: Over FAST_VALIDATION_MIN, over several chunks and frame builds.
N = 12_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """12,000 synthetic incidents (bench/synthetic.py) as GeoJSON, about 8.8 MB."""
    assert load.FAST_VALIDATION_MIN < N and 2 * load.BUILD < N
    return write_geojson(generate(N), tmp_path_factory.mktemp("big") / "incidents.geojson")


def test_the_streamed_frame_is_the_whole_file_frame(big):
    data = json.loads(big.read_text(encoding="utf-8"))
    frame = load.read_incidents(big)
    assert_geodataframe_equal(frame, load.geojson_incidents(data))
    assert_geodataframe_equal(frame, load.incidents_frame(data), check_dtype=False)
    assert list(frame["sources"]) == [f["properties"]["sources"] for f in data["features"]]


def test_problems_on_chunk_edges_are_those_of_the_feature_validation(big, tmp_path):
    data = json.loads(big.read_text(encoding="utf-8"))
    features = data["features"]
    chunk = load.CHUNK
    edges = [0, chunk - 1, chunk, load.FAST_VALIDATION_MIN - 1, load.FAST_VALIDATION_MIN, N - 1]
    for i in edges:
        features[i]["properties"]["date"] = "2025-13-01"
    features[chunk + 1] = "not a feature"
    features[2 * chunk]["properties"]["colour"] = "red"
    features[3 * chunk]["properties"]["id"] = features[5]["properties"]["id"]  # across chunks
    features[4 * chunk]["properties"]["related_ids"] = ["not-an-incident"]
    features[4 * chunk + 1]["geometry"] = {"type": "Point", "coordinates": [23.0, 151.0]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load.read_incidents(path)
    assert caught.value.problems == validate_collection(copy.deepcopy(data))
    assert str(caught.value) == f"{path}: {len(caught.value.problems)} problem(s) in the data"


def test_members_after_the_features_count(big, tmp_path):
    """The outer object's "type" may come after the features: still checked."""
    data = json.loads(big.read_text(encoding="utf-8"))
    path = tmp_path / "late-type.geojson"
    path.write_text(json.dumps({"features": data["features"], "type": "Feature"}), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load.read_incidents(path)
    assert [str(p) for p in caught.value.problems] == [
        "file: type: expected a GeoJSON FeatureCollection, got 'Feature'"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda text: text[:-3000], "is not valid JSON (line 1, column"),
    (lambda text: text + "]", "Extra data"),
    (lambda text: text.replace('"notes": null', '"notes": "\\udc00"', 1), "unpaired UTF-16"),
    (lambda text: text.replace('"drones": null', '"drones": ' + "7" * 4400, 1), "too many digits"),
    (lambda text: text.replace('"notes": null', '"notes": ' + "[" * 50_000 + "]" * 50_000, 1),
     "nested too deeply"),
])
def test_what_the_stream_cannot_read_gets_the_whole_file_message(big, tmp_path, change, message):
    """A big file with a fault anywhere: read whole again, parse_json's message."""
    data = json.loads(big.read_text(encoding="utf-8"))
    data["features"] = data["features"][:2_000]  # over STREAM_MIN_BYTES: streamed at first
    raw = change(json.dumps(data)).encode()
    assert len(raw) > load.STREAM_MIN_BYTES
    path = tmp_path / "x.geojson"
    path.write_bytes(raw)
    with pytest.raises(DataError) as streamed:
        load.read_incidents(path)
    with pytest.raises(DataError) as whole:
        load.parse_json(raw, path)
    assert str(streamed.value) == str(whole.value) and message in str(whole.value)


def test_reading_a_big_file_allocates_a_fraction_of_its_parsed_json(big):
    """Peak Python allocation while reading, relative to the file's size. Parsing the whole
    file (its text, then every feature as dicts) peaked at 5.8x, and read_bytes asked for
    the 2 GB limit at once; read a chunk at a time, 2.1x here (1.5x for a 44 MB file).
    tracemalloc counts allocations, not time: the ratio is the same on any machine."""
    size = big.stat().st_size
    tracemalloc.start()
    try:
        frame = load.read_incidents(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(frame) == N
    assert peak < 3 * size, f"reading peaked at {peak / size:.1f}x the file's size"
