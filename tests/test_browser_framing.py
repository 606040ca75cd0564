"""In a real browser: the map frames the selection on the screen it is shown on, and time
playback's Play runs in the normal view (not only in the presentation view)."""

from __future__ import annotations

import pytest

from tests.browser import MAP_FRAME, running_app, wait_symbols

pytestmark = pytest.mark.browser

#: Screen boxes of every incident symbol and of the map, inside the map's frame.
BOXES = """sel => { const d = document.querySelector(sel).contentDocument;
    const box = e => { const r = e.getBoundingClientRect();
                       return [r.left + r.width / 2, r.top + r.height / 2]; };
    const map = d.querySelector('.leaflet-container').getBoundingClientRect();
    return {map: [map.left, map.top, map.right, map.bottom],
            symbols: [...d.querySelectorAll('.ef-incident')].map(box)}; }"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(env={"EFM_BRIEFS_DIR": str(tmp_path_factory.mktemp("briefs"))}) as url:
        yield url


@pytest.fixture
def page(screen):
    return screen


def test_a_country_fills_the_map(page, app_url):
    page.goto(f"{app_url}/?country=PL", wait_until="domcontentloaded")
    wait_symbols(page, 6)
    # Once the browser has reported its size the map is fitted to it: every symbol is on the
    # map, and they spread across it (Poland, not Europe with tiny dots).
    page.wait_for_function(f"""sel => {{ const b = ({BOXES})(sel);
        const [left, top, right, bottom] = b.map;
        const inside = b.symbols.every(([x, y]) => left <= x && x <= right && top <= y && y <= bottom);
        const xs = b.symbols.map(s => s[0]), ys = b.symbols.map(s => s[1]);
        const spread = Math.max((Math.max(...xs) - Math.min(...xs)) / (right - left),
                                (Math.max(...ys) - Math.min(...ys)) / (bottom - top));
        return inside && spread > 0.4; }}""", arg=MAP_FRAME)


def test_play_steps_through_the_days_in_the_normal_view(page, app_url):
    page.goto(f"{app_url}/?from=2025-09-10&to=2025-09-12&country=PL", wait_until="domcontentloaded")
    page.locator('[data-testid="stSidebar"]').get_by_text("Time playback").click()
    page.get_by_text("Play back the selected dates").click()
    date = ".st-key-play_date p"
    page.wait_for_function(f"() => document.querySelector('{date}')?.innerText"
                           ".startsWith('10 Sep 2025')")
    page.locator(".st-key-play_toggle button").first.click()
    # Playing on its own: the date moves on to the next days without another click.
    page.wait_for_function(f"() => document.querySelector('{date}')?.innerText"
                           ".startsWith('12 Sep 2025')")
