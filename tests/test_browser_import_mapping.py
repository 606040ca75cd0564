"""Mapping a file's own categories to ours in the Import tab, as an analyst does, in headless
Chromium: a monitor-style CSV whose ``event_group`` holds "Shelling", "Airstrike", "Drone"
and "Protest"; then re-importing an ACLED export that is already in the data."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from dashboard import paths
from tests.browser import IMPORT_FILE, data_copy, editable_app_page, wait_idle

pytestmark = pytest.mark.browser
DATA = paths.ROOT / "tests" / "data" / "import"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return data_copy(tmp_path_factory, "mapping")


@pytest.fixture(scope="module")
def page(data, browser):
    with editable_app_page(browser, data) as page:
        yield page


def open_import_tab(page) -> None:
    """The Import tab, shown and staying shown once the app is idle."""
    wait_idle(page)
    page.get_by_role("tab", name="Import").click()
    wait_idle(page)
    expect(page.locator('[role="tab"][aria-selected="true"]')).to_have_text("Import")


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (typed, then clicked in the list)
    and wait for the rerun. A rerun of the map's fragment (the page's layout changed) can
    close an open list: then the list is opened again."""
    for _ in range(3):
        wait_idle(page)
        page.locator(f'input[aria-label="{label}"]').click()
        page.keyboard.type(option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=15_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError(f"could not choose {option!r} in {label!r}")
    wait_idle(page)


def test_values_mapped_one_by_one_then_saved_as_a_profile(page, data):
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(DATA / "monitor.csv"))
    page.get_by_text("7 row(s) read as CSV with coordinate columns:").wait_for()
    wait_idle(page)
    page.get_by_text("Profile, value mapping and constants").click()
    choose(page, "Map the values of column", "event_group")
    # "Airstrike" and " airstrike " are one value (as the mapping reads them).
    for value, ours in (("Shelling (2 rows)", "strike"), ("Airstrike (2 rows)", "strike"),
                        ("Drone (2 rows)", "airspace_incursion"), ("Protest (1 row)", "skip")):
        choose(page, value, ours)
    page.get_by_text("7 row(s) read as CSV with coordinate columns: 5 imported, 2 rejected"
                     ).wait_for()
    page.get_by_text("is mapped to skip (not an incident this map covers)").first.wait_for(
        state="attached")  # a cell of the rejected-rows grid
    page.get_by_label("Save these choices as a profile named").fill("our-monitor")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Saved profile 'our-monitor'").wait_for()
    saved = json.loads((data.parent / "import-profiles" / "our-monitor.json").read_text())
    assert saved["values"]["type"] == {"column": "event_group", "map": {
        "Shelling": "strike", "Airstrike": "strike", "Drone": "airspace_incursion",
        "Protest": "skip"}}
    assert "event_group" in saved["match"]


def test_the_same_export_again_is_recognised_as_held_not_added(page, data):
    """An ACLED export saved once, uploaded again: its events are the records already held
    (unchanged), so nothing is offered to add; the Import tab stays open throughout."""
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(DATA / "acled.csv"))
    page.get_by_role("button", name="Add 4 incidents to the data").click()
    page.get_by_text("Added 4 incidents from acled.csv").wait_for()
    open_import_tab(page)
    page.locator(IMPORT_FILE).set_input_files(str(DATA / "acled.csv"))
    # The save's "Added ..." message, gone on this run, moved the tabs: the first one showed
    # again and the upload's report was hidden behind the table.
    wait_idle(page)
    expect(page.locator('[role="tab"][aria-selected="true"]')).to_have_text("Import")
    page.get_by_text("7 row(s) read as ACLED export (CSV) with the ACLED profile: 0 added, "
                     "0 updated, 4 unchanged, 3 rejected").wait_for()
    page.get_by_text("Already in the data (same source id): 0 updated, 4 unchanged.").wait_for()
    assert page.get_by_role("button", name="Add 0 incidents to the data").count() == 0
    assert len(json.loads(data.read_text())["features"]) == 44


def test_a_timemap_export_reads_its_ids_through_a_lookup_file(page):
    """A TimeMap event list names its categories by id ("ASSOC_3"): with its associations
    file added in the tab, the ids are read as their titles and the events import."""
    open_import_tab(page)
    page.locator(IMPORT_FILE).set_input_files(str(DATA / "timemap.json"))
    page.get_by_text("3 row(s) read as JSON event list with the TimeMap event list profile: "
                     "0 imported, 3 rejected").wait_for()
    wait_idle(page)
    page.get_by_text("Profile, value mapping and constants").click()
    page.locator('[class*="-lookup"] input[type="file"]').set_input_files(
        str(DATA / "timemap_associations.json"))
    page.get_by_text("3 row(s) read as JSON event list with the TimeMap event list profile: "
                     "2 imported, 1 rejected").wait_for()
