"""The analyst's page in a real browser at a laptop's 1366 px: metric labels are not cut
off, and a typed date range applies on Enter (not only after clicking elsewhere)."""

from __future__ import annotations

import pytest

from tests.browser import MAP_FRAME, block_outside, running_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(env={"EFM_BRIEFS_DIR": str(tmp_path_factory.mktemp("briefs"))}) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    blocked: list[str] = []
    block_outside(context, blocked)
    yield context.new_page()
    assert blocked == []
    context.close()


def open_app(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".ef-incident").first.wait_for()
    wait_idle(page)


def test_metric_labels_are_whole_at_1366(page, app_url):
    open_app(page, app_url)
    labels = page.locator('[data-testid="stMetricLabel"]')
    assert labels.count() >= 9
    cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
        .filter(l => [l, ...l.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(l => l.innerText)""")
    assert cut == [], f"cut off: {cut}"


def test_a_typed_date_range_applies_on_enter(page, app_url):
    open_app(page, app_url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    # The range is typed segment by segment (year, month, day of each end), as a user does.
    sidebar.get_by_role("spinbutton", name="year, Dates start date").click()
    page.keyboard.type("20250910")
    sidebar.get_by_role("spinbutton", name="year, Dates end date").click()
    page.keyboard.type("20250912")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('from=2025-09-10')"
                           " && location.search.includes('to=2025-09-12')")
    page.get_by_text("from 10 Sep 2025 to 12 Sep 2025").first.wait_for()
