"""Text from data is shown as text, never as HTML, script or Markdown: in tooltips, popups,
the detail card, the exports (HTML, GeoJSON, CSV, GeoPackage, PDF) and in a real browser,
where no dialog may fire and the hostile characters must appear literally.

The hostile incidents below validate: the schema cannot refuse a summary for looking like
HTML, so every renderer has to be safe. Only links are refused at the edge (``http``/``https``
only, see ``schema.http_url``)."""

from __future__ import annotations

import copy
import html
import io
import json
import re

import pytest
from pypdf import PdfReader

from dashboard import briefs, detail, export, filters, geo, load, mapping
from dashboard.schema import validate_collection, validate_feature
from tests.browser import WAIT_MS
from tests.conftest import BASE_PROPS, make_feature

SUMMARY = "<img src=x onerror=alert(1)>"
PLACE = "</script><script>alert(1)</script>"
REGION = "<b>bold</b> & <i>it</i>"
NOTES = "<svg onload=alert(1)> [click](javascript:alert(1)) **not bold** AT&amp;T"
QUOTE = '"><script>alert(1)</script>'
PUBLISHER = "**Pub** <i>x</i> ![t](http://127.0.0.1:9/track.png)"
DOCUMENT = "<b>doc</b> $x^2$.txt"
# Markdown and Streamlit directives, a template and a formula: all must stay literal.
SUMMARY_2 = ":red[Alarm] $x^2$ {{7*7}} ![t](http://127.0.0.1:9/track2.png) :material/home:"
PLACE_2 = "[Evil link](https://evil.example/) **bold** # heading"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"
FORMULA_PLACE = "@SUM(1+1)"
LITERALS = (SUMMARY, PLACE, REGION, NOTES, QUOTE, PUBLISHER, DOCUMENT, SUMMARY_2, PLACE_2)
#: What must never appear in HTML built from the data: a live tag or a script break-out.
LIVE = re.compile(r"<\s*(img|script|svg|iframe|b|i)\b|</script><script>"
                  r"|(href|src)\s*=\s*[\"']?\s*javascript:", re.I)


def feature(geometry, **props) -> dict:
    p = copy.deepcopy(BASE_PROPS)
    p.update(props)
    return {"type": "Feature", "geometry": geometry, "properties": p}


def hostile_collection() -> dict:
    """Three valid incidents whose every free-text field is hostile."""
    return {"type": "FeatureCollection", "features": [
        feature({"type": "Point", "coordinates": [23.1, 51.5]}, id="xss-summary",
                summary=SUMMARY, place=PLACE, region=REGION, notes=NOTES,
                sources=[{"document": DOCUMENT, "quote": QUOTE, "publisher": PUBLISHER,
                          "url": "https://example.org/a"}],
                related_ids=["xss-markdown"]),
        feature({"type": "Point", "coordinates": [21.0, 52.2]}, id="xss-markdown",
                summary=SUMMARY_2, place=PLACE_2, related_ids=["xss-summary"]),
        feature({"type": "Point", "coordinates": [24.0, 50.0]}, id="xss-formula",
                summary=FORMULA, place=FORMULA_PLACE,
                sources=[{"document": "-2+3.txt", "quote": "+cmd|' /C calc'!A0"}]),
    ]}


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "incidents.geojson"
    path.write_text(json.dumps(hostile_collection(), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def countries():
    return load.read_countries()


@pytest.fixture(scope="module")
def incidents(hostile_file, countries):
    return geo.enrich(load.read_incidents(hostile_file), countries)


def test_the_hostile_file_is_valid_data():
    assert validate_collection(hostile_collection()) == []


# --- links -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
    "//evil.example/x", "/relative/path", "example.org", "https://", "http:///x",
    "https://exa mple.org", "https://example.org/\n", "ftp://example.org/a",
])
def test_only_http_links_are_allowed(url):
    problems = validate_feature(make_feature(
        sources=[{"document": "d.txt", "quote": "q", "url": url}]))
    assert [(p.field, "link" in p.message) for p in problems] == [("sources.0.url", True)], problems


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org", "HTTPS://EXAMPLE.ORG/x?y=1#z",
                                 "https://[::1]:8501/", None])
def test_http_links_pass(url):
    assert validate_feature(make_feature(sources=[{"document": "d.txt", "quote": "q", "url": url}])) == []


# --- map: tooltips, popups and the page that carries them ---------------------------------

def test_tooltips_and_popups_escape_every_data_text(incidents):
    for _, row in incidents.iterrows():
        tip, popup = mapping.tooltip_html(row), mapping.popup_html(row)
        assert not LIVE.search(tip) and not LIVE.search(popup), (tip, popup)
        assert html.escape(row["place"]) in tip and html.escape(row["place"]) in popup
        assert html.escape(row["summary"]) in popup
    popup = mapping.popup_html(incidents.loc["xss-summary"])
    for text in (QUOTE, PUBLISHER, DOCUMENT, NOTES, REGION):
        assert html.escape(text) in popup
    assert "https://example.org/a" not in popup  # links are not shown in popups at all


def test_the_map_page_carries_data_only_as_escaped_text(incidents, countries):
    page = mapping.standalone_map(countries, None, incidents).get_root().render()
    for text in LITERALS:
        if any(c in text for c in "<>&"):
            assert text not in page, text
    assert "</script><script>alert(1)" not in page and "<img src=x" not in page


def test_detail_fields_are_plain_text_for_the_front_end_to_escape(incidents):
    fields = dict(detail.fields(incidents.loc["xss-summary"]))
    assert fields["Summary"] == SUMMARY and fields["Place"] == PLACE
    assert fields["Notes"] == NOTES and fields["Region"] == REGION


# --- exports ---------------------------------------------------------------------------

def test_html_export_runs_nothing_from_data_or_titles(incidents, countries):
    title = "</title><script>alert(1)</script>"
    subtitle = filters.describe(filters.FilterSpec(q=SUMMARY))
    page = export.to_html(incidents, countries, None, title=title, subtitle=subtitle)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "</title><script>" not in page
    assert re.findall(r"<title>(.*?)</title>", page) == [html.escape(title)] * 2
    assert html.escape(subtitle) in page


def test_geojson_export_keeps_the_text_as_data(incidents):
    data = json.loads(export.to_geojson(incidents))
    props = {f["properties"]["id"]: f["properties"] for f in data["features"]}
    assert props["xss-summary"]["summary"] == SUMMARY
    assert props["xss-summary"]["place"] == PLACE
    assert props["xss-summary"]["sources"][0] == {"document": DOCUMENT, "quote": QUOTE,
                                                  "publisher": PUBLISHER,
                                                  "url": "https://example.org/a"}
    assert validate_collection(data) == []  # what we export, we can read back


def test_csv_export_keeps_text_literal_and_defuses_formulas(incidents):
    import pandas as pd
    frame = pd.read_csv(io.BytesIO(export.to_csv(incidents)), encoding="utf-8-sig",
                        keep_default_na=False).set_index("id")
    assert frame.loc["xss-summary", "summary"] == SUMMARY
    assert frame.loc["xss-summary", "place"] == PLACE
    assert frame.loc["xss-summary", "notes"] == NOTES
    assert frame.loc["xss-markdown", "summary"] == SUMMARY_2
    # A cell a spreadsheet would run as a formula gets a leading apostrophe.
    assert frame.loc["xss-formula", "summary"] == "'" + FORMULA
    assert frame.loc["xss-formula", "place"] == "'" + FORMULA_PLACE
    assert frame.loc["xss-formula", "sources"].startswith("'-2+3.txt: ")
    assert frame.loc["xss-formula", "drones"] == 19  # numbers are left alone


def test_gpkg_export_keeps_text_literal(incidents, tmp_path):
    import geopandas as gpd
    path = tmp_path / "x.gpkg"
    path.write_bytes(export.to_gpkg(incidents))
    frame = gpd.read_file(path, layer="incidents", engine="pyogrio").set_index("id")
    assert frame.loc["xss-summary", "summary"] == SUMMARY
    assert frame.loc["xss-summary", "place"] == PLACE


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_snapshot_shows_the_characters_literally(incidents, countries):
    spec = filters.FilterSpec(q=SUMMARY + " $x$")
    from dashboard.sources import Source
    registry = {DOCUMENT: Source(DOCUMENT, DOCUMENT + " <i>title</i>", PUBLISHER)}
    opts = export.SnapshotOptions(title=PLACE, subtitle=filters.describe(spec),
                                  banner="<b>$BANNER$</b>", sources=registry)
    text = pdf_text(export.render("pdf", incidents, countries, None, opts))
    assert PLACE in text                                   # title
    assert f"matching “{SUMMARY} $x$”" in text              # subtitle: q from a link
    assert DOCUMENT + " <i>title</i>" in text.replace("\n", " ")  # sources line, '$' not mathtext
    assert "<b>$BANNER$</b>" in text


def test_brief_pdf_notes_show_the_characters_literally(incidents, countries):
    pack = briefs.add_slide(briefs.new_pack("hostile", PLACE), SUMMARY + " $x^2$",
                            NOTES + "\n" + QUOTE, {"q": ["<b>q</b>"]})
    places = filters.Places(load.read_regions(), load.read_presets())
    text = pdf_text(export.pack_pdf(pack, incidents, countries, None, places, {}, notes=True))
    assert SUMMARY + " $x^2$" in text and PLACE in text and QUOTE in text
    assert NOTES.split(" [")[0] in text and "**not bold**" in text
    assert "matching “<b>q</b>”" in text


# --- the app in a real browser ---------------------------------------------------------

browser_only = pytest.mark.browser


def open_popup_with(root, text: str):
    """Click the map's symbols in turn until a popup shows ``text``; return the popup."""
    popup = root.locator(".leaflet-popup-content")
    for i in range(root.locator(".ef-incident").count()):
        # On the symbol itself, not at its position: an open popup or a symbol drawn over it
        # would take a click at those coordinates.
        root.locator(".ef-incident").nth(i).dispatch_event("click")
        popup.wait_for(state="visible")
        if text in popup.inner_text():
            break
    return popup


@pytest.fixture(scope="module")
def hostile_app(hostile_file, tmp_path_factory):
    from tests.browser import running_app
    folder = tmp_path_factory.mktemp("briefs")
    pack = briefs.add_slide(briefs.new_pack("hostile", "Hostile"), PLACE + " " + PUBLISHER,
                            NOTES, {"q": [SUMMARY]})
    briefs.save_pack(pack, folder)
    with running_app(env={"EFM_DATA": str(hostile_file), "EFM_BRIEFS_DIR": str(folder)}) as url:
        yield url


class Watch:
    """Dialogs opened, script errors, and requests for anything the data tried to load."""

    def __init__(self, context, page):
        from urllib.parse import urlparse

        from tests.browser import LOCAL_HOSTS
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.injected: list[str] = []

        def outside(route):  # tests.browser.block_outside, plus file: for exported pages
            url = route.request.url
            if (urlparse(url).hostname or "") in LOCAL_HOSTS or url.startswith(
                    ("data:", "blob:", "about:", "file:")):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        context.route("**/*", outside)
        def injected(request):  # what the hostile texts would load if they were markup
            url = urlparse(request.url)
            if (re.fullmatch(r"/track\d?\.png|/x", url.path) or url.hostname == "evil.example"
                    or url.scheme == "javascript"):
                self.injected.append(request.url)

        context.on("request", injected)
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def assert_clean(self):
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.injected == [], f"data made the page load: {self.injected}"
        assert self.blocked == [], f"requests left the machine: {self.blocked}"


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    watch = Watch(context, page)
    yield page, watch
    context.close()


def settle(page) -> None:
    """The app has finished its run and the page has no request in flight."""
    from tests.browser import wait_idle
    wait_idle(page)
    page.wait_for_load_state("networkidle")


def expect_text(locator, text: str, timeout: float = WAIT_MS) -> None:
    from playwright.sync_api import expect
    expect(locator).to_contain_text(text, timeout=timeout)


@browser_only
def test_card_tooltip_and_popup_show_hostile_text_literally(watched, hostile_app):
    from tests.browser import MAP_FRAME
    page, watch = watched
    page.goto(f"{hostile_app}/?incident=xss-summary", wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible")
    card = page.locator(".st-key-detail_card").first
    for text in (SUMMARY, PLACE, REGION, NOTES, QUOTE):
        expect_text(card, text)
    # The source line and the related incident's button are data too.
    expect_text(card, PUBLISHER)
    expect_text(card, DOCUMENT)
    expect_text(card, PLACE_2)

    symbol = frame.locator(".ef-incident").first
    symbol.wait_for()
    for i in range(frame.locator(".ef-incident").count()):
        frame.locator(".ef-incident").nth(i).hover(force=True)
    expect_text(frame.locator(".leaflet-tooltip").last, "xss-")
    page.mouse.move(5, 5)
    popup = open_popup_with(frame, PLACE)
    for text in (SUMMARY, PLACE, QUOTE, NOTES):
        expect_text(popup, text)
    settle(page)  # any injected handler would have fired by now
    watch.assert_clean()
    assert watch.errors == []


@browser_only
def test_a_crafted_link_cannot_inject_markup(watched, hostile_app):
    from tests.browser import MAP_FRAME
    page, watch = watched
    q = "<img src=x onerror=alert(1)> ![t](http://127.0.0.1:9/track3.png) :red[x]"
    from urllib.parse import quote
    page.goto(f"{hostile_app}/?q={quote(q)}&country=PL&bogus={quote(PLACE)}",
              wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for()
    main = page.locator('[data-testid="stMain"]').first
    expect_text(main, f"matching “{q}”")                # the caption
    expect_text(main, "unknown parameter 'bogus'")      # the notice about the link
    settle(page)
    watch.assert_clean()


@browser_only
def test_presenting_a_hostile_brief_shows_text_literally(watched, hostile_app):
    page, watch = watched
    page.goto(f"{hostile_app}/?present=1&brief=hostile&slide=1", wait_until="domcontentloaded")
    title = page.locator(".st-key-present_title").first
    expect_text(title, PLACE + " " + PUBLISHER)
    expect_text(title, f"matching “{SUMMARY}”")
    settle(page)
    watch.assert_clean()


@browser_only
def test_exported_html_runs_nothing_in_a_browser(watched, incidents, countries, tmp_path):
    page, watch = watched
    path = tmp_path / "map.html"
    path.write_text(export.to_html(incidents, countries, None, title=PLACE,
                                   subtitle=f"matching “{SUMMARY}”"), encoding="utf-8")
    page.goto(path.as_uri())
    page.locator(".leaflet-container").wait_for(state="visible")
    expect_text(page.locator("body"), f"matching “{SUMMARY}”")
    assert page.title() == PLACE
    popup = open_popup_with(page, PLACE)
    expect_text(popup, SUMMARY)
    expect_text(popup, PLACE)
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
    assert watch.errors == []


@browser_only
def test_streamlit_shortcodes_in_data_are_shown_literally(watched, hostile_app):
    """':material/home:' in a summary, and ':material/skull:' typed in the search box, are
    text: no icon is drawn (a backslash before the colon does not stop Streamlit's icons)."""
    from urllib.parse import quote
    page, watch = watched
    page.goto(f"{hostile_app}/?incident=xss-markdown&q={quote(':material/skull:')}",
              wait_until="domcontentloaded")
    card = page.locator(".st-key-detail_card").first
    expect_text(card, ":material/home:")
    main = page.locator('[data-testid="stMain"]').first
    expect_text(main, "matching “:material/skull:”")
    settle(page)
    icons = main.locator('[data-testid="stIconMaterial"]').all_inner_texts()
    assert "home" not in icons and "skull" not in icons, icons  # the app's own icons only
    watch.assert_clean()
