"""Framing a snapshot: by default the extent fits the exported incidents (``export.extent_for``),
``--bbox`` or the map view on screen override it, an empty selection falls back to the flank;
the CLI's ``--country PL`` snapshot is a map of Poland, not of Europe."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from dashboard import export
from dashboard.bounds import FLANK, MIN_FRAME_DEG, Bounds
from dashboard.cli import main
from dashboard.load import incidents_frame
from tests.conftest import collection, make_feature

WYRYKI = (23.1, 51.5)


def at(*points: tuple[float, float]):
    """One Polish incursion at each lon/lat point (ids numbered), EPSG:4326."""
    return incidents_frame(collection(*(
        make_feature({"type": "Point", "coordinates": list(p)}, id=f"pl-incursion-{i}")
        for i, p in enumerate(points))))


def spans(b: Bounds) -> tuple[float, float]:
    return round(b.maxlon - b.minlon, 6), round(b.maxlat - b.minlat, 6)


@pytest.mark.parametrize(
    ("points", "bbox", "expected"),
    [
        # One incident: the minimum size round it, never a street map.
        ([WYRYKI], None, Bounds(21.1, 50.0, 25.1, 53.0)),
        # Two close together: still the minimum size, centred on them.
        ([(21.0, 52.0), (21.5, 52.2)], None, Bounds(19.25, 50.6, 23.25, 53.6)),
        # Far apart: their box grown by 15 % on every side (at least 1 degree).
        ([(14.0, 49.0), (24.0, 55.0)], None, Bounds(12.5, 48.0, 25.5, 56.0)),
        ([(10.0, 45.0), (40.0, 60.0)], None, Bounds(5.5, 42.75, 44.5, 62.25)),
        # A box given (--bbox, the map view on screen) wins, whatever is selected.
        ([WYRYKI], Bounds(0, 40, 10, 50), Bounds(0, 40, 10, 50)),
        ([WYRYKI], (0, 40, 10, 50), Bounds(0, 40, 10, 50)),
        ([], (0, 40, 10, 50), Bounds(0, 40, 10, 50)),
        # Nothing selected: the whole flank.
        ([], None, FLANK),
        # At the edge of the world: cut to it, still a valid box.
        ([(179.9, 89.9)], None, Bounds(177.9, 88.4, 180.0, 90.0)),
    ],
)
def test_extent_for(points, bbox, expected):
    got = export.extent_for(at(*points), bbox)
    assert got.valid
    assert got.as_tuple() == pytest.approx(expected.as_tuple())


@pytest.mark.parametrize("points", [[WYRYKI], [(21.0, 52.0), (21.5, 52.2)], [(30, 60)]])
def test_extent_for_is_at_least_the_minimum_size(points):
    got = export.extent_for(at(*points), None)
    width, height = spans(got)
    assert width >= MIN_FRAME_DEG[0] and height >= MIN_FRAME_DEG[1]
    assert all(got.contains(lon, lat) for lon, lat in points)


def test_extent_for_holds_every_geometry_not_only_points():
    shapes = incidents_frame(collection(make_feature(
        {"type": "Polygon", "coordinates": [[[14, 49], [24, 49], [24, 55], [14, 55], [14, 49]]]})))
    got = export.extent_for(shapes, None)
    assert got.minlon < 14 and got.maxlon > 24 and got.minlat < 49 and got.maxlat > 55


def test_frame_bounds_reads_the_drawn_extent():
    fig = export.snapshot_figure(at(WYRYKI), *_layers(), export.SnapshotOptions(
        bbox=Bounds(21.1, 50.0, 25.1, 53.0)))
    frame = export.frame_bounds(fig)
    # Widened to the 16:9 map's aspect: wider than asked, as tall as asked (LAEA is not lon/lat,
    # so the lon/lat box round the frame is a little taller).
    assert frame.minlon < 21.1 and frame.maxlon > 25.1
    assert 49.5 < frame.minlat <= 50.0 and 53.0 <= frame.maxlat < 53.5


def _layers():
    from dashboard import load
    return load.read_countries(), load.read_airports()


@pytest.fixture
def drawn(monkeypatch):
    """Every snapshot figure the CLI draws, in order."""
    figures = []
    real = export.snapshot_figure

    def spy(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(export, "snapshot_figure", spy)
    return figures


def test_cli_country_pl_is_a_map_of_poland(tmp_path, drawn):
    out = tmp_path / "pl.pdf"
    assert main(["export", "--format", "pdf", "--country", "PL", "--out", str(out)]) == 0
    frame = export.frame_bounds(drawn[0])
    # Around Poland's incidents (19.5-22.7 E, 50.1-52.2 N), Poland-sized: not 42 W to 90 E.
    assert 12 < frame.minlon < 19.5 and 22.7 < frame.maxlon < 31, frame
    assert 47 < frame.minlat < 50.1 and 52.2 < frame.maxlat < 55, frame
    text = PdfReader(out).pages[0].extract_text()
    assert "Poland" in text and "6 incidents in view" in text
    for far in ("Norway", "France", "Finland", "Estonia"):
        assert far not in text, far


def test_cli_bbox_overrides_the_fit(tmp_path, drawn):
    out = tmp_path / "box.png"
    assert main(["export", "--format", "png", "--country", "PL", "--bbox", "14,49,24.5,55",
                 "--out", str(out)]) == 0
    frame = export.frame_bounds(drawn[0])
    assert 47 < frame.minlat <= 49 and 55 <= frame.maxlat < 57, frame
    assert frame.minlon < 14 and frame.maxlon > 24.5


def test_cli_empty_selection_shows_the_flank(tmp_path, drawn):
    out = tmp_path / "empty.png"
    assert main(["export", "--format", "png", "--from", "2001-01-01", "--to", "2001-01-02",
                 "--allow-empty", "--out", str(out)]) == 0
    frame = export.frame_bounds(drawn[0])
    assert frame.minlon < FLANK.minlon and frame.maxlon > FLANK.maxlon
    assert frame.minlat <= FLANK.minlat + 0.5 and frame.maxlat >= FLANK.maxlat
