"""The interactive map's cartography in a real browser: labels that never collide, a basemap
with no clipped edges, a legend clear of the scale bar and the data, airports by zoom.

Each test opens the app (or the standalone HTML export) in headless Chromium with every
outside request blocked, waits for visible conditions, and measures boxes in screen pixels.
"""

from __future__ import annotations

import pytest

from dashboard import load, paths, style
from tests.browser import MAP_FRAME, WAIT_MS, block_outside, open_from_disk, running_app

pytestmark = pytest.mark.browser
ARTIFACTS = paths.ROOT / "tests" / "artifacts"
SIZES = [(1920, 1080), (1366, 768)]

#: The page's Leaflet map (the only one in the map's document).
MAP_JS = "Object.values(window).find(v => v instanceof L.Map)"

#: Boxes (left, top, right, bottom; screen pixels) of the visible labels and incident symbols.
BOXES_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  const shown = el => { const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && el.getClientRects().length > 0
           && !el.closest('.ef-hidden'); };
  const labels = [...document.querySelectorAll('.ef-map-label')].filter(shown).map(el => {
    const text = el.querySelector('.ef-label-text') || el;
    return {text: text.textContent.trim(), box: box(text),
            city: el.classList.contains('ef-city-label') && !el.classList.contains('ef-capital')};
  }).filter(l => l.text);
  const symbols = [...document.querySelectorAll('.leaflet-marker-icon.ef-incident')]
    .filter(shown).map(box);
  return {labels, symbols, pending: !!document.querySelector('.leaflet-container[data-ef-pending]')};
}"""


def overlap(a, b, slack: float = 0.5) -> bool:
    """Whether two (left, top, right, bottom) boxes intersect by more than ``slack`` px."""
    return (min(a[2], b[2]) - max(a[0], b[0]) > slack) and (min(a[3], b[3]) - max(a[1], b[1]) > slack)


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


def open_map(browser, app_url: str, width: int, height: int, query: str = ""):
    """A page with the app at this size, its map drawn with every incident, labels laid out."""
    context = browser.new_context(viewport={"width": width, "height": height})
    blocked: list[str] = []
    block_outside(context, blocked)
    page = context.new_page()
    page.goto(f"{app_url}/{query}", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible")
    # Every incident the legend says is in view is drawn.
    page.wait_for_function(
        """sel => { const f = document.querySelector(sel), d = f && f.contentDocument;
             const note = d && d.getElementById('ef-legend-mode');
             const n = note && /([0-9,]+) incidents? in view/.exec(note.textContent);
             return n && d.querySelectorAll('.ef-incident').length === +n[1].replace(/,/g, ''); }""",
        arg=MAP_FRAME)
    body = frame.locator("body")
    wait_view_taken(page)
    settle(body)
    return context, page, body, blocked


def wait_view_taken(page) -> None:
    """Wait until the app has taken the map's view in and stopped moving it: the link in the
    address bar (lat, lon, zoom: written on every view the map reports) names the view the map
    shows, no script run is going and no zoom animation either. The app frames the selection
    once it knows the map's size, so the first view the map opens on may not be the last."""
    page.wait_for_function("""sel => {
        const f = document.querySelector(sel), w = f && f.contentWindow;
        const m = w && w.L && Object.values(w).find(v => v instanceof w.L.Map);
        const app = document.querySelector('[data-testid="stApp"]');
        if (!m || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
        const q = new URLSearchParams(location.search), c = m.getCenter();
        return q.get('zoom') !== null && +q.get('zoom') === m.getZoom() &&
               Math.abs(+q.get('lat') - c.lat) < 1e-3 && Math.abs(+q.get('lon') - c.lng) < 1e-3 &&
               !f.contentDocument.querySelector('.leaflet-zoom-anim'); }""", arg=MAP_FRAME)


def measure(body) -> dict:
    """The label and symbol boxes once the labels are laid out (the app may rerun and swap
    the incident layers in after it first looks idle: then wait for the new layout)."""
    found = body.evaluate(BOXES_JS)
    while found["pending"]:
        settle(body)
        found = body.evaluate(BOXES_JS)
    return found


def settle(body) -> None:
    """Wait until labels exist and no label layout is pending (layers.js marks the map
    ``data-ef-pending`` from a change until its labels are placed again)."""
    body.page.wait_for_function("""sel => { const d = document.querySelector(sel).contentDocument;
        return d.querySelector('.ef-map-label') &&
               !d.querySelector('.leaflet-container[data-ef-pending]'); }""",
                                arg=MAP_FRAME, timeout=WAIT_MS)


def wait_zoom(page, zoom: float) -> None:
    """Wait until the app's map is at ``zoom``."""
    page.wait_for_function("""([sel, z]) => { const w = document.querySelector(sel).contentWindow;
        const m = Object.values(w).find(v => v instanceof w.L.Map); return m.getZoom() === z; }""",
                           arg=[MAP_FRAME, zoom])


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_labels_never_collide_and_poland_ukraine_are_readable(browser, app_url, width, height):
    context, page, body, blocked = open_map(browser, app_url, width, height)
    found = measure(body)
    labels, symbols = found["labels"], found["symbols"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"labels-{width}.png"))
    names = [label["text"] for label in labels]
    assert "Poland" in names and "Ukraine" in names, names
    clashes = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
               if overlap(a["box"], b["box"])]
    assert clashes == []
    covered = sorted({a["text"] for a in labels for s in symbols if overlap(a["box"], s)})
    assert covered == []
    assert blocked == []
    context.close()


def test_labels_are_placed_again_after_a_zoom(browser, app_url):
    context, page, body, _ = open_map(browser, app_url, 1366, 768)
    body.evaluate(f"() => {{ const m = {MAP_JS}; m.setView([50.5, 24], 6); }}")
    wait_zoom(page, 6)
    wait_view_taken(page)
    found = measure(body)
    labels = found["labels"]
    assert len(labels) > 5
    assert [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if overlap(a["box"], b["box"])] == []
    assert [a["text"] for a in labels for s in found["symbols"] if overlap(a["box"], s)] == []
    # Zoomed in, the names of cities that are not capitals show too (from zoom 6).
    assert sum(label["city"] for label in labels) > 10
    context.close()


#: Whether the country layer covers the whole map: the overlay SVG's box contains the map's,
#: and at the right edge, on the rows of 50..65°N (land all the way east: Russia, Kazakhstan,
#: Mongolia, China), the element under the pixel is a country, not the map's background.
COVER_JS = """() => {
  const m = MAP, c = m.getContainer().getBoundingClientRect();
  const svg = document.querySelector('.leaflet-overlay-pane svg').getBoundingClientRect();
  const rows = [65, 60, 55, 50].map(lat => c.top + m.latLngToContainerPoint([lat, 0]).y);
  const edge = rows.map(y => { const el = document.elementFromPoint(c.right - 3, y);
    return el ? el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '') : ''; });
  return {svg: [svg.left, svg.top, svg.right, svg.bottom], edge,
          covers: svg.left <= c.left && svg.top <= c.top && svg.right >= c.right &&
                  svg.bottom >= c.bottom};
}""".replace("MAP", MAP_JS)


def pan_and_check_cover(page, frame_body) -> dict:
    """Once no zoom animation runs (the opening fitBounds may animate), pan the map 300 px
    east, wait for the move to end and any animation to finish, report the cover check."""
    still = "() => !document.querySelector('.leaflet-zoom-anim')"
    frame_body.evaluate(f"() => new Promise(done => {{ const t = setInterval(() => {{ if (({still})()) "
                        "{ clearInterval(t); done(); } }, 50); })")
    frame_body.evaluate(f"""() => new Promise(done => {{ const m = {MAP_JS};
        m.once('moveend', () => done()); m.panBy([300, 0], {{animate: false}}); }})""")
    frame_body.evaluate(f"() => new Promise(done => {{ const t = setInterval(() => {{ if (({still})()) "
                        "{ clearInterval(t); done(); } }, 50); })")
    return frame_body.evaluate(COVER_JS)


def test_presentation_basemap_has_no_clipped_edge(browser, app_url):
    context, page, body, blocked = open_map(browser, app_url, 1920, 1080, "?present=1&theme=dark")
    result = pan_and_check_cover(page, body)
    page.screenshot(path=str(ARTIFACTS / "present-edge.png"))
    assert result["covers"], result
    assert all(e.startswith("path.") for e in result["edge"]), result["edge"]
    assert blocked == []
    context.close()


def test_standalone_export_has_no_clipped_edge(browser, tmp_path):
    from dashboard.export import html as html_export
    page_html = html_export.to_html(load.read_incidents(), load.read_countries(),
                                    load.read_airports(), title="Edge test")
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    page, blocked, _ = open_from_disk(browser, path, 1920, 1080)
    page.wait_for_function("() => document.querySelectorAll('.ef-incident').length > 0")
    body = page.locator("body")
    result = pan_and_check_cover(page, body)
    assert result["covers"], result
    assert all(e.startswith("path.") for e in result["edge"]), result["edge"]
    assert blocked == []  # the page opens from disk with no network
    page.context.close()


LEGEND_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  const legend = document.getElementById('ef-legend');
  const scale = document.querySelector('.leaflet-control-scale');
  const symbols = [...document.querySelectorAll('.leaflet-marker-icon.ef-incident')].map(box);
  const body = legend.querySelector('.ef-legend-body');
  return {legend: box(legend), scale: box(scale), symbols,
          open: !!body && getComputedStyle(body).display !== 'none'};
}"""


def test_legend_is_clear_of_the_scale_bar_and_the_data_and_collapses(browser, app_url):
    context, page, body, _ = open_map(browser, app_url, 1366, 768)
    found = body.evaluate(LEGEND_JS)
    assert not overlap(found["legend"], found["scale"])
    assert [s for s in found["symbols"] if overlap(found["legend"], s)] == []
    frame = page.frame_locator(MAP_FRAME)
    toggle = frame.locator(".ef-legend-toggle")
    before = found["open"]
    toggle.click()
    page.wait_for_function("""([sel, was]) => {
        const b = document.querySelector(sel).contentDocument.querySelector('.ef-legend-body');
        return (getComputedStyle(b).display !== 'none') !== was; }""", arg=[MAP_FRAME, before])
    after = body.evaluate(LEGEND_JS)
    assert after["open"] is not before
    # The choice holds for the session: a reload opens the legend the same way.
    page.reload(wait_until="domcontentloaded")
    frame.locator(".ef-legend-toggle").wait_for(state="visible")
    again = page.frame_locator(MAP_FRAME).locator("body").evaluate(LEGEND_JS)
    assert again["open"] is after["open"]
    context.close()


#: Airport dots drawn inside the map, in all and inside a lon/lat box.
AIRPORTS_JS = """(el, box) => {
  const m = MAP, c = m.getContainer().getBoundingClientRect();
  const a = m.latLngToContainerPoint([box[3], box[0]]), b = m.latLngToContainerPoint([box[1], box[2]]);
  const dots = [...document.querySelectorAll(
      '.leaflet-overlay-pane path[fill="FILL"]:not(.ef-closed-dot)')].map(p => p.getBoundingClientRect())
    .filter(r => r.width > 0 && r.right > c.left && r.left < c.right && r.bottom > c.top &&
                 r.top < c.bottom);
  const inBox = dots.filter(r => { const x = (r.left + r.right) / 2 - c.left,
                                         y = (r.top + r.bottom) / 2 - c.top;
                                   return x >= a.x && x <= b.x && y >= a.y && y <= b.y; });
  return {all: dots.length, inBox: inBox.length};
}""".replace("MAP", MAP_JS).replace("FILL", style.AIRPORT)  # the same before and after tiers
POLAND_BOX = [14.0, 49.0, 24.2, 54.9]  # lon/lat


def test_airports_show_what_matters_at_each_zoom(browser, app_url):
    context, page, body, _ = open_map(browser, app_url, 1920, 1080)
    default = body.evaluate(AIRPORTS_JS, POLAND_BOX)
    assert 0 < default["all"] < 60
    body.evaluate(f"() => {{ const m = {MAP_JS}; m.setView([52, 19.2], 7); }}")
    wait_zoom(page, 7)
    wait_view_taken(page)
    settle(body)
    zoomed = body.evaluate(AIRPORTS_JS, POLAND_BOX)
    assert zoomed["inBox"] > default["inBox"] + 5
    context.close()
