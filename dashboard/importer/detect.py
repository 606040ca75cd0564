"""Which format a file is: ``FORMATS``, their labels, and ``detect_format``.

The content decides first (SQLite header, ZIP header (a KMZ when named .kmz or holding a
.kml), XML, JSON, delimited text whose header is an ACLED export's) and the file extension
second; empty, binary and
unrecognised files raise a ``DataError`` that says what the file seems to be.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..schema import DataError
from .acled import is_acled_header
from .kmz import ZIP_MAGIC, holds_kml
from .text import decode_text

FORMATS: tuple[str, ...] = ("geojson", "csv", "acled", "gpkg", "kml", "kmz", "json")
FORMAT_LABELS: dict[str, str] = {
    "geojson": "GeoJSON", "csv": "CSV with coordinate columns", "acled": "ACLED export (CSV)",
    "gpkg": "GeoPackage", "kml": "KML", "kmz": "KMZ (zipped KML)", "json": "JSON event list",
}
#: JSON that names GeoJSON Features near its start; any other JSON is an event list.
_GEOJSON = re.compile(r'"type"\s*:\s*"Feature(Collection)?"|"features"\s*:')


def detect_format(name: str, raw: bytes) -> str:
    """One of ``FORMATS``, from the content first and the file extension second.

    An ACLED export is a CSV whose header has ``event_id_cnty``, ``event_date``,
    ``event_type`` and ``sub_event_type``. Raises ``DataError`` for empty, binary or
    unrecognised files. JSON is GeoJSON when it names Features in its first 8 KB (or is
    named .geojson), else a JSON event list (an array, JSON Lines, ``{"events": [...]}``).
    """
    if not raw.strip():
        raise DataError(f"{name}: file is empty")
    if raw.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if raw.startswith(ZIP_MAGIC):
        if Path(name).suffix.lower() == ".kmz" or holds_kml(raw):
            return "kmz"
        raise DataError(f"{name}: is a ZIP archive (KMZ, a zipped shapefile or an Excel "
                        "workbook?); unzip it or export it as CSV, GeoJSON, GeoPackage, KML or KMZ")
    ext = Path(name).suffix.lower()
    if ext == ".gpkg":
        raise DataError(f"{name}: has a .gpkg extension but is not a GeoPackage (SQLite) file")
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    head = raw[:8192].decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if "<kml" in head.lower() or ext == ".kml":
            return "kml"
        raise DataError(f"{name}: is XML or HTML but not KML; unknown format "
                        f"(expected one of {', '.join(FORMATS)})")
    if head.startswith(("{", "[")) or ext in (".geojson", ".json", ".jsonl", ".ndjson"):
        return "geojson" if ext == ".geojson" or _GEOJSON.search(head) else "json"
    if ext == ".kml":
        return "kml"
    if ext in (".csv", ".tsv", ".txt", ""):
        if ext == "":
            decode_text(raw[:65536], name)   # raises for binary data
        header = next((line for line in head.splitlines() if line.strip()), "")
        if ext == "" and not any(sep in header for sep in ",;\t|"):
            raise DataError(f"{name}: unknown format (not JSON, XML, SQLite or delimited text); "
                            f"expected one of {', '.join(FORMATS)}")
        return "acled" if is_acled_header(re.split(r"[,;\t|]", header)) else "csv"
    raise DataError(f"{name}: unknown format {ext!r}; expected one of {', '.join(FORMATS)} "
                    "(.geojson/.json, .csv, .gpkg, .kml, .kmz)")
