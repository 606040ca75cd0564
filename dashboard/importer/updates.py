"""Re-import: a newer export of the same source updates the records it already holds.

A record is the same incident when its ``origin`` (the source row's own values, kept on
import) has the same value in the source's id column (the profile's ``source_id``, else the
column chosen for ``id``) and was read from the same kind of file (its origin has every
column the profile recognises files by). Then:

- nothing the source gives differs: **unchanged** (nothing is written);
- something differs: **updated** — the record keeps its id, and what a curator set stays
  (status, retraction reason, related incidents); everything the source gives is replaced,
  and the change history gets the per-field before → after;
- no match: **added**, as any import.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: What a curator sets on a record and a re-import keeps.
KEPT = ("id", "status", "retraction_reason", "related_ids")
#: What is not compared (the import's own bookkeeping: the file name and row number).
NOT_COMPARED = frozenset({*KEPT, "notes", "origin"})
_RENAMED = re.compile(r"; id '[^']*' already in use; imported as '[^']*'")


@dataclass
class Reconciled:
    """An import split against the data: new records, updates, unchanged ids."""

    added: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _key(origin: Any, column: str, match: Iterable[str]) -> str | None:
    if not isinstance(origin, dict) or origin.get(column) in (None, ""):
        return None
    if not all(m in origin for m in match):
        return None
    return str(origin[column]).strip()


def _comparable(feature: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in feature["properties"].items() if k not in NOT_COMPARED}
    return {**props, "geometry": feature.get("geometry")}


def reconcile(features: list[dict[str, Any]], existing: Iterable[dict[str, Any]],
              source_id: str | None, match: Iterable[str] = ()) -> Reconciled:
    """Split imported ``features`` into added, updated (with the existing id) and unchanged.

    ``source_id`` is the source's id column as the origin names it; without one every
    feature is added. ``match``: origin columns an existing record must also have.
    """
    out = Reconciled()
    if not source_id:
        out.added = list(features)
        return out
    match = tuple(match)
    held: dict[str, dict[str, Any]] = {}
    for feature in existing:
        key = _key(feature["properties"].get("origin"), source_id, match)
        if key is not None:
            held.setdefault(key, feature)
    for feature in features:
        key = _key(feature["properties"].get("origin"), source_id, ())
        before = held.pop(key, None) if key is not None else None
        if before is None:
            out.added.append(feature)
        elif _comparable(before) == _comparable(feature):
            out.unchanged.append(before["properties"]["id"])
        else:
            out.updated.append(_merge(before, feature))
    return out


def _merge(before: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new``'s source fields on ``before``'s record (its id and curated fields kept)."""
    merged = copy.deepcopy(new)
    props = merged["properties"]
    for name in KEPT:
        if name in before["properties"]:
            props[name] = copy.deepcopy(before["properties"][name])
    if props.get("notes"):
        props["notes"] = _RENAMED.sub("", props["notes"])
    merged["id"] = props["id"]
    return merged


def against_store(result: Any, taken: Callable[[list[str]], set[str]],
                  again: Callable[[set[str]], Any], rounds: int = 3) -> Any:
    """An import made against no saved record (a database too big to hold), made again
    against the saved records its ids name until none clashes: ``taken(ids)`` says which
    ids the store has, ``again(ids)`` imports against those records (a re-import then
    updates them; new rows get free ids). After ``rounds`` the store's save refuses what
    still clashes, naming it."""
    clash: set[str] = set()
    for _ in range(rounds):
        found = taken([f["properties"]["id"] for f in result.features])
        if not found - clash:
            break
        clash |= found
        result = again(clash)
    return result
