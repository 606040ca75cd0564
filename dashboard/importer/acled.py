"""ACLED's row rules: how an ACLED export's rows become our records.

What is data lives in the ACLED profile (``profiles/acled.json``): the header that identifies
an export, which sub-event types are strikes or interceptions (anything else is rejected;
a sub-event type belongs to one event type in ACLED, so it alone decides), and its
precision codes. A user's copy of the profile can map more sub-event types. What is rule
lives here: an interception must name an aerial platform, which columns are numbers (kept as
numbers in ``origin``), how place, summary and quote are built, and the ids. An event id
already in the data is not imported a second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .. import ids
from ..schema import DataError, OriginValue
from .columns import ColumnMap
from .locate import Located, locate
from .places import country_name
from .profiles import SKIP, Profile, read_profile
from .rows import Ctx, countries_given, finish, make_feature, reserve_id
from .table import Rejected, Table
from .text import norm, quote_prefix, show
from .values import DateParse, parse_coordinate, parse_count, parse_dates, platform_from_text

# Columns the ACLED export has; the first four identify it.
ACLED_KEY_COLUMNS = ("event_id_cnty", "event_date", "event_type", "sub_event_type")
ACLED_INT_COLUMNS = frozenset({
    "year", "time_precision", "geo_precision", "iso", "inter1", "inter2", "interaction",
    "fatalities", "timestamp", "population_1km", "population_2km", "population_5km",
    "population_best"})
ACLED_FLOAT_COLUMNS = frozenset({"latitude", "longitude"})
ACLED_PROFILE: Profile = read_profile(Path(__file__).with_name("profiles") / "acled.json")
ACLED_GEO_PRECISION: dict[str, str] = ACLED_PROFILE.values["location_precision"].map
ACLED_TIME_PRECISION: dict[str, str] = ACLED_PROFILE.values["date_precision"].map
# Platforms an interception can be of; "Disrupted weapons use" without one of these in the
# notes is a defused explosive or a seized weapon, not something shot out of the sky.
AERIAL_PLATFORMS = frozenset({"drone", "missile", "aircraft", "balloon"})

ACLED_COLUMNS = ColumnMap(
    lat="latitude", lon="longitude", date="event_date", type="event_type", country="country",
    region="admin1", place="location", summary="notes", source="source", id="event_id_cnty",
    date_precision="time_precision", location_precision="geo_precision", killed="fatalities")

# The columns a record is built from (normalised names; "" for a row when absent).
_READ = ("event_date", "event_type", "sub_event_type", "notes", "source", "location", "admin1",
         "admin2", "event_id_cnty", "fatalities", "geo_precision", "time_precision")
_REQUIRED = ("latitude", "longitude", "event_type", "sub_event_type", "event_date")
_INT_TEXT = re.compile(r"-?\d+")


def is_acled_header(columns: Iterable[str]) -> bool:
    """Whether a CSV header is an ACLED export's (it has all of ``ACLED_KEY_COLUMNS``)."""
    names = {norm(c) for c in columns}
    return all(c in names for c in ACLED_KEY_COLUMNS)


def acled_origin(record: dict[str, OriginValue], kinds: dict[str, str]) -> dict[str, OriginValue]:
    """ACLED's fields with numbers as numbers; ``kinds`` says which column is int or float."""
    out = dict(record)
    for key, kind in kinds.items():
        value = out.get(key)
        if not isinstance(value, str):
            continue
        if kind == "int" and _INT_TEXT.fullmatch(value):
            out[key] = int(value)
        elif kind == "float" and (number := parse_coordinate(value)) is not None:
            out[key] = number
    return out


def import_acled(table: Table, ctx: Ctx, profile: Profile = ACLED_PROFILE) -> ColumnMap:
    """Rows of an ACLED export -> strikes and interceptions; other event types rejected.
    ``profile`` gives the sub-event types mapped and the precision codes (``values``)."""
    run = _Acled(table, ctx, profile)
    for i in ctx.each_row(len(table)):
        run.row(i)
    return run.cols


class _Acled:
    """One ACLED import: the export's columns by normalised name, located rows and dates."""

    def __init__(self, table: Table, ctx: Ctx, profile: Profile):
        # ACLED headers are lowercase, but older exports shout; address columns by normalised name.
        actual = {norm(c): c for c in table.columns}
        missing = [c for c in _REQUIRED if c not in actual]
        if missing:
            raise DataError(f"{ctx.name}: looks like an ACLED export but has no column(s) "
                            f"{', '.join(missing)}")
        self.table, self.ctx, self.actual = table, ctx, actual
        maps = {k: v.lookup() for k, v in profile.values.items()}
        self.types = {k: v for k, v in maps.get("type", {}).items() if v.casefold() != SKIP}
        self.geo_precision = maps.get("location_precision", {})
        self.time_precision = maps.get("date_precision", {})
        type_map = profile.values["type"].map if "type" in profile.values else {}
        self.mapped = ", ".join(k for k, v in type_map.items() if v.casefold() != SKIP) or "none"
        self.cols = ColumnMap(**{k: actual.get(v) for k, v in ACLED_COLUMNS.used().items()})
        self.kinds = {c: "int" if norm(c) in ACLED_INT_COLUMNS else "float" for c in table.columns
                      if norm(c) in ACLED_INT_COLUMNS | ACLED_FLOAT_COLUMNS}
        given = countries_given(table, self.cols.country)
        if "iso" in actual:   # ISO 3166 numeric, for a country name pycountry does not know
            by_iso = countries_given(table, actual["iso"])
            given = [g or b for g, b in zip(given, by_iso, strict=True)]
        self.located: Located = locate(table, self.cols, given, ctx, self.cols.country)
        self.dates = parse_dates(table.text[actual["event_date"]], actual["event_date"])
        self.cells = {name: table.text[actual[name]].tolist() if name in actual
                      else [""] * len(table) for name in _READ}

    def row(self, i: int) -> None:
        """Import row ``i`` or reject it with every problem it has."""
        number = self.table.rows[i]
        ev = {name: values[i] for name, values in self.cells.items()}
        d = self.dates[i]
        problems = self.located.problems[i]
        notes = [f"Imported from ACLED ({self.ctx.name} row {number}); type and platform derived "
                 "from event_type/sub_event_type/notes"]
        kind, platform, killed = self._check(ev, d, number, problems, notes)
        if problems:
            self.ctx.rejected.extend(problems)
            return
        country = self.located.countries[i]
        place, summary, quote = self._describe(ev, country, notes)
        fid = self._id(ev, f"{country.lower()}-{kind}-{d.iso}", notes)
        precision = self.geo_precision.get(ev["geo_precision"])
        if precision is None:
            precision = "city"
            notes.append("geo_precision missing; location_precision assumed city")
        event_id, source = ev["event_id_cnty"], ev["source"]
        document = f"ACLED {event_id}".strip() + (f": {source}" if source else "")
        props = {
            "id": fid, "type": kind, "date": d.iso, "end_date": None,
            "date_precision": self.time_precision.get(ev["time_precision"], "day"),
            "country": country, "region": ev["admin1"] or None, "place": place,
            "location_precision": precision, "platform": platform or "unknown", "icao": None,
            "drones": None, "aircraft": None, "missiles": None, "killed": killed, "injured": None,
            "summary": summary,
            "sources": [{"document": document, "quote": quote, "publisher": "ACLED"}],
            "confidence": "medium", "related_ids": [],
            "notes": "; ".join(notes + self.located.notes[i]) + ".",
            "origin": acled_origin(self.table.origin[i], self.kinds),
        }
        finish(make_feature(fid, self.located.geometries[i], props), number, self.ctx)

    def _check(self, ev: dict[str, str], d: DateParse, row: int, problems: list[Rejected],
               notes: list[str]) -> tuple[str | None, str | None, int | None]:
        """Type, platform and fatalities of an event; what keeps it out goes to ``problems``."""
        actual = self.actual
        event_type, sub_type = ev["event_type"], ev["sub_event_type"]
        kind = self.types.get(" ".join(sub_type.split()).casefold())
        platform = platform_from_text(ev["notes"])
        if kind is None:
            problems.append(Rejected(
                row, actual["event_type"], show(f"{event_type} / {sub_type}"),
                f"ACLED event type {event_type!r} with sub-event type {sub_type!r} is not an "
                f"incident type this map covers (mapped sub-event types: {self.mapped})"))
        elif kind == "interception" and platform not in AERIAL_PLATFORMS:
            problems.append(Rejected(
                row, actual["sub_event_type"], show(sub_type),
                "ACLED 'Disrupted weapons use' whose notes name no drone, missile, aircraft or "
                "balloon (a defused explosive or seized weapon) is not an interception"))
        if d.error:
            problems.append(Rejected(row, actual["event_date"], show(ev["event_date"]), d.error))
        elif d.note:
            notes.append(d.note)
        killed, error = parse_count(ev["fatalities"])
        if error:
            problems.append(Rejected(row, actual["fatalities"], show(ev["fatalities"]), error))
        event_id = ev["event_id_cnty"]
        known = f"acled-{ids.slug(event_id)}"
        if ids.slug(event_id) and known in self.ctx.existing:
            # An ACLED event id is stable: the same event exported again is not a new incident.
            problems.append(Rejected(row, actual.get("event_id_cnty", "event_id_cnty"), show(event_id),
                                     f"already in the data as {known!r}; not imported again "
                                     "(edit or retract that record instead)"))
        return kind, platform, killed

    @staticmethod
    def _describe(ev: dict[str, str], country: str, notes: list[str]) -> tuple[str, str, str]:
        """Place, summary and quote, built from the event fields where ACLED leaves them empty."""
        note_text = ev["notes"]
        place = ev["location"] or ev["admin2"] or ev["admin1"]
        summary = note_text or (f"{ev['event_type']}: {ev['sub_event_type']} at "
                                f"{place or 'an unnamed place'}")
        quote = quote_prefix(note_text) or summary
        if not note_text:
            notes.append("ACLED notes empty; summary and quote built from event_type, "
                         "sub_event_type and location")
        if not place:
            place = country_name(country)
            notes.append("no location, admin2 or admin1; place set to the country")
        elif not ev["location"]:
            notes.append("no location; place taken from admin2/admin1")
        return place, summary, quote

    def _id(self, ev: dict[str, str], base: str, notes: list[str]) -> str:
        """``acled-<event id>`` when free, else a suffixed one; ``base-N`` without an event id."""
        event_id = ids.slug(ev["event_id_cnty"])
        wanted = f"acled-{event_id}" if event_id else None
        fid = reserve_id(wanted, base, self.ctx)
        if wanted and fid != wanted:
            self.ctx.renamed += 1
            notes.append(f"id {wanted!r} already in use; imported as {fid!r}")
        return fid
