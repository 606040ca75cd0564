"""The incident store on PostgreSQL/PostGIS: the operations of ``dashboard.store`` on a URL.

``store.open_snapshot``/``save``/``history`` hand a ``postgresql://`` target to the functions
here; validation, ``add``/``edit``/``retract``/``restore``/``import_features`` stay in
``store``. Each row carries an integer ``version`` bumped on every write: a save is refused
with ``ConflictError`` when a record it touches has another version than the snapshot read
(merging saves of different records, like the file store). Writers take an exclusive table
lock, so saves are serialised; readers are never blocked.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg.types.json import Jsonb

from .. import geo, store
from ..schema import FIELDS, SOURCE_FIELDS, DataError, Problem, feature_label, validate_collection
from .connection import connect

FEATURE_KEYS = ("type", "id", "geometry", "properties")


def _ordered(feature: dict[str, Any]) -> dict[str, Any]:
    """jsonb keeps no key order: put the feature's keys back in the schema's order."""
    props = dict(feature.get("properties") or {})
    if isinstance(props.get("sources"), list):
        props["sources"] = [_keys_first(s, SOURCE_FIELDS) if isinstance(s, dict) else s
                            for s in props["sources"]]
    known = {k: props[k] for k in FIELDS if k in props}
    return {**{k: feature[k] for k in FEATURE_KEYS if k in feature},
            **{k: v for k, v in feature.items() if k not in FEATURE_KEYS},
            "properties": known | {k: props[k] for k in sorted(props) if k not in known}}


def _keys_first(item: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {**{k: item[k] for k in keys if k in item}, **item}


def _data_version(versions: dict[str, int]) -> str:
    text = json.dumps(sorted(versions.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _read(conn, ids: Sequence[str] | None = None
          ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every incident (or those with ``ids``), in the file's order, and their versions."""
    rows = (conn.execute("SELECT id, version, feature FROM incidents ORDER BY position")
            if ids is None else
            conn.execute("SELECT id, version, feature FROM incidents WHERE id = ANY(%s::text[]) "
                         "ORDER BY position", (list(ids),))).fetchall()
    return [_ordered(r[2]) for r in rows], {r[0]: r[1] for r in rows}


def _snapshot(url: str, features: list[dict[str, Any]], versions: dict[str, int],
              partial: bool = False) -> store.Snapshot:
    return store.Snapshot(url, {"type": "FeatureCollection", "features": features},
                          _data_version(versions), records=versions, partial=partial)


def open_snapshot(url: str, ids: Iterable[str] | None = None) -> store.Snapshot:
    """All incidents as one snapshot, with each record's version; with ``ids``, only those
    (a partial snapshot)."""
    with connect(url) as conn:
        if ids is None:
            return _snapshot(url, *_read(conn))
        return _snapshot(url, *_read(conn, list(dict.fromkeys(ids))), partial=True)


def existing(url: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are in the database."""
    with connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM incidents WHERE id = ANY(%s::text[])",
                                           (list(ids),))}


UPSERT = """
INSERT INTO incidents (id, type, country, date_start, date_end, status, geom, feature,
                       search_text)
VALUES (%(id)s, %(type)s, %(country)s, %(date_start)s, %(date_end)s, %(status)s,
        ST_SetSRID(ST_GeomFromGeoJSON(%(geometry)s), 4326), %(feature)s, %(search_text)s)
ON CONFLICT (id) DO UPDATE SET
    type = EXCLUDED.type, country = EXCLUDED.country, date_start = EXCLUDED.date_start,
    date_end = EXCLUDED.date_end, status = EXCLUDED.status, geom = EXCLUDED.geom,
    feature = EXCLUDED.feature, search_text = EXCLUDED.search_text,
    version = incidents.version + 1, updated_at = now()
"""

INSERT_HISTORY = """
INSERT INTO history (at, user_name, action, ids, note, changes, source, version, before)
VALUES (%(at)s, %(user)s, %(action)s, %(ids)s, %(note)s, %(changes)s, %(source)s,
        %(version)s, %(before)s)
"""


def _row(feature: dict[str, Any]) -> dict[str, Any]:
    p = feature["properties"]
    geometry = feature.get("geometry")
    return {"id": p["id"], "type": p["type"], "country": p["country"],
            "date_start": p["date"], "date_end": p.get("end_date") or p["date"],
            "status": p.get("status") or "active",
            "geometry": json.dumps(geometry) if geometry else None, "feature": Jsonb(feature),
            "search_text": search_text(p)}


def search_text(props: dict[str, Any]) -> str:
    """The folded text a search matches (place, summary, every source quote), as
    ``geo.search_text`` makes it for a frame; kept in the ``search_text`` column."""
    raw = " ".join([props.get("place") or "", props.get("summary") or "",
                    *(s.get("quote") or "" for s in props.get("sources") or ()
                      if isinstance(s, dict))])
    return raw.lower() if raw.isascii() else geo.fold(raw)


def save(base: store.Snapshot, features: Sequence[dict[str, Any]], action: str, note: str,
         source: str | None, now: dt.datetime | None, logged: frozenset[str],
         user: str | None) -> store.Snapshot:
    """Write already validated, normalised ``features`` in one transaction (see
    ``store.save``, which checks them and calls this for a database target).

    From a partial snapshot only the records saved (and those they name as related) are
    read: a save costs the same with forty incidents or ten million."""
    url = str(base.path)
    ids = [f["id"] for f in features]
    with connect(url) as conn:
        conn.execute("LOCK TABLE incidents IN EXCLUSIVE MODE")  # one writer at a time
        current, versions = _read(conn, None if not base.partial else ids)
        changed = [i for i in ids if versions.get(i) != base.records.get(i)]
        if changed:
            raise store.ConflictError(
                f"{', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}: changed by someone "
                "else since you opened the data; nothing was saved — reload and redo your change")
        by_id = {store._id(f): f for f in current}
        changes = {i: store.diff(by_id.get(i), f) for i, f in zip(ids, features, strict=True)}
        if not any(changes.values()):
            raise DataError("nothing changed; nothing was saved")
        problems = _problems(conn, base, by_id, features)
        if problems:
            raise DataError(f"{len(problems)} problem(s); nothing was saved", problems)
        conn.cursor().executemany(UPSERT, [_row(f) for f in features])
        saved = (_snapshot(url, *_read(conn)) if not base.partial else
                 _snapshot(url, *_read(conn, ids), partial=True))
        conn.execute(INSERT_HISTORY, {
            "at": now or dt.datetime.now(dt.UTC), "user": user, "action": action, "ids": ids,
            "note": note.strip(), "source": source, "version": saved.version,
            "before": _data_version(versions),
            "changes": Jsonb(changes if action != "import" else
                             {i: c for i, c in changes.items() if i in logged})})
    return saved


def _problems(conn, base: store.Snapshot, by_id: dict[str, Any],
              features: Sequence[dict[str, Any]]) -> list:
    """``validate_collection`` of the data as it would be after the save: of all of it for
    a whole snapshot; from a partial one, the related ids the saved records name (each
    record was validated on its own by ``store.save``, and ids are the primary key)."""
    if not base.partial:
        data = {"type": "FeatureCollection",
                "features": [*({**by_id, **{f["id"]: f for f in features}}.values())]}
        return validate_collection(copy.deepcopy(data))
    named = {r for f in features for r in f["properties"].get("related_ids") or []}
    known = {f["id"] for f in features} | (
        {r[0] for r in conn.execute("SELECT id FROM incidents WHERE id = ANY(%s::text[])",
                                    (sorted(named),))} if named else set())
    return [Problem(feature_label(f, i), "related_ids", f"{rid!r} is not an incident id")
            for i, f in enumerate(features) for rid in f["properties"].get("related_ids") or []
            if rid not in known]


def stamp(url: str) -> tuple[str, int, int]:
    """A cache key that changes with every write: the URL, the write counter (migration 004:
    every statement writing incidents counts one, COPY loads included) and the last history
    entry's number. Both are read without touching the incidents themselves."""
    with connect(url) as conn:
        epoch, seq = conn.execute("SELECT (SELECT n FROM incidents_epoch), "
                                  "(SELECT coalesce(max(seq), 0) FROM history)").fetchone()
    return url, int(epoch), int(seq)


def history(url: str, incident_id: str | None = None) -> list[store.Entry]:
    """The change history, oldest first, optionally only the entries touching one incident."""
    query = ("SELECT at, action, ids, note, changes, version, source, before, user_name "
             "FROM history WHERE %(id)s::text IS NULL OR %(id)s = ANY(ids) ORDER BY seq")
    with connect(url) as conn:
        rows = conn.execute(query, {"id": incident_id}).fetchall()
    return [store.Entry(at=at.astimezone(dt.UTC).isoformat(timespec="seconds"), action=action,
                        ids=tuple(ids), note=note, changes=changes, version=version,
                        source=source, before=before, user=user)
            for at, action, ids, note, changes, version, source, before, user in rows]
