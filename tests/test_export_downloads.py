"""The Export tab's downloads, through a real browser: every file is built with the title,
banner, page, PNG scale and extent set in the tab (the preview's options), not defaults."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import export
from tests.browser import MAP_FRAME, block_outside, running_app, wait_idle

pytestmark = pytest.mark.browser

TITLE = "Morning brief: Poland"
BANNER = "UNCLASSIFIED // FOR TRAINING"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(env={"EFM_BRIEFS_DIR": str(tmp_path_factory.mktemp("briefs"))}) as url:
        yield url


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, accept_downloads=True)
    blocked: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    page.goto(f"{app_url}/?country=PL", wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(state="visible")
    wait_idle(page)
    page.get_by_role("tab", name="Export").click()
    yield page
    context.close()
    assert blocked == [], f"requests left the machine: {blocked}"


def _type(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def _choose(page, name: str) -> None:
    """Pick an option of a segmented control (its buttons are radios)."""
    page.get_by_role("radio", name=name, exact=True).click()
    wait_idle(page)


def _summary_says(page, *parts: str) -> None:
    """Wait until the tab's snapshot summary shows every part: the run with them has drawn."""
    page.wait_for_function(
        """parts => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
             .some(e => e.innerText.startsWith('Snapshot:') && parts.every(p => e.innerText.includes(p)))""",
        arg=list(parts))
    wait_idle(page)


def _download(page, label: str, tmp_path, name: str):
    with page.expect_download() as download:
        page.get_by_role("button", name=label, exact=True).click()
    path = tmp_path / name
    download.value.save_as(path)
    return path, download.value.suggested_filename


def _map_area(png: bytes) -> np.ndarray:
    """The middle of the map frame (clear of title, footer and their export time)."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    h, w = image.shape[:2]
    return image[int(h * 0.3):int(h * 0.7), int(w * 0.25):int(w * 0.75)]


def test_downloads_use_the_settings_in_the_tab(page, tmp_path):
    _type(page, "Title", TITLE)
    _type(page, "Handling banner (top and bottom; empty for none)", BANNER)
    _choose(page, export.PAGE_LABELS["a4"])
    _choose(page, "2×")
    page.get_by_text("Fit to the incidents shown", exact=True).click()
    _summary_says(page, f"“{TITLE}”", export.PAGE_LABELS["a4"], "PNG 2×", f"banner “{BANNER}”")

    png, name = _download(page, "PNG", tmp_path, "fit.png")
    width_in, height_in = export.PAGES["a4"]
    expected = (int(width_in * export.BASE_DPI * 2), int(height_in * export.BASE_DPI * 2))
    assert Image.open(png).size == expected
    assert name.startswith("morning-brief-poland-") and name.endswith(".png"), name  # the title

    pdf, _ = _download(page, "PDF", tmp_path, "fit.pdf")
    reader = PdfReader(pdf)
    text = " ".join(reader.pages[0].extract_text().split())
    assert TITLE in text and BANNER in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, pt

    html, _ = _download(page, "HTML map", tmp_path, "fit.html")
    page_html = html.read_text(encoding="utf-8")
    assert TITLE in page_html and BANNER in page_html

    page.get_by_text("The whole eastern flank", exact=True).click()
    _summary_says(page, "extent 6.0° E to 41.0° E, 42.0° N to 70.5° N")  # bounds.FLANK
    flank, _ = _download(page, "PNG", tmp_path, "flank.png")
    assert Image.open(flank).size == expected
    assert not np.array_equal(_map_area(png.read_bytes()), _map_area(flank.read_bytes()))
