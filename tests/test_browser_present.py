"""The presentation view in a real browser, as a presenter meets it on a projector: slide keys
that work wherever the focus is, a page that fits the screen, readable controls on the dark
panel, and a presenter window with the speaker notes that drives the audience's screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard import briefs, paths
from tests.browser import MAP_FRAME, block_outside, running_app, wait_idle

pytestmark = pytest.mark.browser

ARTIFACTS = paths.ROOT / "tests" / "artifacts"
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


def wait_keys(page) -> None:
    """keys.js has installed the slide keys into the page."""
    page.wait_for_function("() => document.getElementById('ef-keys')")


def wait_title(page, text: str) -> None:
    page.wait_for_function("([sel, text]) => { const h = document.querySelector(sel);"
                           " return h && h.innerText === text; }", arg=[TITLE, text])


# --- 1. slide keys wherever the focus is ---------------------------------------------------------

def test_slide_keys_work_after_clicking_or_dragging_the_map(context, app_url):
    page = context.new_page()
    open_view(page, app_url, "?present=1&brief=three&slide=1")
    wait_title(page, SLIDES[0][0])
    frame = wait_map(page)
    wait_keys(page)
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


# --- 2. the page fits the screen ---------------------------------------------------------------

#: What a viewer sees at the screen's edges, and what scrolls.
FIT = """sel => {
    const w = innerWidth, h = innerHeight, map = document.querySelector(sel);
    const inside = ".st-key-present_title, .st-key-present_nav, .st-key-play_date";
    const edges = [[1, 1], [w / 2, 1], [w - 2, 1], [w - 2, h / 2], [w - 2, h - 2],
                   [w / 2, h - 2], [1, h - 2], [1, h / 2]];
    const off = edges.filter(([x, y]) => { const e = document.elementFromPoint(x, y);
                                           return e !== map && !(e && e.closest(inside)); });
    const scrolls = [...document.querySelectorAll("*")].filter(e => {
        const s = getComputedStyle(e).overflowY;
        return ["auto", "scroll"].includes(s) && e.scrollHeight > e.clientHeight + 1; })
      .map(e => `${e.tagName}.${e.className}: ${e.scrollHeight} > ${e.clientHeight}`);
    const r = map.getBoundingClientRect(), d = map.contentDocument;
    const scale = d.querySelector(".leaflet-control-scale").getBoundingClientRect();
    return {page: document.scrollingElement.scrollHeight, h, w, scrolls, off,
            map: [r.left, r.top, r.right, r.bottom], inner: map.contentWindow.innerHeight,
            scale: scale.bottom, background: getComputedStyle(document.querySelector(".stApp"))
              .backgroundColor}; }"""


def luminance(css: str) -> float:
    """Relative luminance (WCAG) of an ``rgb(...)``/``rgba(...)`` colour."""
    r, g, b = (float(v) / 255 for v in css[css.index("(") + 1:-1].split(",")[:3])
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def assert_fits(page) -> None:
    fit = page.evaluate(FIT, MAP_FRAME)
    assert fit["page"] <= fit["h"] and fit["scrolls"] == [], fit
    left, top, right, bottom = fit["map"]
    assert (left, top) == (0, 0) and right >= fit["w"] and bottom == fit["h"], fit
    assert fit["scale"] <= fit["inner"], f"the scale bar is cut off: {fit}"
    assert fit["off"] == [], f"these screen edges are not the map: {fit}"
    assert luminance(fit["background"]) < 0.2, f"a light page behind the dark theme: {fit}"


def boxes_meet(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or
                a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def test_presentation_fits_the_screen_without_scrolling(browser, app_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_view(page, app_url, "?present=1&theme=dark&country=PL")
    wait_map(page)
    assert_fits(page)
    page.screenshot(path=str(ARTIFACTS / f"present-{size[0]}.png"))
    # With time playback on, the step's date is on the screen too, clear of the title.
    page.keyboard.press("Escape")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.wait_for(state="visible")
    wait_idle(page)
    sidebar.get_by_text("Time playback").click()
    sidebar.get_by_text("Play back the selected dates").click()
    wait_idle(page)
    sidebar.get_by_text("Brief pack & presentation").click()
    sidebar.get_by_role("button", name="Present this view").click()
    sidebar.wait_for(state="hidden")
    date = page.locator(".st-key-play_date p").first
    date.wait_for()
    wait_map(page)
    assert_fits(page)
    title = page.locator(".st-key-present_title").first.bounding_box()
    assert not boxes_meet(date.bounding_box(), title), (date.bounding_box(), title)
    page.screenshot(path=str(ARTIFACTS / f"present-play-{size[0]}.png"))
    context.close()


# --- 3. a plain present=1 link is projector-styled too -------------------------------------------

def test_present_link_without_a_theme_is_projector_styled(context, app_url):
    page = context.new_page()
    frame = open_view(page, app_url, "?present=1&country=PL")
    page.locator('[data-testid="stSidebar"]').wait_for(state="hidden")
    wait_map(page)
    title = page.locator(TITLE).first
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    label = frame.locator(".ef-map-label").first
    assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
    # The same dark theme as "Present this view": a dark sea, and the link says so.
    sea = frame.locator(".leaflet-container").evaluate("e => getComputedStyle(e).backgroundColor")
    assert luminance(sea) < 0.05, sea
    page.wait_for_function("() => location.search.includes('theme=dark')")


# --- 5. the navigation bar is readable on its panel ---------------------------------------------

NAV = ".st-key-present_nav"
#: The backgrounds from the nav panel down to an element, and the element's text colour.
#: (Streamlit draws a button with help twice and shows one: take the one shown.)
LAYERS = """([nav, sel]) => { const root = document.querySelector(nav);
    const el = [...root.querySelectorAll(sel)].find(e => e.getClientRects().length), chain = [];
    for (let e = el; e !== root.parentElement; e = e.parentElement) chain.unshift(e);
    let group = 1;
    for (let e = root; e; e = e.parentElement) group *= +getComputedStyle(e).opacity;
    return {group, text: getComputedStyle(el).color,
            layers: chain.map(e => [getComputedStyle(e).backgroundColor,
                                    +getComputedStyle(e).opacity])}; }"""


def rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in css[css.index("(") + 1:-1].split(",")]
    return (*values[:3], values[3] if len(values) == 4 else 1.0)


def contrast_on_panel(page, selector: str) -> float:
    """WCAG contrast of ``selector``'s text against the nav panel, as drawn over the map
    (the worse of a black and a white map behind a translucent panel)."""
    got = page.evaluate(LAYERS, [NAV, selector])

    def mix(top, alpha, under):
        return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top, under, strict=True))

    def lum(rgb):
        return luminance(f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})")

    worst = float("inf")
    for backdrop in ((0.0, 0.0, 0.0), (255.0, 255.0, 255.0)):
        colour, inner, panel = backdrop, 1.0, None
        for i, (background, opacity) in enumerate(got["layers"]):
            inner *= opacity if i else 1.0
            *rgb, alpha = rgba(background)
            colour = mix(rgb, alpha * inner, colour)
            panel = panel or colour
        *rgb, alpha = rgba(got["text"])
        text = mix(rgb, alpha * inner, colour)
        text, panel = (mix(c, got["group"], backdrop) for c in (text, panel))
        high, low = sorted((lum(text), lum(panel)), reverse=True)
        worst = min(worst, (high + 0.05) / (low + 0.05))
    return worst


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_nav_bar_is_readable_and_aligned(context, app_url, theme):
    page = context.new_page()
    open_view(page, app_url, f"?present=1&theme={theme}&brief=three&slide=1")
    wait_title(page, SLIDES[0][0])
    wait_map(page)
    prev = f"{NAV} .st-key-nav_prev button"
    assert page.locator(prev).locator("visible=true").is_disabled()  # the first slide: nothing before it
    counter = f"{NAV} [data-testid='stMarkdownContainer'] p"
    assert page.locator(counter).inner_text() == "1 / 3"
    icon = " [data-testid='stIconMaterial']"
    for what in (prev + icon, counter, f"{NAV} .st-key-nav_next button" + icon,
                 f"{NAV} .st-key-nav_exit button" + icon):
        assert contrast_on_panel(page, what) >= 3, what
    centres = page.evaluate("""nav => [".st-key-nav_prev button", "[data-testid='stMarkdownContainer'] p",
            ".st-key-nav_next button", ".st-key-nav_exit button"].map(s => {
        const r = [...document.querySelectorAll(nav + " " + s)].map(e => e.getBoundingClientRect())
            .find(r => r.width > 0);
        return r.top + r.height / 2; })""", NAV)
    assert max(centres) - min(centres) <= 3, centres
    page.locator(NAV).screenshot(path=str(ARTIFACTS / f"present-nav-{theme}.png"))


# --- 4. the presenter's window ---------------------------------------------------------------

#: What the presenter's window shows: slide number, note, next slide's title and the clock.
PRESENTER = """() => { const text = s => { const e = [...document.querySelectorAll(s)]
                                               .find(e => e.getClientRects().length);
                                           return e ? e.innerText.trim() : null; };
    return {count: text(".st-key-presenter_count p"),
            note: text(".st-key-presenter_note"), next: text(".st-key-presenter_next"),
            clock: text(".st-key-presenter_time p")}; }"""


def wait_presenter(page, number: int) -> dict:
    """Wait until the presenter's window shows slide ``number``; return what it shows."""
    title, note, _ = SLIDES[number - 1]
    upcoming = SLIDES[number][0] if number < len(SLIDES) else "End of the brief."
    try:
        page.wait_for_function(f"""([count, note, upcoming]) => {{ const s = ({PRESENTER})();
            return s.count === count && s.note === note && s.next && s.next.endsWith(upcoming)
                   && /^\\d\\d:\\d\\d:\\d\\d$/.test(s.clock || ""); }}""",
            arg=[f"{number} / {len(SLIDES)}", note, upcoming])
    except PlaywrightTimeout as exc:
        raise AssertionError(f"slide {number} not shown: {page.evaluate(PRESENTER)}") from exc
    return page.evaluate(PRESENTER)


def audience_text(page) -> str:
    """Everything the audience's page holds: its HTML and that of every frame in it."""
    return "\n".join(frame.content() for frame in page.frames)


def test_the_presenter_window_drives_the_audience(context, app_url, briefs_dir):
    audience = context.new_page()
    open_view(audience, app_url, "?present=1&brief=three&slide=1")
    wait_title(audience, SLIDES[0][0])
    wait_map(audience)
    presented = briefs.load_pack("three", briefs_dir)
    assert presented.last_presented is not None
    with context.expect_page() as opened:
        audience.locator(".st-key-nav_presenter a").locator("visible=true").click()
    presenter = opened.value
    presenter.locator(".st-key-presenter").wait_for()
    shown = wait_presenter(presenter, 1)
    # The clock runs.
    presenter.wait_for_function("c => document.querySelector('.st-key-presenter_time p')"
                                ".innerText.trim() !== c", arg=shown["clock"])
    # The presenter's clicker moves both windows.
    wait_keys(presenter)
    presenter.keyboard.press("PageDown")
    assert wait_presenter(presenter, 2)["next"].endswith(SLIDES[2][0])
    wait_title(audience, SLIDES[1][0])
    wait_map(audience)
    # ... and the audience's window moves the presenter's.
    audience.keyboard.press("ArrowRight")
    wait_title(audience, SLIDES[2][0])
    wait_presenter(presenter, 3)
    presenter.locator(".st-key-nav_prev button").locator("visible=true").click()
    wait_title(audience, SLIDES[1][0])
    wait_map(audience)
    # The speaker notes never reach the audience's screen; no "Speaker note" there either.
    page_text = audience_text(audience)
    for _, note, _ in SLIDES:
        assert note not in page_text
    assert audience.get_by_text("Speaker note").locator("visible=true").count() == 0
    # The presenter's window did not mark the pack presented a second time.
    assert briefs.load_pack("three", briefs_dir).version == presented.version
    presenter.screenshot(path=str(ARTIFACTS / "presenter.png"))


@pytest.fixture(scope="module")
def read_only_url(briefs_dir):
    with running_app(env={"EFM_BRIEFS_DIR": str(briefs_dir), "EFM_READ_ONLY": "1"}) as url:
        yield url


def test_a_read_only_deployment_presents_with_a_presenter_window(context, read_only_url,
                                                                  briefs_dir):
    before = briefs.load_pack("three", briefs_dir).version
    audience = context.new_page()
    open_view(audience, read_only_url, "?present=1&brief=three&slide=2")
    wait_title(audience, SLIDES[1][0])
    wait_map(audience)
    # The sidebar's brief panel of a wall screen opens the presenter's window too.
    presenter = context.new_page()
    presenter.goto(f"{read_only_url}/?present=1&presenter=1&brief=three&slide=2")
    wait_presenter(presenter, 2)
    wait_keys(presenter)
    presenter.keyboard.press("PageDown")
    wait_presenter(presenter, 3)
    wait_title(audience, SLIDES[2][0])
    assert briefs.load_pack("three", briefs_dir).version == before  # nothing was written
