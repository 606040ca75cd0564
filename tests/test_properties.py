"""Properties that hold for *any* input (hypothesis): the validator, the loader, the filters
and the link parser either succeed or fail with the project's own error and a message;
nothing else escapes, so the app can always show a message instead of a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import filters, geo, load, urlstate
from dashboard.schema import (
    CONFIDENCES,
    COUNT_FIELDS,
    FIELDS,
    INCIDENT_TYPES,
    MAX_COUNT,
    PLATFORMS,
    DataError,
    Problem,
    validate_collection,
    validate_feature,
)
from tests.conftest import BASE_PROPS, collection, make_feature

# Modest example counts keep the whole file to a few tens of seconds on two CPUs.
PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=60, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies ----------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
           | st.floats() | st.text(max_size=30))
#: Any value ``json.loads`` can return (NaN and Infinity included: Python's JSON accepts them).
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20)
numbers = st.integers(-400, 400) | st.floats(allow_nan=True, allow_infinity=True)
positions = st.lists(numbers, min_size=0, max_size=4) | json_values
geometries = st.one_of(
    st.none(), json_values,
    st.builds(lambda c: {"type": "Point", "coordinates": c}, positions),
    st.builds(lambda c: {"type": "LineString", "coordinates": c},
              st.lists(positions, max_size=4) | json_values),
    st.builds(lambda c: {"type": "Polygon", "coordinates": c},
              st.lists(st.lists(positions, max_size=6), max_size=2) | json_values),
    st.builds(lambda t: {"type": t, "coordinates": [20.0, 50.0]},
              st.sampled_from(["MultiPoint", "GeometryCollection", "point", ""])),
)
#: A valid feature with some fields replaced by anything, or deleted, or added.
field_names = st.sampled_from([*FIELDS, "colour", ""])


#: Valid but unusual values per field: the loader must build a frame from any of them.
valid_values = {
    "end_date": st.none() | st.just("2025-12-31"),
    "region": st.none() | st.text(max_size=20),
    "place": st.text(min_size=1, max_size=20).filter(str.strip),
    "summary": st.text(min_size=1, max_size=40).filter(str.strip),
    "notes": st.none() | st.text(max_size=40),
    "icao": st.none() | st.from_regex(r"[A-Z0-9]{4}", fullmatch=True),
    **{f: st.none() | st.integers(0, MAX_COUNT) for f in COUNT_FIELDS},
    "sources": st.lists(st.fixed_dictionaries(
        {"document": st.text(min_size=1, max_size=15).filter(str.strip),
         "quote": st.text(min_size=1, max_size=40).filter(str.strip)},
        optional={"publisher": st.none() | st.text(max_size=10),
                  "url": st.none() | st.sampled_from(["https://example.org/a?b=1#c",
                                                      "http://127.0.0.1:8501/"])}),
        min_size=1, max_size=2),
    "status": st.just("active"),
    "origin": st.none() | st.dictionaries(st.text(max_size=8), st.none() | st.booleans()
                                          | st.integers(-(10**6), 10**6) | st.text(max_size=8),
                                          max_size=3),
}


@st.composite
def near_valid_features(draw) -> dict:
    """A valid feature with a few fields given unusual valid values, and sometimes a field
    replaced by anything, deleted or added, or the geometry replaced."""
    feature = make_feature()
    for name in draw(st.lists(st.sampled_from(sorted(valid_values)), max_size=3)):
        feature["properties"][name] = draw(valid_values[name])
    if draw(st.integers(0, 3)) == 0:
        feature["geometry"] = draw(geometries)
    if draw(st.integers(0, 2)) == 0:
        for name in draw(st.lists(field_names, min_size=1, max_size=2)):
            if draw(st.booleans()):
                feature["properties"].pop(name, None)
            else:
                feature["properties"][name] = draw(json_values)
    if draw(st.booleans()):
        feature["properties"]["id"] = draw(st.sampled_from(
            ["pl-incursion-2025-09-10", "a", "b-2", "feature #1"]))
    return feature


collections = st.one_of(
    json_values,
    st.builds(lambda fs: {"type": "FeatureCollection", "features": fs},
              st.lists(near_valid_features(), max_size=4)),
    st.builds(lambda fs: {"type": "FeatureCollection", "features": fs},
              st.lists(json_values, max_size=3)),
)


def assert_problems(problems) -> None:
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert p.feature_id and p.field and p.message
        assert "\n" not in p.message, p.message  # one line each


# --- validator -------------------------------------------------------------------------

@PROPERTY
@given(json_values)
def test_validate_feature_never_raises_on_any_json(value):
    assert_problems(validate_feature(value))


@PROPERTY
@given(near_valid_features())
def test_validate_feature_never_raises_on_near_valid_features(feature):
    assert_problems(validate_feature(feature))


@PROPERTY
@given(collections)
def test_validate_collection_never_raises(data):
    assert_problems(validate_collection(data))


# --- loader ----------------------------------------------------------------------------

def read_from_file(raw: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents.geojson"
        path.write_bytes(raw)
        return load.read_incidents(path)


def result_or_data_error(raw: bytes) -> None:
    """Reading ``raw`` gives a frame of incidents or a ``DataError`` with a message."""
    try:
        frame = read_from_file(raw)
    except DataError as exc:
        assert str(exc).strip()
        assert_problems(exc.problems)
        return
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame.columns) == [*FIELDS, "geometry"]
    assert frame.crs == "EPSG:4326"


@PROPERTY
@given(st.binary(max_size=300))
def test_read_incidents_on_any_bytes(raw):
    result_or_data_error(raw)


@PROPERTY
@given(st.text(max_size=200))
def test_parse_json_on_any_text(text):
    try:
        load.parse_json(text.encode("utf-8", "surrogatepass"), "x.geojson")
    except DataError as exc:
        assert str(exc).startswith("x.geojson: ")


@PROPERTY
@given(collections)
def test_read_incidents_on_any_json_document(data):
    result_or_data_error(json.dumps(data, allow_nan=True).encode())


@FEW
@given(st.lists(near_valid_features(), min_size=1, max_size=4), st.sampled_from(["", "\ufeff"]))
def test_read_incidents_on_near_valid_collections(features, bom):
    # Distinct ids, so that some collections are wholly valid and build a frame.
    for i, feature in enumerate(features):
        if isinstance(feature["properties"].get("id"), str):
            feature["properties"]["id"] = f"incident-{i}"
        feature["properties"]["related_ids"] = []
    raw = (bom + json.dumps(collection(*features), ensure_ascii=False)).encode()
    result_or_data_error(raw)


# --- filters ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world():
    """The five-incident fixture of conftest, enriched as the app enriches it, and the real
    regions and presets (so region and preset filters run)."""
    from tests.conftest import collection as coll
    from tests.conftest import make_feature as mf
    frame = load.incidents_frame(coll(
        mf(),
        mf({"type": "Point", "coordinates": [20.967, 52.166]},
           id="pl-airport-closure-epwa-2025-09-10", type="airport_closure", icao="EPWA",
           place="Warsaw Chopin Airport", drones=None, confidence="medium"),
        mf({"type": "Point", "coordinates": [24.0, 59.6]}, id="ee-incursion-2025-09-19",
           country="EE", date="2025-09-19", platform="aircraft", aircraft=3, drones=None,
           place="Vaindloo island", confidence="low"),
        mf({"type": "Point", "coordinates": [28.7, 45.2]}, id="ro-crash-2025-09-13",
           type="crash_debris", country="RO", date="2025-09-13", place="Tulcea County", drones=1,
           status="retracted", retraction_reason="duplicate"),
        mf({"type": "Point", "coordinates": [36.19, 51.73]}, id="ru-interception-kursk-2024-08-06",
           type="interception", country="RU", date="2024-08-06", end_date="2024-08-08",
           date_precision="range", place="Kursk Oblast", drones=4),
    ))
    countries = load.read_countries()
    places = filters.Places(load.read_regions(), load.read_presets())
    return geo.enrich(frame, countries), places


dates = st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
codes = st.none() | st.lists(st.sampled_from(["PL", "EE", "RO", "RU", "XX", "pl", ""]),
                             max_size=3).map(tuple)
depths = st.none() | st.floats(min_value=-10, max_value=2000) | st.sampled_from([float("nan"), float("inf")])
areas = st.none() | st.text(max_size=40) | st.sampled_from([
    "20,50,25,55", "25,55,20,50", "POLYGON ((20 50, 25 50, 25 55, 20 55, 20 50))",
    "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "LINESTRING (0 0, 1 1)", "0,0,0.00001,0.00001",
    "-200,0,10,10", "POLYGON EMPTY", "nan,0,1,1"])


def spec_kwargs(places: filters.Places | None = None):
    regions = ["PL-LU", "EE-37", "XX-1"]
    presets = [None, "nope", *(list(places.presets)[:3] if places else [])]
    return st.fixed_dictionaries({
        "date_from": dates, "date_to": dates,
        "countries": codes,
        "types": st.none() | st.lists(st.sampled_from([*INCIDENT_TYPES, "bombing"]),
                                      max_size=3).map(tuple),
        "regions": st.none() | st.lists(st.sampled_from(regions), max_size=2).map(tuple),
        "preset": st.sampled_from(presets),
        "area": areas,
        "q": st.none() | st.text(max_size=20),
        "min_confidence": st.none() | st.sampled_from([*CONFIDENCES, "certain", ""]),
        "platforms": st.none() | st.lists(st.sampled_from([*PLATFORMS, "ufo"]), max_size=2)
        .map(tuple),
        "min_depth_km": depths, "max_depth_km": depths,
        "retracted": st.booleans(),
    })


@PROPERTY
@given(spec_kwargs())
def test_filter_spec_construction_raises_only_value_error_with_a_message(kwargs):
    try:
        filters.FilterSpec(**kwargs)
    except ValueError as exc:
        assert str(exc).strip()


@PROPERTY
@given(data=st.data())
def test_apply_never_raises_never_mutates_and_returns_a_subset(world, data):
    incidents, places = world
    try:
        spec = filters.FilterSpec(**data.draw(spec_kwargs(places)))
    except ValueError:
        return
    before = incidents.copy()
    try:
        out = filters.apply(incidents, spec, places)
    except ValueError as exc:  # only an unknown preset may be refused, with a message
        assert spec.preset == "nope" and "unknown preset 'nope'" in str(exc)
        return
    assert_geodataframe_equal(incidents, before)
    assert out is not incidents
    assert set(out.index) <= set(incidents.index)
    assert list(out.columns) == list(incidents.columns)
    assert isinstance(filters.describe(spec), str)


# --- link parser -----------------------------------------------------------------------

KNOWN = urlstate.Known(countries=frozenset({"PL", "EE", "RO"}), regions=frozenset({"PL-LU"}),
                       presets=frozenset({"baltic"}), incidents=frozenset({"pl-incursion-2025-09-10"}))
keys = st.sampled_from(urlstate.PARAMS) | st.text(max_size=12)
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "none", "2025-09-10", "2025-02-30", "PL", "pl", "xx", "1", "0",
                     "-1", "nan", "inf", "1e400", "9" * 5000, "52.2", "200", "baltic", "high",
                     "dark", "POLYGON ((20 50, 25 50, 25 55, 20 55, 20 50))", "0,0,0.00001,0.00001",
                     "20,50,25,55", "../../etc/passwd", "<script>alert(1)</script>",
                     "pl-incursion-2025-09-10", "airspace_incursion", "drone", "\x00"]),
)
link_params = st.dictionaries(keys, st.lists(values, max_size=3), max_size=8)


@PROPERTY
@given(link_params)
def test_parse_never_raises_and_notes_what_it_ignores(params):
    spec, view, notices = urlstate.parse(params, KNOWN)
    assert isinstance(spec, filters.FilterSpec) and isinstance(view, urlstate.View)
    assert all(isinstance(n, str) and n for n in notices)
    for key in params:
        if key not in urlstate.PARAMS:
            assert any(repr(key) in n for n in notices), (key, notices)


def as_lists(encoded: dict) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in encoded.items()}


@PROPERTY
@given(link_params)
def test_the_link_the_app_writes_reads_back_unchanged(params):
    """Whatever a link held, the link written from what was understood reads back to the same
    state, with no notices (the app must never write a link it would then complain about)."""
    spec, view, _ = urlstate.parse(params, KNOWN)
    again, view_again, notices = urlstate.parse(as_lists(urlstate.encode(spec, view)), KNOWN)
    assert notices == []
    third, view_third, _ = urlstate.parse(as_lists(urlstate.encode(again, view_again)), KNOWN)
    assert (third, view_third) == (again, view_again)


#: ``BASE_PROPS`` as this module found it, before any strategy drew from it.
BASE_AT_IMPORT = copy.deepcopy(BASE_PROPS)


@FEW
@given(near_valid_features())
def test_base_props_are_untouched_by_the_strategies(feature):
    """The strategies and tests change the features they get; were ``make_feature`` to hand out
    ``BASE_PROPS`` itself (or a shallow copy), the change would leak into every later example."""
    feature["properties"]["id"] = "changed"
    make_feature()["properties"]["sources"][0]["quote"] = "changed"
    make_feature()["properties"]["related_ids"].append("changed")
    assert BASE_PROPS == BASE_AT_IMPORT
    assert validate_feature(make_feature()) == []
