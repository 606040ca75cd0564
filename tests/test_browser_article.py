"""From an article, as an analyst does it in headless Chromium against a copy of the data:
paste a report, review the proposals on the map preview (accept, edit, reject; one already
in the data), save them as one logged change citing the article, registered as a source."""

from __future__ import annotations

import json

import pytest

from dashboard import paths, sources, store
from tests.browser import data_copy, editable_app_page, wait_idle, wait_symbols

pytestmark = pytest.mark.browser
ARTICLE = paths.ROOT / "tests" / "data" / "articles" / "vilnius_lublin.txt"
PREVIEW_FRAME = '.st-key-article-preview iframe'


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return data_copy(tmp_path_factory, "article")


@pytest.fixture(scope="module")
def page(data, browser):
    with editable_app_page(browser, data) as page:
        yield page


def draft(page, number: int):
    """The bordered box of proposal ``number``."""
    return page.locator(f".st-key-draft-{number}")


def test_paste_review_and_save(page, data):
    before = data.read_bytes()
    page.get_by_role("tab", name="From an article").click()
    page.get_by_label("Article text").fill(ARTICLE.read_text())
    page.get_by_role("button", name="Find incidents").click()
    page.get_by_text("3 proposal(s) in pasted text (published 6 Nov 2025, read from "
                     "'Published 6 November 2025'): 2 new, 1 already in the data.").wait_for()
    assert data.read_bytes() == before  # nothing kept before saving

    # The 10 September incursion is held already: linked, not proposed again.
    held = page.get_by_role("link", name="pl-incursion-2025-09-10")
    held.wait_for()
    assert held.get_attribute("href").endswith("?incident=pl-incursion-2025-09-10")
    wait_symbols(page, 2, PREVIEW_FRAME)
    # Quotes are shown verbatim, the closure with its time converted to UTC in the notes.
    closure = draft(page, 1)
    closure.get_by_text("Vilnius Airport suspended flights from 21:10 to 23:45 on Sunday",
                        exact=False).wait_for()

    closure.get_by_text("Accept", exact=True).click()
    wait_idle(page)
    draft(page, 2).get_by_text("Reject", exact=True).click()
    wait_symbols(page, 1, PREVIEW_FRAME)  # a rejected proposal leaves the preview
    page.get_by_role("button", name="Save 1 accepted incident(s)").wait_for()

    # Edit the interception in the incident form: it is accepted with the edited place.
    draft(page, 2).get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    place = dialog.get_by_label("Place", exact=True)
    place.wait_for()
    assert place.input_value() == "Lublin Voivodeship"
    place.fill("Lublin Voivodeship (shoot-down sites not named)")
    dialog.get_by_role("button", name="Accept with these values").click()
    dialog.wait_for(state="detached")
    draft(page, 2).get_by_text("edited", exact=False).wait_for()
    wait_symbols(page, 2, PREVIEW_FRAME)

    page.get_by_label("Change note (kept in the history)").fill("from the wire report")
    page.get_by_role("button", name="Save 2 accepted incident(s)").click()
    page.get_by_text("Saved 2 incident(s) from “Balloons close Vilnius Airport again as "
                     "Polish jets down drones”").wait_for()

    saved = {f["properties"]["id"]: f["properties"] for f in
             json.loads(data.read_text())["features"]}
    assert len(saved) == 42
    closure_id = "lt-airport-closure-2025-11-02"
    assert saved[closure_id]["icao"] == "EYVI"
    assert saved[closure_id]["start_time"] == "2025-11-02T19:10:00Z"
    assert saved["pl-interception-2025-11-04"]["place"] == ("Lublin Voivodeship (shoot-down "
                                                            "sites not named)")
    document = saved[closure_id]["sources"][0]["document"]
    assert saved[closure_id]["sources"][0]["quote"] in ARTICLE.read_text()
    last = store.history(data)[-1]
    assert (last.action, sorted(last.ids), last.source, last.note) == (
        "import", [closure_id, "pl-interception-2025-11-04"], document, "from the wire report")
    entry = sources.read(sources.path_for(data))[document]
    assert (entry.title, entry.published) == (
        "Balloons close Vilnius Airport again as Polish jets down drones", "2025-11-06")
    # The map shows them (the date filter follows the data's new last day).
    wait_symbols(page, 40)


def test_an_article_without_a_date_asks_for_it(page):
    page.get_by_role("tab", name="From an article").click()
    page.get_by_label("Article text").fill("Polish F-16s shot down three drones over the "
                                           "Lublin region on Tuesday.")
    page.get_by_role("button", name="Find incidents").click()
    page.get_by_text("Nothing proposed: no publication date found in the article: give the "
                     "date it was published").wait_for()
