"""Context overlays: named area and line layers that are not incidents (occupied territory,
front lines, NOTAM areas, a zone of interest), each with optional dated versions.

Stored beside the incident data::

    <data dir>/overlays/overlays.json                       the index (one entry per version)
    <data dir>/overlays/<slug>/<date|undated>-<hash>.geojson          geometry as read (fixed)
    <data dir>/overlays/<slug>/<date|undated>-<hash>.display.geojson  simplified for the map

A version's files carry a hash of their content, so a new version never overwrites the files
the index points to: the geometry files are written first (atomically), then the index is
replaced (atomically, the previous index kept as ``overlays.json.bak``); a crash at any step
leaves the saved overlays as they were. Which version the map shows is ``in_force``: the
latest ``valid_from`` on or before the end of the date filter, else the undated version.

It is about 480 lines because reading (any vector format, reprojected and repaired), the
store (index, versions, atomic writes) and the layers drawn and exported share one record
type; the reading half would be the first cut if it grows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import files, ids, settings
from .schema import DataError

DIR_NAME = "overlays"
INDEX_NAME = "overlays.json"
KINDS = ("area", "line")
#: Files larger than this are refused before they are read (the app's uploads stop at 50 MB).
MAX_BYTES = 200_000_000
#: More vertices than this and the layer is refused (about a 400 MB GeoJSON).
MAX_VERTICES = 20_000_000
#: The map draws a simplified copy of a layer with more vertices than this (kept small:
#: the overlay travels with the map's layers on every rerun).
DISPLAY_VERTICES = 10_000
#: Default colours, taken in turn: dark and muted, apart from the incident colours.
COLOURS = ("#7b3294", "#8c510a", "#01665e", "#b2182b", "#4d4d4d", "#2166ac")
#: Attribute columns whose first text value labels a feature in the tooltip.
LABEL_COLUMNS = ("name", "Name", "NAME", "label", "title", "name_en", "name_local")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_POLYGONAL, _LINEAR, _POINTS = (3, 6), (1, 2, 5), (0, 4)


class OverlayError(DataError):
    """An overlay that cannot be read, stored or found; the message names the problem."""


@dataclass(frozen=True)
class Version:
    """One stored version of an overlay (``valid_from`` None: undated, always in force)."""

    name: str
    slug: str
    kind: str                      # "area" or "line"
    colour: str                    # "#rrggbb"
    source: str                    # source / attribution text, may be empty
    valid_from: dt.date | None
    file: str                      # geometry as read, relative to the overlays folder
    display: str                   # simplified copy for the map (may be ``file``)
    features: int
    vertices: int
    added: str                     # UTC, ISO

    @property
    def date_label(self) -> str:
        """``from 2025-09-01`` or ``undated``."""
        return f"from {self.valid_from.isoformat()}" if self.valid_from else "undated"

    @property
    def label(self) -> str:
        """``Name (from 2025-09-01)``: the legend's and the tooltip's text."""
        return f"{self.name} ({self.date_label})"

    def to_json(self) -> dict:
        out = asdict(self)
        out["valid_from"] = self.valid_from.isoformat() if self.valid_from else None
        return out


def folder_for(data_path: str | Path, environ: Mapping[str, str] | None = None) -> Path:
    """The overlays folder: ``$EFM_OVERLAYS_DIR`` when set (a shared folder, or a test's
    temporary one), else ``overlays/`` beside the incident data file."""
    environ = os.environ if environ is None else environ
    if environ.get("EFM_OVERLAYS_DIR"):
        return Path(environ["EFM_OVERLAYS_DIR"]).expanduser()
    return Path(data_path).parent / DIR_NAME


def slug_for(name: str) -> str:
    """The overlay's folder and link name: the project's slug rule, or (for a name with no
    Latin letters, such as a Cyrillic one) ``overlay-`` and a short hash of the name."""
    return ids.slug(name) or "overlay-" + hashlib.sha1(name.encode()).hexdigest()[:8]


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """A ``valid_from`` from ``YYYY-MM-DD`` (None, "" or "undated": undated)."""
    if text is None or isinstance(text, dt.date):
        return text
    text = text.strip()
    if text in ("", "undated"):
        return None
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> dt.date:
    raise OverlayError(f"date {text!r} is not a valid date (YYYY-MM-DD)")


# --- the index ---------------------------------------------------------------------------

def _version(entry: dict, where: Path) -> Version:
    try:
        return Version(**{**entry, "valid_from": parse_date(entry.get("valid_from"))})
    except (TypeError, OverlayError) as exc:
        raise OverlayError(f"{where}: a broken entry ({exc})") from None


def read_index(folder: Path) -> list[Version]:
    """Every stored version (none when the folder or its index does not exist yet)."""
    path = Path(folder) / INDEX_NAME
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OverlayError(f"{path}: is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("overlays"), list):
        raise OverlayError(f"{path}: expected an object with an 'overlays' list")
    return [_version(e, path) for e in data["overlays"]]


def _write_index(folder: Path, versions: Sequence[Version]) -> None:
    text = json.dumps({"version": 1, "overlays": [v.to_json() for v in versions]},
                      ensure_ascii=False, indent=1)
    files.write_atomic(folder / INDEX_NAME, (text + "\n").encode("utf-8"))


def stamp(folder: Path) -> tuple[str, int, int]:
    """(path, mtime_ns, size) of the index, for caches; zeros when there is none."""
    path = Path(folder) / INDEX_NAME
    try:
        st = path.stat()
    except OSError:
        return (str(path), 0, 0)
    return (str(path), st.st_mtime_ns, st.st_size)


def names(versions: Iterable[Version]) -> dict[str, str]:
    """slug -> name of every stored overlay, in the order first added."""
    return {v.slug: v.name for v in versions}


# --- which version is shown ----------------------------------------------------------------

def in_force(versions: Iterable[Version], end: dt.date | None) -> Version | None:
    """The version shown at the end ``end`` of the date filter: the latest ``valid_from`` on
    or before ``end`` (any, when ``end`` is None), else the undated version, else None."""
    versions = list(versions)
    dated = [v for v in versions if v.valid_from and (end is None or v.valid_from <= end)]
    if dated:
        return max(dated, key=lambda v: v.valid_from)
    return next((v for v in versions if v.valid_from is None), None)


def shown(versions: Iterable[Version], slugs: Iterable[str], end: dt.date | None) -> list[Version]:
    """The version in force of each overlay switched on (``slugs``), in that order; an
    overlay with no version in force yet (every version after ``end``) is left out."""
    versions = list(versions)
    out = []
    for slug in dict.fromkeys(slugs):
        version = in_force([v for v in versions if v.slug == slug], end)
        if version is not None:
            out.append(version)
    return out


# --- reading a file ------------------------------------------------------------------------

def read_layer(raw: bytes, filename: str) -> gpd.GeoDataFrame:
    """Every layer of a GeoJSON, GeoPackage, KML or zipped shapefile, in EPSG:4326."""
    if len(raw) > MAX_BYTES:
        raise OverlayError(f"{filename}: is {len(raw) / 1e6:.0f} MB; overlays are limited to "
                           f"{MAX_BYTES / 1e6:.0f} MB (simplify it first)")
    if not raw.strip():
        raise OverlayError(f"{filename}: is empty")
    try:
        count = len(pyogrio.list_layers(io.BytesIO(raw)))
        frames = [pyogrio.read_dataframe(io.BytesIO(raw), layer=i) for i in range(count)]
    except Exception as exc:  # GDAL's errors come in many classes; all mean "cannot read"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OverlayError(f"{filename}: could not be read as GeoJSON, GeoPackage, KML or a "
                           f"zipped shapefile ({first[:160]})") from None
    frames = [_to_wgs84(f, filename) for f in frames if isinstance(f, gpd.GeoDataFrame)]
    if not frames or all(f.empty for f in frames):
        raise OverlayError(f"{filename}: has no geometries")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs="EPSG:4326")


def _to_wgs84(frame: gpd.GeoDataFrame, filename: str) -> gpd.GeoDataFrame:
    frame = frame[frame.geometry.notna()]
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise OverlayError(f"{filename}: has no CRS (a shapefile without its .prj?) and its "
                               "coordinates are not longitude/latitude")
        return frame.set_crs("EPSG:4326")
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs("EPSG:4326")


# --- cleaning ------------------------------------------------------------------------------

def _parts(geom) -> list:
    """The simple parts of a geometry, collections opened recursively."""
    if geom is None or geom.is_empty:
        return []
    if shapely.get_type_id(geom) == 7:
        return [p for g in shapely.get_parts(geom) for p in _parts(g)]
    return [geom]


def _regroup(geom):
    """A made-valid geometry as one Polygon/MultiPolygon or LineString/MultiLineString (its
    areas when it has any: the lines make_valid leaves beside an area are slivers)."""
    parts = [p for g in _parts(geom) for p in shapely.get_parts(g)]
    polys = [p for p in parts if shapely.get_type_id(p) == 3]
    if polys:
        return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    lines = [shapely.LineString(p.coords) if shapely.get_type_id(p) == 2 else p
             for p in parts if shapely.get_type_id(p) in (1, 2)]
    if lines:
        return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
    return None


def _labels(frame: gpd.GeoDataFrame) -> list[str | None]:
    for column in LABEL_COLUMNS:
        if column in frame.columns and frame[column].map(lambda v: isinstance(v, str)).any():
            return [v.strip()[:120] if isinstance(v, str) and v.strip() else None
                    for v in frame[column]]
    return [None] * len(frame)


@dataclass(frozen=True)
class Prepared:
    """A layer ready to store: the fixed geometry, its kind, and what was done to it."""

    frame: gpd.GeoDataFrame        # columns: label, geometry (EPSG:4326)
    kind: str
    notes: tuple[str, ...]


def prepare(frame: gpd.GeoDataFrame, filename: str, kind: str | None = None) -> Prepared:
    """Areas and lines only (points are incidents), 2-D, valid, areas wound counter-clockwise
    (RFC 7946); ``kind`` checked against what the layer holds, or found from it."""
    if kind is not None and kind not in KINDS:
        raise OverlayError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    geoms = shapely.force_2d(np.asarray(frame.geometry.values, dtype=object))
    vertices = int(shapely.get_num_coordinates(geoms).sum())
    if vertices > MAX_VERTICES:
        raise OverlayError(f"{filename}: has {vertices:,} vertices; overlays are limited to "
                           f"{MAX_VERTICES:,} (simplify it first)")
    types = shapely.get_type_id(geoms)
    points = int(np.isin(types, _POINTS).sum())
    keep = ~np.isin(types, _POINTS) & ~shapely.is_empty(geoms)
    if not keep.any():
        if points:
            raise OverlayError(f"{filename}: has only points ({points}); points are incidents: "
                               "add them in the Import tab or with `python -m dashboard import`")
        raise OverlayError(f"{filename}: has no geometries")
    invalid = int((~shapely.is_valid(geoms[keep])).sum())
    fixed = np.array([_regroup(g) for g in shapely.make_valid(geoms[keep])], dtype=object)
    labels = np.array(_labels(frame), dtype=object)[keep]
    good = np.array([g is not None for g in fixed], bool)
    if not good.any():
        raise OverlayError(f"{filename}: has no areas or lines once its geometry is repaired")
    fixed = shapely.orient_polygons(fixed[good])
    has_area = np.isin(shapely.get_type_id(fixed), _POLYGONAL)
    found = "area" if has_area.any() else "line"
    if kind == "area" and not has_area.any():
        raise OverlayError(f"{filename}: has no areas, only lines; add it as --kind line")
    if kind == "line" and has_area.any():
        raise OverlayError(f"{filename}: has {int(has_area.sum())} area(s); add it as --kind area")
    notes = []
    if points:
        notes.append(f"{points} point(s) left out: points are incidents, not overlays")
    if invalid:
        notes.append(f"{invalid} invalid geometr{'y' if invalid == 1 else 'ies'} repaired")
    if (~good).sum():
        notes.append(f"{int((~good).sum())} feature(s) with nothing left after repair dropped")
    out = gpd.GeoDataFrame({"label": labels[good]}, geometry=list(fixed), crs="EPSG:4326")
    return Prepared(out, kind or found, tuple(notes))


def simplified(frame: gpd.GeoDataFrame, target: int = DISPLAY_VERTICES) -> gpd.GeoDataFrame:
    """A copy for the map with at most about ``target`` vertices (``frame`` itself when it
    has no more): the tolerance doubles from 1/10,000 of the layer's size until it fits."""
    count = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    if count <= target:
        return frame
    minx, miny, maxx, maxy = frame.total_bounds
    tolerance = max(maxx - minx, maxy - miny, 1e-6) / 10_000
    out = frame
    for _ in range(16):
        out = frame.assign(geometry=frame.geometry.simplify(tolerance, preserve_topology=True))
        if int(shapely.get_num_coordinates(out.geometry.values).sum()) <= target:
            break
        tolerance *= 2
    return out[~out.geometry.is_empty]


def _geojson_bytes(frame: gpd.GeoDataFrame, precision: int | None = None) -> bytes:
    out = io.BytesIO()
    options = {"COORDINATE_PRECISION": precision} if precision is not None else {}
    frame.to_file(out, driver="GeoJSON", engine="pyogrio", **options)
    return out.getvalue()


# --- adding and removing -------------------------------------------------------------------

def add(folder: Path, raw: bytes, filename: str, name: str, *, valid_from: str | dt.date | None = None,
        kind: str | None = None, colour: str | None = None, source: str = "",
        cfg: settings.Settings | None = None) -> tuple[Version, tuple[str, ...]]:
    """Read ``raw`` (a file named ``filename``) and store it as the overlay ``name`` (the
    version ``valid_from``; a version of that name and date is replaced). Returns the stored
    version and notes on what was repaired or left out.

    Nothing already saved is lost on failure: the file is read and checked before anything
    is written, and the index is replaced only after the new files are in place.
    """
    if cfg is not None:
        settings.require_writable(cfg, "adding an overlay")
    name = " ".join(str(name).split())
    if not name:
        raise OverlayError("an overlay needs a name")
    if len(name) > 120:
        raise OverlayError(f"name {name[:40]!r}…: longer than 120 characters")
    if colour is not None and not _COLOUR.fullmatch(colour):
        raise OverlayError(f"colour {colour!r} is not a #rrggbb colour (e.g. #7b3294)")
    day = parse_date(valid_from)
    prepared = prepare(read_layer(raw, filename), filename, kind)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with files.locked(folder / INDEX_NAME):
        versions = read_index(folder)
        slug = slug_for(name)
        same_name = next((v.name for v in versions if v.name.casefold() == name.casefold()), None)
        name = same_name or name  # "zone" adds a version to "Zone"
        clash = next((v.name for v in versions if v.slug == slug and v.name != name), None)
        if clash:
            raise OverlayError(f"name {name!r} is too close to the existing overlay {clash!r}; "
                               "choose another name or add a version of that one")
        same = [v for v in versions if v.slug == slug]
        colour = colour or (same[-1].colour if same else COLOURS[len(names(versions)) % len(COLOURS)])
        full = _geojson_bytes(prepared.frame)
        display_frame = simplified(prepared.frame)
        stem = f"{slug}/{day.isoformat() if day else 'undated'}-{hashlib.sha1(full).hexdigest()[:10]}"
        version = Version(
            name=name, slug=slug, kind=prepared.kind, colour=colour.lower(),
            source=" ".join(str(source).split())[:300], valid_from=day,
            file=f"{stem}.geojson",
            display=f"{stem}.display.geojson" if display_frame is not prepared.frame else f"{stem}.geojson",
            features=len(prepared.frame),
            vertices=int(shapely.get_num_coordinates(prepared.frame.geometry.values).sum()),
            added=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
        written = [folder / version.file]
        (folder / slug).mkdir(exist_ok=True)
        try:
            files.replace_with(folder / version.file, full)
            if version.display != version.file:
                written.append(folder / version.display)
                files.replace_with(folder / version.display, _geojson_bytes(display_frame, 5))
            replaced = [v for v in same if v.valid_from == day]
            kept = [v for v in versions if v not in replaced]
            _write_index(folder, [*kept, version])
        except BaseException:
            for path in written:
                if not any(path == folder / p for v in versions for p in (v.file, v.display)):
                    path.unlink(missing_ok=True)
            raise
        _drop_files(folder, replaced, keep=[*kept, version])
    return version, prepared.notes


def find(versions: Iterable[Version], name: str) -> list[Version]:
    """The versions of the overlay called ``name`` (its name or its slug, any case)."""
    wanted = " ".join(name.split()).casefold()
    return [v for v in versions if v.name.casefold() == wanted or v.slug == wanted]


def remove(folder: Path, name: str, version: str | dt.date | None = None, *,
           cfg: settings.Settings | None = None) -> list[Version]:
    """Remove the overlay ``name``: every version, or only ``version`` (a date, or
    ``"undated"``). Returns what was removed."""
    if cfg is not None:
        settings.require_writable(cfg, "removing an overlay")
    folder = Path(folder)
    with files.locked(folder / INDEX_NAME):
        versions = read_index(folder)
        matching = find(versions, name)
        if not matching:
            known = ", ".join(sorted(names(versions).values())) or "none"
            raise OverlayError(f"no overlay called {name!r} (overlays: {known})")
        if version is not None:
            day = parse_date(version)
            matching = [v for v in matching if v.valid_from == day]
            if not matching:
                raise OverlayError(f"overlay {name!r} has no version "
                                   f"{day.isoformat() if day else 'undated'}")
        kept = [v for v in versions if v not in matching]
        _write_index(folder, kept)
        _drop_files(folder, matching, keep=kept)
    return matching


def _drop_files(folder: Path, gone: Iterable[Version], keep: Iterable[Version]) -> None:
    """Delete the files of versions no longer in the index (best effort: a file left behind
    is only disk space)."""
    used = {p for v in keep for p in (v.file, v.display)}
    for version in gone:
        for rel in {version.file, version.display} - used:
            with contextlib.suppress(OSError):
                (folder / rel).unlink(missing_ok=True)


# --- reading for the map and the exports -----------------------------------------------------

def read_geometry(folder: Path, version: Version, display: bool = True) -> gpd.GeoDataFrame:
    """A version's features (label, geometry) in EPSG:4326: the simplified copy for the map,
    or (``display=False``) the geometry as it was added, for data exports."""
    path = Path(folder) / (version.display if display else version.file)
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # a file deleted or damaged by hand
        raise OverlayError(f"overlay {version.name!r}: {path} cannot be read ({exc})") from None
    if "label" not in frame.columns:
        frame["label"] = None
    return frame[["label", "geometry"]].set_crs("EPSG:4326", allow_override=True)


@dataclass(frozen=True)
class Layer:
    """An overlay as drawn: its version in force and its features (display copy), plus
    where the full geometry is (``full()``, for the data exports)."""

    version: Version
    frame: gpd.GeoDataFrame
    folder: Path

    def full(self) -> gpd.GeoDataFrame:
        return read_geometry(self.folder, self.version, display=False)


def layers(folder: Path, slugs: Iterable[str], end: dt.date | None) -> list[Layer]:
    """The layers to draw for the overlays ``slugs`` switched on, at the date ``end``."""
    return [Layer(v, read_geometry(folder, v), Path(folder))
            for v in shown(read_index(folder), slugs, end)]


def export_frame(layer: Layer) -> gpd.GeoDataFrame:
    """One overlay's full geometry with its name, date, kind and source on every row (a
    GeoPackage layer of its own)."""
    v = layer.version
    frame = layer.full()
    return frame.assign(overlay=v.name, valid_from=v.valid_from.isoformat() if v.valid_from else None,
                        kind=v.kind, source=v.source or None)[
        ["overlay", "label", "valid_from", "kind", "source", "geometry"]]

