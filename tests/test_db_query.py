"""Filters and aggregation in SQL (``dashboard.db.query``) give what the in-memory path gives.

The contract: for every spec, the same ids as ``filters.apply``, and the same counts,
timeline, breakdown and density grid as ``stats`` / ``aggregate`` on the filtered frame.
The data: the shipped incidents (through the store) and 3,000 synthetic ones (through the
bulk loader), a seventh of them with a start time, on a real throwaway cluster.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys

import pandas as pd
import psycopg
import pytest

from dashboard import aggregate, load, paths, stats
from dashboard.bounds import FLANK
from dashboard.db import bulk, migrate, query
from dashboard.filters import FilterSpec, Places, Preset, apply
from dashboard.load import incidents_frame
from tests.conftest import make_feature
from tests.pg import create_database, reset

sys.path.insert(0, str(paths.ROOT / "bench"))
import synthetic  # noqa: E402

d = dt.date
SHIPPED = json.loads(paths.INCIDENTS.read_text(encoding="utf-8"))["features"]


def _synthetic(n: int = 3000) -> list[dict]:
    features = list(synthetic.features(synthetic.generate(n, seed=7)))
    for i, f in enumerate(features[::7]):  # some with a time, for the hours filter
        f["properties"]["start_time"] = f"{f['properties']['date']}T{i % 24:02d}:15:00Z"
    # on the corner of the Lublin view (inside: edges count), and a hair outside it (where
    # the index's float4 boxes alone would let it in)
    edge = [make_feature({"type": "Point", "coordinates": [22.0, 50.5]}, id="edge-corner"),
            make_feature({"type": "Point", "coordinates": [22.0 - 1e-9, 50.5]}, id="edge-out")]
    # located only to their country: a region filter matches them by the region they name
    # (in any spelling of it), never by where their point falls
    coarse = [make_feature({"type": "Point", "coordinates": [19.4, 52.1]}, id=f"coarse-{i}",
                           location_precision="country", region=region)
              for i, region in enumerate(["Lublin", "LUBLIN voivodeship", "Masovian", None])]
    coarse.append(make_feature({"type": "Point", "coordinates": [35.5, 51.5]}, id="coarse-ru",
                               country="RU", location_precision="country", region="Kursk Oblast"))
    return features + edge + coarse


@pytest.fixture(scope="module")
def data(pg_cluster):
    """(database URL, the same incidents as an in-memory frame)."""
    url = create_database(pg_cluster, "efm_query")
    migrate.upgrade(url)
    reset(url, SHIPPED)
    extra = _synthetic()
    assert bulk.copy_features(url, extra) == len(extra)
    frame = incidents_frame({"type": "FeatureCollection", "features": SHIPPED + extra})
    return url, frame


PLACES = Places(load.read_regions(), load.read_presets())


SPECS = {
    "nothing": FilterSpec(),
    "retracted too": FilterSpec(retracted=True),
    "from": FilterSpec(date_from=d(2025, 6, 1)),
    "to": FilterSpec(date_to=d(2024, 3, 31)),
    "one day (ranges overlapping it)": FilterSpec(date_from=d(2025, 9, 10), date_to=d(2025, 9, 10)),
    "countries": FilterSpec(countries=("PL", "LT", "RO")),
    "no countries": FilterSpec(countries=()),
    "types": FilterSpec(types=("airport_closure", "crash_debris")),
    "platforms": FilterSpec(platforms=("balloon", "aircraft")),
    "confidence": FilterSpec(min_confidence="medium"),
    "hours": FilterSpec(hours=(9, 17)),
    "hours past midnight": FilterSpec(hours=(22, 4)),
    "search, accents folded": FilterSpec(q="RZESZOW"),
    "search, two words": FilterSpec(q="intercepted kyiv"),
    "search, LIKE wildcards taken literally": FilterSpec(q="1_0% drone"),
    "area box": FilterSpec(area="22,49,26,53"),
    "area polygon": FilterSpec(area="POLYGON((20 50, 30 50, 30 56, 20 50))"),
    "a region": FilterSpec(regions=("PL-LU",)),
    "regions of two countries": FilterSpec(regions=("PL-LU", "UA-46", "RU-KRS")),
    "no regions": FilterSpec(regions=()),
    "a preset of regions": FilterSpec(preset="russia-border"),
    "a preset of countries": FilterSpec(preset="baltic"),
    "a region and a type": FilterSpec(regions=("PL-LU",), types=("airspace_incursion",)),
    "all at once": FilterSpec(date_from=d(2025, 1, 1), types=("strike", "interception"),
                              countries=("UA",), platforms=("drone",), min_confidence="low",
                              q="near", retracted=True),
}
BBOXES = {"world": None, "flank": aggregate.padded(FLANK), "Lublin": (22.0, 50.5, 23.5, 51.8)}


def test_the_view_includes_its_edges_exactly(data):
    url, _ = data
    got = query.features(url, FilterSpec(), BBOXES["Lublin"], limit=10**6)["id"].tolist()
    assert "edge-corner" in got and "edge-out" not in got


def _in_view(frame, bbox):
    x, y = aggregate.incident_anchors(frame)
    inside = aggregate.in_view(x, y, bbox)
    return frame[inside], x[inside], y[inside]


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
@pytest.mark.parametrize("bbox", BBOXES.values(), ids=BBOXES.keys())
def test_count_and_ids_are_those_of_the_in_memory_filter(data, spec, bbox):
    url, frame = data
    expected, _, _ = _in_view(apply(frame, spec, PLACES), bbox)
    assert query.count(url, spec, bbox, PLACES) == len(expected)
    got = query.features(url, spec, bbox, limit=10**6, places=PLACES)
    assert sorted(got["id"]) == sorted(expected["id"])


def _same_summary(got: stats.Summary, shown) -> None:
    """``got`` says what stats says of the frame ``shown``, figure by figure."""
    assert got.headline == stats.headline(shown)
    assert got.closed == tuple(sorted(shown.loc[shown["type"] == "airport_closure", "icao"]
                                      .dropna().unique()))
    assert got.counts_by_type().tolist() == stats.counts_by_type(shown).tolist()
    for freq in ("D", "W"):
        pd.testing.assert_frame_equal(got.timeline(freq), stats.timeline(shown, freq),
                                      check_dtype=False)
    want = stats.by_country_and_type(shown, {"PL": "Poland"})
    pd.testing.assert_frame_equal(got.by_country_and_type({"PL": "Poland"}).sort_index(),
                                  want.sort_index(), check_dtype=False)
    pd.testing.assert_frame_equal(got.hours, stats.by_hour(shown), check_dtype=False)


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_the_summary_is_what_stats_says_of_the_filtered_frame(data, spec):
    url, frame = data
    shown = apply(frame, spec, PLACES)
    _same_summary(query.summary(url, spec, PLACES), shown)
    _same_summary(stats.summary(shown), shown)  # the in-memory summary too


@pytest.mark.parametrize("spec", [SPECS["nothing"], SPECS["types"], SPECS["all at once"]],
                         ids=["nothing", "types", "all at once"])
@pytest.mark.parametrize("cell", [(1.0, 0.5), (0.125, 0.0625)], ids=["coarse", "fine"])
def test_density_is_the_grid_of_the_incidents_in_view(data, spec, cell):
    url, frame = data
    bbox = BBOXES["flank"]
    shown, x, y = _in_view(apply(frame, spec), bbox)
    want = aggregate.grid(x, y, shown["type"].to_numpy(), *cell).cells
    got = query.density(url, spec, bbox, cell)
    assert (got.width, got.height) == cell
    key = ["lon", "lat", "type"]
    pd.testing.assert_frame_equal(got.cells.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True))
    assert got.total() == len(shown)
    lublin = BBOXES["Lublin"]
    grid, n = query.density(url, spec, bbox, cell, counted=lublin)  # one scan, both answers
    assert grid.cells.equals(got.cells) and n == len(_in_view(apply(frame, spec), lublin)[0])


def test_the_newest_come_first_up_to_the_limit(data):
    url, frame = data
    got = query.features(url, FilterSpec(types=("strike",)), None, limit=25)
    shown = apply(frame, FilterSpec(types=("strike",)))
    want = shown.sort_values(["date", "id"], ascending=[False, True]).head(25)
    assert got["id"].tolist() == want["id"].tolist()
    assert got.crs == frame.crs and list(got.columns) == list(frame.columns)


def test_the_coarse_records_match_by_the_region_they_name(data):
    url, _ = data
    got = set(query.features(url, FilterSpec(regions=("PL-LU",)), places=PLACES)["id"])
    assert {"coarse-0", "coarse-1"} <= got and not {"coarse-2", "coarse-3"} & got
    assert "coarse-ru" in set(query.features(url, FilterSpec(preset="russia-border"),
                                             places=PLACES)["id"])


def test_what_sql_cannot_express_is_refused_by_name():
    places = Places(regions=PLACES.regions, presets={
        "baltics": Preset("baltics", "Baltic states", countries=("EE", "LV", "LT"))})
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        query.where(FilterSpec(preset="nope"), places=places)
    with pytest.raises(ValueError, match="regions layer"):
        query.where(FilterSpec(regions=("PL-LU",)))
    with pytest.raises(ValueError, match="coarse"):
        query.where(FilterSpec(regions=("PL-LU",)), places=places)
    with pytest.raises(query.Unsupported, match="border-depth"):
        query.where(FilterSpec(min_depth_km=10))


def test_user_values_are_parameters_never_sql_text(data):
    url, _ = data
    evil = "x'); DROP TABLE incidents; --"
    cond, params = query.where(FilterSpec(q=evil, countries=(evil,)))
    with psycopg.connect(url) as conn:
        text = cond.as_string(conn)
    assert "drop" not in text.lower() and "%drop%" in params.values()  # a word searched for
    assert query.count(url, FilterSpec(q=evil, countries=(evil,))) == 0
    assert query.count(url, FilterSpec()) > 0  # the table is still there


def test_migration_002_fills_the_new_columns_of_existing_rows(pg_cluster, tmp_path):
    only_001 = tmp_path / "migrations"
    only_001.mkdir()
    shutil.copy(paths.ROOT / "dashboard/db/migrations/001_init.sql", only_001)
    url = create_database(pg_cluster, "efm_query_002")
    migrate.upgrade(url, only_001)
    props = {"platform": "drone", "confidence": "high", "end_time": "2025-09-10T03:40:00Z",
             "place": "Rzeszów", "summary": "Drones SEEN.", "sources": [{"quote": "Over A"}]}
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO incidents (id, type, country, date_start, date_end, geom, "
                     "feature) VALUES ('a', 'strike', 'PL', '2025-09-10', '2025-09-10', "
                     "'SRID=4326;POINT(22 50)', %s)",
                     (json.dumps({"properties": props}),))
    assert migrate.upgrade(url)[:2] == ["002_query_columns.sql", "003_search_index.sql"]
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT platform, confidence, start_hour, ST_AsText(anchor), "
                           "search_text FROM incidents").fetchone()
        assert row[:4] == ("drone", "high", 3, "POINT(22 50)")
        assert row[4].startswith("rzesz") and row[4].endswith("drones seen. over a")
        conn.execute("UPDATE incidents SET geom = 'SRID=4326;LINESTRING(20 50, 22 50, 22 52)'")
        assert conn.execute("SELECT ST_AsText(anchor) FROM incidents").fetchone()[0] == \
            "POINT(22 50)"


def test_the_bulk_loader_keeps_the_indexes_it_rebuilds(data):
    url, _ = data
    with psycopg.connect(url) as conn:
        before = sorted(r[0] for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents'"))
    with bulk.without_indexes(url), psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'incidents'"
                            ).fetchone()[0] == 1  # the primary key only
    with psycopg.connect(url) as conn:
        after = sorted(r[0] for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents'"))
    assert after == before and len(after) > 1


@pytest.mark.parametrize("spec", [SPECS["nothing"], SPECS["a region"], SPECS["all at once"]],
                         ids=["nothing", "a region", "all at once"])
@pytest.mark.parametrize("view", [BBOXES["Lublin"], None], ids=["Lublin", "everywhere"])
def test_the_summary_scan_also_counts_the_grid_and_the_view(data, spec, view):
    """One scan for a filter change: the summary, the density grid around the view and the
    count in view, each as its own query gives it."""
    url, _ = data
    around, cell = BBOXES["flank"], (0.5, 0.25)
    got, grid, n = query.summary(url, spec, PLACES, grid=(around, cell, view))
    want = query.summary(url, spec, PLACES)
    assert got.headline == want.headline and got.days.equals(want.days)
    assert got.hours.equals(want.hours) and got.closed == want.closed
    alone, alone_n = (query.density(url, spec, around, cell, PLACES, counted=view) if view
                      else (query.density(url, spec, around, cell, PLACES), None))
    pd.testing.assert_frame_equal(grid.cells, alone.cells)
    assert n == (alone_n if view else got.headline.incidents)


ROLLED = [name for name, spec in SPECS.items() if query.rolled_up(spec, PLACES)]


def test_the_briefers_filters_are_summed_from_the_rollup():
    assert {"nothing", "from", "countries", "types", "a preset of countries"} <= set(ROLLED)
    assert not {"search, two words", "hours", "a region", "area box"} & set(ROLLED)


def _rollup(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM incident_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7").fetchall()


def _recounted(url: str) -> list[tuple]:
    """The rollup as migration 005 counts it from scratch."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT date_start, date_end, type, country, status, coalesce(icao, ''), "
            "coalesce(start_hour, -1), count(*), sum(drones), min(lon), min(lat), max(lon), "
            "max(lat) FROM incidents GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
        ).fetchall()


def test_the_rollup_follows_every_write(pg_cluster, monkeypatch):
    """Loads, imports, edits, retractions, a moved date: the rollup is what counting the
    incidents again gives."""
    from dashboard import store
    monkeypatch.delenv("EFM_READ_ONLY", raising=False)
    url = create_database(pg_cluster, "efm_rollup")
    migrate.upgrade(url)
    reset(url, SHIPPED)
    bulk.copy_features(url, _synthetic(500))
    assert _rollup(url) == _recounted(url) and len(_rollup(url)) > 100
    base = store.open_snapshot(url, ids=[SHIPPED[3]["id"], SHIPPED[4]["id"]])
    moved = json.loads(json.dumps(base.feature(SHIPPED[3]["id"])))
    moved["properties"]["date"], moved["properties"]["end_date"] = "2025-01-02", None
    moved["properties"]["drones"] = 77
    store.edit(base, moved)
    store.retract(store.open_snapshot(url, ids=[SHIPPED[4]["id"]]), SHIPPED[4]["id"], "duplicate")
    store.import_features(store.open_snapshot(url, ids=[]),
                          [make_feature(id="rollup-new", drones=3, icao="EPWA",
                                        type="airport_closure")], "more.csv")
    assert _rollup(url) == _recounted(url)
    reset(url, SHIPPED)  # TRUNCATE, then an import
    assert _rollup(url) == _recounted(url)
