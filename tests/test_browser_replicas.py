"""Two app servers on one PostgreSQL database, as a team deploys them behind a proxy: an edit
saved in one shows in the other on its next run, and two edits of one record from both are
refused, not lost. Real servers (``streamlit run``), a real cluster, headless Chromium."""

from __future__ import annotations

import shutil
from contextlib import ExitStack

import pytest

from dashboard import paths, store
from tests.browser import MAP_FRAME, block_outside, open_edit, running_app
from tests.conftest import loaded_database

pytestmark = pytest.mark.browser
INCIDENT = "pl-crash-debris-2025-09-10"


@pytest.fixture(scope="module")
def database(pg_cluster):
    return loaded_database(pg_cluster, "efm_replicas")


@pytest.fixture(scope="module")
def pages(database, browser, tmp_path_factory):
    """A page on each of two app servers sharing ``database``."""
    folder = tmp_path_factory.mktemp("replicas")
    shutil.copy(paths.INCIDENTS, folder / "incidents.geojson")  # registry and briefs beside it
    env = {"EFM_DATABASE_URL": database, "EFM_DATA": str(folder / "incidents.geojson"),
           "EFM_BRIEFS_DIR": str(folder / "briefs"), "EFM_READ_ONLY": "0"}
    with ExitStack() as stack:
        out = []
        for _ in range(2):
            url = stack.enter_context(running_app(env=env))
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            stack.callback(context.close)
            block_outside(context, [])
            page = context.new_page()
            page.goto(f"{url}?incident={INCIDENT}", wait_until="domcontentloaded")
            page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
            out.append(page)
        yield out


def test_an_edit_in_one_server_shows_in_the_other_and_a_clash_is_refused(pages, database):
    a, b = pages
    # Both analysts open the same record's form (each on the data as it is now).
    form_a, form_b = open_edit(a), open_edit(b)
    form_a.get_by_label("Drones", exact=True).fill("3")
    form_a.get_by_label("Change note (kept in the history)").fill("count from server A")
    form_a.get_by_role("button", name="Save", exact=True).click()
    a.get_by_text(f"Saved {INCIDENT}.").wait_for()

    # B saves its own change of the same record: refused, naming it; A's change is kept.
    form_b.get_by_label("Drones", exact=True).fill("5")
    form_b.get_by_role("button", name="Save", exact=True).click()
    form_b.get_by_text(f"{INCIDENT}: changed by someone else", exact=False).wait_for()
    assert store.open_snapshot(database).feature(INCIDENT)["properties"]["drones"] == 3

    # B's next run shows A's edit (the card gives the count and the history names the note).
    b.reload(wait_until="domcontentloaded")
    b.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
    b.get_by_text("Change history (2)").click()  # the database's import, then A's edit
    b.get_by_text("count from server A").first.wait_for()
    [entry] = [e for e in store.history(database, INCIDENT) if e.action == "edit"]
    assert entry.changes[INCIDENT]["drones"] == [None, 3]
