"""The analyst's page in a real browser at a laptop's 1366 px: metric labels are not cut
off, a typed date range applies on Enter (not only after clicking elsewhere), and the region
picker finds regions by their other names and picks one on Enter."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

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
    # The map has reported its view (that run is over): nothing redraws the sidebar under
    # the user's typing.
    page.wait_for_function("() => new URLSearchParams(location.search).has('zoom')")
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


def pick_region(page, typed: str) -> tuple[str, list[str]]:
    """Type into the region picker and press Enter, as a user does; the first option offered
    and the regions the link then names."""
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Admin regions")
    picker.locator("input").click()
    page.keyboard.type(typed)
    expect(picker.locator("input")).to_have_value(typed)
    # The list has caught up with the typing: its first option is the one Enter takes.
    first = page.locator('[role="option"][data-focused="true"]')
    expect(first).to_have_count(1)
    offered = first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).has('region')")
    wait_idle(page)
    # The map reframes on the region; its view is then written into the link too.
    page.wait_for_function("() => Number(new URLSearchParams(location.search).get('zoom')) > 5")
    wait_idle(page)
    return offered, page.evaluate("() => new URLSearchParams(location.search).getAll('region')")


@pytest.mark.parametrize(("typed", "codes"), [
    ("Lubelskie", {"PL-LU"}), ("Lublin", {"PL-LU"}), ("Mazowieckie", {"PL-MZ"}),
    ("Masovian", {"PL-MZ"}), ("Podkarpackie", {"PL-PK"}), ("Subcarpathian", {"PL-PK"}),
    ("Kiev", {"UA-30", "UA-32"}), ("Odesa", {"UA-51"}), ("Odessa", {"UA-51"}),
    ("Lodz", {"PL-LD"})])
def test_the_region_picker_finds_english_native_and_common_names(page, app_url, typed, codes):
    """Typing a name and Enter picks exactly one region, known by that name ("Lubelskie"
    found nothing), and the address bar keeps it after the map has moved to it (a view
    written from a map run dropped the region chosen a moment before)."""
    open_app(page, app_url)
    _, picked = pick_region(page, typed)
    assert len(picked) == 1 and picked[0] in codes, (picked, page.url)


def test_a_few_letters_and_enter_pick_the_first_match_not_every_match(page, app_url):
    """"Lub" + Enter chose "Select 2 matches" (Lublin and Lubusz): now it is the first region
    offered, alone."""
    open_app(page, app_url)
    offered, picked = pick_region(page, "Lub")
    assert len(picked) == 1 and offered.endswith(f"({picked[0]})"), (offered, picked)


def box_of(locator) -> dict:
    """An element's box once it is on the page: a late redraw of the symbol layers (a map
    run after the last one seen) replaces the elements for a moment."""
    box = None
    while box is None:
        locator.wait_for(state="visible")
        box = locator.bounding_box()
    return box


def inside(box: dict, outer: dict, slack: float = 1) -> bool:
    return (box["x"] >= outer["x"] - slack and box["y"] >= outer["y"] - slack
            and box["x"] + box["width"] <= outer["x"] + outer["width"] + slack
            and box["y"] + box["height"] <= outer["y"] + outer["height"] + slack)


def overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def settled(page, symbols, layout, seconds: float = 30) -> bool:
    """Whether the visible symbols are (again) where ``layout`` has them within ``seconds``
    (a redraw in progress shows some of them missing for a moment)."""
    end = time.monotonic() + seconds
    while boxes(symbols) != layout:
        if time.monotonic() > end:
            return False
        page.wait_for_timeout(100)
    return True


def boxes(symbols) -> list[tuple[float, float]]:
    """Where the visible symbols are, in order."""
    return sorted((round(b["x"]), round(b["y"])) for b in
                  (symbols.nth(i).bounding_box() for i in range(symbols.count())) if b)


def open_poland(page, url: str):
    page.goto(f"{url}/?country=PL", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".ef-incident").first.wait_for()
    page.wait_for_function("() => Number(new URLSearchParams(location.search).get('zoom')) > 5")
    wait_idle(page)
    return frame


def test_every_symbol_tooltip_is_whole_inside_the_map(screen, app_url):
    """At 1366 px the hover tooltip ran off the map's edge ("Warsaw Ch…")."""
    frame = open_poland(screen, app_url)
    box = screen.locator(MAP_FRAME).bounding_box()
    symbols = frame.locator(".ef-incident")
    assert symbols.count() >= 5
    for i in range(symbols.count()):
        symbols.nth(i).hover(force=True)
        tip = frame.locator(".leaflet-tooltip.foliumtooltip")
        tip.wait_for()
        assert inside(tip.bounding_box(), box), (i, tip.inner_text(), tip.bounding_box(), box)
        screen.mouse.move(1, 1)  # off the map: the tooltip goes before the next symbol's
        tip.wait_for(state="detached")


def test_a_click_opens_the_popup_inside_the_map_and_nothing_moves(screen, app_url):
    """A click on a symbol opens its popup whole, inside the map, and neither the page nor the
    map moves: at 1366 the page scrolled on the press (focusing the map's frame), so the click
    missed; at 1920 a long popup panned the map by four degrees."""
    frame = open_poland(screen, app_url)
    box = screen.locator(MAP_FRAME).bounding_box()
    symbols = frame.locator(".ef-incident")
    layout = boxes(symbols)
    for i in range(symbols.count()):
        before = box_of(symbols.nth(i))
        if not inside(before, {**box, "height": min(box["height"],
                                                    screen.viewport_size["height"] - box["y"])}):
            continue  # below the fold: a user scrolls first
        view = screen.evaluate("() => location.search.replace(/&?incident=[^&]*/, '')")
        screen.mouse.click(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
        # Open popups (one closing fades out at opacity 0 for a moment).
        popup = frame.locator(".leaflet-popup[style*='opacity: 1']")
        popup.first.wait_for()
        wait_idle(screen)
        # Open after the app's run for the selection (which redraws the symbols); the one
        # the click opened may still be fading out.
        expect(popup).to_have_count(1)
        # The selection's redraw removes and re-adds the symbol layers: all back first.
        assert settled(screen, symbols, layout), f"symbols moved after clicking symbol {i}"
        assert screen.evaluate("() => location.search.replace(/&?incident=[^&]*/, '')") == view
        assert inside(popup.bounding_box(), box), (i, popup.bounding_box(), box)


def test_the_country_under_the_pointer_is_named_clear_of_the_symbols(screen, app_url):
    """A country's hover tooltip followed the pointer and covered the symbols beside it: the
    country is named in a line at the map's bottom left, and nothing shows over the map."""
    frame = open_poland(screen, app_url)
    # A symbol on its own (the closed Lublin airport), the pointer just beside it on land.
    symbol = frame.locator(".ef-airport_closure").nth(1)
    mark = symbol.bounding_box()
    where = frame.locator(".ef-where")
    for dx, dy in ((-30, 0), (0, 30), (-25, 25), (0, -30)):
        screen.mouse.move(mark["x"] + mark["width"] / 2 + dx, mark["y"] + mark["height"] / 2 + dy)
        expect(where).to_have_text("Poland")
        assert frame.locator(".leaflet-tooltip").count() == 0
        assert not overlap(where.bounding_box(), mark)
    screen.mouse.move(1, 1)
    expect(where).to_have_text("")
