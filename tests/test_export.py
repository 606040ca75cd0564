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

from dashboard import export, filters, geo, load, paths, sources
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


def test_html_popups_name_sources_by_the_registry(ctx):
    registry = sources.read(sources.path_for(paths.INCIDENTS))
    page = export.to_html(ctx["incidents"], ctx["countries"], ctx["airports"], sources=registry)
    cited = {s["document"] for cited in ctx["incidents"]["sources"] for s in cited}
    for document in cited:
        assert json.dumps(f"Source: {registry[document].label()}")[1:-1] in page
        assert f"Source: {document}" not in page and f"— {document}" not in page


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


# --- scale bar, basemap edges --------------------------------------------------------------

@pytest.mark.parametrize(("value", "label"), [(1000, "1,000 km"), (2000.0, "2,000 km"),
                                              (500.0, "500 km"), (50.0, "50 km"), (5, "5 km"),
                                              (0.5, "0.5 km")])
def test_scale_bar_label_reads_like_a_map(value, label):
    assert export.scale_label(value, "km") == label


@pytest.mark.parametrize(("bbox", "label"), [(None, "1,000 km"), ((10, 44, 40, 62), "500 km"),
                                             ((14, 49, 24.5, 55), "200 km"),
                                             ((22, 51, 24, 53), "50 km")])
def test_snapshot_scale_bar_label(ctx, bbox, label):
    pdf = export.to_pdf(snapshot(ctx, bbox=bbox))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert re.findall(r"[\d.,]+ km", text) == [label]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _frame_pixels(fig):
    """The PNG of ``fig`` as an RGB array, and its map frame's pixel box (top, bottom, left,
    right), 4 px inside the frame line."""
    image = np.asarray(Image.open(io.BytesIO(export.to_png(fig))).convert("RGB"))
    height_px, width_px = image.shape[:2]
    pos = fig.axes[0].get_position()
    return image, (int((1 - pos.y1) * height_px) + 4, int((1 - pos.y0) * height_px) - 4,
                   int(pos.x0 * width_px) + 4, int(pos.x1 * width_px) - 4)


@pytest.mark.parametrize("bbox", [(20, 45, 60, 70), (40, 58, 70, 68)])
def test_no_sea_along_the_right_edge_far_east(ctx, bbox):
    """The right-hand frame edge of a far-east extent runs over Siberia and Central Asia (its
    middle half, clear of the north arrow and the scale bar): land colours, never sea."""
    from dashboard import style
    image, (top, bottom, _, right) = _frame_pixels(snapshot(ctx, bbox=bbox))
    rows = range(top + (bottom - top) // 4, bottom - (bottom - top) // 4)
    pixels = [tuple(int(v) for v in image[r, right]) for r in rows]
    sea = _rgb(style.SEA)
    assert sea not in pixels, f"{pixels.count(sea)} sea-coloured pixels of {len(pixels)}"
    land = {_rgb(c) for c in style.GROUP_FILL.values()}
    assert sum(p in land for p in pixels) >= 0.7 * len(pixels)


def _layer(*blocks):
    """A stand-in country layer: one country per (group, lon/lat box), EPSG:4326."""
    from shapely.geometry import box
    return gpd.GeoDataFrame(
        {"iso_a2": [f"X{i}" for i in range(len(blocks))], "name": [f"Land {i}" for i in range(len(blocks))],
         "group": [group for group, _ in blocks]},
        geometry=[box(*b).segmentize(0.5) for _, b in blocks], crs="EPSG:4326")


def _colour_at(fig, image, lon, lat):
    """The commonest colour of the 9x9 px round ``lon, lat`` in the PNG ``image`` of ``fig``."""
    point = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(geo.METRIC_CRS)
    x, y = fig.axes[0].transData.transform((point.x.iloc[0], point.y.iloc[0]))
    row, col = int(image.shape[0] - y), int(x)
    patch = image[row - 4:row + 5, col - 4:col + 5].reshape(-1, 3)
    colours, counts = np.unique(patch, axis=0, return_counts=True)
    return tuple(int(v) for v in colours[counts.argmax()])


# A layer cut like geodata/ was (a lon/lat box, here 20..70 E, 40..70 N): land touches its east
# edge from 45 to 60 N only; north of that the edge is open sea.
CUT_LAYER = [("russia_belarus", (20, 45, 70, 60)), ("other", (30, 40, 35, 42)),
             ("other", (25, 68, 28, 70))]


@pytest.mark.parametrize(
    ("lon", "lat", "drawn"),
    [
        (75, 52, "unmapped"),   # past the cut through land: hatched, not a false coast
        (65, 52, "land"),       # the layer's own land
        (72, 63, "sea"),        # past the edge where it meets the sea: the sea goes on
        (42, 64, "sea"),
    ],
)
def test_land_cut_from_the_basemap_is_hatched_not_sea(ctx, lon, lat, drawn):
    from dashboard import style
    fig = export.snapshot_figure(ctx["incidents"].iloc[:0], _layer(*CUT_LAYER), None,
                                 export.SnapshotOptions(bbox=(40, 50, 70, 66)))
    image = np.asarray(Image.open(io.BytesIO(export.to_png(fig))).convert("RGB"))
    expected = {"unmapped": style.GROUP_FILL["other"], "land": style.GROUP_FILL["russia_belarus"],
                "sea": style.SEA}[drawn]
    assert _colour_at(fig, image, lon, lat) == _rgb(expected)
    assert "No basemap data" in [t.get_text() for t in fig.axes[0].texts]


def test_a_whole_layer_is_never_hatched(ctx):
    fig = export.snapshot_figure(ctx["incidents"].iloc[:0], _layer(("other", (-180, -90, 180, 90))),
                                 None, export.SnapshotOptions(bbox=(20, 45, 60, 70)))
    assert not fig.axes[0].patches  # no hatch
    assert "No basemap data" not in [t.get_text() for t in fig.axes[0].texts]


def test_land_fills_a_frame_inside_the_basemap(ctx):
    """A frame inside the country layer's box, over Russia on its east: land to the right edge
    and the right half of the top edge (no sea-coloured clip edge), and nothing hatched."""
    from dashboard import style
    fig = snapshot(ctx, bbox=(30, 50, 45, 60))  # central Russia: land to every edge
    image, (top, bottom, left, right) = _frame_pixels(fig)
    above_scale_bar = bottom - (bottom - top) // 6
    edges = np.concatenate([image[top, (left + right) // 2:right], image[top:above_scale_bar, right]])
    assert not (edges == _rgb(style.SEA)).all(axis=1).any()
    assert "No basemap data" not in [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("countries", [("PL",), ("EE",), ("RO", "UA"), None])
def test_country_names_are_never_cut_by_the_frame(ctx, countries):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    shown = filters.apply(ctx["incidents"], filters.FilterSpec(countries=countries))
    fig = snapshot(ctx, shown=shown, bbox=export.extent_for(shown))
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    names = set(ctx["countries"]["name"])
    labels = [t for t in ax.texts if t.get_text() in names]
    assert labels
    for text in labels:
        extent = text.get_window_extent(renderer)
        assert frame.x0 <= extent.x0 and extent.x1 <= frame.x1, text.get_text()


def test_html_has_the_banner_top_and_bottom_as_text(ctx):
    page = export.render("html", ctx["incidents"].iloc[:3], ctx["countries"], None,
                         export.SnapshotOptions(title="Brief", banner="SECRET <b>//</b> REL"))
    assert page.decode().count("SECRET &lt;b&gt;//&lt;/b&gt; REL") == 2
    assert "<b>//</b>" not in page.decode()
    plain = export.render("html", ctx["incidents"].iloc[:3], ctx["countries"], None,
                          export.SnapshotOptions(title="Brief"))
    assert b"ef-banner" not in plain
