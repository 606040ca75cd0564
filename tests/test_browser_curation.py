"""Curating as a person does, in headless Chromium against a temporary copy of the data:
upload an ACLED export, read the rejected rows, preview on the map, save; edit a record."""

from __future__ import annotations

import json

import pytest

from dashboard import paths, store
from tests.browser import IMPORT_FILE, MAP_FRAME, data_copy, editable_app_page, save_edit, wait_idle

pytestmark = pytest.mark.browser
ACLED = paths.ROOT / "tests" / "data" / "import" / "acled.csv"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return data_copy(tmp_path_factory, "curation")


@pytest.fixture(scope="module")
def page(data, browser):
    with editable_app_page(browser, data) as page:
        yield page


def marker_count(page) -> int:
    return page.frame_locator(MAP_FRAME).locator(".ef-incident").count()


def test_import_preview_then_save(page, data):
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(ACLED))
    page.get_by_text("7 row(s) read as ACLED export (CSV) with the ACLED profile: "
                     "4 imported, 3 rejected").wait_for()
    table = page.locator('[data-testid="stDataFrame"]').last
    table.wait_for()
    assert data.read_bytes() == paths.INCIDENTS.read_bytes()  # nothing kept before saving

    page.get_by_text("valid rows on the map").click()
    page.get_by_text("Import preview: 4 of 4 unsaved imported rows").wait_for()
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('.ef-incident').length === n; }""",
        arg=[MAP_FRAME, 42])  # 38 shown (2 of the 40 are retracted) + 4 previewed

    page.get_by_role("tab", name="Import").click()
    # Re-reading the file while its preview is shown must not count the preview as saved data.
    page.locator('input[aria-label="Format"]').click()
    page.keyboard.type("ACLED")
    page.keyboard.press("Enter")
    page.get_by_text("Format: ACLED export (CSV), as chosen above").wait_for()
    page.get_by_text("7 row(s) read as ACLED export (CSV) with the ACLED profile: "
                     "4 imported, 3 rejected").wait_for()
    page.get_by_role("button", name="Add 4 incidents to the data").click()
    page.get_by_text("Added 4 incidents from acled.csv").wait_for()
    ids = [f["properties"]["id"] for f in json.loads(data.read_text())["features"]]
    assert len(ids) == 44 and "acled-ukr90001" in ids
    [entry] = store.history(data)
    assert (entry.action, entry.source) == ("import", "acled.csv")


def test_edit_from_the_card_is_saved_and_logged(page, data):
    incident = "pl-crash-debris-2025-09-10"
    page.goto(page.url.split("?")[0] + f"?incident={incident}", wait_until="domcontentloaded")
    save_edit(page, incident, "3", "count from the follow-up")
    assert store.open_snapshot(data).feature(incident)["properties"]["drones"] == 3
    entry = store.history(data, incident)[-1]
    assert entry.note == "count from the follow-up" and entry.changes[incident]["drones"][1] == 3


def test_unrecognised_coordinate_columns_are_chosen_by_the_user(page, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("N,E,Day,Kind,Text\n52.2,21.0,2025-09-10,drone incursion,Drone seen over Warsaw\n")
    page.goto(page.url.split("?")[0], wait_until="domcontentloaded")
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(odd))
    page.get_by_text("no coordinate columns found (columns: N, E, Day, Kind, Text)").wait_for()
    for field, column in (("lat", "N"), ("lon", "E")):
        page.locator(f'input[aria-label="{field}"]').click()
        page.keyboard.type(column)
        page.keyboard.press("Enter")
        wait_idle(page)
    page.get_by_text("1 row(s) read as CSV with coordinate columns: 1 imported, 0 rejected").wait_for()


@pytest.mark.parametrize(("name", "message"), [
    ("upload-zip.csv", "KMZ (zipped KML) has no layers"),
    ("upload-html.txt", "is XML or HTML but not KML"),
    ("upload-long-number.geojson", "a number has too many digits"),
    ("upload-lone-surrogate.geojson", "unpaired UTF-16 surrogate escape"),
])
def test_a_broken_upload_shows_its_message_not_a_traceback(page, name, message):
    page.goto(page.url.split("?")[0], wait_until="domcontentloaded")
    page.get_by_role("tab", name="Import").click()
    page.locator(IMPORT_FILE).set_input_files(str(paths.ROOT / "tests/data/bad" / name))
    page.locator('[data-testid="stAlertContentError"]').filter(has_text=message).first.wait_for()
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
