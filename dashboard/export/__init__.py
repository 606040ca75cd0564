"""Exports, all from one filtered incident frame: PNG/PDF snapshots, standalone HTML,
GeoJSON, CSV and GeoPackage, as bytes (the app offers them for download, the CLI writes
them), and a brief pack as one PDF.

``snapshot`` draws the matplotlib slide (and its PNG/PDF bytes), ``html`` the standalone
web map, ``tables`` the data files, ``briefpdf`` a pack's pages. This module picks one by
format (``render``) and names the download (``filename``).
"""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd

from .. import geo
from .briefpdf import pack_pdf, page_count
from .html import to_html
from .snapshot import (
    BASE_DPI,
    PAGE_LABELS,
    PAGES,
    SnapshotOptions,
    extent_for,
    frame_bounds,
    nice_km,
    scale_label,
    snapshot_figure,
    to_pdf,
    to_png,
)
from .tables import CSV_COLUMNS, FORMULA_START, to_csv, to_geojson, to_gpkg

FORMATS = ("png", "pdf", "html", "geojson", "csv", "gpkg")
MEDIA_TYPES = {"png": "image/png", "pdf": "application/pdf", "html": "text/html",
               "geojson": "application/geo+json", "csv": "text/csv",
               "gpkg": "application/geopackage+sqlite3"}
DEFAULT_STEM = "eastern-flank"


def render(fmt: str, shown: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
           airports: gpd.GeoDataFrame | None, opts: SnapshotOptions) -> bytes:
    """The bytes of one export format for the filtered incidents ``shown`` (and the context
    overlays in ``opts.overlays``: drawn in PNG/PDF/HTML, a layer each in GPKG, left out of
    GeoJSON and CSV)."""
    if fmt in ("png", "pdf"):
        fig = snapshot_figure(shown, countries, airports, opts)
        return to_png(fig, opts.scale) if fmt == "png" else to_pdf(fig, opts.title)
    if fmt == "html":
        return to_html(shown, countries, airports, title=opts.title, subtitle=opts.subtitle,
                       data_as_of=opts.data_as_of, banner=opts.banner,
                       sources=opts.sources, bbox=opts.bbox,
                       overlays=opts.overlays).encode("utf-8")
    if fmt == "geojson":
        return to_geojson(shown, opts.sources)
    if fmt == "csv":
        return to_csv(shown, opts.sources)
    if fmt == "gpkg":
        return to_gpkg(shown, opts.sources, opts.overlays)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def filename(fmt: str, when: dt.datetime, stem: str = DEFAULT_STEM) -> str:
    """A download name like ``eastern-flank-20251006-1430.png``.

    ``stem`` may come from a user (a title): it is reduced to a slug of a-z, 0-9 and ``-``
    (accents folded, at most 60 characters; the default when nothing is left), so the name
    can never hold a path, a NUL or a device name, whatever the user typed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    slug = re.sub(r"[^a-z0-9]+", "-", geo.fold(str(stem)))[:60].strip("-")
    return f"{slug or DEFAULT_STEM}-{when:%Y%m%d-%H%M}.{fmt}"


__all__ = [
    "BASE_DPI", "CSV_COLUMNS", "DEFAULT_STEM", "FORMATS", "FORMULA_START", "MEDIA_TYPES",
    "PAGES", "PAGE_LABELS", "SnapshotOptions", "extent_for", "filename",
    "frame_bounds", "nice_km", "pack_pdf", "page_count", "render", "scale_label", "snapshot_figure", "to_csv",
    "to_geojson", "to_gpkg", "to_html", "to_pdf", "to_png",
]
