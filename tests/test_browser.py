"""The app as a person meets it: started with `streamlit run`, opened in headless Chromium,
with every request that would leave the machine blocked."""

from __future__ import annotations

import pytest

from dashboard import load, paths, sources
from tests.browser import MAP_FRAME, block_outside, open_from_disk, running_app, wait_idle
from tests.conftest import shown_by_default

pytestmark = pytest.mark.browser
ARTIFACTS = paths.ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def briefs_dir(tmp_path_factory):
    """The app's brief packs live here during the tests, never in the repository."""
    return tmp_path_factory.mktemp("briefs")


@pytest.fixture(scope="module")
def app_url(briefs_dir):
    with running_app(env={"EFM_BRIEFS_DIR": str(briefs_dir)}) as url:
        yield url


def test_map_shows_every_incident_offline(browser, app_url):
    shipped = shown_by_default(load.read_incidents())
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
    frame.locator(".leaflet-container").wait_for(state="visible")
    incidents = frame.locator(".ef-incident")
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('.ef-incident').length === n; }""",
        arg=[MAP_FRAME, expected])
    assert incidents.count() == expected
    # The basemap is drawn from geodata (country polygons), not tiles.
    assert frame.locator("path.leaflet-interactive").count() > 20
    assert frame.locator("img.leaflet-tile").count() == 0
    assert frame.locator("#ef-legend").is_visible()
    page.get_by_text("Incidents", exact=True).first.wait_for()

    ARTIFACTS.mkdir(exist_ok=True)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "app.png"))

    # Clicking a symbol opens its popup with the source document and its verbatim quote.
    closures = shipped[shipped["type"] == "airport_closure"]
    frame.locator(".ef-airport_closure").first.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    text = popup.inner_text()
    assert "Airport closure" in text and "Source:" in text
    shown = [row for row in closures.itertuples()
             if row.summary in text and all(src["quote"] in text for src in row.sources)]
    assert len(shown) == 1, text
    # Sources by the names readers know, from the registry, never a file name.
    registry = sources.read(sources.path_for(paths.INCIDENTS))
    for src in shown[0].sources:
        assert f"Source: {registry[src['document']].label()}" in text, text
    assert ".txt" not in text, text
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"console errors: {errors}"
    context.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    blocked: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    yield page
    assert blocked == [], f"requests left the machine: {blocked}"
    context.close()


def open_app(page, app_url: str, query: str = ""):
    page.goto(f"{app_url}/{query}", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible")
    return frame


def map_count(page) -> int:
    return page.evaluate("""sel => { const f = document.querySelector(sel);
        return f.contentDocument.querySelectorAll('.ef-incident').length; }""", MAP_FRAME)


def wait_map_count(page, n: int) -> None:
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             return f && f.contentDocument &&
                    f.contentDocument.querySelectorAll('.ef-incident').length === n; }""",
        arg=[MAP_FRAME, n])


def metric_value(page, label: str) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_text(label, exact=True)).first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text())


def test_table_row_selection_shows_card_and_highlight(page, app_url):
    frame = open_app(page, app_url, "?country=PL&type=airport_closure")
    wait_map_count(page, 3)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # first row's selection checkbox
    card = page.locator(".st-key-detail_card").first
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Airport closure" in text and "Sources" in text
    assert "Airports in Warsaw, Rzeszów, and Lublin were temporarily closed" in text
    frame.locator(".ef-selected").wait_for(state="attached")
    assert "incident=pl-airport-closure-" in page.url


def test_clicking_a_map_symbol_shows_the_card(page, app_url):
    frame = open_app(page, app_url, "?region=PL-PK")
    wait_map_count(page, 1)
    frame.locator(".ef-airport_closure").first.click(force=True)
    card = page.locator(".st-key-detail_card").first
    card.wait_for(state="visible")
    assert "Rzeszów-Jasionka Airport" in card.inner_text()


def test_crafted_link_shows_what_its_filters_imply(page, app_url):
    shipped = load.read_incidents()
    expected = shipped[(shipped["country"] == "PL") & (shipped["type"] == "airport_closure")]
    open_app(page, app_url, "?country=PL&type=airport_closure&q=rzeszow&min_confidence=high")
    wait_map_count(page, len(expected))
    assert metric_value(page, "Incidents") == len(expected) == 3
    assert metric_value(page, "Airports closed") == 3
    assert page.get_by_role("tab", name="Incidents").is_visible()
    assert page.get_by_text(f"{len(expected)} incidents. Select a row").is_visible()


def test_drawing_an_area_filters_and_removing_it_restores(page, app_url):
    frame = open_app(page, app_url)
    total = len(shown_by_default(load.read_incidents()))
    wait_map_count(page, total)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    # A rectangle round Poland's closed airports: drag on the map from NW to SE of them.
    box = page.locator(MAP_FRAME).bounding_box()
    warsaw = frame.locator(".ef-airport_closure").first.bounding_box()
    x0, y0 = warsaw["x"] - 60, warsaw["y"] - 60
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 90, y0 + 150, steps=8)
    page.mouse.up()
    assert box["width"] > 300
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
             const k = f && f.contentDocument.querySelectorAll('.ef-incident').length;
             return k > 0 && k < n; }""", arg=[MAP_FRAME, total])
    assert "area=POLYGON" in page.url
    assert page.get_by_text("inside the drawn area").first.is_visible()
    page.get_by_role("button", name="Remove drawn area").click()
    wait_map_count(page, total)
    assert "area=" not in page.url


def test_brushing_the_timeline_sets_the_date_filter(page, app_url):
    open_app(page, app_url, "?from=2025-09-01&to=2025-10-06")
    page.get_by_role("tab", name="Timeline").click()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("canvas, svg").first.bounding_box()
    # Drag over the left part of the time axis (the first days of September).
    y = canvas["y"] + canvas["height"] * 0.5
    page.mouse.move(canvas["x"] + 60, y)
    page.mouse.down()
    page.mouse.move(canvas["x"] + canvas["width"] * 0.35, y, steps=10)
    page.mouse.up()
    page.wait_for_function("() => new URL(location.href).searchParams.get('to') !== '2025-10-06'")
    params = dict(p.split("=", 1) for p in page.url.split("?", 1)[1].split("&"))
    assert "2025-09-01" <= params["from"] < params["to"] < "2025-10-06", params


def test_standalone_html_renders_offline(browser, tmp_path):
    from dashboard import export, geo
    countries = load.read_countries()
    incidents = geo.enrich(load.read_incidents(), countries)
    path = tmp_path / "map.html"
    path.write_text(export.to_html(incidents, countries, load.read_airports(), title="Offline"),
                    encoding="utf-8")
    page, blocked, errors = open_from_disk(browser, path)
    assert page.locator(".ef-incident").count() == len(incidents)
    assert page.locator("#ef-legend").is_visible()
    page.locator(".ef-strike").first.click(force=True)
    assert "Source:" in page.locator(".leaflet-popup-content").inner_text()
    assert blocked == [] and errors == []
    page.context.close()


def test_export_tab_downloads_the_filtered_csv(page, app_url, tmp_path):
    open_app(page, app_url, "?country=EE")
    wait_map_count(page, 1)
    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("eastern-flank-") and path.suffix == ".csv"
    import pandas as pd
    assert list(pd.read_csv(path, encoding="utf-8-sig")["id"]) == ["ee-incursion-2025-09-19"]


def test_presentation_view_fills_the_projector(browser, app_url):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    blocked: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    frame = open_app(page, app_url, "?present=1&theme=dark&country=PL")
    wait_map_count(page, 6)
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden")
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["width"] * box["height"] >= 0.9 * 1920 * 1080, box
    title = page.locator(".st-key-present_title h1").first
    assert title.is_visible() and "Eastern Flank Incident Map" in title.inner_text()
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    label = frame.locator(".ef-map-label").first
    assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
    # Dark projector theme: the sea is dark.
    sea = frame.locator(".leaflet-container").evaluate("e => getComputedStyle(e).backgroundColor")
    assert sea == "rgb(13, 27, 42)"
    page.screenshot(path=str(ARTIFACTS / "presentation.png"))
    # Escape leaves presentation view.
    page.locator("body").press("Escape")
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible")
    assert "present=1" not in page.url
    assert blocked == []
    context.close()


def test_presenting_a_brief_pack_with_the_keyboard(page, app_url, briefs_dir):
    from dashboard import briefs
    pack = briefs.new_pack("test-brief", "Test brief")
    pack = briefs.add_slide(pack, "Poland, 10 September", "Mention the closures.",
                            {"country": ["PL"], "from": ["2025-09-10"], "to": ["2025-09-10"]})
    pack = briefs.add_slide(pack, "Estonia", "", {"country": ["EE"], "zoom": ["6"],
                                                  "lat": ["59"], "lon": ["25"]})
    briefs.save_pack(pack, briefs_dir, expected_version=None)
    open_app(page, app_url, "?present=1&brief=test-brief&slide=1")
    title = page.locator(".st-key-present_title h1").first
    title.wait_for()
    assert title.inner_text() == "Poland, 10 September"
    wait_map_count(page, 6)  # PL incidents on 10 Sep 2025
    page.locator("body").press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.st-key-present_title h1')"
                           ".innerText === 'Estonia'")
    wait_map_count(page, 1)
    assert "slide=2" in page.url and "country=EE" in page.url
    page.locator("body").press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('.st-key-present_title h1')"
                           ".innerText === 'Poland, 10 September'")
    # Presenting recorded itself in the pack.
    assert briefs.load_pack("test-brief", briefs_dir).last_presented is not None


def test_playback_steps_through_the_days(page, app_url):
    open_app(page, app_url, "?from=2025-09-10&to=2025-09-12&country=PL")
    page.locator('[data-testid="stSidebar"]').get_by_text("Time playback").click()
    page.get_by_text("Play back the selected dates").click()
    # During a rerun Streamlit may briefly show the old and the new element: take the first.
    date = page.locator(".st-key-play_date p").first
    date.wait_for()
    page.wait_for_function("() => document.querySelector('.st-key-play_date p')"
                           ".innerText.startsWith('10 Sep 2025 · 6 new')")
    page.locator(".st-key-play_forward button").first.click()
    page.wait_for_function("() => document.querySelector('.st-key-play_date p')"
                           ".innerText.startsWith('11 Sep 2025 · 0 new, 6 earlier')")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".ef-faded").first.wait_for(state="attached")
