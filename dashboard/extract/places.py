"""Where and how many: the places a sentence names and which of them an event is at (one,
a list, the clause's own), a city's airport, and the counts stated ("three drones over
Pskov, two over Novgorod"). Used by ``propose``; rules as data in ``triggers``.
"""

from __future__ import annotations

import math
import re

from . import triggers
from .gazetteer import Gazetteer, Mention, Place
from .text import fold

_RANK = {"airport": 0, "city": 1, "region": 2, "country": 3, "demonym": 4}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


# --------------------------------------------------------------------------- counts

_NUM = (r"(?:\d{1,3}(?:,\d{3})+|\d+|" + "|".join(
    re.escape(w) for w in sorted(triggers.NUMBER_WORDS, key=len, reverse=True)) + ")")
_GAP = r"(?:(?!(?:" + "|".join(sorted(triggers.COUNT_GAP_STOPS)) + r")\b)[\w'-]+\s+){0,3}?"


def _number(word: str) -> int:
    word = " ".join(word.split())
    return int(word.replace(",", "")) if word[0].isdigit() else triggers.NUMBER_WORDS[word]


def counts(folded: str) -> tuple[dict[str, int], list[str]]:
    """Counts named in a folded sentence (``two or three large drones`` -> 2, noted)."""
    out: dict[str, int] = {}
    notes: list[str] = []
    for name, nouns in triggers.COUNT_NOUNS.items():
        noun = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
        if name in ("killed", "injured"):
            patterns = [rf"(?<![\w-])(?P<n>{_NUM})(?:\s+(?:people|civilians|persons|soldiers))?"
                        rf"(?:\s+(?:were|was))?\s+(?:{noun})(?![\w-])",
                        rf"(?:killing|injuring|wounding)\s+(?P<n>{_NUM})(?![\w-])"]
        else:
            patterns = [rf"(?P<least>at least\s+|up to\s+|about\s+|some\s+)?(?<![\w:.,-])(?P<n>{_NUM})"
                        rf"(?:\s+(?:or|to|-)\s+(?P<n2>{_NUM}))?\s+{_GAP}(?:{noun})(?![\w-])"]
        for pattern in patterns:
            m = re.search(pattern, folded)
            if not m:
                continue
            lead = m.group(0).startswith(("killing", "injuring", "wounding"))
            if lead and (name == "killed") != m.group(0).startswith("killing"):
                continue
            value = _number(m["n"])
            out[name] = value
            if m.groupdict().get("n2"):
                notes.append(f"{name}: '{m.group(0)}' gives a range; the lower figure {value} taken")
            if (m.groupdict().get("least") or "").strip():
                notes.append(f"{name}: '{m.group(0)}': {value} is a bound, not an exact count")
            break
    if re.search(r"\bno (?:casualties|victims)\b", folded):
        out.setdefault("killed", 0)
        out.setdefault("injured", 0)
    if re.search(r"\bno (?:injuries|one was (?:hurt|injured)|injured)\b|\bnobody was (?:hurt|injured)\b",
                 folded):
        out.setdefault("injured", 0)
    if re.search(r"\bno (?:deaths|fatalities|one was killed)\b", folded):
        out.setdefault("killed", 0)
    return out, notes


# --------------------------------------------------------------------------- places

def usable(mentions: list[Mention], folded: str) -> list[tuple[Mention, str]]:
    """Mentions that say where, each with how it was read; origins and actors dropped."""
    out = []
    places = "|".join(re.escape(w) for w in triggers.DEMONYM_PLACES)
    leads = tuple(lead + " " for lead in triggers.ORIGIN_LEADS)
    for m in mentions:
        before = folded[max(0, m.start - 25):m.start]
        if m.place.kind in ("city", "region") and before.rstrip().endswith(triggers.TITLES):
            continue    # "President Vladimir Putin": a person, not the city
        if m.place.kind in ("country", "demonym") and before.endswith(leads):
            continue
        if m.place.kind == "demonym":
            after = folded[m.end:m.end + 60]
            # "Polish airspace"; "Danish and German regions" (the place word after the last)
            if hit := re.match(rf"(?:\s*(?:,|and|or)\s+[a-z]+){{0,3}}?\s+(?P<w>{places})\b", after):
                out.append((m, f"'{folded[m.start:m.end]} … {hit['w']}' read as {m.place.name}"))
            continue    # "Russian drones", "Polish F-16s": who, not where
        out.append((m, f"'{folded[m.start:m.end]}' matched {m.place.kind} {m.place.name}"))
    return out


def chosen(usable: list[tuple[Mention, str]], kind: str, folded: str
            ) -> list[tuple[Mention, str]]:
    """The most specific mentions: one, or every place of a list ("over the Belgorod
    region, two over Voronezh and another two over Rostov"), or every airport or city of a
    closure."""
    if not usable:
        return []
    # "F-16s from Rzeszów shot down drones over Lublin": where they came from is not where.
    leads = tuple(" " + lead + " " for lead in triggers.ORIGIN_LEADS)
    elsewhere = [u for u in usable if u[0].place.kind == "airport"
                 or not (" " + folded[max(0, u[0].start - 25):u[0].start]).endswith(leads)]
    usable = elsewhere or usable
    best = min(_RANK[m.place.kind] for m, _ in usable)
    top = [(m, how) for m, how in usable if _RANK[m.place.kind] == best]
    if kind == "airport_closure" and best <= _RANK["city"]:
        return _unique(top)
    listed = _list_of(usable, top[0], folded)
    return _unique(listed) if len(listed) > 1 else top[:1]


def _unique(mentions: list[tuple[Mention, str]]) -> list[tuple[Mention, str]]:
    seen: set[str] = set()
    out = []
    for m, how in mentions:
        if m.place.name not in seen:
            seen.add(m.place.name)
            out.append((m, how))
    return out


_LIST_GAP = re.compile(triggers.LIST_GAP.format(num=_NUM))
_LIST_COUNT = re.compile(triggers.LIST_COUNT.format(num=_NUM))


def _list_of(usable: list[tuple[Mention, str]], first: tuple[Mention, str], folded: str
             ) -> list[tuple[Mention, str]]:
    """The places of ``first``'s kind (cities and regions together; countries and demonyms
    together) listed with it (only separators, counts and prepositions between them), in
    the order written."""
    group = ("city", "region") if first[0].place.kind in ("city", "region") else ("country", "demonym")
    places = sorted((u for u in usable if u[0].place.kind in group), key=lambda u: u[0].start)
    runs: list[list[tuple[Mention, str]]] = []
    for u in places:
        if runs and _LIST_GAP.fullmatch(folded[runs[-1][-1][0].end:u[0].start]):
            runs[-1].append(u)
        else:
            runs.append([u])
    return next((run for run in runs if first in run), [first])


def list_counts(folded: str, listed: list[tuple[Mention, str]]
                ) -> list[tuple[dict[str, int], list[str]]]:
    """Counts per listed place: the first place's from the words before it ("three drones
    were destroyed over the Belgorod region"), the others' from a bare number before each
    ("two over Voronezh"), in the same unit; a place without its own figure gets none."""
    first_counts, first_notes = counts(folded[:listed[0][0].end])
    unit = next((k for k in ("drones", "missiles", "aircraft") if k in first_counts), None)
    out = [({unit: first_counts[unit]} if unit else {}, first_notes if unit else [])]
    for (before, _), (m, _) in zip(listed, listed[1:], strict=False):
        hit = _LIST_COUNT.search(folded[before.end:m.start])
        if unit and hit:
            out.append(({unit: _number(hit["n"])}, [f"{unit}: '{hit.group(0).strip()}' read "
                                                    f"as this place's share of the list"]))
        else:
            out.append(({}, []))
    note = f"one of {len(listed)} places listed in the sentence"
    return [(c, [*n, note] if c or not unit else
             [*n, note, "no count given for this place"]) for c, n in out]


_CLAUSE_BREAK = re.compile(triggers.CLAUSE_BREAK)
def in_clause(usable: list[tuple[Mention, str]], folded: str, at: int
               ) -> list[tuple[Mention, str]] | None:
    """The mentions in the clause holding offset ``at`` ("Airports in Warsaw and Lublin were
    closed, and debris fell near homes": the debris has none); None when the sentence is one
    clause."""
    spans = sorted((m.start, m.end) for m, _ in usable)

    def continues_a_list(b: re.Match[str]) -> bool:
        """", and Lublin" or ", and another two over Rostov": the break is inside a list."""
        before = [end for _, end in spans if end <= b.start()]
        after = [start for start, _ in spans if start >= b.end()]
        return bool(before and after and _LIST_GAP.fullmatch(folded[before[-1]:after[0]]))
    breaks = [b.end() for b in _CLAUSE_BREAK.finditer(folded) if not continues_a_list(b)]
    if not breaks:
        return None
    lo = max((b for b in breaks if b <= at), default=0)
    hi = min((b for b in breaks if b > at), default=len(folded))
    return [u for u in usable if lo <= u[0].start < hi]


def country_of(gaz: Gazetteer, listed: list[tuple[Mention, str]]) -> list[tuple[Mention, str]]:
    """The places of another clause, as their one country (or nothing, for several)."""
    codes = {m.place.country for m, _ in listed}
    if len(codes) != 1 or (country := gaz.countries.get(codes.pop())) is None:
        return []
    names = ", ".join(dict.fromkeys(m.place.name for m, _ in listed))
    m = listed[0][0]
    return [(Mention(m.start, m.end, country),
             f"no place in its own clause; the sentence names {names}: located to "
             f"{country.name}")]


def airport_for(gaz: Gazetteer, place: Place) -> Place | None:
    """The main airport of a city: of its largest tier, the nearest the city (Warsaw Chopin,
    not Modlin)."""
    serving = [a for a in gaz.airports if a.country == place.country
               and fold(a.region or "") == fold(place.name)]
    if not serving:
        return None
    top = min(a.tier for a in serving)
    return min((a for a in serving if a.tier == top), key=lambda a: km(a.point, place.point))
