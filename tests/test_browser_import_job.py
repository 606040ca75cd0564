"""A big upload is imported in a worker process, as a person sees it in Chromium: a progress
bar that counts rows, a Cancel button that stops it, the report when it is done, and other
people's pages answering meanwhile."""

from __future__ import annotations

import re
import shutil

import pytest

from bench.bench_import import synthetic_acled
from dashboard import paths
from dashboard.importer import jobs
from tests.browser import IMPORT_FILE, MAP_FRAME, WAIT_MS, block_outside, running_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import-job")
    shutil.copy(paths.INCIDENTS, folder / "incidents.geojson")
    env = {"EFM_DATA": str(folder / "incidents.geojson"), "EFM_READ_ONLY": "0",
           "EFM_BRIEFS_DIR": str(folder / "briefs")}
    with running_app(env=env) as url:
        yield url


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """ACLED-shaped CSVs of synthetic rows above the size imported in the script run."""
    folder = tmp_path_factory.mktemp("uploads")
    made = {}
    for name, rows in (("medium.csv", 8_000), ("big.csv", 100_000)):
        made[name] = folder / name
        made[name].write_bytes(synthetic_acled(rows))
        assert made[name].stat().st_size > jobs.INLINE_BYTES
    return made


def open_page(browser, url):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    block_outside(context, [])
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=WAIT_MS)
    return page


def test_a_big_import_shows_progress_then_its_report(browser, app, files):
    page = open_page(browser, app)
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(files["medium.csv"]))
    page.get_by_text(re.compile(r"Importing medium\.csv\.")).wait_for(timeout=WAIT_MS)
    page.get_by_text("8000 row(s) read as ACLED export (CSV)").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name=re.compile(r"Add \d+ incidents to the data")).wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()


def test_a_big_import_can_be_cancelled_and_other_pages_answer_meanwhile(browser, app, files):
    other = open_page(browser, app)  # someone else has the map open and filters it meanwhile
    shown = other.frame_locator(MAP_FRAME).locator(".ef-incident")
    shown.first.wait_for(timeout=WAIT_MS)
    before = shown.count()
    page = open_page(browser, app)
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(files["big.csv"]))
    page.get_by_text(re.compile(r"Checking rows: [\d,]+ of 100,000")).wait_for(timeout=WAIT_MS)
    other.get_by_role("button", name="Airport closure", exact=True).click()
    other.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             const k = f && f.contentDocument &&
                       f.contentDocument.querySelectorAll('.ef-incident').length;
             return k > 0 && k < n; }""", arg=[MAP_FRAME, before], timeout=WAIT_MS)
    assert page.get_by_text(re.compile(r"Checking rows")).is_visible()  # still importing

    page.get_by_role("button", name="Cancel import").click()
    page.get_by_text("Import of big.csv stopped (cancelled); nothing was added.").wait_for(
        timeout=WAIT_MS)
    assert page.get_by_role("button", name=re.compile(r"Add \d+ incidents")).count() == 0
    page.get_by_role("button", name="Import again").click()
    page.get_by_text(re.compile(r"Importing big\.csv\.")).wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Cancel import").click()
    page.get_by_text("Import of big.csv stopped (cancelled)").wait_for(timeout=WAIT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    other.context.close()
    page.context.close()
