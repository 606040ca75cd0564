"""Context overlays: reading and repairing layers, the store, which version is in force,
and the messages for what cannot be an overlay (fixtures: tests/data/overlays/README.md)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from dashboard import files, overlays, settings
from dashboard.overlays import OverlayError, Version, in_force
from dashboard.settings import ReadOnlyError

DATA = Path(__file__).parent / "data" / "overlays"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def version(day: str | None, name: str = "Zone") -> Version:
    """An index entry with only its date mattering."""
    return Version(name=name, slug=overlays.slug_for(name), kind="area", colour="#7b3294",
                   source="", valid_from=dt.date.fromisoformat(day) if day else None,
                   file=f"{day}.geojson", display=f"{day}.geojson", features=1, vertices=5,
                   added="2025-01-01T00:00:00+00:00")


def geojson(*geometries, crs: str = "EPSG:4326") -> bytes:
    frame = gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geometries))]},
                             geometry=list(geometries), crs=crs)
    out = io.BytesIO()
    frame.to_file(out, driver="GeoJSON", engine="pyogrio")
    return out.getvalue()


# --- which version is shown ---------------------------------------------------------------

SEP1, SEP15, UNDATED = version("2025-09-01"), version("2025-09-15"), version(None)


@pytest.mark.parametrize(
    ("versions", "end", "expected"),
    [
        ([SEP1, SEP15], dt.date(2025, 9, 10), SEP1),       # the latest on or before the end
        ([SEP1, SEP15], dt.date(2025, 9, 15), SEP15),      # on the day itself
        ([SEP1, SEP15], dt.date(2025, 12, 31), SEP15),
        ([SEP15, SEP1], dt.date(2025, 9, 20), SEP15),      # index order does not matter
        ([SEP1, SEP15], dt.date(2025, 8, 31), None),       # not yet in force
        ([SEP1, SEP15], None, SEP15),                      # no end date: the latest
        ([UNDATED], dt.date(2000, 1, 1), UNDATED),         # undated: always in force
        ([UNDATED, SEP15], dt.date(2025, 9, 1), UNDATED),  # until a dated one takes over
        ([UNDATED, SEP15], dt.date(2025, 9, 16), SEP15),
        ([], dt.date(2025, 9, 1), None),
    ],
)
def test_version_in_force(versions, end, expected):
    assert in_force(versions, end) == expected


def test_shown_keeps_the_order_switched_on_and_skips_what_is_not_in_force():
    line = version("2025-10-01", "Line")
    versions = [SEP1, SEP15, line]
    assert overlays.shown(versions, ["line", "zone"], dt.date(2025, 10, 2)) == [line, SEP15]
    assert overlays.shown(versions, ["line", "zone", "zone"], dt.date(2025, 9, 2)) == [SEP1]
    assert overlays.shown(versions, ["unknown"], None) == []


# --- reading and repairing ------------------------------------------------------------------

def test_clockwise_ring_is_rewound_and_cyrillic_name_kept():
    frame = overlays.read_layer(raw("clockwise-cyrillic.geojson"), "c.geojson")
    assert not shapely.is_ccw(frame.geometry.iloc[0].exterior)  # the fixture is clockwise
    prepared = overlays.prepare(frame, "c.geojson")
    assert prepared.kind == "area"
    assert shapely.is_ccw(prepared.frame.geometry.iloc[0].exterior)
    assert prepared.frame["label"].tolist() == ["Тестова область"]


def test_self_intersecting_polygon_is_repaired():
    bowtie = Polygon([(20, 50), (22, 52), (22, 50), (20, 52), (20, 50)])
    prepared = overlays.prepare(overlays.read_layer(geojson(bowtie), "b.geojson"), "b.geojson")
    geom = prepared.frame.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(2.0)
    assert "1 invalid geometry repaired" in prepared.notes


def test_points_among_areas_are_left_out_and_said():
    prepared = overlays.prepare(overlays.read_layer(
        geojson(Point(21, 51), Polygon([(20, 50), (21, 50), (21, 51), (20, 50)])), "m.geojson"),
        "m.geojson")
    assert len(prepared.frame) == 1
    assert prepared.notes[0].startswith("1 point(s) left out: points are incidents")


def test_line_layer_is_a_line():
    prepared = overlays.prepare(overlays.read_layer(raw("line.geojson"), "l.geojson"), "l.geojson")
    assert prepared.kind == "line"


def test_other_crs_is_reprojected():
    square = Polygon([(2_300_000, 6_500_000), (2_400_000, 6_500_000), (2_400_000, 6_600_000),
                      (2_300_000, 6_500_000)])
    frame = overlays.read_layer(geojson(square, crs="EPSG:3857"), "m.gpkg")
    assert frame.crs.to_epsg() == 4326
    assert 20 < frame.total_bounds[0] < 22 and 50 < frame.total_bounds[1] < 51


def test_zipped_shapefile_is_read(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["Київ"]}, geometry=[LineString([(30, 50), (31, 51)])],
                             crs="EPSG:4326")
    frame.to_file(tmp_path / "front.shp")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for part in tmp_path.iterdir():
            zf.write(part, part.name)
    read = overlays.read_layer(out.getvalue(), "front.zip")
    assert read.geometry.iloc[0].geom_type == "LineString"
    assert read["name"].tolist() == ["Київ"]


def test_big_layer_is_simplified_for_display_and_kept_whole():
    circle = Point(25, 52).buffer(3, quad_segs=20_000)  # 80,000 vertices
    frame = overlays.prepare(overlays.read_layer(geojson(circle), "big.geojson"), "big").frame
    small = overlays.simplified(frame)
    count = int(shapely.get_num_coordinates(small.geometry.values).sum())
    assert 4 <= count <= overlays.DISPLAY_VERTICES
    assert small.geometry.iloc[0].is_valid
    assert small.geometry.iloc[0].area == pytest.approx(frame.geometry.iloc[0].area, rel=0.01)
    assert overlays.simplified(small) is small  # small enough already: not copied


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (geojson(Point(21, 51), Point(22, 52)), None,
         r"has only points \(2\); points are incidents"),
        (b'{"type": "FeatureCollection", "features": []}', None, "has no geometries"),
        (b"not a geodata file at all", None, "could not be read as GeoJSON, GeoPackage, KML"),
        (b"", None, "is empty"),
        (raw("line.geojson"), "area", "has no areas, only lines; add it as --kind line"),
        (raw("zone-2025-09-01.geojson"), "line", r"has 1 area\(s\); add it as --kind area"),
        (raw("line.geojson"), "blob", "kind 'blob' is not one of area, line"),
    ],
)
def test_rejections_name_the_problem(tmp_path, data, kind, message):
    with pytest.raises(OverlayError, match=message):
        overlays.add(tmp_path, data, "f.geojson", "Zone", kind=kind)
    assert overlays.read_index(tmp_path) == []


def test_too_big_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(overlays, "MAX_BYTES", 100)
    with pytest.raises(OverlayError, match=r"f.geojson: is 0 MB; overlays are limited to 0 MB"):
        overlays.add(tmp_path, raw("zone-2025-09-01.geojson"), "f.geojson", "Zone")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "an overlay needs a name"),
        ({"name": "Zone", "valid_from": "2025-02-30"}, "date '2025-02-30' is not a valid date"),
        ({"name": "Zone", "colour": "red"}, "colour 'red' is not a #rrggbb colour"),
    ],
)
def test_bad_arguments_are_named(tmp_path, kwargs, message):
    with pytest.raises(OverlayError, match=message):
        overlays.add(tmp_path, raw("zone-2025-09-01.geojson"), "z.geojson", **kwargs)


# --- the store ------------------------------------------------------------------------------

def test_store_round_trip(tmp_path):
    first, _ = overlays.add(tmp_path, raw("zone-2025-09-01.geojson"), "z1.geojson", "Test zone",
                            valid_from="2025-09-01", source="hand-built fixture")
    second, _ = overlays.add(tmp_path, raw("zone-2025-09-15.geojson"), "z2.geojson", "Test zone",
                             valid_from=dt.date(2025, 9, 15))
    cyr, _ = overlays.add(tmp_path, raw("clockwise-cyrillic.geojson"), "c.geojson",
                          "Тестова область")
    assert overlays.read_index(tmp_path) == [first, second, cyr]
    assert second.colour == first.colour  # a new version keeps the overlay's colour
    assert cyr.colour != first.colour and cyr.slug.startswith("overlay-")
    assert (first.valid_from, cyr.valid_from, cyr.label) == (
        dt.date(2025, 9, 1), None, "Тестова область (undated)")
    index = json.loads((tmp_path / "overlays.json").read_text(encoding="utf-8"))
    assert index["overlays"][0]["valid_from"] == "2025-09-01"
    assert index["overlays"][2]["name"] == "Тестова область"  # stored as text, not escapes
    (layer,) = overlays.layers(tmp_path, ["test-zone"], dt.date(2025, 9, 10))
    assert layer.version == first
    assert layer.frame.geometry.iloc[0].geom_type == "MultiPolygon"
    assert layer.frame.crs.to_epsg() == 4326
    assert layer.frame["label"].tolist() == ["Test zone, west part"]
    assert overlays.export_frame(layer).columns.tolist() == [
        "overlay", "label", "valid_from", "kind", "source", "geometry"]


def test_same_name_and_date_replaces_that_version_and_its_files(tmp_path):
    old, _ = overlays.add(tmp_path, raw("zone-2025-09-01.geojson"), "z.geojson", "Zone",
                          valid_from="2025-09-01")
    new, _ = overlays.add(tmp_path, raw("zone-2025-09-15.geojson"), "z.geojson", "zone ",
                          valid_from="2025-09-01")
    assert new.name == "Zone"  # the overlay's name as first given, whatever the case typed
    assert [v.file for v in overlays.read_index(tmp_path)] == [new.file]
    assert not (tmp_path / old.file).exists() and (tmp_path / new.file).exists()


def test_remove_one_version_or_all(tmp_path):
    for name, day in (("zone-2025-09-01.geojson", "2025-09-01"),
                      ("zone-2025-09-15.geojson", "2025-09-15")):
        overlays.add(tmp_path, raw(name), name, "Test zone", valid_from=day)
    overlays.add(tmp_path, raw("line.geojson"), "line.geojson", "Test line")
    (gone,) = overlays.remove(tmp_path, "test zone", "2025-09-01")
    assert not (tmp_path / gone.file).exists()
    assert [v.valid_from for v in overlays.find(overlays.read_index(tmp_path), "Test zone")] == [
        dt.date(2025, 9, 15)]
    with pytest.raises(OverlayError, match="overlay 'Test zone' has no version 2025-09-01"):
        overlays.remove(tmp_path, "Test zone", "2025-09-01")
    assert [v.name for v in overlays.remove(tmp_path, "test-line")] == ["Test line"]
    with pytest.raises(OverlayError, match=r"no overlay called 'Nope' \(overlays: Test zone\)"):
        overlays.remove(tmp_path, "Nope")


def test_failed_index_write_keeps_the_old_index_and_no_new_files(tmp_path, monkeypatch):
    kept, _ = overlays.add(tmp_path, raw("zone-2025-09-01.geojson"), "z.geojson", "Zone",
                           valid_from="2025-09-01")
    before = (tmp_path / "overlays.json").read_bytes()
    files_before = sorted(p.name for p in tmp_path.rglob("*.geojson"))

    def crash(path, data, mode=0o644):
        if path.name == "overlays.json":
            raise OSError(28, "No space left on device")
        return real(path, data, mode)

    real = files.replace_with
    monkeypatch.setattr(files, "replace_with", crash)
    with pytest.raises(OSError, match="No space left"):
        overlays.add(tmp_path, raw("zone-2025-09-15.geojson"), "z.geojson", "Zone",
                     valid_from="2025-09-01")  # would replace the saved version
    assert (tmp_path / "overlays.json").read_bytes() == before
    assert overlays.read_index(tmp_path) == [kept]
    assert sorted(p.name for p in tmp_path.rglob("*.geojson")) == files_before
    assert len(overlays.read_geometry(tmp_path, kept)) == 1


def test_broken_index_is_named(tmp_path):
    (tmp_path / "overlays.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(OverlayError, match="overlays.json: is not valid JSON"):
        overlays.read_index(tmp_path)


def test_read_only_refuses_every_write(tmp_path):
    cfg = settings.Settings(read_only=True)
    with pytest.raises(ReadOnlyError, match="adding an overlay is switched off"):
        overlays.add(tmp_path, raw("line.geojson"), "l.geojson", "Line", cfg=cfg)
    overlays.add(tmp_path, raw("line.geojson"), "l.geojson", "Line")
    with pytest.raises(ReadOnlyError, match="removing an overlay is switched off"):
        overlays.remove(tmp_path, "Line", cfg=cfg)
    assert len(overlays.read_index(tmp_path)) == 1


def test_folder_beside_the_data_or_from_the_environment(tmp_path):
    assert overlays.folder_for(tmp_path / "incidents.geojson", {}) == tmp_path / "overlays"
    assert overlays.folder_for("x.geojson", {"EFM_OVERLAYS_DIR": str(tmp_path)}) == tmp_path
