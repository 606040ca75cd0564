"""Reviewing an article's proposals before they are saved: drafts, decisions, the new source.

A ``Draft`` is one proposal as the incident it would become (a validated feature with a
fresh id, citing the article as a registered document), with the user's decision. Drafts of
events already in the data carry the held incident's id and are never saved again. ``save``
writes the accepted drafts as one logged change and registers the article in the source
registry beside the data. Pure: no Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import editing, ids, sources, store
from ..schema import DataError, Problem, validate_feature
from .propose import Proposal, duplicates, to_feature

ACCEPT, REJECT = "accept", "reject"
#: Characters of the article's first line taken as its title when none is given.
TITLE_CHARS = 120


@dataclass
class Draft:
    """One proposal under review."""

    number: int                       # 1-based, as listed
    proposal: Proposal
    feature: dict[str, Any]           # what would be saved (edited, once the user edits it)
    duplicate_of: str | None = None   # id of the held incident it repeats
    decision: str | None = None       # ACCEPT, REJECT, or None: not decided yet
    edited: bool = False

    @property
    def id(self) -> str:
        return self.feature["properties"]["id"]


@dataclass(frozen=True)
class Article:
    """The article as given: its plain text, publication date and registry entry."""

    text: str
    published: dt.date
    published_how: str           # "given", or how it was read from the text
    source: sources.Source


def title_of(text: str, given: str | None) -> tuple[str, str | None]:
    """The article's title: the one given, else its first line (cut at a word boundary);
    and a note when it was taken from the text."""
    if given and given.strip():
        return given.strip(), None
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) > TITLE_CHARS:
        first = first[:TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    if not first:
        raise DataError("the article is empty: paste its text or choose a file")
    return first, "title taken from the article's first line"


def document_id(title: str, published: dt.date, taken: set[str]) -> str:
    """A registry key for the article, e.g. ``article-2025-11-04-drones-over-rzeszow``."""
    words = ids.slug(title)[:48].rstrip("-")
    return ids.next_free_id(f"article-{published.isoformat()}" + (f"-{words}" if words else ""),
                            taken)


def article_source(text: str, published: dt.date, published_how: str, registry: sources.Registry,
                   title: str | None = None, publisher: str | None = None,
                   url: str | None = None) -> Article:
    """The article with its new registry entry (``DataError`` naming a bad field)."""
    name, note = title_of(text, title)
    document = document_id(name, published, set(registry))
    notes = [n for n in (note, f"publication date {published} {published_how}",
                         "registered when incidents were drafted from it") if n]
    entry = sources.parse_entry(document, {
        "title": name, "publisher": (publisher or "").strip() or None,
        "published": published.isoformat(), "url": (url or "").strip() or None,
        "note": "; ".join(notes)}, "the article")
    return Article(text, published, published_how, entry)


def make_drafts(proposals: Sequence[Proposal], held: Any, document: str,
                taken: set[str]) -> list[Draft]:
    """Drafts for ``proposals``: each with a free id (not in ``taken``), citing ``document``,
    and marked with the held incident it repeats (``held``: the incident frame)."""
    repeats = duplicates(proposals, held) if len(held) else {}
    taken = set(taken)
    out = []
    for i, p in enumerate(proposals):
        new = editing.new_id(p.country, p.type, p.date, taken)
        taken.add(new)
        feature = to_feature(p, new)
        for cite in feature["properties"]["sources"]:
            cite["document"] = document
        out.append(Draft(i + 1, p, feature, repeats.get(i)))
    return out


def replace_feature(draft: Draft, feature: dict[str, Any]) -> list[Problem]:
    """Put the edited ``feature`` in the draft (accepting it) when it validates; its problems
    otherwise (the draft unchanged)."""
    problems = validate_feature(feature)
    if not problems:
        draft.feature, draft.edited, draft.decision = feature, True, ACCEPT
    return problems


def accepted(drafts: Sequence[Draft]) -> list[dict[str, Any]]:
    """The features to save: accepted drafts of events not already in the data."""
    return [d.feature for d in drafts if d.decision == ACCEPT and d.duplicate_of is None]


def undecided(drafts: Sequence[Draft]) -> int:
    return sum(d.decision is None and d.duplicate_of is None for d in drafts)


def save(data: str | Path, drafts: Sequence[Draft], article: Article, note: str = "",
         user: str | None = None) -> store.Snapshot:
    """Add the accepted drafts to ``data`` as one logged change citing the article, then
    register the article in the source registry beside the data (a refused save registers
    nothing). ``DataError`` when nothing is accepted or the store refuses the change; ``user``
    is recorded in the history."""
    features = accepted(drafts)
    if not features:
        raise DataError("no proposal is accepted: accept one or more before saving")
    document = article.source.document
    saved = store.import_features(
        store.open_snapshot(data, ids=[]), features, document,
        note or f"{len(features)} incident(s) drafted from the article "
                f"“{article.source.title}”", user=user)
    registry_path = sources.path_for(data)
    registry = sources.read(registry_path) if registry_path.exists() else {}
    sources.save(registry_path, sources.with_source(registry, article.source))
    return saved
