"""JSON event lists (not GeoJSON) as a ``Table`` for the generic column mapping.

The events are a top-level array of objects, JSON Lines (one object per line) or the
array-of-objects value of an object (``{"data": [...]}``; TimeMap's ``{"events": [...],
"associations": [...], "sources": [...]}``, whose other arrays are lookup tables). Each object
is one row, except that an ``incidents`` list makes one row per child, which keeps the
parent's values it lacks; rows are numbered in order and a row that is not record N says
so in its notes ("record 12, incident 2"). Nested objects become dotted keys
(``location.lat``), lists of scalars are joined with "; ", "TRUE"/"FALSE" strings are
booleans, emoji flags are stripped (the country a flag names fills a ``country (from flag)``
column when no key names the country). Keys that differ only in case, spaces or underscores
(``Date``/``date``) are one column, and so are exact synonyms of one field (``lng``/``long``)
that no record holds together. Ids in a lookup table (``{"id": ..., "title"/"name": ...}``)
are read as their titles; the record's origin keeps the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import load
from ..schema import DataError
from .columns import field_named, guess_columns
from .places import flag_country, strip_flags
from .table import Rejected, Table, table_from_records
from .text import decode_text, norm, show

CHILDREN = "incidents"                   # the key whose objects are incidents of their own
FLAG_COLUMN = "country (from flag)"
_BOOLEANS = {"true": True, "false": False, "TRUE": True, "FALSE": False, "True": True,
             "False": False}
_MAX_DEPTH = 6                           # objects nested deeper stay JSON text
_Row = dict[str, Any]                    # normalised key -> value
_Values = tuple[_Row, dict[str, str], "str | None"]   # values, originals cleaning changed, flag


def lookup_titles(raw: bytes, name: str) -> dict[str, str]:
    """``{id: title}`` from a lookup file: an array of ``{"id", "title"/"name"}`` objects
    (TimeMap's ``associations.json``, ``categories.json``) or an object holding such arrays."""
    data = load.parse_json_text(decode_text(raw, name)[0], name)
    lists = [data] if isinstance(data, list) else [v for v in data.values() if isinstance(v, list)] \
        if isinstance(data, dict) else []
    titles = {k: v for items in lists for k, v in _titles(items).items()}
    if not titles:
        raise DataError(f"{name}: is not a lookup table (expected an array of objects with "
                        "\"id\" and \"title\" or \"name\")")
    return titles


def _titles(items: list[Any]) -> dict[str, str]:
    return {str(o["id"]): str(o.get("title") or o["name"]) for o in items if isinstance(o, dict)
            and o.get("id") not in (None, "") and (o.get("title") or o.get("name"))}


def read_json_table(raw: bytes, name: str, lookups: Mapping[str, str] | None = None) -> Table:
    """The file's events as a ``Table`` (``DataError`` when it holds no array of objects)."""
    text, warnings = decode_text(raw, name)
    events, found = _event_list(_parse(text, name), name)
    reader = _Reader({**found, **(lookups or {})})
    try:
        table = reader.table(events)
    except RecursionError:
        raise DataError(f"{name}: is not usable JSON (objects nested too deeply)") from None
    table.warnings = warnings + table.warnings
    return table


def _parse(text: str, name: str) -> Any:
    """The JSON value; for JSON Lines (an object on each of several lines) the list of them."""
    first, _, rest = text.lstrip().partition("\n")
    if not (first.startswith("{") and first.rstrip().endswith("}") and rest.strip()):
        return load.parse_json_text(text, name)
    values = []
    for number, line in enumerate(text.split("\n"), start=1):   # not splitlines: U+2028 is text
        if line.strip():
            try:
                values.append(load.parse_json_text(line, name))
            except DataError as exc:
                raise DataError(str(exc).replace("(line 1,", f"(line {number},", 1)) from None
    return values


def _event_list(data: Any, name: str) -> tuple[list[Any], dict[str, str]]:
    """The array of event objects (the first with coordinate keys) and the titles of the
    lookup arrays beside it; arrays are looked for up to three objects deep."""
    if isinstance(data, dict) and ("features" in data or data.get("type") in ("Feature",
                                                                               "FeatureCollection")):
        raise DataError(f"{name}: is GeoJSON, not a JSON event list; import it as GeoJSON")
    found, level = [], [data]
    for _ in range(4):
        found += [v for v in level if isinstance(v, list) and any(isinstance(o, dict) for o in v)]
        level = [v for d in level if isinstance(d, dict) for v in d.values()]
    if not found:
        got = (f"an object with keys {', '.join(map(str, list(data)[:8]))}"
               if isinstance(data, dict) else
               f"an array of {len(data)} values, none an object" if isinstance(data, list)
               else f"a single {type(data).__name__}")
        raise DataError(f"{name}: is JSON but not GeoJSON or a JSON event list: no array of "
                        f"objects in it (found {got})")
    events = next((v for v in found if _has_coordinates(v)), found[0])
    return events, {k: t for v in found if v is not events for k, t in _titles(v).items()}


def _has_coordinates(items: list[Any]) -> bool:
    keys = {k for o in items[:50] if isinstance(o, dict) for k in _flat(o, "", {}, 0)}
    cols = guess_columns(sorted(keys))
    return bool(cols.lat and cols.lon)


def _flat(obj: dict[str, Any], prefix: str, out: dict[str, Any], depth: int) -> dict[str, Any]:
    """``obj`` with nested objects as dotted keys (``location.lat``)."""
    for key, value in obj.items():
        if isinstance(value, dict) and value and depth < _MAX_DEPTH:
            _flat(value, f"{prefix}{key}.", out, depth + 1)
        else:
            out[f"{prefix}{key}"] = value
    return out


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class _Reader:
    """One file's rows under way: key spellings, lookups, flags and the original values."""

    def __init__(self, lookups: Mapping[str, str]):
        self.lookups = lookups
        self.spelling: dict[str, str] = {}          # normalised key -> first spelling seen
        self.variants: dict[str, set[str]] = {}     # normalised key -> every spelling seen
        self.keys: dict[str, str] = {}              # spelling -> normalised key
        self.parts: list[tuple[_Values | None, _Values, int, str]] = []   # parent, own, row, where
        self.rejected: list[Rejected] = []

    def table(self, events: list[Any]) -> Table:
        """Every event (and nested incident) as a row, with its columns unified."""
        for number, event in enumerate(events, start=1):
            kids_key = next((k for k in event if self._key(k) == CHILDREN), None) \
                if isinstance(event, dict) else None
            kids = event[kids_key] if kids_key else None
            if not isinstance(event, dict) or not isinstance(kids, list) or not kids:
                self._add(None, event, f"record {number}")
                continue
            parent = self._values({k: v for k, v in event.items() if k != kids_key})
            for j, kid in enumerate(kids, start=1):
                self._add(parent, kid, f"record {number}, incident {j}")
        warnings = self._unify_synonyms() + [
            f"keys {' and '.join(sorted(map(repr, spellings)))} read as one column "
            f"{self.spelling[k]!r}" for k, spellings in self.variants.items() if len(spellings) > 1]
        rows, origins, flags, notes = [], [], [], []
        for parent, own, number, where in self.parts:
            row, original, flag = parent or ({}, {}, None)
            row = {**row, **{k: v for k, v in own[0].items() if not _empty(v) or k not in row}}
            rows.append(row)
            origins.append({**original, **own[1]})
            flags.append(own[2] or flag)
            notes.append([] if where == f"record {number}" else [f"from {where} of the file"])
        self._flag_column(rows, flags, notes, origins)
        table = table_from_records([{self.spelling[k]: v for k, v in row.items()} for row in rows],
                                   [number for _, _, number, _ in self.parts], None)
        for origin, original in zip(table.origin, origins, strict=True):
            origin.update({self.spelling[k]: v for k, v in original.items()})
        table.notes = notes if any(notes) else None
        table.rejected, table.warnings = self.rejected, warnings
        return table

    def _add(self, parent: _Values | None, obj: Any, where: str) -> None:
        """One row from ``obj`` (its values winning over the parent's), or its rejection."""
        number = len(self.parts) + len(self.rejected) + 1
        if isinstance(obj, dict):
            self.parts.append((parent, self._values(obj), number, where))
        else:
            self.rejected.append(Rejected(number, "record", show(obj), f"{where} is not a JSON "
                                          "object (an event is an object of keys and values)"))

    def _key(self, key: str) -> str:
        """The normalised key of a spelling (remembered: a file repeats its keys)."""
        k = self.keys.get(key)
        if k is None:
            k = self.keys[key] = norm(key) or key
            self.spelling.setdefault(k, key)
            self.variants.setdefault(k, set()).add(key)
        return k

    def _values(self, obj: dict[str, Any]) -> _Values:
        """An object's cleaned values by normalised key (the first non-empty spelling wins),
        the original text of those cleaning changed, and the country of its first flag."""
        row: _Row = {}
        original: dict[str, str] = {}
        flag = None
        flat = _flat(obj, "", {}, 0) if any(isinstance(v, dict) for v in obj.values()) else obj
        for key, value in flat.items():
            k = self._key(key)
            if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
                items = [v for v in value if not _empty(v)]
            elif isinstance(value, str):
                items = None
            else:
                if _empty(row.get(k)):
                    row[k] = value
                continue
            cleaned = [self._clean(v, k) if isinstance(v, str) else (v, None)
                       for v in (items if items is not None else [value])]
            flag = flag or next((f for _, f in cleaned if f), None)
            if _empty(row.get(k)):
                row[k] = cleaned[0][0] if items is None else "; ".join(_text(v) for v, _ in cleaned)
                if items is None and row[k] != value:
                    original[k] = value
                elif items is not None and any(v != c for v, (c, _) in zip(items, cleaned,
                                                                            strict=True)):
                    original[k] = "; ".join(map(_text, items))
        return row, original, flag

    def _clean(self, value: str, k: str) -> tuple[Any, str | None]:
        """A string without flags, a lookup id as its title, "TRUE"/"FALSE" as booleans; and
        the country of its flag."""
        text = value.strip()
        bare = strip_flags(text)
        if k != "id":
            bare = self.lookups.get(bare, bare)
        return _BOOLEANS.get(bare, bare), flag_country(text) if bare is not text else None

    def _unify_synonyms(self) -> list[str]:
        """Merge keys that are exact names of one field (``lng``, ``long``) when no object
        holds two of them; say so."""
        by_field: dict[str, list[str]] = {}
        for k, spelling in self.spelling.items():
            if (target := field_named(spelling)) is not None:
                by_field.setdefault(target, []).append(k)
        objects = list({id(v[0]): v[0] for p, own, _, _ in self.parts for v in (p, own) if v}
                       .values())
        warnings = []
        for target, keys in by_field.items():
            if len(keys) < 2 or any(sum(not _empty(row.get(k)) for k in keys) > 1
                                    for row in objects):
                continue
            for row in objects:
                if values := [row.pop(k) for k in keys if k in row]:
                    row[keys[0]] = next((v for v in values if not _empty(v)), values[0])
            warnings.append(f"keys {', '.join(repr(self.spelling[k]) for k in keys)} name one "
                            f"field ({target}) in different records; read as one column "
                            f"{self.spelling[keys[0]]!r}")
        return warnings

    def _flag_column(self, rows: list[_Row], flags: list[str | None], notes: list[list[str]],
                     origins: list[dict[str, Any]]) -> None:
        """Fill a row's empty country with its emoji flag's; the column is ``country (from
        flag)`` when no key names the country (the origin keeps the file's value)."""
        if not any(flags):
            return
        column = guess_columns(list(self.spelling.values())).country or FLAG_COLUMN
        key = norm(column)
        self.spelling.setdefault(key, column)
        for row, flag, note, original in zip(rows, flags, notes, origins, strict=True):
            if flag and _empty(row.get(key)):
                if column != FLAG_COLUMN:
                    original.setdefault(key, row.get(key))
                row[key] = flag
                note.append(f"country {flag} read from the emoji flag")
