"""A database bigger than the app may hold (``memory_rows``): the real app, a real cluster,
headless Chromium. The whole flank is drawn as density counted by the database, a narrow
filter as symbols that can be clicked, and an edit saves the one record it touches."""

from __future__ import annotations

import shutil
import sys

import pytest

from dashboard import paths, store
from dashboard.db import bulk, query
from dashboard.filters import FilterSpec
from tests.browser import MAP_FRAME, block_outside, running_app, save_edit, wait_idle, wait_symbols
from tests.conftest import loaded_database

sys.path.insert(0, str(paths.ROOT / "bench"))
import synthetic  # noqa: E402

pytestmark = pytest.mark.browser
INCIDENT = "pl-crash-debris-2025-09-10"


@pytest.fixture(scope="module")
def database(pg_cluster):
    url = loaded_database(pg_cluster, "efm_big")
    bulk.copy_features(url, synthetic.features(synthetic.generate(30_000, seed=5)))
    return url


@pytest.fixture(scope="module")
def app(database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    shutil.copy(paths.INCIDENTS, folder / "incidents.geojson")  # registry and briefs beside it
    env = {"EFM_DATABASE_URL": database, "EFM_MEMORY_ROWS": "1000", "EFM_READ_ONLY": "0",
           "EFM_DATA": str(folder / "incidents.geojson"), "EFM_BRIEFS_DIR": str(folder / "briefs")}
    with running_app(env=env) as url:
        yield url


@pytest.fixture
def page(app, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    block_outside(context, [])
    page = context.new_page()
    yield page
    context.close()


def test_the_whole_flank_is_density_counted_by_the_database(app, page, database):
    page.goto(app, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
    total = query.count(database, FilterSpec(retracted=True))
    page.get_by_text(f"of {total:,} incidents · data as of", exact=False).wait_for()
    page.get_by_text("Shown as density:", exact=False).first.wait_for()
    # the density circles are drawn, and the table holds the newest, saying so
    page.wait_for_function("""(sel) => { const f = document.querySelector(sel);
        return f && f.contentDocument &&
               f.contentDocument.querySelectorAll('path.ef-density').length > 10; }""",
                           arg=MAP_FRAME)
    shown = query.count(database, FilterSpec())
    page.get_by_text(f"The 1,000 newest of {shown:,} incidents", exact=False).wait_for()


def test_a_narrow_filter_draws_symbols_and_an_edit_saves_one_record(app, page, database):
    spec = FilterSpec(countries=("PL",), types=("crash_debris",), q="not named")
    n = query.count(database, spec)
    assert 1 <= n <= 20
    page.goto(f"{app}?country=PL&type=crash_debris&q=not+named&incident={INCIDENT}",
              wait_until="domcontentloaded")
    wait_symbols(page, n)
    page.get_by_text(f"Shown as symbols: {n} incident", exact=False).first.wait_for()
    card = page.locator('[class*="st-key-detail_card"]')
    card.get_by_text("Crash / debris: Poland", exact=False).wait_for()
    wait_idle(page)
    save_edit(page, INCIDENT, "4", "count from the big database")
    saved = store.open_snapshot(database, ids=[INCIDENT]).feature(INCIDENT)
    assert saved["properties"]["drones"] == 4
    assert store.history(database, INCIDENT)[-1].note == "count from the big database"
