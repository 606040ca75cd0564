"""The curated incident file as an editable store: add, edit, retract, import, history.

Every save is validated as a whole, written atomically (the previous file kept as
``<name>.bak``) under an exclusive lock, and recorded in an append-only log next to the data
(``incidents.history.jsonl`` beside ``incidents.geojson``), one JSON object per line.

Concurrency is optimistic: a ``Snapshot`` remembers the content hash it was read at. If the
file changed meanwhile, the save is merged when it touches only records nobody else changed
since; otherwise it is refused with ``ConflictError`` and nothing is written.

The same functions work on a PostgreSQL/PostGIS database: give ``open_snapshot`` and
``history`` a ``postgresql://`` URL instead of a path (``dashboard.db.pgstore`` does the
reading and writing; validation and the operations below are shared).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import db, files, load, settings
from .schema import DataError, validate_collection, validate_feature

ACTIONS = ("add", "edit", "retract", "restore", "import")
VOID = "void"  # a history line saying an earlier entry never reached the data


def _id(feature: Any) -> str | None:
    props = feature.get("properties") if isinstance(feature, dict) else None
    return props.get("id") if isinstance(props, dict) else None


class ConflictError(DataError):
    """The records being saved were changed by someone else; nothing was written."""


@dataclass(frozen=True)
class Snapshot:
    """The incident file as read at one version (``version`` is a hash of its bytes).

    For a database, ``path`` is its URL and ``records`` each incident's row version; a
    ``partial`` snapshot holds only the records asked for (``open_snapshot(url, ids)``),
    and ``taken`` asks the database about the others."""

    path: Path | str
    data: dict[str, Any]
    version: str
    records: dict[str, int] = field(default_factory=dict)
    partial: bool = False

    @property
    def features(self) -> list[dict[str, Any]]:
        return self.data["features"]

    def feature(self, incident_id: str) -> dict[str, Any] | None:
        """The feature with this id, or None."""
        return next((f for f in self.features if _id(f) == incident_id), None)

    @property
    def ids(self) -> set[str]:
        """The ids this snapshot holds (of a partial snapshot: those asked for that exist)."""
        return {_id(f) for f in self.features} - {None}

    def taken(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` the data has (a partial snapshot asks the database)."""
        if self.partial:
            return db.backend().existing(str(self.path), ids)
        return set(ids) & self.ids

    @property
    def known_ids(self) -> Container[str]:
        """Every id the data has, as a container (``in`` asks the database when partial)."""
        if self.partial:
            from .db.query import Ids
            return Ids(str(self.path))
        return self.ids


@dataclass(frozen=True)
class Entry:
    """One line of the change history."""

    at: str                    # ISO 8601 UTC
    action: str                # one of ACTIONS
    ids: tuple[str, ...]
    note: str
    changes: dict[str, Any] = field(default_factory=dict)  # id -> {field: [old, new]}
    version: str = ""          # the file's version after the change
    source: str | None = None  # e.g. the imported file's name
    before: str = ""           # the file's version before the change
    user: str | None = None    # who made the change (None: a local, signed-out session)


def _version(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def _encode(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _editable(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        raise DataError(f"{path.name}: only a GeoJSON data file can be edited here "
                        "(GeoParquet is read-only: export to GeoJSON to curate it)")
    return path


def open_snapshot(path: str | Path, ids: Iterable[str] | None = None) -> Snapshot:
    """Read the incident file (or database URL) for editing (not validated; saving validates).

    With ``ids``, a database is read only for those records (a ``partial`` snapshot: what
    an edit of a few records needs of millions); a file is always read whole."""
    if db.is_url(path):
        return db.backend().open_snapshot(path, ids)
    path = _editable(Path(path))
    raw = load.read_bytes(path)
    data = load.parse_json(raw, path)
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DataError(f"{path}: is not a GeoJSON FeatureCollection")
    return Snapshot(path, data, _version(raw))


def history_path(path: str | Path) -> Path:
    """``incidents.geojson`` -> ``incidents.history.jsonl`` in the same folder."""
    path = Path(path)
    return path.with_name(f"{path.stem}.history.jsonl")


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] for what differs between two features (``geometry`` included)."""
    old = {**(before or {}).get("properties", {}), "geometry": (before or {}).get("geometry")}
    new = {**after["properties"], "geometry": after.get("geometry")}
    if before is None:
        return {k: [None, v] for k, v in new.items() if v not in (None, [], {})}
    return {k: [old.get(k), new.get(k)] for k in dict.fromkeys([*old, *new])
            if old.get(k) != new.get(k)}


def _normalise(feature: dict[str, Any]) -> dict[str, Any]:
    """A feature as stored: top-level ``id`` equal to ``properties.id``."""
    feature = copy.deepcopy(feature)
    return {"type": "Feature", "id": feature["properties"]["id"],
            "geometry": feature.get("geometry"), "properties": feature["properties"]}


def _index(snapshot: Snapshot) -> dict[str | None, dict[str, Any]]:
    return {_id(f): f for f in snapshot.features}


def save(base: Snapshot, features: Sequence[dict[str, Any]], action: str, note: str,
         source: str | None = None, now: dt.datetime | None = None,
         logged: frozenset[str] = frozenset(), user: str | None = None) -> Snapshot:
    """Write ``features`` (new ids are added, known ids replaced) and log one history entry.

    Raises ``ReadOnlyError`` on a read-only deployment, ``DataError`` listing every problem
    when the result would not validate, and ``ConflictError`` when a record being saved was
    changed on disk (or in the database) since ``base`` was read. Returns the snapshot as
    saved. An import logs no field changes for its new records (they are whole files' rows),
    only for ``logged`` ones (records it updated). ``user`` is recorded in the history.
    """
    settings.require_writable(settings.load_settings(), "saving incidents")
    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if not features:
        raise DataError("nothing to save")
    features = [_normalise(f) for f in features]
    problems = [p for i, f in enumerate(features) for p in validate_feature(f, i)]
    if problems:
        raise DataError(f"{len(problems)} problem(s); nothing was saved", problems)
    ids = [f["id"] for f in features]
    if len(set(ids)) != len(ids):
        raise DataError("the same incident id appears twice in one save; nothing was saved")
    if db.is_url(base.path):
        return db.backend().save(base, features, action, note, source, now, logged, user)

    path = base.path
    with files.locked(path):
        raw = load.read_bytes(path)
        _reconcile(path, _version(raw))
        current = (base if _version(raw) == base.version
                   else Snapshot(path, load.parse_json(raw, path), _version(raw)))
        was, now_on_disk = _index(base), _index(current)
        changed = [i for i in ids if now_on_disk.get(i) != was.get(i)]
        if changed:
            raise ConflictError(
                f"{', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}: changed by someone "
                "else since you opened the data; nothing was saved — reload and redo your change")
        changes = {i: diff(now_on_disk.get(i), f) for i, f in zip(ids, features, strict=True)}
        if not any(changes.values()):
            raise DataError("nothing changed; nothing was saved")
        data = copy.deepcopy(current.data)
        position = {_id(f): n for n, f in enumerate(data["features"])}
        for i, feature in zip(ids, features, strict=True):
            if i in position:
                data["features"][position[i]] = feature
            else:
                data["features"].append(feature)
        problems = validate_collection(data)
        if problems:
            raise DataError(f"{len(problems)} problem(s); nothing was saved", problems)
        out = _encode(data)
        saved = Snapshot(path, data, _version(out))
        entry = Entry(at=(now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
                      action=action, ids=tuple(ids), note=note.strip(),
                      changes=changes if action != "import" else
                      {i: c for i, c in changes.items() if i in logged},
                      version=saved.version,
                      source=source, before=current.version, user=user)
        # The history first, then the data: a crash between the two leaves an entry whose
        # version the data never reached, which the next save voids and history() skips.
        _log(path, {k: v for k, v in entry.__dict__.items() if v not in (None, {})} | {"ids": ids})
        files.write_atomic(path, out)
    return saved


def _log(path: Path, item: dict[str, Any]) -> None:
    files.append_line(history_path(path), json.dumps(item, ensure_ascii=False, default=str))


def _last_entry(path: Path) -> dict[str, Any] | None:
    log = history_path(path)
    if not log.exists():
        return None
    for line in reversed(log.read_text(encoding="utf-8", errors="replace").splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash
    return None


def _reconcile(path: Path, version: str) -> None:
    """Under the lock, before a save: void a last history entry the data never reached (the
    writer stopped between logging and replacing the file), and remove the temporary files
    such a stop leaves beside the data."""
    for orphan in path.parent.glob(f".{path.name}.*tmp"):
        orphan.unlink(missing_ok=True)
    last = _last_entry(path)
    # Only an entry logged against the data as it still is never landed; a file edited by
    # hand after a landed change has a third version, and its entries stand.
    if last and last.get("action") != VOID and last.get("before") == version != last.get("version"):
        _log(path, {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "action": VOID,
                    "ids": last.get("ids", []), "voids": last["version"],
                    "note": "not applied: the save stopped before the data file was replaced"})


def add(base: Snapshot, feature: dict[str, Any], note: str = "", user: str | None = None
        ) -> Snapshot:
    """Add a new incident; refused when its id is taken."""
    if base.taken([feature["properties"]["id"]]):
        raise DataError(f"{feature['properties']['id']}: an incident with this id exists already")
    return save(base, [feature], "add", note, user=user)


def edit(base: Snapshot, feature: dict[str, Any], note: str = "", user: str | None = None
         ) -> Snapshot:
    """Replace an existing incident with an edited copy."""
    if feature["properties"]["id"] not in base.ids:  # held: a partial snapshot read it
        raise DataError(f"{feature['properties']['id']}: no such incident to edit")
    return save(base, [feature], "edit", note, user=user)


def _with_status(base: Snapshot, incident_id: str, status: str, reason: str | None
                 ) -> dict[str, Any]:
    feature = base.feature(incident_id)
    if feature is None:
        raise DataError(f"{incident_id}: no such incident")
    feature = copy.deepcopy(feature)
    feature["properties"]["status"] = status
    feature["properties"]["retraction_reason"] = reason
    return feature


def retract(base: Snapshot, incident_id: str, reason: str, user: str | None = None) -> Snapshot:
    """Mark an incident retracted (kept in the file, hidden by default) with a reason."""
    if not reason.strip():
        raise DataError(f"{incident_id}: a retraction needs a reason")
    return save(base, [_with_status(base, incident_id, "retracted", reason.strip())],
                "retract", reason, user=user)


def restore(base: Snapshot, incident_id: str, note: str = "", user: str | None = None
            ) -> Snapshot:
    """Undo a retraction."""
    return save(base, [_with_status(base, incident_id, "active", None)], "restore", note,
                user=user)


def import_features(base: Snapshot, features: Iterable[dict[str, Any]], source: str,
                    note: str = "", updated: Iterable[dict[str, Any]] = (),
                    user: str | None = None) -> Snapshot:
    """Add imported incidents (ids must be new) and replace the ``updated`` ones (ids must be
    held; a re-import of the same source) as one change, logged with the file name and, for
    the updates, each field before and after."""
    features, updated = list(features), list(updated)
    taken = sorted(base.taken({f["properties"]["id"] for f in features}))
    if taken:
        raise DataError(f"{len(taken)} imported id(s) exist already ({', '.join(taken[:5])}); "
                        "nothing was saved")
    unknown = sorted({f["properties"]["id"] for f in updated} - base.ids)
    if unknown:
        raise DataError(f"{len(unknown)} updated id(s) are not in the data "
                        f"({', '.join(unknown[:5])}); nothing was saved")
    what = f"imported {len(features)}" + (f", updated {len(updated)}" if updated else "")
    return save(base, [*features, *updated], "import", note or f"{what} from {source}",
                source=source, logged=frozenset(f["properties"]["id"] for f in updated),
                user=user)


def history(path: str | Path, incident_id: str | None = None) -> list[Entry]:
    """The change history (oldest first), optionally only the entries touching one incident:
    the changes the data holds, so always in step with it. An entry a crash kept from the data
    (voided by the next save, or the last one, ahead of the data) is left out; a line that
    cannot be read (cut short by a crash) is skipped, not fatal. A database URL reads its
    history table."""
    if db.is_url(path):
        return db.backend().history(path, incident_id)
    path = Path(path)
    log = history_path(path)
    if not log.exists():
        return []
    items = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line)
            items.append((item, Entry(at=item["at"], action=item["action"], ids=tuple(item["ids"]),
                                      note=item.get("note", ""), changes=item.get("changes", {}),
                                      version=item.get("version", ""), source=item.get("source"),
                                      before=item.get("before", ""), user=item.get("user"))))
        except (ValueError, KeyError, TypeError):
            continue
    voided = {item.get("voids") for item, _ in items if item.get("action") == VOID}
    entries = [e for item, e in items if item.get("action") != VOID and e.version not in voided]
    if entries and entries[-1].before and path.exists() and \
            _version(load.read_bytes(path)) == entries[-1].before != entries[-1].version:
        entries.pop()  # logged, but the data was never replaced: not a change
    return [e for e in entries if incident_id is None or incident_id in e.ids]
