"""The HTML export draws incidents as the app's map would for the exported extent: every
incident as a symbol with its popup for a small selection, clusters or a density grid with
the legend's "shown as" line for many, so its size stays near the base map's."""

from __future__ import annotations

import re

import pytest

from bench.synthetic import generate
from dashboard import aggregate, export, geo, load
from tests.browser import open_from_disk

#: A symbol with its tooltip and popup costs over 1 kB in the page; a clustered incident or
#: a density grid must cost at most this fraction of it per incident.
MAX_FRACTION_OF_A_SYMBOL = 0.1
#: Each incident's popup in the page (a property of its GeoJSON feature).
POPUP = '"_popup": "'


@pytest.fixture(scope="module")
def base():
    return {"countries": load.read_countries(), "airports": load.read_airports()}


@pytest.fixture(scope="module")
def many():
    """25,000 synthetic incidents over the flank (bench/synthetic.py): more than clusters take."""
    frame = generate(25_000, seed=3)
    assert len(frame) > aggregate.CLUSTERS_MAX
    return frame


def page_of(base, incidents, bbox=None) -> str:
    """The HTML export of ``incidents`` on ``bbox``, as the CLI and the Export tab build it
    (the incidents' own extent unless given)."""
    opts = export.SnapshotOptions(bbox=bbox or export.extent_for(incidents))
    return export.render("html", incidents, base["countries"], base["airports"], opts).decode()


def legend_note(page: str) -> str:
    (note,) = re.findall(r'efm\.legendNote\(\s*\w+, "ef-legend-mode", "([^"]*)"\)', page)
    return note


def test_shipped_incidents_are_symbols_with_their_popups(base):
    incidents = geo.enrich(load.read_incidents(), base["countries"])
    page = page_of(base, incidents)
    assert legend_note(page) == f"Shown as symbols: {len(incidents)} incidents in view."
    for incident_id in incidents["id"]:
        assert page.count(f'"id": "{incident_id}", "properties"') == 1, incident_id
    assert page.count(POPUP) == len(incidents)
    assert "efm.clusters(" not in page and "efm.density(" not in page


@pytest.mark.parametrize(
    ("n", "shown_as", "call"),
    [(3_000, "clusters", "efm.clusters("), (None, "density", "efm.density(")],
    ids=["3000-clusters", "25000-density"],
)
def test_many_incidents_are_drawn_as_on_the_map_at_a_fraction_of_the_size(
        base, many, n, shown_as, call):
    incidents = many.iloc[:n] if n else many
    extent = export.extent_for(incidents)
    page = page_of(base, incidents, extent)
    in_extent = int(aggregate.in_view(*aggregate.incident_anchors(incidents), extent).sum())
    assert legend_note(page).startswith(f"Shown as {shown_as}: {in_extent:,} incidents in view")
    assert call in page and POPUP not in page
    # What the incidents add to the page, per incident, against a page of symbols.
    empty = len(page_of(base, incidents.iloc[:0], extent))
    symbols = incidents.iloc[:aggregate.SYMBOLS_MAX]
    per_symbol = (len(page_of(base, symbols, extent)) - empty) / len(symbols)
    assert per_symbol > 1000
    per_incident = (len(page) - empty) / len(incidents)
    assert per_incident <= MAX_FRACTION_OF_A_SYMBOL * per_symbol, (per_incident, per_symbol)


def test_the_page_opens_on_the_exported_extent(base, many):
    extent = export.extent_for(many.iloc[:3_000])
    page = page_of(base, many.iloc[:3_000], extent)
    (fit,) = re.findall(r"\.fitBounds\(\s*(\[\[[^\]]+\], \[[^\]]+\]\])", page)
    assert fit == (f"[[{extent.minlat}, {extent.minlon}], [{extent.maxlat}, {extent.maxlon}]]")


@pytest.mark.browser
def test_a_density_export_draws_offline_with_its_legend_note(browser, base, many, tmp_path):
    path = tmp_path / "density.html"
    path.write_text(page_of(base, many), encoding="utf-8")
    page, blocked, errors = open_from_disk(browser, path)
    page.wait_for_function("() => document.querySelectorAll('path.ef-density').length > 10")
    assert page.locator("#ef-legend-mode").inner_text().startswith("Shown as density:")
    assert page.locator(".ef-incident").count() == 0
    assert blocked == [] and errors == []
    page.context.close()
