"""Draft incidents from an article's text: ``propose``, ``to_feature`` and ``duplicates``.

``propose`` reads sentence by sentence: a trigger phrase (``triggers.TRIGGERS``) gives the
type, a platform word must be present (``triggers.CONTEXT`` for closures), the gazetteer
gives the place, ``when`` the date and times, and numbers before platform nouns the counts.
Quotes are exact substrings of the text given (for HTML, pass ``plain_text(raw)``: quotes
are then exact substrings of that extracted plain text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..schema import MAX_QUOTE_WORDS, TYPE_LABELS
from . import triggers, when
from .gazetteer import Gazetteer, Mention, Place, default
from .text import fold, quote_span, sentences

#: Distance (km) within which two points are the same place, by the coarser precision.
MATCH_KM: dict[str, float] = {"exact": 10.0, "city": 30.0, "region": 150.0}
_RANK = {"airport": 0, "city": 1, "region": 2, "country": 3, "demonym": 4}
_COARSENESS = ("exact", "city", "region", "country")
#: Days before publication after which a mention counts as background.
BACKGROUND_DAYS = 14


@dataclass
class Proposal:
    """One draft incident found in an article (fields as in the incident schema)."""

    type: str
    date: str
    end_date: str | None
    date_precision: str
    country: str
    place: str
    point: tuple[float, float]
    location_precision: str
    platform: str
    quote: str
    confidence: str
    background: bool
    notes: str
    region: str | None = None
    icao: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    drones: int | None = None
    aircraft: int | None = None
    missiles: int | None = None
    killed: int | None = None
    injured: int | None = None
    quotes: list[str] = field(default_factory=list)
    source_title: str | None = None
    publisher: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The proposal as JSON-ready values (``point`` as ``[lon, lat]``)."""
        out = asdict(self)
        out["point"] = list(self.point)
        return out


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

def _usable(mentions: list[Mention], folded: str) -> list[tuple[Mention, str]]:
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
            after = folded[m.end:m.end + 30]
            if re.match(rf"\s+(?:{places})\b", after):
                out.append((m, f"'{folded[m.start:m.end]}{after.split()[0] and ' ' + after.split()[0]}'"
                               f" read as {m.place.name}"))
            continue    # "Russian drones", "Polish F-16s": who, not where
        out.append((m, f"'{folded[m.start:m.end]}' matched {m.place.kind} {m.place.name}"))
    return out


def _chosen(usable: list[tuple[Mention, str]], kind: str, folded: str
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
    """The cities and regions listed together with ``first`` (only separators, counts and
    prepositions between them), in the order written."""
    places = sorted((u for u in usable if u[0].place.kind in ("city", "region")),
                    key=lambda u: u[0].start)
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
_BOILERPLATE = re.compile(r"\s*(?:" + "|".join(re.escape(w) for w in triggers.BOILERPLATE_LEADS)
                          + r")\b\s*[:|»>-]")


def _in_clause(usable: list[tuple[Mention, str]], folded: str, at: int
               ) -> list[tuple[Mention, str]] | None:
    """The mentions in the clause holding offset ``at`` ("Airports in Warsaw and Lublin were
    closed, and debris fell near homes": the debris has none); None when the sentence is one
    clause."""
    starts = [m.start for m, _ in usable]
    breaks = [b.end() for b in _CLAUSE_BREAK.finditer(folded)
              if not any(0 <= s - b.end() <= triggers.LIST_CONTINUES_CHARS for s in starts)]
    if not breaks:
        return None
    lo = max((b for b in breaks if b <= at), default=0)
    hi = min((b for b in breaks if b > at), default=len(folded))
    return [u for u in usable if lo <= u[0].start < hi]


def _country_of(gaz: Gazetteer, listed: list[tuple[Mention, str]]) -> list[tuple[Mention, str]]:
    """The places of another clause, as their one country (or nothing, for several)."""
    codes = {m.place.country for m, _ in listed}
    if len(codes) != 1 or (country := gaz.countries.get(codes.pop())) is None:
        return []
    names = ", ".join(dict.fromkeys(m.place.name for m, _ in listed))
    m = listed[0][0]
    return [(Mention(m.start, m.end, country),
             f"no place in its own clause; the sentence names {names}: located to "
             f"{country.name}")]


def _negated(folded: str, trigger: re.Match[str]) -> bool:
    """A negation within a few words before the trigger ("no drones entered")."""
    words = "|".join(re.escape(w) for w in triggers.NEGATIONS)
    return bool(re.search(rf"\b(?:{words})\b(?:\s+\S+){{0,{triggers.NEGATION_WORDS - 1}}}\s*$",
                          folded[:trigger.start()]))


def _airport_for(gaz: Gazetteer, place: Place) -> Place | None:
    """The main airport of a city: of its largest tier, the nearest the city (Warsaw Chopin,
    not Modlin)."""
    serving = [a for a in gaz.airports if a.country == place.country
               and fold(a.region or "") == fold(place.name)]
    if not serving:
        return None
    top = min(a.tier for a in serving)
    return min((a for a in serving if a.tier == top), key=lambda a: km(a.point, place.point))


# --------------------------------------------------------------------------- propose

def _confidence(explicit: bool, precision: str, date_precision: str) -> str:
    score = explicit + (precision in ("exact", "city")) + (date_precision == "day")
    return ("low", "low", "medium", "high")[score]


def _overlap(a0: str, a1: str | None, b0: str, b1: str | None) -> bool:
    return a0 <= (b1 or b0) and b0 <= (a1 or a0)


def _merge(props: list[Proposal]) -> list[Proposal]:
    """One event mentioned twice -> one proposal with both quotes."""
    out: list[Proposal] = []
    for p in props:
        twin = next((q for q in out if q.type == p.type and q.country == p.country
                     and (q.icao == p.icao if q.icao or p.icao else q.place == p.place)
                     and _overlap(q.date, q.end_date, p.date, p.end_date)), None)
        if twin is None:
            out.append(p)
            continue
        if p.quote not in twin.quotes:
            twin.quotes.append(p.quote)
        for name in ("drones", "aircraft", "missiles", "killed", "injured",
                     "start_time", "end_time"):
            if getattr(twin, name) is None and getattr(p, name) is not None:
                setattr(twin, name, getattr(p, name))
        if twin.end_date and not p.end_date and twin.date <= p.date <= twin.end_date:
            twin.date, twin.end_date, twin.date_precision = p.date, None, p.date_precision
        twin.background = twin.background and p.background
        twin.notes += f"; mentioned again: {p.notes}"
    return out


def propose(text: str, published: dt.date, *, source_title: str | None = None,
            publisher: str | None = None, url: str | None = None,
            gazetteer: Gazetteer | None = None) -> list[Proposal]:
    """Draft incidents found in an article's plain text, published on ``published``.

    Each proposal's ``quote`` (and every entry of ``quotes``) is an exact substring of
    ``text``, at most 30 words; ``notes`` says how its date, place and counts were read.
    """
    gaz = gazetteer or default()
    found: list[Proposal] = []
    previous: when.When | None = None
    last_places: list[tuple[Mention, str]] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        folded = fold(sentence)
        resolved = when.resolve(sentence, published, previous)
        if resolved.explicit:
            previous = resolved
        usable = _usable(gaz.find(sentence), folded)
        kinds = triggers.find_types(folded)
        platform = triggers.find_platform(folded)
        place_note = ""
        if not usable and kinds and last_places:
            usable = last_places
            place_note = " (place carried over from an earlier sentence)"
        if usable:
            last_places = usable
        if re.match(_BOILERPLATE, folded):
            continue  # "Also Read: NATO Meets After Russian Drones Breach Polish Airspace"
        if triggers.compiled(triggers.RETRACTIONS).search(folded):
            continue  # "it was a false alarm": nothing happened
        for kind, trigger in kinds.items():
            if _negated(folded, trigger):
                continue
            context = triggers.CONTEXT.get(kind)
            if context and not triggers.compiled(context).search(folded):
                continue
            if not context and platform is None:
                continue
            here = _in_clause(usable, folded, trigger.start()) if usable else None
            if here is None or here:
                chosen = _chosen(here or usable, kind, folded)
            else:
                chosen = _country_of(gaz, usable) if len(usable) > 1 else _chosen(usable, kind, folded)
            shares = list_counts(folded, chosen) if len(chosen) > 1 and kind != "airport_closure" else None
            for i, (mention, how) in enumerate(chosen):
                found.append(_proposal(kind, gaz, text, (start, end), sentence, folded, trigger,
                                       resolved, mention, how + place_note, platform, published,
                                       shares[i] if shares else None))
    for p in found:
        p.source_title, p.publisher, p.url = source_title, publisher, url
    # The map covers the eastern flank and its context: "Russian personnel in Yemen" is not
    # an incident for it.
    return [p for p in _merge(found) if not gaz.in_scope or p.country in gaz.in_scope]


def _proposal(kind: str, gaz: Gazetteer, text: str, span: tuple[int, int], sentence: str,
              folded: str, trigger: re.Match[str], resolved: when.When, mention: Mention,
              how: str, platform: str | None, published: dt.date,
              share: tuple[dict[str, int], list[str]] | None = None) -> Proposal:
    place = mention.place
    notes = [f"type {kind} from '{trigger.group(0)}'", resolved.note, how]
    icao, precision, point, name = place.icao, place.precision, place.point, place.name
    if kind == "airport_closure" and place.kind == "city":
        airport = _airport_for(gaz, place)
        if airport is not None:
            icao, point = airport.icao, airport.point
            notes.append(f"the airport is not named; {airport.name} ({airport.icao}), the "
                         f"city's main airport, assumed")
        else:
            precision = "region"
            notes.append("no airport found for the city: location given as region-level")
    if place.kind == "country":
        notes.append(f"located only to country level, at the capital of {place.name}")
    elif place.kind == "region":
        notes.append("placed at a point inside the region")
    values, count_notes = share if share is not None else counts(folded)
    notes += count_notes
    day = resolved.date
    start_time, end_time, zone_note = when.times(sentence, day, place.country)
    if zone_note:
        notes.append(zone_note)
    if resolved.part_of_day:
        notes.append(f"time of day: {resolved.part_of_day}")
    background = ((resolved.end or resolved.date) < published - dt.timedelta(days=BACKGROUND_DAYS)
                  or bool(triggers.compiled(triggers.BACKGROUND_CUES).search(folded)))
    if background:
        notes.append("a mention of an earlier event (background)")
    focus = mention.start if share is not None else trigger.start()  # a listed place: its own words
    q0, q1 = quote_span(text, span, span[0] + focus, MAX_QUOTE_WORDS)
    quote = text[q0:q1]
    date_precision = resolved.precision
    end_date = resolved.end.isoformat() if resolved.end else None
    if date_precision == "range" and end_date is None:
        date_precision = "approx"
    return Proposal(
        type=kind, date=resolved.date.isoformat(), end_date=end_date,
        date_precision=date_precision, country=place.country, place=name, point=point,
        location_precision=precision, platform=platform or "unknown", quote=quote,
        quotes=[quote], confidence=_confidence(resolved.explicit, precision, date_precision),
        background=background, notes="; ".join(n for n in notes if n),
        region=place.region if place.kind == "region" else None, icao=icao,
        start_time=start_time, end_time=end_time, **values)


# --------------------------------------------------------------------------- output

def to_feature(p: Proposal, id: str) -> dict[str, Any]:
    """A GeoJSON Feature for a proposal, in the incident schema (``schema.validate_feature``)."""
    bits = [f"{n} {name}" for name in ("drones", "aircraft", "missiles", "killed", "injured")
            if (n := getattr(p, name)) is not None]
    summary = (f"{TYPE_LABELS[p.type]}: {p.place} ({p.country})"
               + (f", {', '.join(bits)}" if bits else "") + ". Draft from an article.")
    document = p.source_title or p.url or "article"
    sources = [{"document": document, "quote": q, "publisher": p.publisher, "url": p.url}
               for q in (p.quotes or [p.quote])]
    props: dict[str, Any] = {
        "id": id, "type": p.type, "date": p.date, "end_date": p.end_date,
        "date_precision": p.date_precision, "country": p.country, "region": p.region,
        "place": p.place, "location_precision": p.location_precision, "platform": p.platform,
        "icao": p.icao, "drones": p.drones, "aircraft": p.aircraft, "missiles": p.missiles,
        "killed": p.killed, "injured": p.injured, "summary": summary, "sources": sources,
        "confidence": p.confidence, "related_ids": [], "notes": p.notes or None,
    }
    if p.start_time:
        props["start_time"] = p.start_time
    if p.end_time:
        props["end_time"] = p.end_time
    return {"type": "Feature", "id": id,
            "geometry": {"type": "Point", "coordinates": [p.point[0], p.point[1]]},
            "properties": props}


# --------------------------------------------------------------------------- matching

def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def same_incident(p: Proposal, rec: dict[str, Any]) -> bool:
    """Same type, overlapping dates, and the same ICAO or a point close enough for the
    coarser of the two location precisions (country level: the same country)."""
    if p.type != rec["type"] or not _overlap(p.date, p.end_date, rec["date"], rec.get("end_date")):
        return False
    if p.icao and p.icao == rec.get("icao"):
        return True
    coarser = max(p.location_precision, rec.get("location_precision") or "exact",
                  key=_COARSENESS.index)
    if coarser == "country":
        return p.country == rec.get("country")
    point = rec.get("point")
    return point is not None and km(p.point, point) <= MATCH_KM[coarser]


def records(frame: Any) -> list[dict[str, Any]]:
    """Incident rows of a (Geo)DataFrame as plain dicts with ISO dates and a (lon, lat) point."""
    out = []
    for _, row in frame.iterrows():
        geom = row.get("geometry")
        point = None
        if geom is not None and not getattr(geom, "is_empty", True):
            rp = geom if geom.geom_type == "Point" else geom.representative_point()
            point = (rp.x, rp.y)

        def iso(v: Any) -> str | None:
            if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "None"):
                return None
            return str(v)[:10]
        icao = row.get("icao")
        out.append({"id": row.get("id"), "type": row.get("type"), "date": iso(row.get("date")),
                    "end_date": iso(row.get("end_date")),
                    "icao": icao if isinstance(icao, str) else None,
                    "country": row.get("country"),
                    "location_precision": row.get("location_precision"), "point": point})
    return [r for r in out if r["date"]]


def duplicates(proposals: Sequence[Proposal], incidents_frame: Any) -> dict[int, str]:
    """Proposal index -> id of an incident already in the data that is the same event."""
    recs = records(incidents_frame)
    out: dict[int, str] = {}
    for i, p in enumerate(proposals):
        if hit := next((r for r in recs if same_incident(p, r)), None):
            out[i] = str(hit["id"])
    return out
