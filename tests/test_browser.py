"""The app as a person meets it: started with `streamlit run`, opened in headless Chromium,
with every request that would leave the machine blocked."""

from __future__ import annotations

import pytest

from dashboard import load, paths
from tests.browser import CHROMIUM_ARGS, MAP_FRAME, block_outside, chromium_path, running_app

pytestmark = pytest.mark.browser
ARTIFACTS = paths.ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


def test_map_shows_every_incident_offline(browser, app_url):
    shipped = load.read_incidents()
    expected = len(shipped)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    blocked: list[str] = []
    errors: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url, wait_until="domcontentloaded")

    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=60_000)
    incidents = frame.locator(".ef-incident")
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('.ef-incident').length === n; }""",
        arg=[MAP_FRAME, expected], timeout=60_000)
    assert incidents.count() == expected
    # The basemap is drawn from geodata (country polygons), not tiles.
    assert frame.locator("path.leaflet-interactive").count() > 20
    assert frame.locator("img.leaflet-tile").count() == 0
    assert frame.locator("#ef-legend").is_visible()
    page.get_by_text("Incidents", exact=True).first.wait_for()

    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "app.png"))

    # Clicking a symbol opens its popup with the source document and its verbatim quote.
    closures = shipped[shipped["type"] == "airport_closure"]
    frame.locator(".ef-airport_closure").first.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=10_000)
    text = popup.inner_text()
    assert "Airport closure" in text and "Source:" in text
    shown = [row.id for row in closures.itertuples()
             if row.summary in text and all(src["quote"] in text for src in row.sources)]
    assert len(shown) == 1, text
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"console errors: {errors}"
    context.close()
