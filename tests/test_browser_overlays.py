"""A context overlay in headless Chromium: a linked overlay's polygon is drawn in the map,
in a pane under the incident symbols, with its legend row; its sidebar toggle hides it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import overlays
from tests.browser import MAP_FRAME, block_outside, running_app, wait_idle

pytestmark = pytest.mark.browser
DATA = Path(__file__).parent / "data" / "overlays"

#: The overlay's paths in the map, and the stacking of their pane against the symbols' pane.
PANES = """(sel) => {
  const doc = document.querySelector(sel).contentDocument;
  const path = doc.querySelector('path.ef-overlay');
  if (!path) { return null; }
  const pane = path.closest('.leaflet-pane');
  const markers = doc.querySelector('.leaflet-marker-pane');
  return {pane: pane.className, z: Number(getComputedStyle(pane).zIndex),
          markers: Number(getComputedStyle(markers).zIndex),
          symbols: markers.querySelectorAll('.ef-incident').length,
          paths: doc.querySelectorAll('path.ef-overlay').length,
          rings: (path.getAttribute('d').match(/M/g) || []).length};
}"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("overlays")
    overlays.add(folder, (DATA / "zone-2025-09-15.geojson").read_bytes(), "zone.geojson",
                 "Test zone", source="hand-built test fixture")
    with running_app(env={"EFM_OVERLAYS_DIR": str(folder)}) as url:
        yield url


def test_overlay_is_drawn_under_the_symbols_and_its_toggle_hides_it(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    blocked: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    page.goto(f"{app_url}/?overlay=test-zone", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.ef-overlay").first.wait_for(state="attached")
    frame.locator(".ef-incident").first.wait_for()
    wait_idle(page)
    found = page.evaluate(PANES, MAP_FRAME)
    assert "leaflet-overlays-pane" in found["pane"]
    assert found["z"] < found["markers"] and found["symbols"] > 0
    assert (found["paths"], found["rings"]) == (1, 2)  # the MultiPolygon's two rectangles
    frame.get_by_text("Test zone (undated)").wait_for()  # its legend row

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Test zone", exact=True).click()
    page.wait_for_function(
        """(sel) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('path.ef-overlay').length === 0 &&
                    f.contentDocument.querySelectorAll('.ef-incident').length > 0; }""",
        arg=MAP_FRAME)
    page.wait_for_function("() => !window.location.search.includes('overlay=')")
    assert blocked == []
    context.close()
