"""A database too big to hold: what the app shows, asked of the database, is what it would
show holding every incident (``dashboard.selection``, ``mapping.fetched_layers``).

The data: the shipped incidents and 30,000 synthetic ones, so the whole flank is drawn as
density and a city as clusters or symbols, on a real throwaway cluster.
"""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from dashboard import aggregate, context, geo, load, mapping, paths, selection
from dashboard.bounds import FLANK, Bounds
from dashboard.db import bulk
from dashboard.filters import FilterSpec, Places
from tests.conftest import loaded_database

sys.path.insert(0, str(paths.ROOT / "bench"))
import synthetic  # noqa: E402

COUNTRIES = load.read_countries()
PLACES = Places(load.read_regions(), load.read_presets())


@pytest.fixture(scope="module")
def data(pg_cluster):
    """(the database URL, a context holding every incident, one holding none)."""
    url = loaded_database(pg_cluster, "efm_selection")
    bulk.copy_features(url, synthetic.features(synthetic.generate(30_000, seed=3)))
    return url, context.load_context(url), context.load_context(url, memory_rows=1000)


def test_above_memory_rows_the_context_holds_none_but_knows_the_data(data):
    url, held, asked = data
    assert held.database is None and asked.database == url
    assert len(asked.incidents) == 0 and asked.size == len(held.incidents) == held.size
    assert (asked.first, asked.last) == (held.first, held.last)
    assert asked.country_options == held.country_options
    some = held.incidents["id"].iloc[5]
    assert some in asked.known().incidents and "no-such-id" not in asked.known().incidents


SPECS = [FilterSpec(), FilterSpec(countries=("PL",), types=("airport_closure",)),
         FilterSpec(regions=("PL-LU",)), FilterSpec(q="kharkiv", retracted=True)]


@pytest.mark.parametrize("spec", SPECS, ids=["all", "PL closures", "a region", "search"])
def test_the_selection_asked_is_the_selection_held(data, spec):
    url, held, _ = data
    want = selection.held(held.incidents, spec, PLACES)
    got = selection.asked(url, spec, PLACES, COUNTRIES, limit=500)
    assert got.total == want.total and got.partial == (want.total > 500)
    newest = want.shown.sort_values(["date", "id"], ascending=[False, True]).head(500)
    assert sorted(got.shown["id"]) == sorted(newest["id"])
    assert got.summary.headline == want.summary.headline
    pd.testing.assert_frame_equal(got.summary.timeline("W"), want.summary.timeline("W"),
                                  check_dtype=False)
    assert got.summary.closed == want.summary.closed
    # the map is fitted to the anchor points' box: within the geometries' box (the same
    # where every incident is a point)
    if want.total:
        (a, b, c, d), (w, x, y, z) = got.summary.extent, want.summary.extent
        assert w <= a <= c <= y and x <= b <= d <= z
        points = want.shown[want.shown.geom_type == "Point"]
        assert got.summary.extent == pytest.approx(tuple(points.total_bounds)) \
            or len(points) < want.total
    else:
        assert got.summary.extent is None is want.summary.extent
    # enriched like the context's rows: the depth and the search text the table and card use
    sample = got.shown.set_index("id")
    mine = held.incidents.set_index("id").loc[sample.index]
    assert sample["depth_km"].round(6).equals(mine["depth_km"].round(6))


VIEWS = {"the flank": aggregate.padded(FLANK), "Kyiv": Bounds(29.5, 50.0, 31.5, 51.0),
         "Rzeszów": Bounds(21.9, 49.95, 22.1, 50.1), "nothing yet": None}


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("spec", SPECS[:2], ids=["all", "PL closures"])
def test_the_map_asked_draws_what_the_map_held_draws(data, view, spec):
    url, held, _ = data
    shown = selection.held(held.incidents, spec, PLACES)
    zoom = view.fit_zoom(1100, 700) if view is not None else None
    want = mapping.auto_layers(shown.shown, held.airports, bounds=view, zoom=zoom)
    fetched = selection.map_data(url, spec, PLACES, view, zoom, shown.total)
    got = mapping.fetched_layers(fetched, held.airports, shown.summary.closed, bounds=view,
                                 zoom=zoom)
    assert (got.representation, got.in_view, got.legend) == \
        (want.representation, want.in_view, want.legend)
    if view is not None and got.representation != aggregate.DENSITY:
        x, y = aggregate.incident_anchors(fetched.incidents)
        assert aggregate.in_view(x, y, view).sum() == got.in_view  # every one in view is drawn
    # the same layers, with the same data in them (symbols, cluster rows, grid cells, rings)
    assert [g.layer_name for g in got.groups] == [g.layer_name for g in want.groups]
    assert [_payload(g) for g in got.groups] == [_payload(g) for g in want.groups]


def _payload(group) -> list:
    """What a layer draws, order aside: each call's data rows (sorted) and other arguments,
    or, for folium's own layers (symbols), their rendered lines without the random names."""
    import json
    import re

    from dashboard.mapping.calls import Call
    out = []
    for child in group._children.values():
        if isinstance(child, Call):
            args = json.loads(f"[{child.arguments}]")
            out.append([sorted(map(json.dumps, a)) if isinstance(a, list) else a for a in args])
        else:
            html = re.sub(r"_[0-9a-f]{32}", "_", child._template.render(this=child, kwargs={})
                          if hasattr(child, "_template") else type(child).__name__)
            out.append(sorted(html.splitlines()))
    return out


def test_the_newest_are_enriched_like_the_context(data):
    url, held, _ = data
    got = selection.asked(url, FilterSpec(q="rzeszow"), PLACES, COUNTRIES, limit=50).shown
    assert got["search_text"].tolist() == geo.search_text(got).tolist()


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_one_scan_gives_the_selection_and_the_density_the_map_would_ask_for(data, view):
    url, held, _ = data
    spec = FilterSpec()
    zoom = view.fit_zoom(1100, 700) if view is not None else None
    sel, found = selection.asked_with_map(url, spec, PLACES, COUNTRIES, view, zoom)
    alone = selection.asked(url, spec, PLACES, COUNTRIES)
    assert sel.total == alone.total and sel.summary.headline == alone.summary.headline
    assert list(sel.shown["id"]) == list(alone.shown["id"])
    asked = selection.map_data(url, spec, PLACES, view, zoom, sel.total)
    if asked.representation != aggregate.DENSITY:
        assert found is None  # the map reads its symbols or clusters itself
    else:
        assert (found.in_view, found.cell_km) == (asked.in_view, asked.cell_km)
        pd.testing.assert_frame_equal(found.grid.cells, asked.grid.cells)


def test_exports_and_brief_pdfs_read_every_match_up_to_their_limit(data):
    """With a database too big to hold, the exports and a brief's PDF read the incidents
    their filters match (not the 1,000 newest the table holds)."""
    from dashboard import briefs
    from dashboard.ui import briefing, tabs

    url, held, asked = data
    spec = FilterSpec(countries=("PL",))
    sel = selection.asked(url, spec, PLACES, COUNTRIES)
    want = selection.held(held.incidents, spec, PLACES)
    assert sel.partial and tabs.export_rows(sel) == want.total
    assert sorted(tabs._exported(asked, sel, spec)["id"]) == sorted(want.shown["id"])
    pack = briefs.Pack("p", "P", slides=(
        briefs.Slide("a", "Poland", "", {"country": ["PL"]}),
        briefs.Slide("b", "Closures", "", {"type": ["airport_closure"], "country": ["PL", "LT"]})))
    got = briefing._pack_incidents(asked, pack)
    closures = selection.held(held.incidents, FilterSpec(types=("airport_closure",),
                                                         countries=("PL", "LT")), PLACES)
    assert set(got["id"]) == set(want.shown["id"]) | set(closures.shown["id"])
    assert got.index.is_unique and "depth_km" in got
