"""The source registry: one entry per source document, cited by many incidents.

``sources.json`` beside the incident file names each document an incident cites (its
``sources[].document``) with what a reader needs: title, publisher, publication date, URL
where known, and a licence note. Everything that shows a source (the card, popups, exports,
slide footers) shows ``label(...)`` ("Publisher — Title (date)"), never a file name::

    {"version": 1, "sources": {"001_0fcb98cd4bff29fe.txt": {
        "title": "Russia’s Expanding Drone and Airspace Violations Across NATO",
        "publisher": null, "published": "2025-10-06", "url": null,
        "licence": "not stated in the document", "note": "..."}}}

Unknown fields are ``null``, never guessed; ``note`` says where a date or title came from.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import db, files, load, settings, store
from .detail import cut
from .schema import DataError, Problem

VERSION = 1
FILE_NAME = "sources.json"
FIELDS = ("title", "publisher", "published", "url", "licence", "note")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
MAX_TEXT = 300


@dataclass(frozen=True)
class Source:
    """One source document as readers know it."""

    document: str
    title: str
    publisher: str | None = None
    published: str | None = None   # YYYY-MM-DD
    url: str | None = None
    licence: str | None = None
    note: str | None = None

    def label(self) -> str:
        """"Publisher — Title (18 Oct 2025)", with only the parts that are known."""
        head = f"{self.publisher} — {self.title}" if self.publisher else self.title
        when = dt.date.fromisoformat(self.published).strftime("%-d %b %Y") if self.published else None
        return f"{head} ({when})" if when else head


Registry = Mapping[str, Source]


def path_for(data: str | Path) -> Path:
    """The registry beside an incident file: ``<folder>/sources.json`` (for the PostgreSQL
    store, beside the deployment's data file)."""
    if db.is_url(data):
        data = settings.load_settings().data
    return Path(data).with_name(FILE_NAME)


def _text(entry: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: {key} must be {'a non-empty text' if required else 'text or null'}, "
                        f"got {value!r}")
    if len(value) > MAX_TEXT:
        raise DataError(f"{where}: {key} is longer than {MAX_TEXT} characters")
    return value.strip()


def parse_entry(document: str, entry: Any, where: str = "sources") -> Source:
    """One registry entry, checked; ``DataError`` naming the document and field otherwise."""
    where = f"{where}: {document!r}"
    if not isinstance(entry, Mapping):
        raise DataError(f"{where}: must be an object with {', '.join(FIELDS)}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    published = _text(entry, "published", where)
    if published is not None:
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            raise DataError(f"{where}: published {published!r} is not a date (YYYY-MM-DD)") from None
    url = _text(entry, "url", where)
    if url is not None and not _URL.fullmatch(url):
        raise DataError(f"{where}: url {url!r} is not an http(s) link")
    return Source(document, _text(entry, "title", where, required=True),
                  _text(entry, "publisher", where), published, url,
                  _text(entry, "licence", where), _text(entry, "note", where))


def from_json(data: Any, where: str = "sources") -> dict[str, Source]:
    """The registry in a parsed ``sources.json`` (or a GeoJSON export's ``sources`` member)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("sources"), Mapping):
        raise DataError(f"{where}: expected an object with a 'sources' object")
    if data.get("version", VERSION) != VERSION:
        raise DataError(f"{where}: version {data.get('version')!r} is not {VERSION}")
    return {doc: parse_entry(doc, entry, where) for doc, entry in data["sources"].items()}


def to_json(registry: Registry) -> dict[str, Any]:
    """The registry as ``sources.json`` holds it (documents sorted)."""
    return {"version": VERSION, "sources": {
        doc: {k: v for k, v in asdict(registry[doc]).items() if k != "document"}
        for doc in sorted(registry)}}


def read(path: str | Path) -> dict[str, Source]:
    """The registry at ``path``; an empty one when the file does not exist."""
    path = Path(path)
    if not path.exists():
        return {}
    return from_json(load.parse_json(load.read_bytes(path), path), str(path))


def save(path: str | Path, registry: Registry) -> None:
    """Write the registry atomically; refused on a read-only deployment."""
    settings.require_writable(settings.load_settings(), "changing the source registry")
    text = json.dumps(to_json(registry), ensure_ascii=False, indent=2) + "\n"
    files.replace_with(Path(path), text.encode("utf-8"))


def with_source(registry: Registry, source: Source) -> dict[str, Source]:
    """The registry with ``source`` added; an existing different entry is refused."""
    old = registry.get(source.document)
    if old is not None and old != source:
        raise DataError(f"source {source.document!r} is registered already as {old.label()!r}")
    return {**registry, source.document: source}


def cited(sources_lists: Iterable[Iterable[Mapping[str, Any]]]) -> set[str]:
    """Every document cited by the incidents' ``sources`` lists."""
    return {s["document"] for sources in sources_lists for s in sources}


def missing(ids: Iterable[str], sources_lists: Iterable[Iterable[Mapping[str, Any]]],
            registry: Registry) -> list[Problem]:
    """A problem per incident citing a document the registry does not name."""
    return [Problem(incident_id, "sources", f"document {s['document']!r} has no entry in {FILE_NAME}")
            for incident_id, sources in zip(ids, sources_lists, strict=True)
            for s in sources if s["document"] not in registry]


def label(document: str, registry: Registry, publisher: str | None = None) -> str:
    """What a reader sees for a cited document: the registry's label, else the publisher the
    incident itself gives and the document name (an unregistered import)."""
    if document in registry:
        return registry[document].label()
    return f"{publisher} — {document}" if publisher else document


def embedded(path: str | Path) -> dict[str, Source] | None:
    """The registry a GeoJSON export carries in its ``sources`` member, if any."""
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        return None
    data = load.parse_json(load.read_bytes(path), path)
    if isinstance(data, Mapping) and isinstance(data.get("sources"), Mapping):
        return from_json(data["sources"], f"{path}: sources")
    return None


#: Largest incident file whose own ``sources`` member is looked for (exports are small; a big
#: data file is not parsed a second time just for that).
EMBEDDED_MAX_BYTES = 20_000_000


def for_data(path: str | Path) -> tuple[dict[str, Source] | None, str]:
    """The registry that applies to an incident file, and where it came from: ``sources.json``
    beside it, else the file's own ``sources`` member (an export); None when neither exists."""
    path, beside = Path(path), path_for(path)
    if beside.exists():
        return read(beside), str(beside)
    own = embedded(path) if path.stat().st_size <= EMBEDDED_MAX_BYTES else None
    if own is not None:
        return own, f"{path} (its 'sources' member)"
    return None, str(beside)


def register_citations(registry: Registry, features: Iterable[Mapping[str, Any]], note: str
                       ) -> dict[str, Source]:
    """The registry with an entry for every document ``features`` cite that it lacks: the
    document's own name as title, the publisher and link the citation gives, and ``note``
    (e.g. "registered on import of acled.csv"). Registered entries are left as they are."""
    out = dict(registry)
    for feature in features:
        for cite in feature["properties"]["sources"]:
            doc = cite["document"]
            if doc not in out:
                out[doc] = Source(doc, doc[:MAX_TEXT], (cite.get("publisher") or None),
                                  url=cite.get("url") or None, note=note)
    return out


def save_import(data: str | Path, features: list[dict[str, Any]], name: str, note: str = "",
                updated: list[dict[str, Any]] = (), user: str | None = None):
    """Add imported incidents to ``data`` as one logged change (``store.import_features``) and
    register the documents they cite in the registry beside it, if the data has one (a data
    file without a registry keeps none); returns the saved snapshot. (The store knows
    nothing of the registry; this is where the two meet.) ``user`` is recorded in the history."""
    registry_path = path_for(data)
    # of a database, only the records updated are read (new ids are checked by the store)
    base = store.open_snapshot(data, ids=[f["properties"]["id"] for f in updated])
    saved = store.import_features(base, features, name, note, updated, user=user)
    if registry_path.exists():
        save(registry_path, register_citations(read(registry_path), [*features, *updated],
                                               f"registered on import of {name}"))
    return saved


def summary(cited_sources: Iterable[Iterable[Mapping[str, Any]]], registry: Registry,
            max_chars: int = 240) -> str:
    """A line of bounded length naming the sources behind some incidents, most cited first:
    registered documents by their label, unregistered ones grouped by publisher with a count
    ("ACLED (775 documents)"), and "and N more" once ``max_chars`` is reached."""
    groups: dict[str, set[str]] = {}  # what a reader sees -> the documents behind it
    citations: dict[str, int] = {}
    for cites in cited_sources:
        for cite in cites:
            doc = cite["document"]
            name = cut(registry[doc].label() if doc in registry
                       else (cite.get("publisher") or doc), 120)
            groups.setdefault(name, set()).add(doc)
            citations[name] = citations.get(name, 0) + 1
    order = sorted(groups, key=lambda n: (-len(groups[n]), -citations[n], n))
    names = [n if len(groups[n]) == 1 else f"{n} ({len(groups[n]):,} documents)" for n in order]
    out: list[str] = []
    for i, name in enumerate(names):
        more = len(names) - i - 1
        tail = f" and {more} more" if more else ""
        if out and len("; ".join([*out, name])) + len(tail) > max_chars:
            return "; ".join(out) + f" and {len(names) - i} more"
        out.append(name)
    return "; ".join(out)
