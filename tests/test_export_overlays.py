"""Context overlays in every export: under the incidents with a legend row in the PNG/PDF
slide and the standalone HTML, a GeoPackage layer each, and never in GeoJSON/CSV (which keep
the incident schema)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pyogrio
import pytest
from pypdf import PdfReader

from dashboard import export, load, mapping, overlays
from dashboard.cli import main
from dashboard.mapping.overlays import OVERLAY_PANE

DATA = Path(__file__).parent / "data" / "overlays"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Two versions of an area overlay, a line, and the clockwise Cyrillic polygon."""
    folder = tmp_path_factory.mktemp("overlays")
    for file, name, day in (("zone-2025-09-01.geojson", "Test zone", "2025-09-01"),
                            ("zone-2025-09-15.geojson", "Test zone", "2025-09-15"),
                            ("line.geojson", "Test line", None),
                            ("clockwise-cyrillic.geojson", "Тестова область", None)):
        overlays.add(folder, (DATA / file).read_bytes(), file, name, valid_from=day,
                     source="hand-built test fixture")
    return folder


@pytest.fixture(scope="module")
def layers(store):
    slugs = list(overlays.names(overlays.read_index(store)))
    return tuple(overlays.layers(store, slugs, None))


@pytest.fixture(scope="module")
def base():
    return {"countries": load.read_countries(), "airports": load.read_airports(),
            "incidents": load.read_incidents()}


def render(fmt, base, layers, **opts):
    options = export.SnapshotOptions(bbox=(18, 44, 40, 56), overlays=layers, **opts)
    return export.render(fmt, base["incidents"], base["countries"], base["airports"], options)


def test_html_draws_each_overlay_in_its_pane_with_a_legend_row(base, layers):
    page = render("html", base, layers).decode()
    assert f'"pane": "{OVERLAY_PANE}"' in page
    for label in ("Test zone (from 2025-09-15)", "Test line (undated)", "Тестова область (undated)"):
        assert label in page
    assert "efm.legendOverlays(" in page
    assert "Test zone (from 2025-09-01)" not in page  # only the version in force


def test_base_map_has_the_overlay_pane_under_the_symbols(base):
    page = re.sub(r"\s+", " ", mapping.build_map(base["countries"]).get_root().render())
    pane = re.search(rf'(pane_\w+) = map_\w+\.createPane\( "{OVERLAY_PANE}"\); \1\.style\.zIndex = (\d+);',
                     page)
    assert pane is not None
    # Above Leaflet's overlay pane (countries, 400), under the names (450) and markers (600).
    assert 400 < int(pane.group(2)) < 450


def test_gpkg_has_a_layer_per_overlay(base, layers, tmp_path):
    path = tmp_path / "x.gpkg"
    path.write_bytes(render("gpkg", base, layers))
    names = [str(row[0]) for row in pyogrio.list_layers(path)]
    assert names[0] == "incidents"
    assert "overlay_test-zone_20250915" in names and "overlay_test-line" in names
    zone = pyogrio.read_dataframe(path, layer="overlay_test-zone_20250915")
    assert zone["overlay"].tolist() == ["Test zone"]
    assert zone["valid_from"].tolist() == ["2025-09-15"]
    assert zone["source"].tolist() == ["hand-built test fixture"]
    assert zone.crs.to_epsg() == 4326


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_geojson_and_csv_keep_the_incident_schema(base, layers, fmt):
    assert render(fmt, base, layers) == render(fmt, base, ())


def test_png_slide_has_a_legend_row_per_overlay(base, layers):
    fig = export.snapshot_figure(base["incidents"], base["countries"], base["airports"],
                                 export.SnapshotOptions(bbox=(18, 44, 40, 56), overlays=layers))
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"Test zone (from 2025-09-15)", "Test line (undated)",
            "Тестова область (undated)"} <= set(texts)
    credits = " ".join(t.get_text() for t in fig.texts)
    assert "Overlays: Test zone (hand-built test fixture)" in credits
    assert render("png", base, layers).startswith(b"\x89PNG")


def test_pdf_names_the_overlays_as_text(base, layers):
    text = PdfReader(io.BytesIO(render("pdf", base, layers))).pages[0].extract_text()
    assert "Test zone (from 2025-09-15)" in text


def test_cli_export_draws_the_overlay_in_force_at_to(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EFM_OVERLAYS_DIR", str(store))
    out = tmp_path / "map.html"
    assert main(["export", "--format", "html", "--out", str(out), "--to", "2025-09-10",
                 "--overlay", "Test zone"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Test zone (from 2025-09-01)" in page and "Test line" not in page
    assert main(["export", "--format", "html", "--out", str(out), "--overlay", "nope"]) == 1
    assert "--overlay: no overlay called 'nope'" in capsys.readouterr().err


def test_cli_overlay_add_list_remove(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EFM_OVERLAYS_DIR", str(tmp_path))
    zone = str(DATA / "zone-2025-09-01.geojson")
    assert main(["overlay", "add", zone, "--name", "Zone", "--date", "2025-09-01",
                 "--colour", "#112233"]) == 0
    assert "added overlay Zone (from 2025-09-01) (area, 1 feature(s)" in capsys.readouterr().out
    assert main(["overlay", "add", str(DATA / "line.geojson"), "--name", "L", "--kind", "area"]) == 1
    assert "has no areas, only lines" in capsys.readouterr().err
    assert main(["overlay", "list"]) == 0
    assert "Zone\t2025-09-01\tarea\t#112233" in capsys.readouterr().out
    monkeypatch.setenv("EFM_READ_ONLY", "1")
    assert main(["overlay", "remove", "Zone"]) == 1
    assert "read-only" in capsys.readouterr().err
    monkeypatch.delenv("EFM_READ_ONLY")
    assert main(["overlay", "remove", "Zone", "--date", "2025-09-01"]) == 0
    assert json.loads((tmp_path / "overlays.json").read_text())["overlays"] == []
