"""Exports: snapshots (PNG, PDF), standalone HTML, GeoJSON, CSV, GeoPackage and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import export, filters, geo, load, paths
from dashboard.cli import main
from dashboard.schema import FIELDS, INCIDENT_TYPES, TYPE_LABELS


@pytest.fixture(scope="module")
def ctx():
    countries = load.read_countries()
    return {"incidents": geo.enrich(load.read_incidents(), countries), "countries": countries,
            "airports": load.read_airports()}


def snapshot(ctx, shown=None, **opts):
    shown = ctx["incidents"] if shown is None else shown
    return export.snapshot_figure(shown, ctx["countries"], ctx["airports"],
                                  export.SnapshotOptions(**opts))


@pytest.mark.parametrize(
    ("page", "scale", "size"),
    [("16:9", 1, (1920, 1080)), ("16:9", 2, (3840, 2160)), ("a4", 1, (1683, 1190))],
)
def test_png_size(ctx, page, scale, size):
    png = export.to_png(snapshot(ctx, page=page), scale)
    assert Image.open(io.BytesIO(png)).size == size


def test_png_is_not_blank_and_has_a_legend_with_counts(ctx):
    fig = snapshot(ctx)
    image = np.asarray(Image.open(io.BytesIO(export.to_png(fig))).convert("RGB"))
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200  # a drawn map, not a flat page
    assert image.std() > 20
    counts = ctx["incidents"]["type"].value_counts()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    for t in INCIDENT_TYPES:
        assert f"{TYPE_LABELS[t]} ({counts[t]})" in labels


def test_pdf_is_one_page_with_title_subtitle_and_legend(ctx):
    spec = filters.FilterSpec(countries=("PL", "UA", "RU", "RO", "EE", "DE", "DK"))
    subtitle = filters.describe(spec, {"PL": "Poland"})
    pdf = export.to_pdf(snapshot(ctx, title="Daily brief: drones", subtitle=subtitle,
                                 banner="UNCLASSIFIED // FOR TRAINING",
                                 data_as_of=dt.date(2025, 10, 6)), "Daily brief: drones")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Daily brief: drones" in text
    assert " ".join(subtitle.split()[:6]) in text
    for t in INCIDENT_TYPES:
        assert TYPE_LABELS[t] in text, t
    assert "UNCLASSIFIED // FOR TRAINING" in text
    assert "Data as of 6 Oct 2025" in text and "Natural Earth" in text


def test_snapshot_counts_only_what_is_in_the_extent(ctx):
    fig = snapshot(ctx, bbox=(14, 49, 24.5, 55))  # Poland, widened to 16:9
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    projected = ctx["incidents"].to_crs(geo.METRIC_CRS).geometry
    inside = ctx["incidents"][projected.x.between(x0, x1) & projected.y.between(y0, y1)]
    assert 0 < len(inside) < len(ctx["incidents"])
    expected = [f"{TYPE_LABELS[t]} ({n})" for t in INCIDENT_TYPES
                if (n := (inside["type"] == t).sum())]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:len(expected)] == expected


@pytest.mark.parametrize(("km", "nice"), [(180.4, 100), (260, 200), (999, 500), (1200, 1000),
                                         (7.3, 5)])
def test_scale_bar_lengths_are_round(km, nice):
    assert export.nice_km(km) == nice


def test_empty_snapshot_says_so(ctx):
    fig = snapshot(ctx, shown=ctx["incidents"].iloc[:0])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "No incidents match these filters" in texts


def test_geojson_round_trips_the_filtered_set(ctx, tmp_path):
    shown = filters.apply(ctx["incidents"], filters.FilterSpec(countries=("PL",)))
    path = tmp_path / "out.geojson"
    path.write_bytes(export.to_geojson(shown))
    back = load.read_incidents(path)  # validates against the schema
    assert list(back["id"]) == list(shown["id"])
    pd.testing.assert_frame_equal(pd.DataFrame(back[list(FIELDS)]),
                                  pd.DataFrame(shown[list(FIELDS)]), check_dtype=False)
    assert back.geometry.equals(shown.geometry)


def test_csv_columns_and_rows(ctx):
    data = export.to_csv(ctx["incidents"])
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the accents right
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == list(export.CSV_COLUMNS)
    assert len(frame) == len(ctx["incidents"])
    row = frame.set_index("id").loc["pl-airport-closure-eprz-2025-09-10"]
    assert row["place"] == "Rzeszów-Jasionka Airport"
    assert (round(row["lon"], 2), round(row["lat"], 2)) == (22.02, 50.11)
    assert "001_0fcb98cd4bff29fe.txt: “Airports in Warsaw" in row["sources"]
    assert row["depth_km"] == pytest.approx(72.5, abs=0.1)


def test_gpkg_layer(ctx, tmp_path):
    path = tmp_path / "out.gpkg"
    path.write_bytes(export.to_gpkg(ctx["incidents"]))
    back = gpd.read_file(path, layer="incidents")
    assert len(back) == len(ctx["incidents"]) and back.crs.to_epsg() == 4326
    assert set(FIELDS) <= set(back.columns)


def test_html_is_self_contained(ctx):
    page = export.to_html(ctx["incidents"], ctx["countries"], ctx["airports"],
                          title="<script>alert(1)</script>")
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)
    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=", page)  # everything inlined
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("L.map(") == 1


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--format", "png", "--from", "2025-13-01"], 2, "'2025-13-01' is not a valid ISO date"),
        (["--format", "png", "--country", "XX"], 2, "--country: unknown code(s) XX"),
        (["--format", "png", "--bbox", "1,2,3"], 2, "--bbox: bbox '1,2,3': expected four numbers"),
        (["--format", "png", "--bbox", "30,50,20,55"], 2, "need min < max"),
        (["--format", "png", "--from", "2025-10-01", "--to", "2025-09-01"], 2,
         "date range is reversed"),
        (["--format", "png", "--from", "2001-01-01", "--to", "2001-01-02"], 1,
         "no incidents match (All incident types in all countries, from 1 Jan 2001 to 2 Jan 2001)"),
        (["--format", "csv", "--data", "/nonexistent/x.geojson"], 1, "file not found"),
    ],
)
def test_cli_errors(tmp_path, capsys, argv, code, message):
    out = tmp_path / "out.file"
    assert main(["export", *argv, "--out", str(out)]) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_missing_folder(capsys):
    assert main(["export", "--format", "csv", "--out", "/nonexistent/dir/x.csv"]) == 2
    assert "folder /nonexistent/dir does not exist" in capsys.readouterr().err


def test_cli_bad_format_is_argparse_error():
    run = subprocess.run([sys.executable, "-m", "dashboard", "export", "--format", "tiff",
                          "--out", "x"], capture_output=True, text=True, cwd=paths.ROOT)
    assert run.returncode == 2 and "invalid choice: 'tiff'" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_exports_filtered_data(tmp_path, capsys):
    out = tmp_path / "pl.geojson"
    assert main(["export", "--format", "geojson", "--out", str(out), "--country", "pl",
                 "--type", "airport_closure", "--from", "2025-09-01"]) == 0
    ids = [f["id"] for f in json.loads(out.read_bytes())["features"]]
    assert sorted(ids) == [f"pl-airport-closure-{c}-2025-09-10" for c in ("eplb", "eprz", "epwa")]
    assert "wrote" in capsys.readouterr().out


def test_cli_bbox_limits_the_export(tmp_path):
    out = tmp_path / "box.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--bbox", "20,51.5,22,53"]) == 0
    assert list(pd.read_csv(out, encoding="utf-8-sig")["id"]) == ["pl-airport-closure-epwa-2025-09-10"]


def test_cli_allow_empty_writes_an_explicit_snapshot(tmp_path):
    out = tmp_path / "empty.pdf"
    assert main(["export", "--format", "pdf", "--out", str(out), "--from", "2001-01-01",
                 "--to", "2001-01-02", "--allow-empty", "--title", "Nothing today"]) == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "No incidents match these filters" in text and "Nothing today" in text
