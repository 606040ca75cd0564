"""The generic profile: rows of a CSV, a foreign GeoJSON, a GeoPackage or a KML, mapped to
our fields through a ``ColumnMap``.

Each row is read field by field (date, text, type, counts, then platform, place,
precision, source and id); a row with any problem is rejected with all of them, and
everything derived rather than read is said in the record's ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import ids
from ..schema import INCIDENT_TYPES
from .columns import ColumnMap
from .locate import Located, locate
from .places import country_name
from .rows import Ctx, countries_given, finish, make_feature, reserve_id
from .table import Rejected, Table
from .text import quote_prefix, show, strip_html
from .values import (
    DATE_PRECISION,
    LOCATION_PRECISION,
    TYPE_KEYWORD_HELP,
    DateParse,
    incident_type,
    parse_count,
    parse_dates,
    platform_from_text,
)

_COUNTS = ("drones", "aircraft", "missiles", "killed", "injured")


def import_generic(table: Table, cols: ColumnMap, ctx: Ctx, fmt: str) -> None:
    """Rows of a CSV, a foreign GeoJSON, a GeoPackage or a KML -> features or rejections."""
    _Generic(table, cols, ctx, fmt).run()


@dataclass
class _Row:
    """One row under way: its number, problems and notes, and its cells by column."""

    i: int
    number: int
    cells: dict[str, list[str]]
    problems: list[Rejected]
    notes: list[str]

    def get(self, column: str | None) -> str:
        """The row's text in ``column`` ("" when no column was chosen)."""
        return self.cells[column][self.i] if column else ""

    def reject(self, column: str, value: str, reason: str) -> None:
        """Note one problem that keeps the row out."""
        self.problems.append(Rejected(self.number, column, value, reason))


class _Generic:
    """One generic import: the located rows, parsed date columns and per-file state."""

    def __init__(self, table: Table, cols: ColumnMap, ctx: Ctx, fmt: str):
        self.table, self.cols, self.ctx, self.fmt = table, cols, ctx, fmt
        text = table.text
        self.located: Located = locate(table, cols, countries_given(table, cols.country), ctx,
                                       cols.country)
        self.dates: list[DateParse] | None = (parse_dates(text[cols.date], cols.date)
                                               if cols.date else None)
        self.end_dates: list[DateParse] | None = (parse_dates(text[cols.end_date], cols.end_date)
                                                   if cols.end_date else None)
        self.type_cache: dict[str, tuple[str | None, bool]] = {}
        self.date_precision: dict[int, str | None] = {}   # as the date cell itself says
        self.times: dict[int, tuple[str | None, str | None]] = {}   # UTC, when the cell has them
        self.stem = ids.slug(Path(ctx.name).stem) or "import"
        self.cells = {c: text[c].tolist() for c in set(cols.used().values())}
        self.inferred_types = 0

    def run(self) -> None:
        """Import every row, then say how many types came from keywords."""
        for i in self.ctx.each_row(len(self.table)):
            self._row(i)
        if self.inferred_types:
            self.ctx.warnings.append(f"{self.inferred_types} row(s): no type column; type inferred "
                                     "from keywords in the description")

    def _row(self, i: int) -> None:
        """Import row ``i`` or reject it with every problem it has."""
        number = self.table.rows[i]
        r = _Row(i, number, self.cells, self.located.problems[i],
                 [f"Imported from {self.ctx.name} row {number}"])
        date, end_date = self._dates(r)
        summary, quote_text = self._text(r)
        kind = self._type(r, summary)
        counts = self._counts(r)
        if r.problems:
            self.ctx.rejected.extend(r.problems)
            return
        platform = self._platform(r, summary)
        country = self.located.countries[i]
        region, place = self._place(r, country)
        precision = self._precision(r, end_date)
        source = self._source(r, quote_text)
        fid = self._id(r, f"{country.lower()}-{kind.replace('_', '-')}-{date}")
        props = {
            "id": fid, "type": kind, "date": date, "end_date": end_date,
            "date_precision": precision["date_precision"], "country": country, "region": region,
            "place": place, "location_precision": precision["location_precision"],
            "platform": platform or "unknown",
            "icao": r.get(self.cols.icao).upper() or None, **counts, "summary": summary,
            "sources": [source], "confidence": precision["confidence"], "related_ids": [],
            "notes": "; ".join(r.notes + self.located.notes[i]) + ".",
            "origin": self.table.origin[i],
        }
        start, end = self.times.get(i, (None, None))
        if start or end:
            props["start_time"], props["end_time"] = start, end
        finish(make_feature(fid, self.located.geometries[i], props), number, self.ctx)

    def _dates(self, r: _Row) -> tuple[str | None, str | None]:
        """The row's date and end date (the end only when it differs from the date)."""
        cols = self.cols
        date = end_date = None
        if self.dates is None:
            r.reject("date", "", "no date column was found or chosen")
        else:
            d = self.dates[r.i]
            if d.error:
                r.reject(cols.date, show(r.get(cols.date)), d.error)
            date = d.iso
            if d.note:
                r.notes.append(d.note)
            if d.end_date and d.end_date != date:   # a range written in one cell
                end_date = d.end_date
            self.date_precision[r.i] = d.precision
            self.times[r.i] = (d.start_time, d.end_time)
        if self.end_dates is not None and r.get(cols.end_date):
            e = self.end_dates[r.i]
            if e.error:
                r.reject(cols.end_date, show(r.get(cols.end_date)), e.error)
            end_date = e.iso if e.iso != date else None
        return date, end_date

    def _text(self, r: _Row) -> tuple[str, str]:
        """The summary and the text its source quote is taken from."""
        cols = self.cols
        summary = r.get(cols.summary)
        if self.fmt == "kml" and summary:
            plain = strip_html(summary)
            if plain != summary:
                r.notes.append("HTML markup removed from the description")
            summary = plain
        quote_text = r.get(cols.quote) or summary
        if not summary and quote_text:
            summary = quote_text
        if not quote_text:
            r.reject(cols.summary or "summary", "", "no description text to quote as the source")
        return summary, quote_text

    def _type(self, r: _Row, summary: str) -> str | None:
        """The incident type from the type column, else from keywords in the description."""
        column = self.cols.type
        if not column:
            kind, _ = incident_type(summary) if summary else (None, False)
            if kind is None:
                r.reject("type", "", "no incident type: no type column was chosen and the "
                                     f"description matches none of the keywords ({TYPE_KEYWORD_HELP})")
            else:
                self.inferred_types += 1
                r.notes.append(f"type {kind} inferred from keywords in the description")
            return kind
        value = r.get(column)
        if value not in self.type_cache:
            self.type_cache[value] = incident_type(value)
        kind, exact = self.type_cache[value]
        if kind is None:
            r.reject(column, show(value),
                     f"no incident type: column {column!r} value {value!r} matches none of "
                     f"{', '.join(INCIDENT_TYPES)} or their keywords ({TYPE_KEYWORD_HELP})")
        elif not exact:
            r.notes.append(f"type {kind} derived from {column} {value!r}")
        return kind

    def _counts(self, r: _Row) -> dict[str, int | None]:
        """Drones, aircraft, missiles, killed and injured (None where no column or cell)."""
        counts: dict[str, int | None] = {}
        for name in _COUNTS:
            column = getattr(self.cols, name)
            counts[name], error = parse_count(r.get(column)) if column else (None, None)
            if error:
                r.reject(column, show(r.get(column)), error)
        return counts

    def _platform(self, r: _Row, summary: str) -> str | None:
        """The platform from its column, else from keywords in the type and description."""
        column = self.cols.platform
        if column and r.get(column):
            value = r.get(column)
            platform = platform_from_text(value)
            if platform is None:
                r.notes.append(f"platform {value!r} not recognised; set to unknown")
            elif platform != value.strip().lower():
                r.notes.append(f"platform {platform} derived from {column} {value!r}")
            return platform
        platform = platform_from_text(r.get(self.cols.type), summary)
        if platform:
            r.notes.append(f"platform {platform} derived from keywords in the "
                           f"{'type and ' if self.cols.type else ''}description")
        return platform

    def _place(self, r: _Row, country: str) -> tuple[str | None, str]:
        """The region (None when not given) and the place, the region or country standing in."""
        cols = self.cols
        region = r.get(cols.region) or None
        place = r.get(cols.place)
        if self.fmt == "kml" and place and cols.place == cols.summary:
            place = strip_html(place)
        if not place:
            place = region or country_name(country)
            r.notes.append(f"no place given; set to {'the region' if region else 'the country'}")
        return region, place

    def _precision(self, r: _Row, end_date: str | None) -> dict[str, str]:
        """Location and date precision and confidence, with defaults for what is not read."""
        cols = self.cols
        precision_text = r.get(cols.location_precision).lower()
        location_precision = LOCATION_PRECISION.get(precision_text)
        if location_precision is None:
            location_precision = "exact"
            r.notes.append("location_precision assumed exact (coordinates as given)"
                           if not precision_text else
                           f"location precision {precision_text!r} not recognised; assumed exact")
        date_precision = DATE_PRECISION.get(r.get(cols.date_precision).lower()) or (
            self.date_precision.get(r.i) or "day")
        if end_date:
            date_precision = "range"
        confidence_text = r.get(cols.confidence).lower()
        confidence = confidence_text if confidence_text in ("high", "medium", "low") else "low"
        if confidence_text and confidence != confidence_text:
            r.notes.append(f"confidence {confidence_text!r} not recognised; set to low")
        return {"location_precision": location_precision, "date_precision": date_precision,
                "confidence": confidence}

    def _source(self, r: _Row, quote_text: str) -> dict[str, Any]:
        """The one source: document (the file and row when none is named), quote and URL."""
        source_text, url = r.get(self.cols.source), r.get(self.cols.url) or None
        if source_text.lower().startswith(("http://", "https://")) and not url:
            url = source_text
        document = source_text or url or f"{self.ctx.name} row {r.number}"
        source = {"document": document, "quote": quote_prefix(quote_text)}
        if url:
            source["url"] = url
        return source

    def _id(self, r: _Row, base: str) -> str:
        """The file's id for the row (numeric ids prefixed with the file name), else ``base-N``."""
        wanted = None
        if self.cols.id and (given_id := ids.slug(r.get(self.cols.id))):
            wanted = f"{self.stem}-{given_id}" if given_id.isdigit() else given_id
        fid = reserve_id(wanted, base, self.ctx)
        if wanted and fid != wanted:
            self.ctx.renamed += 1
            r.notes.append(f"id {wanted!r} already in use; imported as {fid!r}")
        return fid
