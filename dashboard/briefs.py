"""Brief packs: named, ordered lists of saved views ("slides") a briefer steps through.

A slide is the app's link state (``urlstate.encode`` as lists of strings) plus a title and
a speaker note; ``urlstate.parse(slide.params, known)`` turns it back into a view. Packs are
JSON files in ``briefs/`` (schema in ``briefs/README.md``). Every edit returns a new
``Pack``; ``save_pack`` is atomic, keeps a ``.bak`` of the previous file and refuses to
overwrite a pack someone else saved meanwhile (optimistic concurrency on ``version``).

No Streamlit here: the app, the CLI and the tests call the same functions. A pack's PDF is
``export.pack_pdf``. (About 400 lines: the file format, its checks and the atomic, locked
save belong together; every one is part of reading or writing a pack.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import files, ids, load, paths, settings, urlstate
from .schema import DataError

SCHEMA = 1
# Where packs live; $EFM_BRIEFS_DIR moves them (a shared folder, or a test's temporary one).
BRIEFS_DIR = Path(os.environ.get("EFM_BRIEFS_DIR") or paths.ROOT / "briefs")
MAX_NAME = ids.PACK_NAME_MAX
#: Names Windows reserves for devices (``con.json`` is the console there, whatever the suffix).
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                              *(f"lpt{i}" for i in range(10))})


class BriefError(Exception):
    """A brief pack cannot be read, saved or edited; the message is for humans."""


class ConflictError(BriefError):
    """The pack on disk changed since this copy was loaded; nothing was saved."""


@dataclass(frozen=True)
class Slide:
    """One saved view: link parameters (values are lists of strings), a title, a note.

    ``params`` is a plain dict so that it compares equal and serialises as is; treat it as
    read-only (every function here builds a new one). A Slide is therefore not hashable.
    """

    id: str
    title: str
    note: str
    params: dict[str, list[str]]


@dataclass(frozen=True)
class Pack:
    """A brief pack as stored in ``briefs/<name>.json``."""

    name: str
    title: str
    version: int = 0
    updated: str = ""
    last_presented: str | None = None
    seen_ids: tuple[str, ...] | None = None
    slides: tuple[Slide, ...] = ()

    def slide_index(self, slide_id: str) -> int:
        """Position of slide ``slide_id``; ``BriefError`` when the pack has no such slide."""
        for i, slide in enumerate(self.slides):
            if slide.id == slide_id:
                return i
        raise BriefError(f"brief pack {self.name!r} has no slide with id {slide_id!r}")


# --- names and paths -----------------------------------------------------------------------

def safe_name(text: str) -> str:
    """The file stem for a user-supplied pack name: ``[a-z0-9][a-z0-9_-]*``, 1-64 characters.

    Surrounding spaces are dropped and letters lower-cased; anything else that is not a
    plain slug (a path, a dot, a NUL, a space...) is refused with ``BriefError``, never
    rewritten, so a name can never point outside the briefs folder.
    """
    if not isinstance(text, str):
        raise BriefError(f"pack name must be text, got {type(text).__name__}")
    name = text.strip().lower()
    if not name:
        raise BriefError("pack name is empty")
    if len(name) > MAX_NAME:
        raise BriefError(f"pack name {name[:20]!r}... is {len(name)} characters long; "
                         f"at most {MAX_NAME}")
    if ids.is_pack_name(name):
        if name in WINDOWS_RESERVED:
            raise BriefError(f"pack name {text!r} is a reserved device name on Windows "
                             "(a shared folder may live there); choose another")
        return name
    if "\x00" in name:
        raise BriefError(f"pack name {text!r} contains a NUL character")
    if "/" in name or "\\" in name:
        raise BriefError(f"pack name {text!r} contains a path separator; give a name, not a path")
    if name.startswith((".", "-", "_")):
        raise BriefError(f"pack name {text!r} must start with a letter or a digit")
    bad = sorted({c for c in name if not re.fullmatch(r"[a-z0-9_-]", c)})
    raise BriefError(f"pack name {text!r} may only contain a-z, 0-9, - and _ "
                     f"(not {', '.join(repr(c) for c in bad)})")


def pack_path(name: str, folder: Path = BRIEFS_DIR) -> Path:
    """``folder/<safe_name(name)>.json``."""
    folder = Path(folder)
    path = folder / f"{safe_name(name)}.json"
    if path.resolve().parent != folder.resolve():  # belt and braces: safe_name allows no '/'
        raise BriefError(f"pack name {name!r} points outside {folder}")
    return path


def _stem(path: Path) -> str | None:
    """The pack name a file stands for (``x.json``, ``x.json.bak`` -> ``x``), if a valid one."""
    stem = path.name.removesuffix(".bak").removesuffix(".json")
    try:
        return stem if safe_name(stem) == stem else None
    except BriefError:
        return None


def list_packs(folder: Path = BRIEFS_DIR) -> list[str]:
    """Names of the packs in ``folder`` (``*.json`` with a valid name), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(name for p in folder.glob("*.json") if p.is_file() and (name := _stem(p)))


# --- editing (pure) ------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def new_pack(name: str, title: str) -> Pack:
    """An empty pack (version 0: not saved yet)."""
    return Pack(name=safe_name(name), title=_text(title, "pack title").strip() or safe_name(name),
                version=0, updated=_now())


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise BriefError(f"{what} must be text, got {value!r}")
    return value


def _title(value: Any) -> str:
    title = _text(value, "slide title").strip()
    if not title:
        raise BriefError("a slide needs a title")
    return title


def _params(params: Any, where: str = "params") -> dict[str, list[str]]:
    """Link parameters as ``{key: [str, ...]}``; a single string counts as a one-item list."""
    if not isinstance(params, Mapping):
        raise BriefError(f"{where} must be an object of link parameters, got {params!r:.60}")
    out: dict[str, list[str]] = {}
    for key, values in params.items():
        if not isinstance(key, str) or not key:
            raise BriefError(f"{where}: parameter name {key!r} is not text")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            raise BriefError(f"{where}.{key} must be a list of strings, got {values!r:.60}")
        out[key] = list(values)
    return out


def _new_id(taken: Iterable[str]) -> str:
    taken = set(taken)
    while (slide_id := secrets.token_hex(4)) in taken:
        pass
    return slide_id


def add_slide(pack: Pack, title: str, note: str, params: Mapping[str, Any]) -> Pack:
    """``pack`` with a new last slide showing ``params`` (``urlstate.encode`` output)."""
    slide = Slide(id=_new_id(s.id for s in pack.slides), title=_title(title),
                  note=_text(note, "speaker note"), params=_params(params))
    return replace(pack, slides=(*pack.slides, slide))


def update_slide(pack: Pack, slide_id: str, *, title: str | None = None, note: str | None = None,
                 params: Mapping[str, Any] | None = None) -> Pack:
    """``pack`` with slide ``slide_id`` changed; ``None`` keeps a field as it is."""
    i = pack.slide_index(slide_id)
    old = pack.slides[i]
    new = Slide(id=old.id, title=old.title if title is None else _title(title),
                note=old.note if note is None else _text(note, "speaker note"),
                params=_params(old.params if params is None else params))
    return replace(pack, slides=(*pack.slides[:i], new, *pack.slides[i + 1:]))


def delete_slide(pack: Pack, slide_id: str) -> Pack:
    """``pack`` without slide ``slide_id``."""
    i = pack.slide_index(slide_id)
    return replace(pack, slides=(*pack.slides[:i], *pack.slides[i + 1:]))


def move_slide(pack: Pack, slide_id: str, offset: int) -> Pack:
    """``pack`` with slide ``slide_id`` moved ``offset`` places (negative: earlier), clamped
    to the first and last place."""
    i = pack.slide_index(slide_id)
    rest = [s for s in pack.slides if s.id != slide_id]
    j = min(max(i + int(offset), 0), len(rest))
    return replace(pack, slides=(*rest[:j], pack.slides[i], *rest[j:]))


def mark_presented(pack: Pack, incident_ids: Iterable[str], when: dt.datetime | str) -> Pack:
    """``pack`` noting it was presented at ``when`` with ``incident_ids`` existing, so the
    next presentation can show what is new since."""
    if isinstance(when, dt.datetime):
        stamp = when.replace(microsecond=0).isoformat()
    else:
        stamp = _iso(when, "presentation time")
    return replace(pack, last_presented=stamp, seen_ids=tuple(sorted(set(incident_ids))))


def _iso(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise BriefError(f"{what} must be an ISO date-time string, got {value!r}")
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise BriefError(f"{what} {value!r} is not an ISO date-time "
                         "(e.g. 2026-11-23T13:00:00+00:00)") from None
    return value


# --- reading ---------------------------------------------------------------------------

def to_json(pack: Pack) -> dict[str, Any]:
    """The pack as the JSON object stored on disk."""
    return {
        "schema": SCHEMA, "name": pack.name, "title": pack.title, "version": pack.version,
        "updated": pack.updated, "last_presented": pack.last_presented,
        "seen_ids": None if pack.seen_ids is None else list(pack.seen_ids),
        "slides": [{"id": s.id, "title": s.title, "note": s.note, "params": s.params}
                   for s in pack.slides],
    }


def _slide_from(item: Any, number: int, seen: set[str]) -> Slide:
    where = f"slide {number}"
    if not isinstance(item, dict):
        raise BriefError(f"{where} must be an object with id, title, note and params, "
                         f"got {item!r:.60}")
    if isinstance(item.get("title"), str) and item["title"].strip():
        where += f" {item['title'].strip()[:60]!r}"
    for key in ("id", "title", "params"):
        if key not in item:
            raise BriefError(f"{where}: field {key!r} is missing")
    slide_id = item["id"]
    if not isinstance(slide_id, str) or not slide_id.strip():
        raise BriefError(f"{where}: field 'id' must be non-empty text, got {slide_id!r}")
    if slide_id in seen:
        raise BriefError(f"{where}: id {slide_id!r} is used by an earlier slide too")
    seen.add(slide_id)
    try:
        return Slide(id=slide_id, title=_title(item["title"]),
                     note=_text(item.get("note", ""), "field 'note'"),
                     params=_params(item["params"], "field 'params'"))
    except BriefError as exc:
        raise BriefError(f"{where}: {exc}") from None


def from_json(data: Any, name: str | None = None) -> Pack:
    """Build a pack from its parsed JSON; ``BriefError`` naming the first bad field.

    ``name`` (the file's stem) wins over the ``name`` field, so a copied file saves back
    to itself.
    """
    if not isinstance(data, dict):
        raise BriefError(f"expected a JSON object (a brief pack), got a {type(data).__name__}")
    missing = [k for k in ("schema", "name", "title", "version", "slides") if k not in data]
    if missing:
        raise BriefError(f"field(s) {', '.join(map(repr, missing))} missing")
    if data["schema"] != SCHEMA:
        raise BriefError(f"field 'schema' is {data['schema']!r}; this app reads schema {SCHEMA}")
    title = _text(data["title"], "field 'title'")
    stored = safe_name(_text(data["name"], "field 'name'"))
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise BriefError(f"field 'version' must be a whole number >= 0, got {version!r}")
    updated = _iso(data.get("updated") or _now(), "field 'updated'")
    last = data.get("last_presented")
    last = None if last is None else _iso(last, "field 'last_presented'")
    seen = data.get("seen_ids")
    if seen is not None and (not isinstance(seen, list) or not all(isinstance(i, str) for i in seen)):
        raise BriefError(f"field 'seen_ids' must be a list of incident ids or null, got {seen!r:.60}")
    slides = data["slides"]
    if not isinstance(slides, list):
        raise BriefError(f"field 'slides' must be a list, got {slides!r:.60}")
    ids: set[str] = set()
    return Pack(name=name or stored, title=title, version=version, updated=updated,
                last_presented=last, seen_ids=None if seen is None else tuple(seen),
                slides=tuple(_slide_from(s, n, ids) for n, s in enumerate(slides, 1)))


def _read(path: Path) -> tuple[Pack, bytes]:
    """The pack in ``path`` and the exact bytes it was read from (kept as the backup)."""
    try:
        raw = load.read_bytes(path)
        data = load.parse_json(raw, path)
    except DataError as exc:
        raise BriefError(str(exc)) from None
    try:
        return from_json(data, _stem(path)), raw
    except BriefError as exc:
        raise BriefError(f"{path}: {exc}") from None


def load_pack(name_or_path: str | Path, folder: Path = BRIEFS_DIR) -> Pack:
    """Read a pack: a ``str`` is a pack name in ``folder``, a ``Path`` a file anywhere.

    Every failure (missing, empty, truncated or invalid JSON, wrong shape, bad field) is
    one ``BriefError`` line naming the file and, for a slide, its number and field.
    """
    if isinstance(name_or_path, Path):
        path = name_or_path
    else:
        path = pack_path(name_or_path, folder)
        if not path.exists():
            raise BriefError(f"brief pack {path.stem!r} not found in {Path(folder)}")
    try:
        return _read(path)[0]
    except BriefError as exc:
        backup = path.with_name(path.name + ".bak")
        if path.is_file() and backup.is_file():
            raise BriefError(f"{exc} (the previous save is in {backup.name})") from None
        raise


def check_pack(pack: Pack, known: urlstate.Known) -> list[str]:
    """A line per problem in a slide's saved view (what ``urlstate.parse`` would ignore),
    e.g. ``slide 2 "Baltic states": country: 'XX' is not a known country code; ignored``."""
    return [f'slide {number} "{slide.title}": {notice}'
            for number, slide in enumerate(pack.slides, 1)
            for notice in urlstate.parse(slide.params, known)[2]]


# --- saving ----------------------------------------------------------------------------

def save_pack(pack: Pack, folder: Path = BRIEFS_DIR, expected_version: int | None = None) -> Pack:
    """Write ``pack`` to ``folder/<name>.json``; return it as saved (version + 1, ``updated``
    now).

    ``expected_version`` is the version this copy was loaded at (``None``: the pack must not
    exist yet). If the file holds another version, someone saved meanwhile: ``ConflictError``
    and nothing is written. Under an exclusive ``flock`` on ``<name>.json.lock`` the check and
    the write cannot interleave with another process; the write goes to a synced temporary
    file that replaces the pack atomically, after the previous file is kept as ``.bak``.
    """
    settings.require_writable(settings.load_settings(), "changing brief packs")
    folder = Path(folder)
    path = pack_path(pack.name, folder)
    with contextlib.ExitStack() as held:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            held.enter_context(files.locked(path))
        except OSError as exc:
            raise BriefError(f"cannot save brief pack {pack.name!r} in {folder}: "
                             f"{exc.strerror}") from None
        if path.exists():
            try:
                current, _ = _read(path)
            except BriefError as exc:
                raise BriefError(f"{exc}; nothing was saved — restore it from {path.name}.bak "
                                 "or delete it") from None
            if expected_version is None:
                raise ConflictError(f"brief pack {pack.name!r} already exists (version "
                                    f"{current.version}); nothing was saved — open it or choose "
                                    "another name")
            if current.version != expected_version:
                raise ConflictError(
                    f"brief pack {pack.name!r} was changed elsewhere: it is at version "
                    f"{current.version} on disk, this copy was loaded at version "
                    f"{expected_version}; nothing was saved — reload the pack and redo the change")
            version = current.version + 1
        elif expected_version is not None:
            raise ConflictError(f"brief pack {pack.name!r} was deleted elsewhere (this copy was "
                                f"version {expected_version}); nothing was saved — reload")
        else:
            version = pack.version + 1
        saved = replace(pack, version=version, updated=_now())
        data = (json.dumps(to_json(saved), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        try:
            files.write_atomic(path, data)
        except OSError as exc:
            raise BriefError(f"cannot save brief pack {pack.name!r} to {path}: "
                             f"{exc.strerror or exc}; the previous file is unchanged") from None
        return saved

