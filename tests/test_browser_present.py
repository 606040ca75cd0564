"""The presentation view in a real browser, as a presenter meets it on a projector: slide keys
that work wherever the focus is, a page that fits the screen, readable controls on the dark
panel, and a presenter window with the speaker notes that drives the audience's screen."""

from __future__ import annotations

import pytest

from dashboard import briefs
from tests.browser import MAP_FRAME, block_outside, running_app, wait_idle

pytestmark = pytest.mark.browser

TITLE = ".st-key-present_title h1"
#: Three slides, each with its own speaker note (which the audience must never see).
SLIDES = [("Poland, 10 September", "Mention the three airport closures.",
           {"country": ["PL"], "from": ["2025-09-10"], "to": ["2025-09-10"]}),
          ("Estonia", "Aircraft over Vaindloo for twelve minutes.", {"country": ["EE"]}),
          ("Romania", "Debris found near Tulcea.", {"country": ["RO"]})]


@pytest.fixture(scope="module")
def briefs_dir(tmp_path_factory):
    """The app's brief packs during these tests: ``three`` (the slides above)."""
    folder = tmp_path_factory.mktemp("briefs")
    pack = briefs.new_pack("three", "Three slides")
    for title, note, params in SLIDES:
        pack = briefs.add_slide(pack, title, note, params)
    briefs.save_pack(pack, folder, expected_version=None)
    return folder


@pytest.fixture(scope="module")
def app_url(briefs_dir):
    with running_app(env={"EFM_BRIEFS_DIR": str(briefs_dir)}) as url:
        yield url


@pytest.fixture
def context(browser):
    """A 1920×1080 browser context whose requests never leave the machine."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    blocked: list[str] = []
    block_outside(context, blocked)
    yield context
    assert blocked == [], f"requests left the machine: {blocked}"
    context.close()


def open_view(page, app_url: str, query: str):
    page.goto(f"{app_url}/{query}", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible")
    return frame


def wait_map(page):
    """The app is idle and its (possibly new) map is drawn; returns the map's frame."""
    wait_idle(page)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible")
    return frame


def wait_title(page, text: str) -> None:
    page.wait_for_function("([sel, text]) => { const h = document.querySelector(sel);"
                           " return h && h.innerText === text; }", arg=[TITLE, text])


# --- 1. slide keys wherever the focus is ---------------------------------------------------------

def test_slide_keys_work_after_clicking_or_dragging_the_map(context, app_url):
    page = context.new_page()
    open_view(page, app_url, "?present=1&brief=three&slide=1")
    wait_title(page, SLIDES[0][0])
    frame = wait_map(page)
    # A click on the map gives the map's frame the focus: a clicker's PageDown goes there.
    frame.locator(".leaflet-container").click(position={"x": 300, "y": 300})
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    page.keyboard.press("PageDown")
    wait_title(page, SLIDES[1][0])
    # The next slide has a new map: drag it, then step back from inside it.
    wait_map(page)
    box = page.locator(MAP_FRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=8)
    page.mouse.up()
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    page.keyboard.press("ArrowLeft")
    wait_title(page, SLIDES[0][0])
    frame = wait_map(page)
    frame.locator(".leaflet-container").click(position={"x": 300, "y": 300})
    page.keyboard.press("Escape")
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible")
    assert "present=1" not in page.url
