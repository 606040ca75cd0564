"""Import profiles: the column choices, value mappings and constants for one kind of file.

A profile is a small JSON file (``profiles/*.json`` ship with the app; a user's own are
saved beside the data in ``import-profiles/``)::

    {"name": "ucdp-ged", "label": "UCDP GED", "publisher": "UCDP",
     "match": ["id", "type_of_violence", "date_prec", "where_prec"],
     "columns": {"lat": "latitude", "lon": "longitude", "date": "date_start", ...},
     "values": {"date_precision": {"column": "date_prec", "map": {"1": "day", "2": "range"}}},
     "constants": {"confidence": "medium"},
     "source_id": "id"}

- ``match``: normalised column names that must all be in a file for the profile to be
  recognised (the most specific profile wins);
- ``columns``: which column feeds which of our fields (``ColumnMap`` field names);
- ``values``: per field, a column and a map from its values (compared case- and
  space-insensitively) to ours; ``"skip"`` rejects the row as not an incident this map
  covers; values left out go through as they are (type keywords still apply);
- ``constants``: one value for a field in every row (``--set type=strike``);
- ``source_id``: the column holding the source's own id, kept in ``origin``, by which a
  newer export of the same source updates the records it already holds.

Applying a profile rewrites the ``Table`` (mapped and constant values become columns of
their own) and returns the ``ColumnMap`` for the generic pipeline, so every format gets
mapping and constants the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..schema import CONFIDENCES, DATE_PRECISIONS, INCIDENT_TYPES, LOCATION_PRECISIONS, DataError
from .columns import COLUMN_FIELDS, ColumnMap
from .table import Rejected, Table
from .text import norm, show

SHIPPED = Path(__file__).with_name("profiles")
SKIP = "skip"
#: The name a mapped or constant field's column gets in the table (never a real column).
MAPPED_COLUMN = "{field} (mapped from {column})"
CONSTANT_COLUMN = "{field} (set for the file)"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: What a mapped value may become, for the fields whose values are a fixed list.
TARGETS: dict[str, tuple[str, ...]] = {
    "type": INCIDENT_TYPES, "date_precision": DATE_PRECISIONS,
    "location_precision": LOCATION_PRECISIONS, "confidence": CONFIDENCES}


@dataclass(frozen=True)
class ValueMap:
    """A column's values -> our values for one field (``skip``: not an incident)."""

    column: str
    map: dict[str, str] = field(default_factory=dict)

    def lookup(self) -> dict[str, str]:
        return {_key(k): v for k, v in self.map.items()}


@dataclass(frozen=True)
class Profile:
    """How one kind of file maps to our records (see the module docstring)."""

    name: str
    label: str = ""
    description: str = ""
    publisher: str | None = None
    match: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, ValueMap] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    source_id: str | None = None
    reader: str = "generic"   # "acled": ACLED's own row rules (acled.py) read the file

    def title(self) -> str:
        return self.label or self.name

    def with_overrides(self, columns: dict[str, str] | None = None,
                       values: dict[str, ValueMap] | None = None,
                       constants: dict[str, str] | None = None) -> Profile:
        """This profile with a user's choices laid over it (theirs win)."""
        return replace(self, columns={**self.columns, **(columns or {})},
                       values={**self.values, **(values or {})},
                       constants={**self.constants, **(constants or {})})

    def to_json(self) -> str:
        out: dict[str, Any] = {"name": self.name}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "name" or value in ("", None, (), {}) or (f.name == "reader"
                                                                   and value == "generic"):
                continue
            if f.name == "values":
                value = {k: {"column": v.column, "map": v.map} for k, v in value.items()}
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def _key(value: str) -> str:
    return " ".join(str(value).split()).casefold()


def _field(name: str, where: str, allowed: tuple[str, ...] = COLUMN_FIELDS) -> str:
    if name not in allowed:
        raise DataError(f"{where}: {name!r} is not a field; use one of {', '.join(allowed)}")
    return name


def check_targets(target: str, values: list[str], where: str, skip: bool = True) -> None:
    """Refuse a mapped or constant value that the field cannot hold (``skip`` aside)."""
    allowed = TARGETS.get(target)
    for value in values:
        if allowed and value not in allowed and not (skip and value.casefold() == SKIP):
            raise DataError(f"{where}: {value!r} is not a {target}; use one of "
                            f"{', '.join(allowed)}{' or skip' if skip else ''}")


def parse_profile(data: Any, where: str) -> Profile:
    """A profile from its JSON data; ``DataError`` naming the first thing wrong."""
    if not isinstance(data, dict):
        raise DataError(f"{where}: a profile is a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - {f.name for f in fields(Profile)})
    if unknown:
        raise DataError(f"{where}: unknown key(s) {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DataError(f"{where}: 'name' must be lower-case letters, digits, '-' or '_' "
                        f"(got {name!r})")

    def strings(key: str) -> dict[str, str]:
        value = data.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise DataError(f"{where}: '{key}' must map field names to text")
        return {_field(k, f"{where}: {key}"): v for k, v in value.items()}

    values = {}
    for key, spec in (data.get("values") or {}).items():
        _field(key, f"{where}: values")
        if not (isinstance(spec, dict) and isinstance(spec.get("column"), str)
                and isinstance(spec.get("map", {}), dict)
                and all(isinstance(v, str) for v in spec.get("map", {}).values())):
            raise DataError(f"{where}: values.{key} must be {{\"column\": ..., \"map\": {{...}}}}")
        values[key] = ValueMap(spec["column"], {str(k): v for k, v in spec.get("map", {}).items()})
        check_targets(key, list(values[key].map.values()), f"{where}: values.{key}")
    match = data.get("match") or []
    if not isinstance(match, list) or not all(isinstance(m, str) for m in match):
        raise DataError(f"{where}: 'match' must be a list of column names")
    reader = data.get("reader", "generic")
    if reader not in ("generic", "acled"):
        raise DataError(f"{where}: 'reader' must be 'generic' or 'acled', got {reader!r}")
    text = {k: data.get(k) for k in ("label", "description", "publisher", "source_id")}
    for key, value in text.items():
        if value is not None and not isinstance(value, str):
            raise DataError(f"{where}: '{key}' must be text")
    constants = strings("constants")
    for key, value in constants.items():
        check_targets(key, [value], f"{where}: constants.{key}", skip=False)
    return Profile(name, text["label"] or "", text["description"] or "", text["publisher"],
                   tuple(norm(m) for m in match), strings("columns"), values, constants,
                   text["source_id"], reader)


def read_profile(path: Path) -> Profile:
    """A profile file; ``DataError`` when it cannot be read or is malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise DataError(f"{path}: is not valid JSON ({exc})") from None
    return parse_profile(data, str(path))


def profile_folders(data_path: Path | None) -> list[Path]:
    """Where profiles are looked up: the shipped ones, then the user's beside the data."""
    return [SHIPPED, *([Path(data_path).parent / "import-profiles"] if data_path else [])]


def available(data_path: Path | None = None) -> dict[str, Profile]:
    """Every readable profile by name (a user's profile of a shipped name replaces it)."""
    out: dict[str, Profile] = {}
    for folder in profile_folders(data_path):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                profile = read_profile(path)
            except DataError:
                continue   # a broken user file must not hide the others; `profile check` names it
            out[profile.name] = profile
    return out


def save_profile(profile: Profile, data_path: Path) -> Path:
    """Write a user's profile beside the data (atomically); returns its path."""
    from ..files import write_atomic

    folder = Path(data_path).parent / "import-profiles"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile.name}.json"
    write_atomic(path, profile.to_json().encode("utf-8"))
    return path


def recognise(columns: list[str], profiles: dict[str, Profile]) -> Profile | None:
    """The profile whose ``match`` columns are all in ``columns`` (the most specific)."""
    names = {norm(c) for c in columns}
    fits = [p for p in profiles.values() if p.match and set(p.match) <= names]
    return max(fits, key=lambda p: len(p.match), default=None)


def _actual(table: Table, column: str, where: str) -> str:
    """The table's own spelling of ``column`` (matched by normalised name)."""
    if column in table.columns:
        return column
    by_norm = {norm(c): c for c in table.columns}
    if norm(column) in by_norm:
        return by_norm[norm(column)]
    raise DataError(f"{where}: column {column!r} is not in the file; its columns are: "
                    f"{', '.join(table.columns)}")


def apply(profile: Profile, table: Table, guessed: ColumnMap, name: str,
          rejected: list[Rejected]) -> ColumnMap:
    """Lay ``profile`` over ``table``: mapped and constant values become columns of their own;
    rows whose value maps to ``skip`` go to ``rejected`` and are dropped from the table.
    Returns the ``ColumnMap``: the guess, with the profile's columns and new columns over it."""
    chosen = dict(guessed.used())
    for target, column in profile.columns.items():
        try:
            chosen[target] = _actual(table, column, f"{name}: profile {profile.title()}")
        except DataError:
            chosen.pop(target, None)   # an export without an optional column still imports
    skip = [False] * len(table)
    for target, vmap in profile.values.items():
        column = _actual(table, vmap.column, f"{name}: mapping for {target}")
        lookup = vmap.lookup()
        cells = table.text[column].tolist()
        out = []
        for i, cell in enumerate(cells):
            mapped = lookup.get(_key(cell))
            if mapped is not None and mapped.casefold() == SKIP:
                skip[i] = True
                rejected.append(Rejected(
                    table.rows[i], column, show(cell),
                    f"value {cell!r} of column {column!r} is mapped to skip (not an incident "
                    "this map covers)"))
            out.append(cell if mapped is None else mapped)
        new = MAPPED_COLUMN.format(field=target, column=column)
        table.text[new] = out
        table.columns.append(new)
        chosen[target] = new
    for target, value in profile.constants.items():
        new = CONSTANT_COLUMN.format(field=target)
        table.text[new] = [value] * len(table)
        table.columns.append(new)
        chosen[target] = new
    if any(skip):
        _drop(table, skip)
    return ColumnMap(**chosen)


def _drop(table: Table, drop: list[bool]) -> None:
    """Remove the flagged rows from ``table`` in place (every per-row list stays aligned)."""
    keep = [i for i, d in enumerate(drop) if not d]
    table.text = table.text.iloc[keep].reset_index(drop=True)
    table.rows = [table.rows[i] for i in keep]
    table.origin = [table.origin[i] for i in keep]
    if table.geometries is not None:
        table.geometries = [table.geometries[i] for i in keep]
    if table.notes is not None:
        table.notes = [table.notes[i] for i in keep]


def distinct_values(table: Table, column: str, limit: int = 200) -> list[tuple[str, int]]:
    """A column's distinct values with their counts, most frequent first (for the mapping).
    Values that differ only in case or spacing are one value (a mapping treats them so),
    shown in their most frequent spelling."""
    counts = table.text[column].value_counts(sort=False)
    groups: dict[str, list[tuple[int, str]]] = {}
    for value, n in counts.items():
        groups.setdefault(_key(value), []).append((int(n), str(value)))
    # The most frequent spelling, the first seen of equals (max keeps the first).
    merged = [(max(spellings, key=lambda s: s[0])[1], sum(n for n, _ in spellings))
              for spellings in groups.values()]
    merged.sort(key=lambda vn: (-vn[1], vn[0].casefold()))
    return merged[:limit]


def parse_map_option(text: str) -> tuple[str, ValueMap]:
    """``type=event_group:Shelling=strike,Drone=incursion,Other=skip`` -> (field, ValueMap)."""
    target, sep, rest = text.partition("=")
    column, sep2, pairs = rest.partition(":")
    if not sep or not sep2 or not column.strip():
        raise DataError(f"--map {text!r}: expected FIELD=COLUMN:VALUE=OURS,VALUE=OURS")
    mapping = {}
    for pair in filter(None, (p.strip() for p in pairs.split(","))):
        value, eq, ours = pair.rpartition("=")
        if not eq or not value.strip() or not ours.strip():
            raise DataError(f"--map {text!r}: {pair!r} is not VALUE=OURS")
        mapping[value.strip()] = ours.strip()
    target = _field(target.strip(), "--map")
    check_targets(target, list(mapping.values()), f"--map {text!r}")
    return target, ValueMap(column.strip(), mapping)


def parse_set_option(text: str) -> tuple[str, str]:
    """``platform=drone`` -> ("platform", "drone")."""
    target, sep, value = text.partition("=")
    if not sep or not value.strip():
        raise DataError(f"--set {text!r}: expected FIELD=VALUE, e.g. --set type=strike")
    target = _field(target.strip(), "--set")
    check_targets(target, [value.strip()], f"--set {text!r}", skip=False)
    return target, value.strip()
