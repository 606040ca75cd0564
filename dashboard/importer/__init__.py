"""Turn outside files (GeoJSON, CSV, ACLED exports, GeoPackage, KML, KMZ) into incident records.

Every row either becomes a Feature that passes ``schema.validate_feature`` or lands in
``ImportResult.rejected`` with its row number, the field, the offending value and a reason.
Nothing is made up: whatever is derived (country from coordinates, type from keywords,
a resolved day/month order ...) is written into the record's ``notes``.

This module is the package's public face (``import_bytes`` and its result); each format
has its own reader (``csv``, ``geojson``, ``jsonlist``, ``ogr``) feeding one row pipeline (``locate``,
``rows``) through a profile (``generic`` column mapping, ``acled``). The package is pure
apart from reading the country outlines once (``load.read_countries``) for the spatial
join; it never imports Streamlit. Unreadable files raise a one-line ``schema.DataError``
that names the file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ..schema import DataError
from .acled import ACLED_COLUMNS, import_acled
from .columns import COLUMN_FIELDS, ColumnMap, check_columns, guess_columns
from .csv import read_csv_header, read_csv_table
from .detect import FORMAT_LABELS, FORMATS, detect_format
from .generic import import_generic
from .geojson import foreign_table, import_our_geojson, our_properties, parse_geojson
from .jsonlist import lookup_titles, read_json_table
from .ogr import read_ogr
from .places import CountryIndex, country_code
from .profiles import Profile, ValueMap, recognise
from .profiles import apply as apply_profile
from .profiles import available as available_profiles
from .rows import Ctx
from .shapes import read_wkt_column, split_multipart
from .table import Rejected, Table
from .text import MAX_VALUE_CHARS, decode_text, norm, quote_prefix
from .updates import reconcile
from .values import parse_dates

__all__ = [
    "COLUMN_FIELDS", "FORMATS", "FORMAT_LABELS", "MAX_VALUE_CHARS", "ColumnMap", "ImportResult",
    "Profile", "Rejected", "ValueMap", "available_profiles",
    "collector_paused", "country_code", "detect_format", "guess_columns", "header_columns",
    "import_bytes", "lookup_titles", "read_table", "parse_dates", "quote_prefix", "rejected_frame",
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
    profile: str | None = None      # the profile used (its label), chosen or recognised
    updated: list[dict] = field(default_factory=list)   # held records, with the source's news
    unchanged: list[str] = field(default_factory=list)  # ids of held records the file repeats

    @property
    def rows_rejected(self) -> int:
        """How many rows were rejected (a row can have several entries in ``rejected``)."""
        return len({r.row for r in self.rejected})

    def summary(self) -> str:
        """One line: rows read, imported and rejected (and the profile used)."""
        profile = f" with the {self.profile} profile" if self.profile else ""
        counts = (f"{len(self.features)} added, {len(self.updated)} updated, "
                  f"{len(self.unchanged)} unchanged" if self.updated or self.unchanged
                  else f"{len(self.features)} imported")
        return (f"{self.rows_read} row(s) read as {FORMAT_LABELS.get(self.format, self.format)}"
                f"{profile}: {counts}, {self.rows_rejected} rejected")

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
    """The column names of a CSV file or JSON event list (empty for other formats or an
    unreadable file), so a
    user can choose the coordinate columns when they were not recognised."""
    try:
        fmt = detect_format(name, raw) if raw.strip() else None
        if fmt == "json":
            return read_json_table(raw, name).columns
        if fmt not in ("csv", "acled"):
            return []
        return read_csv_header(decode_text(raw, name)[0], name)
    except DataError:  # not a table, or unreadable: there are no columns to choose from
        return []


def import_bytes(raw: bytes, name: str, fmt: str | None = None, columns: ColumnMap | None = None,
                 existing_ids: Collection[str] = (), *, countries: Any = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 lookups: Mapping[str, str] | None = None, profile: Profile | None = None,
                 mapping: Mapping[str, ValueMap] | None = None,
                 constants: Mapping[str, str] | None = None,
                 profiles: Mapping[str, Profile] | None = None,
                 column_overrides: Mapping[str, str] | None = None,
                 existing: Sequence[dict[str, Any]] | None = None) -> ImportResult:
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
    lookups
        For a JSON event list: ``{id: title}`` (``lookup_titles`` of a TimeMap
        ``associations.json``), so category ids are read as their titles.
    profile
        The import profile to apply (``profiles.Profile``); when omitted, the first of
        ``profiles`` (default: the shipped ones) whose columns the file has is used.
    mapping, constants
        A user's value mappings (field -> ``ValueMap``) and constants (field -> value), laid
        over the profile's (see ``profiles``).
    column_overrides
        Fields whose column a user chose (field -> column), laid over the profile's and the
        guessed columns; ``columns``, by contrast, is a whole mapping and replaces both.
    existing
        The data's features: rows the data already holds (same source id, see ``updates``)
        come back in ``updated`` or ``unchanged`` instead of ``features``.

    Raises ``DataError`` (one line, naming the file) when the file cannot be read at all.
    """
    if not raw or not raw.strip():
        raise DataError(f"{name}: file is empty")
    fmt = fmt or detect_format(name, raw)
    if fmt not in FORMATS:
        raise DataError(f"{name}: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    warn: list[str] = []
    # With the data's records at hand an ACLED event already held is an update, not refused.
    ctx = Ctx(name, set(existing_ids), CountryIndex(countries) if countries is not None else None,
              warn, existing=frozenset(existing_ids) if existing is None else frozenset(),
              progress=progress)
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
        chosen = _profile_for(table.columns, profile, profiles)
        if chosen.reader == "acled" if chosen else fmt == "acled":
            acled = (chosen or available_profiles()["acled"]).with_overrides(
                values=dict(mapping or {}))
            if constants:
                warn.append("constants are not applied to an ACLED export (its rows give their "
                            "own type and platform); map its sub_event_type values instead")
            cols = import_acled(table, ctx, acled) if rows_read else None
            return _updates(_result("acled", rows_read, ctx, cols or ACLED_COLUMNS, table.columns,
                                    table, acled.title()), existing, acled.source_id, acled.match)
    elif fmt == "json":
        table = read_json_table(raw, name, lookups)
        ctx.rejected += table.rejected
        rows_read = len(table) + len(table.rejected)
    else:
        table = read_ogr(raw, name, fmt, warn)
        rows_read = len(table)
    chosen = _profile_for(table.columns, profile, profiles)
    if chosen is not None and chosen.reader != "generic":
        raise DataError(f"{name}: the {chosen.title()} profile reads CSV exports only")
    if column_overrides:
        chosen = (chosen or Profile("custom")).with_overrides(columns=dict(column_overrides))
    result = _import_table(table, rows_read, fmt, columns, ctx, chosen, mapping, constants)
    source_id = (chosen.source_id if chosen is not None and chosen.source_id
                 else result.columns.id if result.columns else None)
    return _updates(result, existing, source_id, chosen.match if chosen is not None else ())


def _updates(result: ImportResult, existing: Sequence[dict[str, Any]] | None,
             source_id: str | None, match: tuple[str, ...]) -> ImportResult:
    """Records the data already holds moved from ``features`` to ``updated``/``unchanged``."""
    if existing is None or not result.features:
        return result
    found = reconcile(result.features, existing, _origin_column(result, source_id), match)
    result.features, result.updated, result.unchanged = found.added, found.updated, found.unchanged
    # A held record's id was "in use" only because it is the same record: recount the renames.
    renamed = sum("already in use; imported as" in (f["properties"].get("notes") or "")
                  for f in result.features)
    result.warnings = [w for w in result.warnings if not w.endswith("a suffix was added")]
    if renamed:
        result.warnings.append(f"{renamed} id(s) were already in use; a suffix was added")
    return result


def _origin_column(result: ImportResult, column: str | None) -> str | None:
    """The origin's own spelling of the source id column (origins keep the file's names)."""
    if not column:
        return None
    by_norm = {norm(c): c for c in result.source_columns}
    return column if column in result.source_columns else by_norm.get(norm(column), column)


def _profile_for(columns: list[str], profile: Profile | None,
                 profiles: Mapping[str, Profile] | None) -> Profile | None:
    """The profile given, else the one the columns are recognised as (None: no profile)."""
    if profile is not None:
        return profile
    return recognise(columns, dict(available_profiles() if profiles is None else profiles))


def _import_table(table: Table, rows_read: int, fmt: str, columns: ColumnMap | None,
                  ctx: Ctx, profile: Profile | None = None,
                  mapping: Mapping[str, ValueMap] | None = None,
                  constants: Mapping[str, str] | None = None) -> ImportResult:
    """A read table through the generic column mapping (chosen or guessed columns), with the
    profile, value mappings and constants laid over it."""
    ctx.warnings += table.warnings
    cols = columns or guess_columns(table.columns)
    check_columns(cols, table.columns, ctx.name)
    source_columns, shown = list(table.columns), cols
    if profile is not None or mapping or constants:
        laid = (profile or Profile("custom")).with_overrides(values=dict(mapping or {}),
                                                             constants=dict(constants or {}))
        if columns is not None:   # a whole mapping chosen by the user: the profile's gives way
            laid = replace(laid, columns={})
        cols = apply_profile(laid, table, cols, ctx.name, ctx.rejected)
        # What a person is shown: the file's own columns (a mapped field by the column it is
        # mapped from, a constant by none), not the columns the mapping adds.
        shown = replace(cols, **{f: v.column for f, v in laid.values.items()},
                        **{f: None for f in laid.constants})
    table = read_wkt_column(table, cols, ctx)
    if table.geometries is None and not (cols.lat and cols.lon):
        raise DataError(f"{ctx.name}: no coordinate columns found (columns: "
                        f"{', '.join(table.columns)}); choose the latitude and longitude columns "
                        "or a WKT geometry column")
    table = split_multipart(table, cols.id, ctx)
    first = len(ctx.features)
    if not rows_read:
        ctx.warnings.append("the file has no data rows")
    elif len(table):
        import_generic(table, cols, ctx, "kml" if fmt == "kmz" else fmt)  # a KMZ is a KML
    if profile is not None and profile.publisher:
        for feature in ctx.features[first:]:
            for cite in feature["properties"]["sources"]:
                cite.setdefault("publisher", profile.publisher)
    return _result(fmt, rows_read, ctx, shown, source_columns,
                   profile=profile.title() if profile is not None and profile.name != "custom"
                   else None)


def read_table(raw: bytes, name: str, fmt: str | None = None,
               lookups: Mapping[str, str] | None = None) -> Table:
    """The file's rows as a ``Table`` (no import): for showing a column's distinct values."""
    fmt = fmt or detect_format(name, raw)
    if fmt in ("csv", "acled"):
        return read_csv_table(decode_text(raw, name)[0], name)
    if fmt == "json":
        return read_json_table(raw, name, lookups)
    if fmt == "geojson":
        features = parse_geojson(raw, name, [])
        if our_properties(features) is not None:
            raise DataError(f"{name}: is already in our schema; it has no columns to map")
        return foreign_table(features, Ctx(name, set(), None, []))
    return read_ogr(raw, name, fmt, [])


def _result(fmt: str, rows_read: int, ctx: Ctx, cols: ColumnMap | None, source_columns: list[str],
            table: Table | None = None, profile: str | None = None) -> ImportResult:
    if table is not None:
        ctx.warnings += table.warnings
    if ctx.renamed:
        ctx.warnings.append(f"{ctx.renamed} id(s) were already in use; a suffix was added")
    rejected = sorted(ctx.rejected, key=lambda r: r.row)
    return ImportResult(fmt, rows_read, ctx.features, rejected, ctx.warnings, cols,
                        list(source_columns), profile)


def rejected_frame(result: ImportResult) -> pd.DataFrame:
    """The rejected rows as a table with columns Row, Field, Value, Reason."""
    return pd.DataFrame([(r.row, r.field, r.value, r.reason) for r in result.rejected],
                        columns=["Row", "Field", "Value", "Reason"])
