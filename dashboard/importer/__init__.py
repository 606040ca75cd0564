"""Turn outside files (GeoJSON, CSV, ACLED exports, GeoPackage, KML) into incident records.

Every row either becomes a Feature that passes ``schema.validate_feature`` or lands in
``ImportResult.rejected`` with its row number, the field, the offending value and a reason.
Nothing is made up: whatever is derived (country from coordinates, type from keywords,
a resolved day/month order ...) is written into the record's ``notes``.

This module is the package's public face (``import_bytes`` and its result); each format
has its own reader (``csv``, ``geojson``, ``ogr``) feeding one row pipeline (``locate``,
``rows``) through a profile (``generic`` column mapping, ``acled``). The package is pure
apart from reading the country outlines once (``load.read_countries``) for the spatial
join; it never imports Streamlit. Unreadable files raise a one-line ``schema.DataError``
that names the file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..schema import DataError
from .acled import ACLED_COLUMNS, import_acled
from .columns import COLUMN_FIELDS, ColumnMap, check_columns, guess_columns
from .csv import read_csv_header, read_csv_table
from .detect import FORMAT_LABELS, FORMATS, detect_format
from .generic import import_generic
from .geojson import foreign_table, import_our_geojson, our_properties, parse_geojson
from .ogr import read_ogr
from .places import CountryIndex, country_code
from .rows import Ctx
from .table import Rejected, Table
from .text import MAX_VALUE_CHARS, decode_text, quote_prefix
from .values import parse_dates

__all__ = [
    "COLUMN_FIELDS", "FORMATS", "FORMAT_LABELS", "MAX_VALUE_CHARS", "ColumnMap", "ImportResult",
    "Rejected", "collector_paused", "country_code", "detect_format", "guess_columns", "header_columns",
    "import_bytes", "parse_dates", "quote_prefix", "rejected_frame",
]


@dataclass
class ImportResult:
    """What an import produced: valid features, the rejected rows and file-level notes."""

    format: str
    rows_read: int
    features: list[dict]
    rejected: list[Rejected]
    warnings: list[str]
    columns: ColumnMap | None
    source_columns: list[str]

    @property
    def rows_rejected(self) -> int:
        """How many rows were rejected (a row can have several entries in ``rejected``)."""
        return len({r.row for r in self.rejected})

    def summary(self) -> str:
        """One line: rows read, imported and rejected."""
        return (f"{self.rows_read} row(s) read as {FORMAT_LABELS.get(self.format, self.format)}: "
                f"{len(self.features)} imported, {self.rows_rejected} rejected")

    def feature_collection(self) -> dict[str, Any]:
        """The imported features as a GeoJSON FeatureCollection."""
        return {"type": "FeatureCollection", "features": self.features}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a big import in a process of its own (the
    worker, the CLI): a row makes a dozen small objects and no cycles, and the collector's
    passes over millions of them cost 40 % of a 400,000-row import. Not for the app's server
    process, whose other sessions need it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def header_columns(raw: bytes, name: str) -> list[str]:
    """The column names of a CSV file (empty for other formats or an unreadable file), so a
    user can choose the coordinate columns when they were not recognised."""
    try:
        if not raw.strip() or detect_format(name, raw) not in ("csv", "acled"):
            return []
        return read_csv_header(decode_text(raw, name)[0], name)
    except DataError:  # not a table, or unreadable: there are no columns to choose from
        return []


def import_bytes(raw: bytes, name: str, fmt: str | None = None, columns: ColumnMap | None = None,
                 existing_ids: Collection[str] = (), *, countries: Any = None,
                 progress: Callable[[str, int, int], None] | None = None) -> ImportResult:
    """Import a file's bytes into incident features, rejecting (and reporting) bad rows.

    Parameters
    ----------
    raw, name
        The file's content and its name (used in messages, notes and source documents).
    fmt
        One of ``FORMATS``; detected from the content and extension when omitted.
    columns
        Which columns feed which fields, for tabular formats; guessed when omitted.
        Ignored for ACLED (its layout is fixed) and for GeoJSON already in our schema.
    existing_ids
        Ids already in use; imported ids never collide with them (a suffix is added).
    countries
        Country outlines (``iso_a2``) for deriving countries; default ``load.read_countries()``.
    progress
        Called with (stage, done, total) as the import goes: once while the file is read, then
        every 1,000 rows (``jobs.ImportJob`` shows it and can stop the import between calls).

    Raises ``DataError`` (one line, naming the file) when the file cannot be read at all.
    """
    if not raw or not raw.strip():
        raise DataError(f"{name}: file is empty")
    fmt = fmt or detect_format(name, raw)
    if fmt not in FORMATS:
        raise DataError(f"{name}: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    warn: list[str] = []
    ctx = Ctx(name, set(existing_ids), CountryIndex(countries) if countries is not None else None,
              warn, existing=frozenset(existing_ids), progress=progress)
    if progress is not None:
        progress("Reading the file", 0, 0)
    if fmt == "geojson":
        features = parse_geojson(raw, name, warn)
        props = our_properties(features)
        if props is not None:
            import_our_geojson(features, ctx)
            source_columns = sorted({k for p in props if isinstance(p, dict) for k in p})
            return _result(fmt, len(features), ctx, None, source_columns)
        table = foreign_table(features, ctx)
        rows_read = len(features)
    elif fmt in ("csv", "acled"):
        text, notes = decode_text(raw, name)
        warn += notes
        table = read_csv_table(text, name)
        ctx.rejected += table.rejected
        rows_read = len(table) + len(table.rejected)
        if fmt == "acled":
            cols = import_acled(table, ctx) if rows_read else None
            return _result(fmt, rows_read, ctx, cols or ACLED_COLUMNS, table.columns, table)
    else:
        table = read_ogr(raw, name, fmt, warn)
        rows_read = len(table)
    return _import_table(table, rows_read, fmt, columns, ctx)


def _import_table(table: Table, rows_read: int, fmt: str, columns: ColumnMap | None,
                  ctx: Ctx) -> ImportResult:
    """A read table through the generic column mapping (chosen or guessed columns)."""
    ctx.warnings += table.warnings
    cols = columns or guess_columns(table.columns)
    check_columns(cols, table.columns, ctx.name)
    if table.geometries is None and not (cols.lat and cols.lon):
        raise DataError(f"{ctx.name}: no coordinate columns found (columns: "
                        f"{', '.join(table.columns)}); choose the latitude and longitude columns")
    if not rows_read:
        ctx.warnings.append("the file has no data rows")
    elif len(table):
        import_generic(table, cols, ctx, fmt)
    return _result(fmt, rows_read, ctx, cols, table.columns)


def _result(fmt: str, rows_read: int, ctx: Ctx, cols: ColumnMap | None, source_columns: list[str],
            table: Table | None = None) -> ImportResult:
    if table is not None:
        ctx.warnings += table.warnings
    if ctx.renamed:
        ctx.warnings.append(f"{ctx.renamed} id(s) were already in use; a suffix was added")
    rejected = sorted(ctx.rejected, key=lambda r: r.row)
    return ImportResult(fmt, rows_read, ctx.features, rejected, ctx.warnings, cols,
                        list(source_columns))


def rejected_frame(result: ImportResult) -> pd.DataFrame:
    """The rejected rows as a table with columns Row, Field, Value, Reason."""
    return pd.DataFrame([(r.row, r.field, r.value, r.reason) for r in result.rejected],
                        columns=["Row", "Field", "Value", "Reason"])
